"""`cockpit run CONFIG --headless`: the run without the TUI, one line per state change on stdout.

With a preflight service the checks run first and the clients they block are not started; the
summary line says how many and points at `cockpit check` for the details.

The run's alerts go out as in the cockpit: the notify commands always, the bell and the desktop
notification escape only when stdout is a terminal (someone may be watching it; in a log file or a
CI job's output they would be noise). A notify command still running when the run ends is given
its timeout before the command exits.
"""

from __future__ import annotations

import sys

from cockpit.commands.exits import EXIT_FAILED, EXIT_OK
from cockpit.commands.signals import run_until_signalled
from cockpit.domain.events import FanOutSink, RunFinished
from cockpit.engine import alerts
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
        printer = LinePrinter()
        terminal = alerts.StreamTerminal(sys.stdout) if sys.stdout.isatty() else None
        sink = alerts.for_run(engine, report=printer.note, terminal=terminal)
        try:
            finished = await engine.run(FanOutSink(printer, sink), blocked)
        except BaseException:
            await sink.aclose(wait=0)  # interrupted: stop the notify commands with the run
            raise
        await sink.aclose()
        return finished

    finished = run_until_signalled(checked_run())  # SIGTERM / SIGHUP: the run's finally blocks, then exit 128+N
    print(f"logs: {engine.logs.directory}")
    return EXIT_OK if finished.ok else EXIT_FAILED
