"""The issue's check, over real SSH against the simulator: a nimadm run with one failing client and
two notify commands, one appending $COCKPIT_EVENT and $COCKPIT_TARGET to a file, one that hangs.

The file names the client's failure and the run's end, once each; the hanging command neither holds
up the run nor outlives its timeout, and it is reported once though it hung twice; the journal and
`cockpit report` (md, json, junit) list the alerts with their times and where they went.
"""

from __future__ import annotations

import asyncio
import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from cockpit.config import load_config
from cockpit.engine.alert_journal import AlertJournal
from cockpit.engine.journal import Journal
from cockpit.sim.server import SimFleet
from tests.engine.test_alert_delivery import alive

HANG_TIMEOUT = 3


@pytest.fixture
async def inventory(tmp_path: Path) -> AsyncIterator[Path]:
    fleet = await SimFleet.start("nimadm-fail", tmp_path / "fleet")  # lpar02 fails in phase 11 (multibos)
    try:
        path = fleet.write_inventory(tmp_path / "inventory.yaml")
        data = yaml.safe_load(path.read_text())
        alerts, pids = tmp_path / "alerts.txt", tmp_path / "hung.pids"
        data["notify"] = [
            {"command": ["sh", "-c", f'echo "$COCKPIT_EVENT $COCKPIT_TARGET" >> {alerts}'], "name": "append"},
            {
                "command": ["sh", "-c", f"echo $$ >> {pids}; exec sleep 1000"],
                "events": ["failed", "finished"],
                "timeout": HANG_TIMEOUT,
                "name": "hangs",
            },
        ]
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        yield path
    finally:
        await fleet.stop()


