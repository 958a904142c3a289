"""The terminal's alerts: the bell and the desktop notification escape, each kind switchable.

Where the bytes go is the caller's: the cockpit writes them through Textual's driver (so they never
land in the middle of a frame), the headless run to its standard output when that is a terminal.
The switches start as the config's `alerts:` and the operator may flip them during the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Protocol

from cockpit.config.notify import TerminalAlerts
from cockpit.domain.alert_escapes import BEL, DesktopSetting, desktop_escapes, desktop_protocols
from cockpit.domain.alerts import Alert, AlertKind

TITLES = {
    AlertKind.FAILED: "{target} failed",
    AlertKind.STALLED: "{target} stalled",
    AlertKind.ETA_PAST_WINDOW: "{target} will miss the window",
    AlertKind.CUTOFF_MISSED: "cutoff passed",
    AlertKind.FINISHED: "run finished",
}


class TerminalOut(Protocol):
    """Where the terminal's alerts are written."""

    def bell(self) -> None: ...

    def write_escape(self, text: str) -> None: ...


class StreamTerminal:
    """A terminal that is a text stream: the headless run's standard output."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def bell(self) -> None:
        self._write(BEL)

    def write_escape(self, text: str) -> None:
        self._write(text)

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()


@dataclass
class AlertSwitches:
    """What the terminal's alerts do now."""

    bell: bool = True
    desktop: DesktopSetting = "auto"
    events: set[AlertKind] = field(default_factory=lambda: set(AlertKind))
    desktop_default: DesktopSetting = "auto"
    """What `desktop` goes back to when the operator turns it on again."""
    muted: bool = False
    """The operator silenced the terminal (`m`): neither bell nor notification, whatever the rest says."""

    @classmethod
    def of(cls, settings: TerminalAlerts) -> AlertSwitches:
        default: DesktopSetting = settings.desktop if settings.desktop != "off" else "auto"
        return cls(settings.bell, settings.desktop, set(settings.events), default)

    def on(self, kind: AlertKind) -> bool:
        return kind in self.events

    def toggle(self, kind: AlertKind) -> bool:
        """Turn alerts of `kind` off, or on again; True when they are now on."""
        self.events ^= {kind}
        return kind in self.events

    def toggle_mute(self) -> bool:
        """Silence the terminal's alerts, or let them ring again; True when they are now muted."""
        self.muted = not self.muted
        return self.muted

    def toggle_bell(self) -> bool:
        self.bell = not self.bell
        return self.bell

    def toggle_desktop(self) -> bool:
        self.desktop = self.desktop_default if self.desktop == "off" else "off"
        return self.desktop != "off"


class TerminalAlerter:
    """Rings and notifies for an alert, as the switches say; returns what it did for the journal."""

    def __init__(self, switches: AlertSwitches, env: Mapping[str, str], out: TerminalOut | None = None) -> None:
        self.switches = switches
        self.out = out
        """None: no terminal to alert (output to a file, a browser tab); set when one appears."""
        self._env = dict(env)
        self._tmux = bool(env.get("TMUX"))

    def deliver(self, alert: Alert) -> Iterable[tuple[str, str]]:
        """(channel, outcome) of each thing done: `bell`, `desktop`."""
        out, switches = self.out, self.switches
        if out is None or switches.muted or not switches.on(alert.kind):
            return []
        done: list[tuple[str, str]] = []
        if switches.bell:
            out.bell()
            done.append(("bell", "rung"))
        protocols = desktop_protocols(switches.desktop, self._env)
        if protocols:
            title = TITLES[alert.kind].format(target=alert.target or ", ".join(alert.targets))
            out.write_escape(desktop_escapes("cockpit", title, alert.summary, protocols, tmux=self._tmux))
            names = ", ".join(p.replace("osc", "OSC ") for p in protocols)
            done.append(("desktop", f"sent ({names}{', through tmux' if self._tmux else ''})"))
        return done


__all__ = ["AlertSwitches", "StreamTerminal", "TerminalAlerter", "TerminalOut"]
