"""`cockpit run CONFIG [--headless] [--dry-run] [--resume] [--no-preflight]`: the plan in CONFIG.

It opens the config's journal and hands it to the run (closed when the command ends), puts the
preflight gate in front of a nimadm plan, then runs in the cockpit or, with --headless, as one line
per state change. The cockpit is imported only on that path: `--headless` never loads Textual.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from cockpit.commands import dry_run as dry_run_command
from cockpit.commands import headless as headless_command
from cockpit.commands.exits import EXIT_USAGE, UsageError
from cockpit.commands.signals import stop_on_signals
from cockpit.config.loader import load_config
from cockpit.config.models import Config, Host, NimadmPlan
from cockpit.engine.journal import Journal
from cockpit.engine.preflight import PreflightService
from cockpit.engine.run import NothingToResume, RunbookRun
from cockpit.engine.waivers import operator as current_operator
from cockpit.transports.base import Transport
from cockpit.transports.factory import transport_for


def run(
    path: Path,
    *,
    headless: bool,
    dry_run: bool,
    resume: bool = False,
    gate: bool = True,
    theme: str | None = None,
    break_locks: Sequence[str] = (),
) -> int:
    """`break_locks`: targets whose lock, left by a cockpit that is gone, the operator breaks (--break-lock)."""
    config = load_config(path)  # a bad config: one line per problem, exit 2 (cockpit.cli.main)
    if dry_run:
        return dry_run_command.run(config)
    unknown = [t for t in break_locks if t not in config.targets]
    if unknown:
        raise UsageError(f"--break-lock {unknown[0]}: not a target of {path} (targets: {', '.join(config.targets)})")
    journal = Journal(config.state_dir / "journal.sqlite")
    try:
        return _run(
            config,
            journal,
            path,
            headless=headless,
            resume=resume,
            gate=gate,
            theme=theme,
            break_locks=frozenset(break_locks),
        )
    finally:
        journal.close()


def _run(
    config: Config,
    journal: Journal,
    path: Path,
    *,
    headless: bool,
    resume: bool,
    gate: bool,
    theme: str | None,
    break_locks: frozenset[str],
) -> int:
    operator = current_operator()

    def connect(host: Host) -> Transport:
        return transport_for(host, config.ssh, config.hosts)

    try:
        engine = RunbookRun(
            config, journal, connect, config_path=path, resume=resume, operator=operator, break_locks=break_locks
        )
    except NothingToResume as exc:
        raise UsageError(str(exc)) from exc
    # The preflight checks are those of a nimadm migration (NIM master, nimsh, SPOT, disks); other
    # runbooks verify what they need in their own first steps.
    service = PreflightService(config, connect, operator=operator) if isinstance(config.plan, NimadmPlan) else None
    use_gate = gate and not resume and service is not None  # a resumed run keeps the decisions of its start
    if not gate and service is not None:
        journal.record_action(engine.run_id, None, "skip-preflight", "--no-preflight", operator)
    try:
        if headless:
            with stop_on_signals():  # SIGTERM / SIGHUP end it through the engine's finally blocks
                status = headless_command.run(engine, service if use_gate else None)
        else:
            from cockpit.commands.tui.run import open_cockpit  # the only path that loads Textual

            title = f"{engine.runbook.name} · {path.name}"
            status = open_cockpit(engine, title=title, service=service, gate=use_gate, theme=theme)
    finally:
        if service is not None:
            service.close()
    return storage_verdict(engine, status)


def storage_verdict(engine: RunbookRun, status: int) -> int:
    """The run's status, unless the cockpit's own storage failed during it: then one line, exit 2."""
    summary = engine.health.summary()
    if summary is None:
        return status
    print(f"cockpit: {summary}", file=sys.stderr)
    return EXIT_USAGE
