"""SVG snapshots of the cockpit's screens at 80x24, 120x40 and 200x60 (frozen clocks, scripted engine).

Each screen must be usable on a small console and use the room of a large one: the fleet (every state,
the run's header with the window's countdown and the gate), a failed host's log, the troubleshoot
screen, the read-only fleet of `cockpit watch`, and the dialogs at 80x24 with their buttons in view.
Besides the pictures, each test checks in the screen's text what must never be cut.

Regenerate with `pytest tests/ui/test_snapshots.py --snapshot-update` only after looking at the
report's pictures.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from cockpit.domain.events import EventSink, FanOutSink, TargetChanged
from cockpit.domain.window import FleetEta, Window
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.confirm import ConfirmScreen
from cockpit.ui.screens.log import LogScreen
from cockpit.ui.screens.troubleshoot import TroubleshootScreen
from tests.ui import nimadm_output as out
from tests.ui.canned_controls import CannedControls
from tests.ui.fake_engine import FakeClock, ScriptedEngine
from tests.ui.scenarios import APP, HOSTS, SEVEN, WEB, every_state, three_hosts
from tests.ui.screen_text import SIZES, screen_lines, steady_cursors

WALL = 1_795_000_000.0
"""The engine's (and the window's) clock in these pictures: 2026-11-18 22:13:20 UTC."""
FAILED_LINE = "0516-082 /usr/sbin/lchangelv: Unable to access a special device file"


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """ETAs and the window are shown as local clock times: UTC in the pictures."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


class EtaFeed:
    """Feeds the events to the controls' FleetEta, as the engine does with its own."""

    def __init__(self, eta: FleetEta) -> None:
        self.eta = eta

    def emit(self, event: object) -> None:
        if isinstance(event, TargetChanged):
            self.eta.feed(event)


def controlled(tmp_path: Path, *, read_only: bool = False) -> tuple[CockpitApp, ScriptedEngine]:
    """The fleet of every_state with the engine's controls: the gate, a maintenance window and ETAs."""
    clock = FakeClock(WALL)
    engine = ScriptedEngine(tmp_path, clock, every_state)
    controls = CannedControls(SEVEN)
    controls.window = Window(WALL - 1800, WALL + 5400, WALL + 3600)  # type: ignore[misc]
    controls.eta = FleetEta(lambda phase: 300.0, 12)  # type: ignore[misc]
    feed = EtaFeed(controls.eta)

    def run(sink: EventSink) -> Any:
        return engine.run(FanOutSink(sink, feed))

    app = CockpitApp(
        run,
        SEVEN,
        engine.log_path,
        title="nimadm · inventory.yaml",
        clock=clock,
        controls=None if read_only else controls,
        read_only=read_only,
        wall_clock=clock,
        rollback=None if read_only else no_wizard,
    )
    return app, engine


def no_wizard() -> Any:
    """The rollback wizard is offered (`b`) as in `cockpit run`; these pictures never open it."""
    raise AssertionError("the rollback wizard is not part of these pictures")


def scripted(tmp_path: Path) -> tuple[CockpitApp, ScriptedEngine]:
    clock = FakeClock()
    engine = ScriptedEngine(tmp_path, clock, three_hosts)
    return CockpitApp(engine.run, HOSTS, engine.log_path, clock=clock), engine


async def show_log(pilot: Pilot[None], app: CockpitApp, target: str) -> LogScreen:
    app.open_log(target)
    while not (isinstance(app.screen, LogScreen) and app.screen.loaded.is_set()):
        await pilot.pause(0.01)
    app.flush()
    await pilot.pause()
    return app.screen


