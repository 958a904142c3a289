"""The cockpit on a run: `cockpit run CONFIG` (and `cockpit demo`) without --headless."""

from __future__ import annotations

import functools
import shlex
import sys

from cockpit.commands.exits import EXIT_FAILED, EXIT_OK, UsageError
from cockpit.commands.report import save as save_report
from cockpit.commands.signals import run_app
from cockpit.commands.tui.rollback import cluster_backout, rollback_wizard
from cockpit.engine import alerts
from cockpit.engine.preflight import PreflightService
from cockpit.engine.run import RunbookRun
from cockpit.ui.app import DEFAULT_RESUME_COMMAND, CockpitApp
from cockpit.ui.themes import UnknownTheme


def open_cockpit(
    engine: RunbookRun,
    *,
    title: str,
    service: PreflightService | None = None,
    gate: bool = False,
    theme: str | None = None,
) -> int:
    """The cockpit on `engine`; with `gate` it opens on the preflight of `service` (the caller closes it).

    The run stays open after its last step (keep_open) so a failed client can still be retried from
    the troubleshoot screen; the app closes it when it quits (see CockpitApp's `controls`).
    """
    config = engine.config_key  # the resolved config path (the journal's key for --resume)
    resume = f"cockpit run {shlex.quote(config)} --resume" if config != "<memory>" else DEFAULT_RESUME_COMMAND
    try:
        app = CockpitApp(
            run=functools.partial(engine.run, keep_open=True),
            targets=list(engine.progress),
            log_path=engine.log_path,
            title=title,
            preflight=service if gate else None,
            controls=engine,
            resume_command=resume,
            # A cluster runbook goes back with its back-out steps; the others by booting the old disk.
            rollback=None if engine.runbook.backout else functools.partial(rollback_wizard, engine),
            backout=cluster_backout(engine),
            theme=theme,
            report=functools.partial(save_report, engine.config.state_dir),
            alerts=functools.partial(alerts.for_run, engine),
            groups=engine.groups(),
            # One process, one app: freeze the start-up objects out of the GC's full collections
            # (bench/README.md: p99 loop lag 102 -> 58 ms with 200 hosts streaming).
            freeze_gc=True,
            stop_signals=True,  # SIGTERM: the terminal restored, then the command ends (SIGHUP: run_app)
        )
        run_app(app)
    except UnknownTheme as exc:
        raise UsageError(str(exc)) from exc
    if app.bridge.run_started is None:  # quit on the preflight screen: nothing ran, no logs
        print("cockpit: the run was not started", file=sys.stderr)
        return EXIT_FAILED
    states = [p.state.value for p in engine.progress.values()]
    print(f"logs: {engine.logs.directory}")
    if all(s == "succeeded" for s in states):
        return EXIT_OK
    return EXIT_FAILED
