"""A host's state after its rollback, in the record of the run that migrated it.

The rollback wizard verifies a host back on its old system; a cluster's back-out completes on its
nodes. Either way the migration run gets one more state change for the host, `rolled-back` (its
outcome before stays in the journal's history), so the fleet, `cockpit watch`, `cockpit replay` and
`cockpit report` show it, whichever process ran the rollback. In the cockpit that drives the run the
engine announces it (RunbookRun.mark_rolled_back); elsewhere it is journaled here.
"""

from __future__ import annotations

from cockpit.domain.models import TargetState
from cockpit.engine.journal import ROLLBACK, Journal


def migration_run_of(journal: Journal, host: str, *, config: str, runbook: str | None = None) -> str | None:
    """The latest run of `config` (of `runbook` when given) that is not itself a rollback (the journal's
    runs.kind) and in which `host` is a target; None when there is none."""
    for record in reversed(journal.runs()):
        if record.config != config or record.kind == ROLLBACK:
            continue
        if runbook is not None and record.runbook != runbook:
            continue
        if host in journal.last_states(record.run_id) or journal.target_steps(record.run_id, host):
            return record.run_id
    return None


def record(journal: Journal, run_id: str, host: str, reason: str) -> None:
    """Journal `host` as rolled back in migration run `run_id` (the phase it reached is kept)."""
    before = journal.last_states(run_id).get(host, {})
    detail = {"state": TargetState.ROLLED_BACK.value, "phase": before.get("phase"), "error": None, "reason": reason}
    # The run's times of the host stay its own (a watcher shows its elapsed time as the run left it).
    detail.update({k: before[k] for k in ("started_at", "finished_at", "step") if k in before})
    journal.record_event(run_id, host, "state", detail)


__all__ = ["migration_run_of", "record"]
