"""What the run learns about each target before its first step (its level before), for the rollback."""

from __future__ import annotations

import asyncio
import contextlib

from cockpit.domain.printable import printable
from cockpit.engine.run.context import RunContext

LEVEL_BEFORE = "oslevel-before"
"""Journal fact: the target's `oslevel -s` just before its first step (what a rollback goes back to)."""
FACT_TIMEOUT = 30.0


class FactRecorder:
    def __init__(self, context: RunContext) -> None:
        self._run = context

    async def record(self, target: str) -> None:
        """Journal the runbook's facts of the target (its level before), once per run.

        Best effort by design: a target the cockpit cannot reach over SSH may still be migrated
        (nimadm talks to it through nimsh), so it only ends up without the fact.
        """
        run = self._run
        for fact in run.runbook.facts:
            if run.journal.fact(target, fact.key, run.run_id) is not None:
                continue
            transport = run.transport_for(run.config.host(target))
            value, why = None, ""
            command = run.binding.render(fact.run, target)
            try:
                result = await asyncio.wait_for(transport.run(command, timeout=FACT_TIMEOUT), FACT_TIMEOUT)
                lines = [printable(line).strip() for line in result.stdout.splitlines() if line.strip()]
                value = lines[0] if result.ok and lines else None
                said = printable(result.stderr or result.stdout).strip()[:200]
                why = f"{command}: exit {result.exit_status}: {said}"
            except Exception as exc:  # unreachable, timed out, or a bug: never a reason to hold the run
                why = f"{type(exc).__name__}: {exc}"
            finally:
                with contextlib.suppress(Exception):
                    await transport.close()
            if value:
                run.journal.record_fact(run.run_id, target, fact.key, value)
            else:
                run.journal.record_event(run.run_id, target, f"{fact.key}-unknown", {"reason": why})
