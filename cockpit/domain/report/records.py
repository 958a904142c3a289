"""The record of a run as plain values: its targets, steps, phases, actions, waivers and rollbacks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

FAILED_OUTCOMES = frozenset({"failed", "blocked", "unreachable"})
"""Target outcomes that are a <failure> in JUnit (and `failed` in the runs list)."""
UNFINISHED_OUTCOMES = frozenset({"pending", "running", "stalled"})


@dataclass(frozen=True)
class StateEntry:
    """One state change of a target as the journal has it (the engine's TargetChanged, shortened)."""

    at: float
    state: str
    phase: int | None = None
    error: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class PhaseEntry:
    phase: int
    started_at: float
    finished_at: float | None
    """When the next phase began or the target ended; None while it runs."""

    @property
    def duration(self) -> float | None:
        return None if self.finished_at is None else max(0.0, self.finished_at - self.started_at)


@dataclass(frozen=True)
class StepEntry:
    """A step as journaled: `launched_at` is the step's own start (`started_at` is its target's)."""

    name: str
    host: str
    command: str
    state: str
    launched_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    exit_status: int | None = None
    error: str | None = None
    reason: str | None = None

    @property
    def duration(self) -> float | None:
        begin = self.launched_at if self.launched_at is not None else self.started_at
        if begin is None or self.finished_at is None:
            return None
        return max(0.0, self.finished_at - begin)


@dataclass(frozen=True)
class ActionEntry:
    at: float
    target: str | None
    action: str
    detail: str
    operator: str


@dataclass(frozen=True)
class WaiverEntry:
    at: float
    check: str
    host: str | None
    reason: str
    operator: str
    revoked_at: float | None = None
    expires_at: float | None = None
    key: str | None = None
    """SHA256 fingerprint of the SSH key the cockpit used when it was given."""
    revoked_by: str | None = None


@dataclass(frozen=True)
class RollbackEntry:
    """A later run that went back on some of this run's hosts (the rollback wizard, a cluster back-out)."""

    run_id: str
    runbook: str
    started_at: float
    finished_at: float | None
    outcome: str | None
    hosts: tuple[str, ...]


@dataclass(frozen=True)
class DeliveryEntry:
    """Where an alert went and how that went: `bell` rung, `notify[0] mail.sh` ok, timed out ..."""

    channel: str
    outcome: str
    at: float


@dataclass(frozen=True)
class AlertEntry:
    """An alert of the run: a target failed or stalled, an ETA passed the window's end, the cutoff
    passed with targets not started, the run finished."""

    at: float
    event: str
    targets: tuple[str, ...]
    summary: str
    deliveries: tuple[DeliveryEntry, ...] = ()

    @property
    def sent(self) -> str:
        """`bell: rung; notify[0] mail.sh: ok`, or why nothing was sent."""
        if not self.deliveries:
            return "not sent (no channel was on for it)"
        return "; ".join(f"{d.channel}: {d.outcome}" for d in self.deliveries)


@dataclass(frozen=True)
class TargetRecord:
    name: str
    outcome: str
    """The target's last state: succeeded, failed, blocked, unreachable (or running ... if unfinished)."""
    phase: int | None = None
    phases_total: int | None = None
    error: str | None = None
    reason: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    steps: tuple[StepEntry, ...] = ()
    phases: tuple[PhaseEntry, ...] = ()
    """nimadm's phases (a single step with phases of its own); empty for step-by-step runbooks."""
    actions: tuple[ActionEntry, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    rollbacks: tuple[RollbackEntry, ...] = ()
    rolled_back_at: float | None = None
    """When a rollback after the run put the host back on its old system (None: it was not)."""
    rolled_back: str | None = None
    """How: the rollback run that verified it, or the cluster back-out that completed."""
    master: str | None = None
    """The NIM master that migrated it (None: the plan has none)."""

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return max(0.0, self.finished_at - self.started_at)

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED_OUTCOMES


@dataclass(frozen=True)
class RunReport:
    run_id: str
    runbook: str
    config: str
    started_at: float
    finished_at: float | None
    outcome: str | None
    targets: tuple[TargetRecord, ...]
    actions: tuple[ActionEntry, ...] = ()
    """The run's own actions that name no target (pause starts, concurrency, back-out confirmed ...)."""
    preflight: tuple[ActionEntry, ...] = ()
    """Actions of no run in the run's window: preflight checks, fixes, waivers given or revoked."""
    waivers: tuple[WaiverEntry, ...] = ()
    """Waivers in force at some time during the run."""
    rollbacks: tuple[RollbackEntry, ...] = ()
    alerts: tuple[AlertEntry, ...] = ()
    """What called the operator during the run, in order, with where each went."""
    notes: tuple[str, ...] = field(default=())
    """What the journal could not tell (said in the report rather than left out silently)."""

    @property
    def duration(self) -> float | None:
        return None if self.finished_at is None else max(0.0, self.finished_at - self.started_at)

    @property
    def succeeded(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets if t.outcome == "succeeded")

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets if t.failed)


@dataclass(frozen=True)
class RunSummary:
    """One line of `cockpit runs`."""

    run_id: str
    runbook: str
    started_at: float
    finished_at: float | None
    outcome: str | None
    succeeded: int
    failed: int
    kind: str = "migration"
    """`migration` or `rollback` (the rollback wizard, a back-out)."""

    @property
    def duration(self) -> float | None:
        return None if self.finished_at is None else max(0.0, self.finished_at - self.started_at)


# -- derivations ------------------------------------------------------------------------------------


def phases_from_states(states: Sequence[StateEntry], end: float | None) -> tuple[PhaseEntry, ...]:
    """Each phase the target entered, in order, from its state changes (each banner is one).

    A phase ends when the next one starts, else at `end` (the target's end; None: still in it). A
    retry from phase N enters N again: it is listed again, as it happened.
    """
    entries: list[PhaseEntry] = []
    current: tuple[int, float] | None = None
    for change in states:
        if change.phase is None or (current is not None and change.phase == current[0]):
            continue
        if current is not None:
            entries.append(PhaseEntry(current[0], current[1], change.at))
        current = (change.phase, change.at)
    if current is not None:
        entries.append(PhaseEntry(current[0], current[1], end))
    return tuple(entries)


def waivers_in_force(waivers: Iterable[WaiverEntry], start: float, end: float | None) -> tuple[WaiverEntry, ...]:
    """Waivers given before the run ended and neither revoked nor expired before it started."""
    return tuple(
        w
        for w in waivers
        if (end is None or w.at <= end)
        and (w.revoked_at is None or w.revoked_at >= start)
        and (w.expires_at is None or w.expires_at >= start)
    )
