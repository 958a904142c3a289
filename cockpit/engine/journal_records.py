"""What the journal hands back: one frozen record per row, and the kind of a run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MIGRATION, ROLLBACK = "migration", "rollback"
"""Kinds of run: a migration (any runbook's forward run), or a rollback (the wizard, a back-out)."""


def run_kind(runbook: str) -> str:
    """The kind of a run of `runbook`: the rollback wizard's runs and `NAME-backout` go back."""
    return ROLLBACK if runbook == "rollback" or runbook.endswith("-backout") else MIGRATION


@dataclass(frozen=True)
class StepRecord:
    run_id: str
    target: str
    step: str
    host: str
    command: str
    remote_dir: str
    state: str
    phase: int | None
    launched_at: float | None
    started_at: float | None
    finished_at: float | None
    exit_status: int | None
    byte_offset: int
    log_start: int | None
    error: str | None
    reason: str | None


@dataclass(frozen=True)
class FactRecord:
    """Something learnt about a host during a run, e.g. its `oslevel -s` before the migration."""

    run_id: str
    at: float
    host: str
    fact: str
    value: str


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    runbook: str
    config: str
    started_at: float
    finished_at: float | None
    outcome: str | None
    kind: str = MIGRATION
    """`migration` or `rollback` (run_kind)."""


@dataclass(frozen=True)
class EventRecord:
    """One row of the events table, its detail decoded."""

    id: int
    at: float
    target: str | None
    kind: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class ActionRecord:
    run_id: str | None
    at: float
    target: str | None
    action: str
    detail: str
    operator: str


@dataclass(frozen=True)
class WaiverRecord:
    id: int
    at: float
    check: str
    host: str | None
    """None: every host."""
    reason: str
    operator: str
    revoked_at: float | None
    expires_at: float
    key: str | None
    """SHA256 fingerprint of the SSH key the cockpit used when the waiver was given."""
    revoked_by: str | None

    def in_force(self, now: float) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def state(self, now: float) -> str:
        """`in force`, `expired` or `revoked` at `now`."""
        if self.revoked_at is not None:
            return "revoked"
        return "in force" if now < self.expires_at else "expired"
