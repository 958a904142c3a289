"""Delivering alerts (cockpit/engine/alerts/): notify commands are real processes, run in the
background, bounded in time (their process group killed) and in number (dropped and counted), their
troubles said once; the terminal gets BEL and the escapes; every delivery is journaled."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from cockpit.config.notify import NotifyCommand
from cockpit.domain.alerts import Alert, AlertKind
from cockpit.domain.events import RunFinished, RunStarted, TargetChanged
from cockpit.domain.models import TargetState
from cockpit.engine.alert_journal import AlertJournal
from cockpit.engine.alerts import AlertSink, AlertSwitches, alert_sink
from cockpit.engine.alerts.commands import NotifyCommands
from cockpit.engine.alerts.terminal import TerminalAlerter
from cockpit.engine.journal import Journal

RUN = "20261213-020000-000"


def alert(target: str = "lpar02", kind: AlertKind = AlertKind.FAILED) -> Alert:
    return Alert(kind, RUN, 1.0, f"{target} failed in phase 11/12: 0505-218", targets=(target,), runbook="nimadm")


def entry(script: str, *, timeout: float = 10, events: list[AlertKind] | None = None) -> NotifyCommand:
    return NotifyCommand(command=["/bin/sh", "-c", script], timeout=timeout, events=events or list(AlertKind))


def values(target: str = "lpar02", event: str = "failed") -> dict[str, str]:
    return {"COCKPIT_TARGET": target, "COCKPIT_EVENT": event}


class Reports(list[str]):
    def __call__(self, text: str) -> None:
        self.append(text)


@pytest.fixture
def journal(tmp_path: Path) -> AlertJournal:
    return AlertJournal(Journal(tmp_path / "journal.sqlite"))


def outcomes(journal: AlertJournal) -> list[tuple[str, str]]:
    return [(d.channel, d.outcome) for a in journal.alerts(RUN) for d in a.deliveries]


async def test_the_alert_reaches_the_command_as_data_in_its_environment(tmp_path: Path, journal: AlertJournal) -> None:
    out = tmp_path / "out"
    reports = Reports()
    commands = NotifyCommands(
        [entry(f'printf "%s|%s\\n" "$COCKPIT_EVENT" "$COCKPIT_TARGET" >> {out}')],
        journal=journal,
        report=reports,
        inherited={"PATH": os.environ["PATH"], "COCKPIT_TARGET": "stale"},
    )
    hostile = "lpar02; touch pwned $(touch pwned2) `touch pwned3`"
    alert_id = journal.record(RUN, 1.0, "failed", ("lpar02",), "s")
    commands.offer(alert(), alert_id, values(hostile))
    await commands.aclose(10)
    assert out.read_text() == f"failed|{hostile}\n"
    assert not list(tmp_path.glob("pwned*")) and not list(Path.cwd().glob("pwned*"))
    assert outcomes(journal) == [("notify[0] sh", "ok")]
    assert reports == []


async def test_a_failing_command_is_reported_once_and_journaled_each_time(journal: AlertJournal) -> None:
    reports = Reports()
    commands = NotifyCommands([entry("echo 'smtp: connection refused' >&2; exit 3")], journal=journal, report=reports)
    for target in ("lpar01", "lpar02", "lpar03"):
        commands.offer(alert(target), journal.record(RUN, 1.0, "failed", (target,), "s"), values(target))
    await commands.aclose(20)
    assert outcomes(journal) == [("notify[0] sh", "failed: exit 3: smtp: connection refused")] * 3
    assert len(reports) == 1
    assert reports[0].startswith("notify[0] sh: failed: exit 3: smtp: connection refused (alert: lpar01 failed")
    assert "Not said again for this command" in reports[0]


async def test_a_hanging_command_is_killed_with_what_it_started_and_reported_once(
    tmp_path: Path, journal: AlertJournal
) -> None:
    pids = tmp_path / "pids"
    reports = Reports()
    # The shell starts a sleep of its own: killing the shell alone would leave the sleep behind.
    script = f"sleep 1000 & echo $! >> {pids}; echo $$ >> {pids}; wait"
    commands = NotifyCommands([entry(script, timeout=0.5)], journal=journal, report=reports)
    for target in ("lpar01", "lpar02"):
        commands.offer(alert(target), journal.record(RUN, 1.0, "failed", (target,), "s"), values(target))
    assert outcomes(journal) == [("notify[0] sh", "queued")] * 2  # offered at once: nothing waited for it
    await commands.aclose(30)
    assert outcomes(journal) == [("notify[0] sh", "timed out after 0.5s: its process group was killed")] * 2
    assert len(reports) == 1 and "timed out after 0.5s" in reports[0]
    assert [pid for pid in map(int, pids.read_text().split()) if alive(pid)] == []


def alive(pid: int) -> bool:
    """Running (a zombie is dead: killed, waiting only for whoever adopted it to reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def test_a_flood_is_dropped_and_counted_beyond_the_queue(tmp_path: Path, journal: AlertJournal) -> None:
    gate = tmp_path / "gate"
    reports = Reports()
    slow = entry(f"while [ ! -e {gate} ]; do sleep 0.05; done")
    commands = NotifyCommands([slow], journal=journal, report=reports, queue_limit=2)
    for i in range(5):
        target = f"lpar{i:02d}"
        commands.offer(alert(target), journal.record(RUN, 1.0, "failed", (target,), "s"), values(target))
    gate.touch()
    await commands.aclose(20)
    got = [o for _, o in outcomes(journal)]
    assert got[:2] == ["ok", "ok"]
    assert got[2:] == ["dropped: 2 alerts already waiting for it"] * 3
    assert len(reports) == 1 and "new ones are dropped and counted" in reports[0]


async def test_closing_stops_a_running_command_and_says_what_never_ran(journal: AlertJournal) -> None:
    commands = NotifyCommands([entry("sleep 1000", timeout=600)], journal=journal, report=Reports())
    for target in ("lpar01", "lpar02"):
        commands.offer(alert(target), journal.record(RUN, 1.0, "failed", (target,), "s"), values(target))
    await asyncio.sleep(0.2)
    await commands.aclose(0.2)
    assert [o for _, o in outcomes(journal)] == [
        "stopped: the cockpit exited first",
        "not run: the cockpit exited first",
    ]
    commands.offer(alert("lpar03"), journal.record(RUN, 1.0, "failed", ("lpar03",), "s"), values("lpar03"))
    assert outcomes(journal)[-1] == ("notify[0] sh", "not run: the cockpit was exiting")


async def test_only_the_chosen_events_run_a_command(tmp_path: Path, journal: AlertJournal) -> None:
    out = tmp_path / "out"
    only_finished = entry(f'echo "$COCKPIT_EVENT" >> {out}', events=[AlertKind.FINISHED])
    commands = NotifyCommands([only_finished], journal=journal, report=Reports())
    commands.offer(alert(), journal.record(RUN, 1.0, "failed", ("lpar02",), "s"), values())
    finished = alert(kind=AlertKind.FINISHED)
    commands.offer(finished, journal.record(RUN, 2.0, "finished", (), "s"), values("", "finished"))
    await commands.aclose(10)
    assert out.read_text() == "finished\n"


class FakeTerminal:
    def __init__(self) -> None:
        self.written: list[str] = []

    def bell(self) -> None:
        self.written.append("\a")

    def write_escape(self, text: str) -> None:
        self.written.append(text)


def changed(target: str, state: TargetState, at: float, **kw: object) -> TargetChanged:
    return TargetChanged(target=target, state=state, phase=11, phases_total=12, at=at, **kw)  # type: ignore[arg-type]


async def test_the_sink_rings_the_terminal_journals_and_merges_the_cutoff(journal: AlertJournal) -> None:
    terminal = FakeTerminal()
    switches = AlertSwitches()
    sink = AlertSink(
        TerminalAlerter(switches, {"TERM_PROGRAM": "iTerm.app"}, terminal),
        NotifyCommands([], journal=journal, report=Reports()),
        journal=journal,
        report=Reports(),
    )
    sink.emit(RunStarted(RUN, "nimadm", ("lpar01", "lpar02", "lpar03"), 0.0))
    sink.emit(changed("lpar01", TargetState.FAILED, 1.0, error="0516-082 lchangelv"))
    error = "not started: the window's cutoff (02:00) has passed"
    for t in ("lpar02", "lpar03"):  # one sweep of the window watch
        sink.emit(changed(t, TargetState.BLOCKED, 2.0, reason="cutoff passed", error=error))
    assert sink.told == []  # delivered on the loop's next turn, as one burst
    await asyncio.sleep(0)
    assert [(a.kind.value, a.targets) for a in sink.told] == [
        ("failed", ("lpar01",)),
        ("cutoff_missed", ("lpar02", "lpar03")),
    ]
    assert terminal.written == [
        "\a",
        "\x1b]9;cockpit: lpar01 failed in phase 11/12: 0516-082 lchangelv\x07",
        "\a",
        "\x1b]9;cockpit: lpar02, lpar03 not started: the window's cutoff (02:00) has passed\x07",
    ]
    switches.toggle(AlertKind.FINISHED)  # the operator mutes the run's end: still journaled
    sink.emit(RunFinished(RUN, (), ("lpar01", "lpar02", "lpar03"), 3.0))
    await sink.aclose()
    assert len(terminal.written) == 4
    told = journal.alerts(RUN)
    assert [(a.event, a.targets) for a in told] == [
        ("failed", ("lpar01",)),
        ("cutoff_missed", ("lpar02", "lpar03")),
        ("finished", ()),
    ]
    assert [(d.channel, d.outcome) for d in told[0].deliveries] == [("bell", "rung"), ("desktop", "sent (OSC 9)")]
    assert told[2].deliveries == ()


async def test_a_restarted_run_does_not_tell_again_what_it_told(tmp_path: Path) -> None:
    from cockpit.config import load_config
    from tests.config.test_config_loader import VALID

    path = tmp_path / "cockpit.yaml"
    path.write_text(VALID)
    config = load_config(path)
    journal = Journal(tmp_path / "journal.sqlite")
    first = alert_sink(config, journal, report=Reports(), env={})
    first.emit(RunStarted(RUN, "nimadm", ("lpar01", "lpar02"), 0.0))
    first.emit(changed("lpar02", TargetState.FAILED, 1.0, error="e"))
    await first.aclose()
    assert len(first.told) == 1
    again = alert_sink(config, journal, report=Reports(), env={})  # `cockpit run --resume` after a crash
    again.emit(RunStarted(RUN, "nimadm", ("lpar01", "lpar02"), 5.0))
    again.emit(changed("lpar02", TargetState.FAILED, 6.0, error="e"))
    again.emit(changed("lpar01", TargetState.FAILED, 7.0, error="e"))
    await again.aclose()
    assert [a.targets for a in again.told] == [("lpar01",)]


def test_a_journal_from_before_alerts_gets_its_tables_and_reads_empty(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "journal.sqlite"
    journal = Journal(path)  # the other tables, as an older cockpit wrote them
    journal.start_run(RUN, "nimadm", "/etc/cockpit.yaml")
    journal.close()
    old = Journal.read_only(path)
    assert AlertJournal(old, writable=False).alerts(RUN) == []  # read-only: nothing written
    old.close()
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "alerts" not in tables
    reopened = Journal(path)
    record = AlertJournal(reopened)
    record.delivery(record.record(RUN, 1.0, "failed", ("lpar02",), "s"), "bell", "rung")
    assert [(a.event, a.deliveries[0].outcome) for a in record.alerts(RUN)] == [("failed", "rung")]
    assert [r.run_id for r in reopened.runs()] == [RUN]  # what was there is still there
