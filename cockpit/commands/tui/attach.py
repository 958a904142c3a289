"""The cockpit on `cockpit attach CONFIG`: the migrations found running, followed as a run of its own."""

from __future__ import annotations

import functools
import shlex
import sys
from pathlib import Path

from cockpit.commands.exits import EXIT_FAILED, EXIT_OK, UsageError
from cockpit.commands.tui.rollback import rollback_wizard
from cockpit.engine import alerts
from cockpit.engine.attach import AttachRun
from cockpit.ui.app import CockpitApp
from cockpit.ui.themes import UnknownTheme


def open_attached(engine: AttachRun, path: Path, *, read_only: bool = False, theme: str | None = None) -> int:
    """The fleet of what runs; with `read_only` every action is refused (as `cockpit watch`)."""
    again = f"cockpit attach {shlex.quote(str(path))}"
    try:
        app = CockpitApp(
            run=functools.partial(engine.run, keep_open=not read_only),
            targets=list(engine.progress),
            log_path=engine.log_path,
            title=f"attached · {path.name}",
            controls=engine,
            resume_command=again,
            rollback=None if read_only else functools.partial(rollback_wizard, engine),
            theme=theme,
            read_only=read_only,
            alerts=functools.partial(alerts.for_run, engine),
            groups=engine.groups(),
            freeze_gc=True,
        )
        app.run()
    except UnknownTheme as exc:
        raise UsageError(str(exc)) from exc
    print(f"logs: {engine.logs.directory}", file=sys.stderr)
    states = [p.state.value for p in engine.progress.values()]
    return EXIT_OK if states and all(s == "succeeded" for s in states) else EXIT_FAILED
