"""`cockpit attach CONFIG [--headless] [--read-only]`: follow the migrations already running on CONFIG's
NIM masters and clients, whoever started them (by hand, Ansible, a script).

It looks at every master and client of the plan (read-only: `ps`, `lsnim`, the logs), says what it
found, and follows each migration live from its own log as a run of kind `attach` in the config's
journal (`cockpit report CONFIG latest` is its record). `--headless` prints the phases and exits 0
when every followed migration succeeded, 1 otherwise (also when none runs); without it the cockpit
opens on them, its actions (kill, nimadm -C, retry from a phase) each confirmed with who started
the migration, or refused with `--read-only`. Headless never imports Textual.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import TextIO

from cockpit.commands.exits import EXIT_FAILED, EXIT_OK
from cockpit.config.loader import load_config
from cockpit.config.models import Config, Host
from cockpit.domain.diagnose import diagnose
from cockpit.domain.events import FanOutSink, RunFinished
from cockpit.engine import alerts
from cockpit.engine.attach import AttachRun, Discovery, discover
from cockpit.engine.journal import Journal
from cockpit.engine.printer import LinePrinter
from cockpit.engine.waivers import operator as current_operator
from cockpit.transports.base import Transport
from cockpit.transports.factory import transport_for


def run(path: Path, *, headless: bool, read_only: bool = False, theme: str | None = None) -> int:
    config = load_config(path)  # a bad config: one line per problem, exit 2 (cockpit.cli.main)

    def connect(host: Host) -> Transport:
        return transport_for(host, config.ssh, config.hosts)

    print(f"attach: looking at {_hosts(config)} (read-only: ps, lsnim, the logs)", file=sys.stderr)
    found = asyncio.run(discover(config, connect))
    report_discovery(found, sys.stdout if headless else sys.stderr)
    if not found.followed:
        print("attach: no migration runs on these hosts: nothing to follow", file=sys.stderr)
        return EXIT_FAILED
    journal = Journal(config.state_dir / "journal.sqlite")
    try:
        engine = AttachRun(config, journal, connect, found, config_path=path, operator=current_operator())
        if headless:
            return _headless(engine)
        from cockpit.commands.tui.attach import open_attached  # the only path that loads Textual

        return open_attached(engine, path, read_only=read_only, theme=theme)
    finally:
        journal.close()


def _hosts(config: Config) -> str:
    masters = [h.name for h in config.masters]
    clients = len(config.targets)
    head = f"{', '.join(masters)} and " if masters else ""
    return f"{head}{clients} client{'s' if clients != 1 else ''}"


def report_discovery(found: Discovery, out: TextIO) -> None:
    """What was found, one line each: the migration, who started it and when, NIM's view."""
    for f in found.followed:
        m = f.found
        since = f", started {time.strftime('%H:%M:%S', time.localtime(f.started_at))}" if f.started_at else ""
        nim = f"; NIM: {f.nim.describe()}" if f.nim is not None else ""
        out.write(f"attach: {f.target}: {m.kind} on {m.host}, pid {m.pid}{since}; by {m.owner()}{nim}\n")
        if f.offset:
            out.write(f"attach: {f.target}: following {m.log} from byte {f.offset} (its earlier runs left out)\n")
    for note in found.notes:
        out.write(f"attach: note: {note}\n")
    for host, why in found.unreachable.items():
        out.write(f"attach: {host} not reachable: {why}\n")
    out.flush()


def _headless(engine: AttachRun) -> int:
    async def followed() -> RunFinished:
        # The same alerts as a run the cockpit started (the events are the same): notify commands,
        # and the bell / desktop escape when someone may be watching this terminal.
        printer = LinePrinter()
        terminal = alerts.StreamTerminal(sys.stdout) if sys.stdout.isatty() else None
        sink = alerts.for_run(engine, report=printer.note, terminal=terminal)
        try:
            finished = await engine.run(FanOutSink(printer, sink))
        except BaseException:
            await sink.aclose(wait=0)
            raise
        await sink.aclose()
        return finished

    finished = asyncio.run(followed())
    for target in finished.failed:
        print(explain(engine.log_path(target), target))
    print(f"logs: {engine.logs.directory}")
    print(f"record: cockpit report {engine.config_key} {engine.run_id}")
    return EXIT_OK if finished.ok else EXIT_FAILED


def explain(log: Path, target: str) -> str:
    """A failed target's log, diagnosed: where it stopped, the root cause, what it means and the fix."""
    try:
        d = diagnose(log.read_bytes().decode("utf-8", errors="replace"))
    except OSError as exc:
        return f"{target}: its log cannot be read: {exc.strerror or exc}"
    if not d.errors:
        where = f" in phase {d.stopped_in_phase}" if d.stopped_in_phase else ""
        return f"{target}: {d.outcome}{where}: no known error in its log (cockpit diagnose {log})"
    first = d.errors[0]
    lines = [f"{target}: {d.outcome} in phase {first.phase}: {first.line}", f"  meaning: {first.meaning}"]
    if first.fix:
        lines.append(f"  fix:     {first.fix}")
    lines += [f"    [{s.on}] {s.command}" for s in first.commands]
    lines.append(f"  (cockpit diagnose {log})")
    return "\n".join(lines)
