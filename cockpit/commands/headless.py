"""`cockpit run CONFIG --headless`: the run without the TUI, one line per state change on stdout.

With a preflight service the checks run first and the clients they block are not started; the
summary line says how many and points at `cockpit check` for the details.
"""

from __future__ import annotations

import asyncio

from cockpit.commands.exits import EXIT_FAILED, EXIT_OK
from cockpit.domain.events import RunFinished
from cockpit.engine.preflight import PreflightService
from cockpit.engine.printer import LinePrinter
from cockpit.engine.run import RunbookRun


def run(engine: RunbookRun, service: PreflightService | None) -> int:
    async def checked_run() -> RunFinished:
        blocked: dict[str, str] = {}
        if service is not None:
            report = await service.check()
            blocked = service.blocked(report)
            print(
                f"preflight: {report.verdict.decision.value} - {len(report.verdict.hosts) - len(blocked)} go, "
                f"{len(blocked)} blocked ({report.commands_run} probes; details: cockpit check CONFIG)"
            )
        return await engine.run(LinePrinter(), blocked)

    finished = asyncio.run(checked_run())
    print(f"logs: {engine.logs.directory}")
    return EXIT_OK if finished.ok else EXIT_FAILED
