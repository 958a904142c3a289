"""Alerts: calling the operator when a target needs one (the bell, a desktop notification, notify commands).

sink.py is the event-stream consumer (AlertSink), terminal.py the terminal's bell and escapes,
commands.py the config's notify commands; which events are alerts is cockpit/domain/alerts.py and
the journal's record of them is cockpit/engine/alert_journal.py. `alert_sink` builds one for a
config; `for_run` for a run of the engine (it knows where each target's step runs).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from cockpit.config.models import Config
from cockpit.engine.alert_journal import AlertJournal
from cockpit.engine.alerts.commands import NotifyCommands, Report
from cockpit.engine.alerts.sink import AlertSink
from cockpit.engine.alerts.terminal import AlertSwitches, StreamTerminal, TerminalAlerter, TerminalOut
from cockpit.engine.journal import Journal
from cockpit.engine.run import RunbookRun


def alert_sink(
    config: Config,
    journal: Journal | None,
    *,
    report: Report,
    terminal: TerminalOut | None = None,
    host_of: Callable[[str], str | None] | None = None,
    config_label: str | None = None,
    env: Mapping[str, str] | None = None,
) -> AlertSink:
    """The alerts of a run under `config`: its `alerts:` switches (written to `terminal`, which may be
    set later: `sink.terminal.out`) and its `notify:` commands, journaled in `journal`."""
    environ = dict(os.environ if env is None else env)
    record = AlertJournal(journal) if journal is not None else None
    return AlertSink(
        TerminalAlerter(AlertSwitches.of(config.alerts), environ, terminal),
        NotifyCommands(config.notify, journal=record, report=report, inherited=environ),
        journal=record,
        report=report,
        host_of=host_of,
        config=config_label,
    )


def for_run(engine: RunbookRun, *, report: Report, terminal: TerminalOut | None = None) -> AlertSink:
    """The alerts of `engine`'s run, in its journal; COCKPIT_HOST is where the target's step runs."""
    key = engine.config_key
    return alert_sink(
        engine.config,
        engine.journal,
        report=report,
        terminal=terminal,
        host_of=engine.step_host,
        config_label=None if key == "<memory>" else key,
    )


__all__ = ["AlertSink", "AlertSwitches", "StreamTerminal", "TerminalOut", "alert_sink", "for_run"]
