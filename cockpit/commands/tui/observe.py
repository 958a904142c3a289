"""`cockpit watch CONFIG` / `cockpit replay CONFIG RUN_ID` (and `run --read-only`): the cockpit on a
run read from the journal; `watch` follows it, `replay` shows it as it ended.

Nothing here can change a host: the app has no controls, no rollback and no preflight, and the
observer opens the journal read-only.
"""

from __future__ import annotations

import functools
from pathlib import Path

from cockpit.commands.exits import EXIT_OK, UsageError
from cockpit.commands.report import save as save_report
from cockpit.commands.signals import run_app
from cockpit.config.loader import load_config
from cockpit.config.models import Config
from cockpit.domain.window import FleetEta, Window
from cockpit.engine.binding import Binding
from cockpit.engine.journal import Journal
from cockpit.engine.observe import JournalObserver, ObserveError, pick_run
from cockpit.engine.run.window_watch import window_of
from cockpit.ui.app import CockpitApp
from cockpit.ui.themes import UnknownTheme


def run_timing(config: Config, runbook: str) -> tuple[Window | None, FleetEta | None]:
    """The plan's window and the ETA model the driving cockpit has for a run of `runbook` (its
    expected durations from the same plan); no ETA for a runbook that cannot be loaded by name (a
    back-out, an operator's file moved since)."""
    window = window_of(config)
    try:
        binding = Binding(config, "watch")
    except Exception:  # the plan's runbook file is gone: the run is still shown, without ETAs
        return window, None
    if binding.runbook.name != runbook:
        return window, None
    return window, FleetEta(binding.expected_seconds, binding.phases_total)


def run(path: Path, run_id: str | None, *, follow: bool, theme: str | None = None) -> int:
    config = load_config(path)  # a bad config: one line per problem, exit 2 (cockpit.cli.main)
    try:
        journal = Journal.read_only(config.state_dir / "journal.sqlite")
    except FileNotFoundError as exc:
        raise UsageError(f"{exc} (no run was made with this config yet)") from exc
    try:
        record = pick_run(journal, run_id)
    except ObserveError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        journal.close()
    window, eta = run_timing(config, record.runbook)
    observer = JournalObserver(config.state_dir, record.run_id, follow=follow, eta=eta)
    how = "watching" if follow else "replay of"
    try:
        app = CockpitApp(
            run=observer.run,
            targets=[],
            log_path=observer.log_path,
            title=f"{how} {record.runbook} · {path.name}",  # the header adds the READ-ONLY badge
            theme=theme,
            read_only=True,
            groups={t: m for t in config.targets if (m := config.plan.master_of(t)) is not None},
            freeze_gc=True,
            report=functools.partial(save_report, config.state_dir),
            window=window,
            eta=eta,
            stop_signals=True,  # SIGTERM: the terminal restored, then the command ends (SIGHUP: run_app)
        )
        run_app(app)
    except UnknownTheme as exc:
        raise UsageError(str(exc)) from exc
    return EXIT_OK
