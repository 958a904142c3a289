"""The event stream the engine emits. The TUI and the headless printer are two consumers of it.

Log output travels as batches (one event per chunk read from a host, never one per line) so
that a burst of installp output costs the consumers one call, not thousands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cockpit.domain.models import TargetState


@dataclass(frozen=True, slots=True)
class RunStarted:
    run_id: str
    runbook: str
    targets: tuple[str, ...]
    at: float


@dataclass(frozen=True, slots=True)
class TargetChanged:
    """A target's state or phase changed. Later ones supersede earlier ones for the same target."""

    target: str
    state: TargetState
    phase: int | None
    phases_total: int
    at: float
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    exit_status: int | None = None
    reason: str | None = None  # why: blocked by preflight, unreachable: connection refused ...
    last_output_at: float | None = None  # lets a view show "silent for 4m12s" while stalled
    step: str | None = None
    """The title of the step under way, for runbooks that go step by step (None: nimadm's phases)."""


@dataclass(frozen=True, slots=True)
class LogLines:
    """Complete lines a target's step printed, in order. `first_seq` numbers the first line (0-based)."""

    target: str
    lines: tuple[str, ...]
    first_seq: int


@dataclass(frozen=True, slots=True)
class RunFinished:
    run_id: str
    succeeded: tuple[str, ...]
    failed: tuple[str, ...]
    at: float

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True, slots=True)
class CockpitNotice:
    """Something about the cockpit itself, not a host: e.g. its journal or a log file can no longer be
    written (a full disk). The hosts are still followed; the views tell the operator at once."""

    text: str
    at: float


Event = RunStarted | TargetChanged | LogLines | RunFinished | CockpitNotice


# What `TargetChanged.reason` says for the notes a consumer acts on (the alerts, the UI's stall toast).
# The engine writes them with these words and the consumers read them with these words.
STALLED_PREFIX = "stalled: "
"""A target turned stalled; the rest of the reason says why (silent for ..., running ... past ...)."""
SNOOZED = "alarm snoozed by the operator"
"""The operator said "keep waiting": the stall alarm is off until the snooze ends."""
CUTOFF_PASSED = "cutoff passed"
"""The target was not started: the maintenance window's cutoff had passed."""
MARKED_FAILED = "marked failed by the operator"
ETA_PAST_END = "is past the window's end"


def eta_past_end(eta: str, end: str) -> str:
    """The note of a target whose ETA passes the window's end: `ETA 03:10 is past the window's end 02:30`."""
    return f"ETA {eta} {ETA_PAST_END} {end}"


def is_eta_past_end(reason: str | None) -> bool:
    return reason is not None and reason.startswith("ETA ") and ETA_PAST_END in reason


class EventSink(Protocol):
    """Anything that consumes engine events. `emit` must not block and must not raise."""

    def emit(self, event: Event) -> None: ...


class ListSink:
    """Collects events in order; used by tests and by replay."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, event: Event) -> None:
        self.events.append(event)


class FanOutSink:
    """Feeds one stream to several consumers (the UI bridge and the journal, say)."""

    def __init__(self, *sinks: EventSink) -> None:
        self.sinks = list(sinks)

    def emit(self, event: Event) -> None:
        for sink in self.sinks:
            sink.emit(event)
