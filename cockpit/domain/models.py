"""What a target host is doing, as the engine and every view understand it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class TargetState(StrEnum):
    """Life cycle of one migration target (a NIM client, an LPAR, a cluster node)."""

    PENDING = "pending"  # waiting for a concurrency slot
    RUNNING = "running"
    STALLED = "stalled"  # running, but silent past its threshold
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    BLOCKED = "blocked"  # not started: preflight gate or operator
    UNREACHABLE = "unreachable"  # could not reach the host that runs the step
    ROLLED_BACK = "rolled-back"
    """After the run: the host went back to its old system (the rollback wizard verified it, or the
    cluster's back-out completed on it). Its outcome before stays in the journal's history."""

    @property
    def finished(self) -> bool:
        return self in (
            TargetState.SUCCEEDED,
            TargetState.FAILED,
            TargetState.BLOCKED,
            TargetState.UNREACHABLE,
            TargetState.ROLLED_BACK,
        )

    @property
    def label(self) -> str:
        """The state in words ("rolled back", "succeeded")."""
        return self.value.replace("-", " ")


@dataclass
class TargetProgress:
    """Mutable per-target record kept by the engine; views receive frozen snapshots of it."""

    name: str
    state: TargetState = TargetState.PENDING
    phase: int | None = None
    phases_total: int = 12
    started_at: float | None = None
    finished_at: float | None = None
    last_line: str = ""
    error: str | None = None  # the line that explains a failure, e.g. the 0516-082 line
    exit_status: int | None = None
    warnings: list[str] = field(default_factory=list)
    last_output_at: float | None = None
    phase_started_at: float | None = None
    stall_reason: str | None = None
    step: str | None = None
    """Title of the current step of a step-by-step runbook (None: a phased step such as nimadm's)."""

    def elapsed(self, now: float) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at if self.finished_at is not None else now
        return max(0.0, end - self.started_at)