async def fleet_ready(pilot: Pilot[None], app: CockpitApp, engine: ScriptedEngine) -> None:
    await engine.reached("all")
    app.flush()
    await pilot.pause()
    app.clear_notifications()  # the stall's toast: not part of these pictures
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_fleet_mid_run(snap_compare: Any, tmp_path: Path, size: str) -> None:
    """Mid-run fleet with one host in every state: the header keeps the window's countdown and the
    counts; host, state, phase and the reason are never what goes; the footer keeps q and b."""
    app, engine = controlled(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await fleet_ready(pilot, app, engine)
        app.fleet.table.move_cursor(row=1)  # aixweb02, failed: its whole line under the table
        await pilot.pause()
        lines = screen_lines(app)
        assert "31m29s left · cut" in lines[0]  # the window's countdown: never dropped
        assert lines[0].rstrip().endswith(("unreachable 1", "◌1"))  # the counts, words or glyphs
        rows = {line.split()[0]: line for line in lines[2:9]}
        assert "✗ failed" in rows["aixweb02"] and "11/12" in rows["aixweb02"] and "0516-082" in rows["aixweb02"]
        assert "◐ stalled" in rows["aixbat04"] and "■ blocked" in rows["aixmq05"]
        assert FAILED_LINE in " ".join(line.strip() for line in lines[-5:-1])  # the whole reason, wrapped
        assert "q Quit" in lines[-1] and "b Roll back" in lines[-1]

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_watch_read_only(snap_compare: Any, tmp_path: Path, size: str) -> None:
    """`cockpit watch`: READ-ONLY in the header, and no key in the footer that would change a host."""
    app, engine = controlled(tmp_path, read_only=True)

    async def run_before(pilot: Pilot[None]) -> None:
        await fleet_ready(pilot, app, engine)
        lines = screen_lines(app)
        assert "READ-ONLY" in lines[0]
        footer = lines[-1]
        assert "Open log" in footer and "q Quit" in footer
        for key in ("Troubleshoot", "Roll back", "Abort", "Pause", "Concurrency"):
            assert key not in footer, key

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_failed_host_log(snap_compare: Any, tmp_path: Path, size: str) -> None:
    """The log pane of the host that failed in phase 11: 0516-082, then nimadm's cleanup lines."""
    app, engine = scripted(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await engine.reached("mid")
        await show_log(pilot, app, WEB)
        head = screen_lines(app)[0]
        assert head.startswith(f" {WEB} · ✗ failed · phase 11/12 · ") and head.rstrip().endswith("FOLLOWING")
        assert "0516-082" in head

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


def test_paused_log_with_lines_waiting(snap_compare: Any, tmp_path: Path) -> None:
    """A running host's log pane, paused: the view holds still and counts the lines waiting."""
    app, engine = scripted(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await engine.reached("mid")
        await show_log(pilot, app, APP)
        await pilot.press("p")
        engine.log(APP, out.phase(APP, 6)[7:])
        app.flush()
        await pilot.pause()
        head = screen_lines(app)[0]
        assert head.startswith(f" {APP} · ▶ running · phase 6/12") and "PAUSED" in head and "new lines waiting" in head

    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_troubleshoot_stalled_host(snap_compare: Any, tmp_path: Path, size: str) -> None:
    """Troubleshoot screen of a host stalled in phase 9: state, last lines, probes, its process tree
    (with height to read it), and every action's key in view."""
    app, engine = controlled(tmp_path)
    stalled = SEVEN[3]

    async def run_before(pilot: Pilot[None]) -> None:
        await fleet_ready(pilot, app, engine)
        app.open_troubleshoot(stalled)
        while not (isinstance(app.screen, TroubleshootScreen) and app.screen.loaded.is_set()):
            await pilot.pause(0.01)
        screen = app.screen
        await pilot.press("1")
        while screen.probe_runs["processes"].count == 0:
            await pilot.pause(0.01)
        app.flush()
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        for hint in ("z keep waiting", "k kill (TERM)", "c nimadm -C", "r retry from", "f mark failed"):
            assert hint in text, hint
        assert "on nim01 · exit 0" in text and "step nimadm · running · pid 40211" in text

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


# -- the dialogs, at 80x24: every one fits with its buttons in view ---------------------------------------


def dialog_in_view(app: CockpitApp) -> list[str]:
    lines = screen_lines(app)
    keys = next((line for line in lines if "esc cancels" in line), "\n".join(lines))
    assert "enter confirms" in keys, keys  # the key line and the buttons, on screen
    return lines


def test_quit_dialog(snap_compare: Any, tmp_path: Path) -> None:
    app, engine = scripted(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await engine.reached("mid")
        app.flush()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        lines = dialog_in_view(app)
        assert any("y / enter confirms · n / esc cancels" in line and "Stay" in line for line in lines)

    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run_before)


def test_kill_dialog_asks_for_the_hosts_name(snap_compare: Any, tmp_path: Path) -> None:
    app, engine = controlled(tmp_path)
    stalled = SEVEN[3]

    async def run_before(pilot: Pilot[None]) -> None:
        await fleet_ready(pilot, app, engine)
        app.open_troubleshoot(stalled)
        while not (isinstance(app.screen, TroubleshootScreen) and app.screen.loaded.is_set()):
            await pilot.pause(0.01)
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        lines = dialog_in_view(app)
        assert any(f"Type the host's name, {stalled}, to run it:" in line for line in lines), "\n".join(lines)
        await steady_cursors(pilot)

    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run_before)


def test_concurrency_dialog(snap_compare: Any, tmp_path: Path) -> None:
    app, engine = controlled(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await fleet_ready(pilot, app, engine)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        dialog_in_view(app)
        await steady_cursors(pilot)

    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run_before)
