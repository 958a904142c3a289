"""What `b` opens in the cockpit on a run: the disk rollback wizard, or a cluster runbook's back-out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cockpit.commands import backout
from cockpit.config.runbooks import load_runbook
from cockpit.domain.events import EventSink, RunFinished
from cockpit.engine.rollback import RollbackWizard
from cockpit.engine.rolled_back import record as record_rolled_back
from cockpit.engine.run import RunbookRun
from cockpit.ui.app import Backout


def cluster_backout(engine: RunbookRun) -> Backout | None:
    """The runbook's back-out for the cockpit's `b` (None when it has none: the disk wizard applies)."""
    if not engine.runbook.backout:
        return None
    runbook = load_runbook(engine.config.plan.runbook)
    way_back = backout.backout_runbook(runbook)
    if way_back is None:
        return None
    plan = backout.plan_lines(engine.config, runbook, way_back)
    path = Path(engine.config_key) if engine.config_key != "<memory>" else None

    async def run(sink: EventSink, line: Callable[[str], None]) -> RunFinished:
        finished = await backout.run_in_cockpit(
            engine.config, path, runbook, engine.transport_for, engine.operator, sink, line
        )
        if finished.ok:  # a cluster goes back as a whole: every node of the run shows it
            for node in finished.succeeded:
                if node in engine.progress:
                    engine.mark_rolled_back(node, f"back-out run {finished.run_id} done")
        return finished

    return Backout(runbook.name, plan, run)


def rollback_wizard(engine: RunbookRun, **options: Any) -> RollbackWizard:
    """The engine's RollbackWizard for the TUI: the run's config, transports, journal and operator
    (`options`: RollbackWizard's timing, for tests). A
    host verified back shows `rolled back` in the fleet (in its own migration run's record when that
    was another run)."""

    def rolled_back(host: str, run_id: str, reason: str) -> None:
        if run_id == engine.run_id and host in engine.progress:
            engine.mark_rolled_back(host, reason)
        else:
            record_rolled_back(engine.journal, run_id, host, reason)

    return RollbackWizard(
        engine.config,
        engine.transport_for,
        engine.journal,
        engine.operator,
        config_key=engine.config_key,
        on_rolled_back=rolled_back,
        **options,
    )
