"""The cockpit's alerts (Pilot): the run's events reach the alerts beside the fleet, the terminal is
rung (Textual's driver; a browser tab gets nothing), the palette mutes and unmutes each kind, a notify
command's trouble is a toast, and quitting lets the last notifications go out first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cockpit.config.notify import NotifyCommand
from cockpit.domain.alerts import AlertKind
from cockpit.engine.alerts import AlertSink, AlertSwitches
from cockpit.engine.alerts.commands import NotifyCommands
from cockpit.engine.alerts.terminal import TerminalAlerter
from cockpit.ui.alerts import TextualTerminal
from tests.ui.conftest import SIZE, MakeApp, wait_until
from tests.ui.scenarios import HOSTS, WEB, three_hosts
from tests.ui.test_commands import run_command


class Recording:
    """The terminal the app gives, recorded (under Pilot the driver is headless and writes nothing)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.written: list[str] = []

    def bell(self) -> None:
        self.written.append("BEL")
        self.inner.bell()

    def write_escape(self, text: str) -> None:
        self.written.append(text)
        self.inner.write_escape(text)


class Factory:
    """What `cockpit run` hands the app: makes the run's AlertSink once the app is up."""

    def __init__(self, notify: list[NotifyCommand] | None = None) -> None:
        self.notify = notify or []
        self.terminal: Recording | None = None
        self.sink: AlertSink | None = None

    def __call__(self, *, report: Any, terminal: Any) -> AlertSink:
        assert isinstance(terminal, TextualTerminal)  # a terminal, not a browser tab: it is rung
        self.terminal = Recording(terminal)
        env = {"TERM_PROGRAM": "iTerm.app"}
        alerter = TerminalAlerter(AlertSwitches(), env, self.terminal)
        self.sink = AlertSink(
            alerter, NotifyCommands(self.notify, journal=None, report=report), journal=None, report=report
        )
        return self.sink


async def test_a_failure_rings_and_the_palette_mutes_the_runs_end(make_app: MakeApp) -> None:
    factory = Factory()
    app, engine = make_app(HOSTS, three_hosts, alerts=factory)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        assert factory.terminal is not None and factory.sink is not None
        await wait_until(pilot, lambda: len(factory.terminal.written) == 2)  # type: ignore[union-attr]
        bell, escape = factory.terminal.written
        assert bell == "BEL"
        assert escape.startswith(f"\x1b]9;cockpit: {WEB} failed in phase 11/12: 0516-082")
        await run_command(pilot, "mute finished", "Alerts: mute finished")
        assert not factory.sink.switches.on(AlertKind.FINISHED)
        engine.release("mid")
        await wait_until(pilot, lambda: [a.kind for a in factory.sink.told] == [AlertKind.FAILED, AlertKind.FINISHED])  # type: ignore[union-attr]
        assert len(factory.terminal.written) == 2  # told (and journaled), not rung
        await run_command(pilot, "turn the bell off", "Alerts: turn the bell off")
        assert factory.sink.switches.bell is False


async def test_a_failing_notify_command_is_a_toast_once(make_app: MakeApp, tmp_path: Path) -> None:
    failing = NotifyCommand(command=["/bin/sh", "-c", "echo 'no route to hook' >&2; exit 7"])
    factory = Factory([failing])
    app, engine = make_app(HOSTS, three_hosts, alerts=factory)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        engine.release("mid")

        def toasts() -> list[str]:
            return [str(n.message) for n in app._notifications if n.title == "Notifications"]

        await wait_until(pilot, lambda: bool(toasts()), timeout=10)
        await pilot.pause(0.5)  # the run's end fails it again: not a second toast
        (text,) = toasts()
        assert text.startswith("notify[0] sh: failed: exit 7: no route to hook (alert: aixweb02 failed")


async def test_quitting_lets_the_last_notification_out(make_app: MakeApp, tmp_path: Path) -> None:
    out = tmp_path / "sent"
    slow = NotifyCommand(command=["/bin/sh", "-c", f"sleep 0.5; echo sent >> {out}"], events=[AlertKind.FINISHED])
    factory = Factory([slow])
    app, engine = make_app(HOSTS, three_hosts, alerts=factory)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        engine.release("mid")
        await wait_until(pilot, lambda: factory.sink is not None and factory.sink.busy > 0)
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running, timeout=10)
    assert out.read_text() == "sent\n"


async def test_m_mutes_the_terminal_and_m_again_lets_it_ring(make_app: MakeApp) -> None:
    factory = Factory()
    app, engine = make_app(HOSTS, three_hosts, alerts=factory)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        assert factory.terminal is not None and factory.sink is not None
        await wait_until(pilot, lambda: len(factory.terminal.written) == 2)  # type: ignore[union-attr]
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Mute / unmute alerts" in titles  # the key, offered by the palette with the others
        await pilot.press("m")
        assert factory.sink.switches.muted
        engine.release("mid")
        await wait_until(pilot, lambda: len(factory.sink.told) == 2)  # type: ignore[union-attr]
        assert len(factory.terminal.written) == 2  # the run's end: told and journaled, not rung
        await pilot.press("m")
        assert not factory.sink.switches.muted


async def test_without_alerts_there_is_no_mute_key(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, three_hosts)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        assert app.alerts is None
        assert app.check_action("mute_alerts", ()) is False
        await pilot.press("m")  # nothing happens, nothing breaks
        engine.release("mid")


async def test_a_browser_tab_is_never_rung(make_app: MakeApp, monkeypatch: Any) -> None:
    """`cockpit serve`: the page's terminal shows no system notification; notify commands still run."""
    from cockpit.ui.app import CockpitApp

    monkeypatch.setattr(CockpitApp, "is_web", property(lambda self: True))
    given: list[object] = []

    def factory(*, report: Any, terminal: Any) -> AlertSink:
        given.append(terminal)
        alerter = TerminalAlerter(AlertSwitches(), {}, terminal)
        return AlertSink(alerter, NotifyCommands([], journal=None, report=report), journal=None, report=report)

    app, engine = make_app(HOSTS, three_hosts, alerts=factory)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        assert given == [None]
        assert app.check_action("mute_alerts", ()) is False
        assert not [c for c in app.get_system_commands(app.screen) if c.title.startswith("Alerts:")]
        engine.release("mid")
        await pilot.pause()
