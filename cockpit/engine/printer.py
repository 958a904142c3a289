"""The headless consumer of the event stream: one line per state change, for logs and CI."""

from __future__ import annotations

import sys
import time
from typing import Protocol

from cockpit.domain.events import CockpitNotice, Event, LogLines, RunFinished, RunStarted, TargetChanged
from cockpit.domain.models import TargetState

NOTES = ("ETA ", "skipped ", "re-attached", "retry ")
"""Reasons printed even when the state and phase did not change."""


class TextOut(Protocol):
    """Where the lines go: a terminal, a file, or the cockpit's back-out screen (a line at a time)."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


class LinePrinter:
    def __init__(self, out: TextOut = sys.stdout, *, show_pending: bool = False) -> None:
        self.out = out
        self.show_pending = show_pending
        self._last: dict[str, tuple[TargetState, int | None]] = {}
        self._noted: dict[str, str] = {}
        self._width = 8

    def emit(self, event: Event) -> None:
        if isinstance(event, LogLines):
            return
        if isinstance(event, RunStarted):
            self._width = max([8, *(len(t) for t in event.targets)])
            self._print(event.at, f"run {event.run_id}: {event.runbook} on {len(event.targets)} targets")
        elif isinstance(event, TargetChanged):
            self._target(event)
        elif isinstance(event, CockpitNotice):
            self._print(event.at, f"cockpit: {event.text}")
        elif isinstance(event, RunFinished):
            verdict = "all succeeded" if event.ok else f"{len(event.failed)} not succeeded: {', '.join(event.failed)}"
            self._print(event.at, f"run {event.run_id} finished: {len(event.succeeded)} succeeded, {verdict}")

    def _target(self, e: TargetChanged) -> None:
        key = (e.state, e.phase)
        if self._last.get(e.target) == key:
            # Same state and phase: only a note worth a line of its own (a window warning, a skip).
            if e.reason and e.reason.startswith(NOTES) and self._noted.get(e.target) != e.reason:
                self._noted[e.target] = e.reason
                self._print(e.at, f"{e.target:<{self._width}} {e.reason}")
            return
        self._last[e.target] = key
        if e.state is TargetState.PENDING and not self.show_pending:
            return
        unit = "step" if e.step else "phase"
        phase = f"{unit} {e.phase}/{e.phases_total}" if e.phase else ""
        detail = ""
        if e.state in (TargetState.FAILED, TargetState.UNREACHABLE, TargetState.BLOCKED, TargetState.ROLLED_BACK):
            # The reason, unless the error line says it already (`locked` / `locked by ...`).
            said = e.reason if e.reason and not (e.error or "").startswith(e.reason) else None
            detail = "  ".join(x for x in (said, e.error) if x)
        state = e.state.label.upper() if e.state.finished else e.state.label
        text = f"{e.target:<{self._width}} {state:<11} {phase:<11}"
        if e.step and not e.state.finished:
            text += f" {e.step}"
        self._print(e.at, (text + " " + detail).rstrip())
        if e.reason and e.reason.startswith(NOTES) and self._noted.get(e.target) != e.reason and not detail:
            # A step skipped by its guard moves the progress and says why in the same event.
            self._noted[e.target] = e.reason
            self._print(e.at, f"{e.target:<{self._width}} {e.reason}")

    def note(self, text: str) -> None:
        """A line of the cockpit's own (a notify command that failed), stamped with the time now."""
        self._print(time.time(), text)

    def _print(self, at: float, text: str) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(at))
        self.out.write(f"{stamp} {text}\n")
        self.out.flush()
