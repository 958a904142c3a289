"""`cockpit rollback CONFIG [--host NAME ...] [--yes]` for runbooks with a back-out section (clusters).

A cluster has no old disk to boot: going back is the runbook's `backout` steps (Linuxha.net: halt a
cluster running the new package, remove it, reinstall the old one, restore the archived /etc/cluster,
rebuild, form, check; HACWS: restore the shared volume group from its savevg image where it is gone,
list the rootvg image). Each step's guard looks at the host first, so the back-out works from any
state the upgrade stopped in. They
are shown with their exact commands and hosts; nothing runs without --yes (exit 2). With --yes they
run like any runbook (lockstep or not, journaled as a run of `NAME-backout`), and the exit status is
0 only when every step succeeded on every host.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from cockpit.config.models import Config, Host
from cockpit.config.runbook import RunbookFile
from cockpit.domain.events import EventSink, FanOutSink, RunFinished, TargetChanged
from cockpit.domain.models import TargetState
from cockpit.engine.binding import Binding
from cockpit.engine.journal import Journal
from cockpit.engine.printer import LinePrinter
from cockpit.engine.rolled_back import migration_run_of
from cockpit.engine.rolled_back import record as record_rolled_back
from cockpit.engine.run import RunbookRun
from cockpit.transports.base import Transport

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def backout_runbook(runbook: RunbookFile) -> RunbookFile | None:
    """The runbook's back-out as a runbook of its own (None when it has none)."""
    if not runbook.backout:
        return None
    return runbook.model_copy(
        update={
            "name": f"{runbook.name}-backout",
            "title": f"Back-out of {runbook.title}",
            "steps": list(runbook.backout),
            "backout": [],
            "facts": [],
        }
    )


def plan_lines(config: Config, runbook: RunbookFile, backout: RunbookFile) -> list[str]:
    """The back-out's steps as the operator confirms them: title, exact commands, hosts."""
    binding = Binding(config, "plan", backout)
    lines = [f"Back-out of {runbook.name} ({runbook.mode}): {len(backout.steps)} steps"]
    for index, step in enumerate(backout.steps, start=1):
        places = list(
            dict.fromkeys(
                h.name for t in config.targets if binding.applies(step, t) and (h := binding.host_for(step.on, t))
            )
        )
        if not places:
            continue
        mark = "  (destructive)" if step.destructive else ""
        lines.append(f"  {index}. {binding.render_text(step.title, config.targets[0])}{mark}")
        commands = {binding.render(step.run, t) for t in config.targets if binding.applies(step, t)}
        lines += [f"       {command}" for command in sorted(commands)]
        lines.append(f"       on {', '.join(places)}")
    return lines


class _Lines:
    """A text stream that hands each complete line to a callable (the cockpit's back-out screen)."""

    def __init__(self, line: Callable[[str], None]) -> None:
        self._line = line
        self._buffer = ""

    def write(self, text: str) -> int:
        self._buffer += text
        *complete, self._buffer = self._buffer.split("\n")
        for item in complete:
            self._line(item)
        return len(text)

    def flush(self) -> None:
        return None


async def run_in_cockpit(
    config: Config,
    config_path: Path | None,
    runbook: RunbookFile,
    transport_for: Callable[[Host], Transport],
    operator: str,
    sink: EventSink,
    line: Callable[[str], None],
) -> RunFinished:
    """The back-out confirmed on the cockpit's screen: the same run as `--yes`, its lines on the screen."""
    backout = backout_runbook(runbook)
    if backout is None:
        raise ValueError(f"runbook {runbook.name} has no back-out steps")
    journal = Journal(config.state_dir / "journal.sqlite")
    try:
        engine = RunbookRun(config, journal, transport_for, config_path=config_path, operator=operator, runbook=backout)
        journal.record_action(engine.run_id, None, "backout", f"{runbook.name}: confirmed in the cockpit", operator)
        return await engine.run(FanOutSink(sink, LinePrinter(_Lines(line))))
    finally:
        journal.close()


def _record_rolled_back(
    journal: Journal, config_key: str, runbook: str, finished: RunFinished, printer: LinePrinter
) -> None:
    """Each node of the cluster's last upgrade run is rolled back: its record says so, and so do these lines."""
    reason = f"back-out run {finished.run_id} done"
    for node in finished.succeeded:
        run_id = migration_run_of(journal, node, config=config_key, runbook=runbook)
        if run_id is None:
            continue  # never upgraded by the cockpit with this journal
        record_rolled_back(journal, run_id, node, reason)
        printer.emit(
            TargetChanged(
                node, TargetState.ROLLED_BACK, None, 0, journal.clock(), reason=f"{runbook} run {run_id}: {reason}"
            )
        )


def run(
    config: Config,
    config_path: Path,
    runbook: RunbookFile,
    hosts: tuple[str, ...],
    *,
    yes: bool,
    transport_for: Callable[[Host], Transport] | None = None,
    operator: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    backout = backout_runbook(runbook)
    if backout is None:
        err.write(f"cockpit: rollback: runbook {runbook.name} has no back-out steps\n")
        return EXIT_USAGE
    unknown = [h for h in hosts if h not in config.targets]
    if unknown:
        err.write(f"cockpit: rollback: {unknown[0]} is not a target of the plan ({', '.join(config.targets)})\n")
        return EXIT_USAGE
    if hosts and runbook.mode == "lockstep" and set(hosts) != set(config.targets):
        # A cluster goes back as a whole: half a cluster on the old package would not form.
        err.write(
            f"cockpit: rollback: runbook {runbook.name} backs out every node together; "
            f"leave out --host or name all of {', '.join(config.targets)}\n"
        )
        return EXIT_USAGE
    out.write("".join(f"{line}\n" for line in plan_lines(config, runbook, backout)))
    if not yes:
        out.write("Nothing was changed: add --yes to run these steps.\n")
        return EXIT_USAGE
    if transport_for is None:
        from cockpit.transports.factory import transport_for as factory

        def transport_for(host: Host) -> Transport:
            return factory(host, config.ssh, config.hosts)

    if operator is None:
        from cockpit.engine.waivers import operator as current_operator

        operator = current_operator()
    journal = Journal(config.state_dir / "journal.sqlite")
    try:
        engine = RunbookRun(config, journal, transport_for, config_path=config_path, operator=operator, runbook=backout)
        journal.record_action(engine.run_id, None, "backout", f"{runbook.name}: confirmed with --yes", operator)
        printer = LinePrinter(out)
        finished = asyncio.run(engine.run(printer))
        if finished.ok:
            _record_rolled_back(journal, engine.config_key, runbook.name, finished, printer)
    finally:
        journal.close()
    out.write(f"logs: {engine.logs.directory}\n")
    if finished.ok:
        out.write(f"Back-out of {runbook.name} done on {', '.join(finished.succeeded)}.\n")
        return EXIT_OK
    out.write(f"Back-out of {runbook.name} did not complete: {', '.join(finished.failed)} (see above).\n")
    return EXIT_FAILED