async def cockpit(*args: str, timeout: float = 120) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cockpit", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_a_failing_client_and_the_runs_end_are_told_once_each(inventory: Path, tmp_path: Path) -> None:
    status, out, err = await cockpit("run", str(inventory), "--headless", "--no-preflight")
    assert status == 1, out + err
    assert err == ""
    assert "\a" not in out and "\x1b" not in out  # stdout is a pipe here: no bell, no escape in the log
    assert (tmp_path / "alerts.txt").read_text().splitlines() == ["failed lpar02", "finished "]

    # The hanging command was reported once, though it hung for both alerts, and was killed each time.
    hung = [line for line in out.splitlines() if "notify[1] hangs" in line]
    assert len(hung) == 1, out
    assert f"timed out after {HANG_TIMEOUT}s: its process group was killed" in hung[0]
    pids = [int(p) for p in (tmp_path / "hung.pids").read_text().split()]
    assert len(pids) == 2 and not [p for p in pids if alive(p)]

    config = load_config(inventory)
    journal = Journal.read_only(config.state_dir / "journal.sqlite")
    (run,) = journal.runs()
    told = AlertJournal(journal, writable=False).alerts(run.run_id)
    assert [(a.event, a.targets) for a in told] == [("failed", ("lpar02",)), ("finished", ())]
    failed, finished = told
    assert failed.summary.startswith("lpar02 failed in phase 11/12: ") and "0505-218" in failed.summary
    assert {d.channel: d.outcome for d in failed.deliveries} == {
        "notify[0] append": "ok",
        "notify[1] hangs": f"timed out after {HANG_TIMEOUT}s: its process group was killed",
    }
    # The run did not wait for the hung command: it ended while that command still hung on the failure.
    hung_until = next(d.at for d in failed.deliveries if d.channel == "notify[1] hangs")
    assert run.finished_at is not None and run.finished_at < hung_until
    assert failed.at <= run.finished_at <= finished.at + 1
    journal.close()

    status, md, _ = await cockpit("report", str(inventory), "latest")
    assert status == 0
    section = md.split("## Alerts", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| 20")]
    assert len(rows) == 2
    assert "| failed | lpar02 | lpar02 failed in phase 11/12" in rows[0] and "notify[0] append: ok" in rows[0]
    assert "| finished |  | run " in rows[1]

    status, text, _ = await cockpit("report", str(inventory), "latest", "--format", "json")
    alerts = json.loads(text)["alerts"]
    assert [(a["event"], a["targets"]) for a in alerts] == [("failed", ["lpar02"]), ("finished", [])]
    assert (
        alerts[0]["at"].startswith(str(run.run_id[:4])) and alerts[0]["deliveries"][0]["channel"] == "notify[0] append"
    )

    status, xml, _ = await cockpit("report", str(inventory), "latest", "--format", "junit")
    suite = ET.fromstring(xml).find("testsuite")
    assert suite is not None
    lpar02 = next(c for c in suite.iter("testcase") if c.get("name") == "lpar02")
    assert "ALERT failed: lpar02 failed in phase 11/12" in (lpar02.findtext("system-out") or "")
    run_out = suite.findtext("system-out") or ""
    assert "ALERT failed" in run_out and "ALERT finished" in run_out


async def test_headless_on_a_terminal_rings_it(tmp_path: Path) -> None:
    """`cockpit demo --headless` with its output on a terminal: the bell and the escapes, between lines."""
    import os
    import pty

    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm", "TMUX": ""}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cockpit",
        "demo",
        "--scenario",
        "nimadm-fail",
        "--headless",
        "--no-preflight",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=slave,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    os.close(slave)
    received = bytearray()
    loop = asyncio.get_running_loop()

    def read() -> None:
        try:
            received.extend(os.read(master, 65536))
        except OSError:  # the other end closed
            loop.remove_reader(master)

    loop.add_reader(master, read)
    try:
        await asyncio.wait_for(proc.wait(), 120)
        await asyncio.sleep(0.2)
    finally:
        loop.remove_reader(master)
        os.close(master)
    text = received.decode(errors="replace")
    assert proc.returncode == 0, text  # the demo ends as planned (a failed client is what it shows)
    assert text.count("\a\x1b]777;notify;cockpit: lpar02 failed;lpar02 failed in phase 11/12") == 1, text
    assert text.count("\a\x1b]777;notify;cockpit: run finished;run ") == 1, text
    assert "\x1b]9;" not in text  # WezTerm shows OSC 777: it is not sent both


async def test_the_cutoff_is_one_alert_for_the_targets_it_stopped(tmp_path: Path) -> None:
    """The real window watch over SSH: the targets it stops together at the cutoff are one notification."""
    import time

    from cockpit.domain.events import FanOutSink, ListSink
    from cockpit.domain.models import TargetState
    from cockpit.engine import alerts
    from cockpit.engine.run import RunbookRun
    from cockpit.transports.factory import transport_for
    from tests.engine.test_window_over_ssh import Clock, start

    now = time.time()
    fleet, inventory = await start(tmp_path, {"start": now - 60, "end": now + 7200, "cutoff": now + 3600}, 1)
    told = tmp_path / "told.txt"
    data = yaml.safe_load(inventory.read_text())
    data["notify"] = [{"command": ["sh", "-c", f'echo "$COCKPIT_EVENT|$COCKPIT_TARGET|$COCKPIT_SUMMARY" >> {told}']}]
    inventory.write_text(yaml.safe_dump(data, sort_keys=False))
    try:
        config = load_config(inventory)
        clock = Clock()
        journal = Journal(config.state_dir / "journal.sqlite", clock)
        engine = RunbookRun(config, journal, lambda h: transport_for(h, config.ssh), config_path=inventory, clock=clock)
        sink = alerts.for_run(engine, report=print)
        run = asyncio.create_task(engine.run(FanOutSink(ListSink(), sink)))
        while engine.progress["lpar01"].state is not TargetState.RUNNING:
            await asyncio.sleep(0.02)
        clock.offset = 3700  # past the cutoff: lpar02 and lpar03 never start
        await asyncio.wait_for(run, 120)
        await sink.aclose()
    finally:
        await fleet.stop()
    lines = told.read_text().splitlines()
    cutoff = [line for line in lines if line.startswith("cutoff_missed|")]
    assert len(cutoff) == 1, lines
    _, targets, summary = cutoff[0].split("|")
    assert targets == "lpar02 lpar03"
    assert summary.startswith("lpar02, lpar03 not started: the window's cutoff (") and summary.endswith(") has passed")
    assert lines[-1].startswith("finished||run ")
