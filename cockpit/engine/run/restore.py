"""A target as the journal left it: its state after a restart, and the steps it still has to run."""

from __future__ import annotations

from cockpit.domain.models import TargetProgress, TargetState
from cockpit.engine.binding import STEP_NAME, Binding, StepSpec
from cockpit.engine.journal import StepRecord


def latest_attempt(records: list[StepRecord]) -> list[StepRecord]:
    """The records of the newest attempt (a retry supersedes what it retries)."""
    parsed = [(r, STEP_NAME.fullmatch(r.step)) for r in records]
    attempts = [int(m["attempt"] or 0) for _, m in parsed if m is not None]
    if not attempts:
        return records
    latest = max(attempts)
    return [r for r, m in parsed if m is not None and int(m["attempt"] or 0) == latest]


def restore(progress: TargetProgress, records: list[StepRecord]) -> None:
    """After a restart: the target's state as its journaled steps left it.

    A failed step ends the target; every step succeeded (or skipped) means it succeeded; otherwise
    it is still under way and the run re-attaches or goes on. An unreachable target may still be
    running on its host: resume re-attaches to it.
    """
    current = latest_attempt(records)
    touched = [r for r in current if r.launched_at is not None or r.finished_at is not None]
    if not touched:
        return
    last = touched[-1]
    progress.phase = last.phase
    progress.started_at = next((r.started_at for r in records if r.started_at is not None), last.started_at)
    progress.error = last.error
    progress.exit_status = last.exit_status
    ended = [r for r in current if r.state in (TargetState.FAILED.value, TargetState.BLOCKED.value)]
    if ended:
        progress.state = TargetState(ended[0].state)
        progress.error = ended[0].error
        progress.finished_at = ended[0].finished_at
    elif all(r.state in (TargetState.SUCCEEDED.value, "skipped") for r in current):
        progress.state = TargetState.SUCCEEDED
        progress.finished_at = last.finished_at


def journaled_steps(binding: Binding, target: str, records: list[StepRecord]) -> list[StepSpec]:
    """The target's step list as the journal knows it: the latest attempt's steps (a resumed retry
    continues where it was), the runbook's own when nothing was planned yet."""
    current = [r for r in latest_attempt(records) if STEP_NAME.fullmatch(r.step)]
    if not current:
        return binding.steps(target)
    return [binding.from_journal(target, r.step, r.command, r.remote_dir) for r in current]
