"""The cockpit's side of the alerts: the terminal they ring, the operator's toggles, and what the UI
uses of the engine's AlertSink (as protocols: the UI never imports the engine).

The bell is Textual's (App.bell writes BEL through the driver). The desktop notification escape goes
the same way, through the driver's writer, so it is written between two frames and never inside one
(a raw write to the terminal could split a frame's escape sequence and garble the screen). In a
browser tab (`cockpit serve`) neither is sent: the page's terminal shows no system notification.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from cockpit.domain.alerts import ALERT_KINDS, AlertKind
from cockpit.domain.events import Event

if TYPE_CHECKING:
    from textual.app import App

KIND_NAMES = {
    AlertKind.FAILED: "a target failed",
    AlertKind.STALLED: "a step stalled",
    AlertKind.ETA_PAST_WINDOW: "an ETA past the window's end",
    AlertKind.CUTOFF_MISSED: "targets not started at the cutoff",
    AlertKind.FINISHED: "the run finished",
}


class AlertSwitchesView(Protocol):
    @property
    def bell(self) -> bool: ...

    @property
    def desktop(self) -> str: ...

    @property
    def muted(self) -> bool: ...

    def toggle_mute(self) -> bool: ...

    def on(self, kind: AlertKind) -> bool: ...

    def toggle(self, kind: AlertKind) -> bool: ...

    def toggle_bell(self) -> bool: ...

    def toggle_desktop(self) -> bool: ...


class RunAlerts(Protocol):
    """The engine's AlertSink, as the cockpit uses it."""

    def emit(self, event: Event) -> None: ...

    async def aclose(self, wait: float | None = None) -> None: ...

    @property
    def switches(self) -> AlertSwitchesView: ...

    @property
    def busy(self) -> int: ...


class TerminalOut(Protocol):
    def bell(self) -> None: ...

    def write_escape(self, text: str) -> None: ...


AlertsFactory = Callable[..., RunAlerts]
"""`factory(report=..., terminal=...)`: the run's alerts, problems told through `report(text)` and
the terminal's alerts written to `terminal` (None: none)."""


class TextualTerminal:
    """The terminal under a running Textual app."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app

    def bell(self) -> None:
        self._app.bell()

    def write_escape(self, text: str) -> None:
        # Textual has no public call for an escape of our own; App.bell() itself writes through the
        # driver, whose writer thread keeps each write whole and in order with the frames.
        driver = self._app._driver
        if driver is not None and not self._app.is_headless:
            driver.write(text)


def toggle_commands(
    switches: AlertSwitchesView, tell: Callable[[str], None]
) -> Iterable[tuple[str, str, Callable[[], None]]]:
    """(title, help, callback) of each alert toggle, for the command palette (muting them all at once
    is the key `m`, which the palette offers with the other keys)."""

    def flip(what: str, toggle: Callable[[], bool]) -> Callable[[], None]:
        return lambda: tell(f"{what}: {'on' if toggle() else 'off'}")

    def of_kind(kind: AlertKind) -> Callable[[], bool]:
        return lambda: switches.toggle(kind)

    bell = "on" if switches.bell else "off"
    yield (
        f"Alerts: turn the bell {'off' if switches.bell else 'on'}",
        f"The terminal bell on alerts (now {bell})",
        flip("Alert bell", switches.toggle_bell),
    )
    desktop = switches.desktop != "off"
    yield (
        f"Alerts: turn desktop notifications {'off' if desktop else 'on'}",
        f"The terminal's desktop notification (OSC 9 / OSC 777) on alerts (now {'on' if desktop else 'off'})",
        flip("Desktop notifications", switches.toggle_desktop),
    )
    for kind in ALERT_KINDS:
        on = switches.on(kind)
        yield (
            f"Alerts: {'mute' if on else 'unmute'} {kind.value}",
            f"Bell and desktop notification when {KIND_NAMES[kind]} (now {'on' if on else 'off'})",
            flip(f"Alerts for {kind.value}", of_kind(kind)),
        )
