"""cockpit attach over real SSH to the simulated fleet: a nimadm started by hand on the master (not by
the cockpit) is found in the process table and NIM's state, followed from its own log to 12/12, and
judged from that log; a failing one ends failed in its phase with its message; a kill on one the
cockpit did not start works; nothing the cockpit started is left running on the hosts."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cockpit.cli import main
from cockpit.commands.report import build_report
from cockpit.config import load_config
from cockpit.config.models import Config, Host
from cockpit.domain.events import ListSink, LogLines, RunStarted, TargetChanged
from cockpit.domain.models import TargetState
from cockpit.engine.attach import AttachRun, discover
from cockpit.engine.journal import Journal
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.base import Transport
from cockpit.transports.factory import transport_for
from tests.engine.test_engine_over_ssh import scenario_file, wait_for
from tests.sim.remote import ssh

NIMADM = "nimadm -c {client} -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y"


@pytest.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimFleet]:
    # ~10 s per nimadm run: long enough to be found running (lpar02 fails in phase 11: a ghost device).
    started = await SimFleet.start(load_scenario(scenario_file(tmp_path, time_scale=330)), tmp_path / "fleet")
    yield started
    await started.stop()


async def by_hand(fleet: SimFleet, client: str) -> None:
    """An operator's `nohup nimadm ... &` over ssh on the master: detached, its shell gone at once."""
    done = await ssh(fleet, "nim01", f"nohup {NIMADM.format(client=client)} > /dev/null 2>&1 &")
    assert done.exit_status == 0, done.stderr


def connect_for(config: Config):  # type: ignore[no-untyped-def]
    def connect(host: Host) -> Transport:
        return transport_for(host, config.ssh)

    return connect


def leftovers(fleet: SimFleet) -> list[str]:
    """Processes of this fleet still running a follower or a process watch (the cockpit's own)."""
    mark = f"COCKPIT_SIM_FLEET={fleet.fleet_dir}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if mark not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "tail -c" in cmd or "cockpit-attach" in cmd or "follow." in cmd:
            found.append(cmd)
    return found


async def test_a_nimadm_started_by_hand_is_followed_to_12_of_12_and_succeeds(fleet: SimFleet, tmp_path: Path) -> None:
    inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
    config = load_config(inventory)
    await by_hand(fleet, "lpar01")
    found = await discover(config, connect_for(config))
    assert [f.target for f in found.followed] == ["lpar01"]
    lpar01 = found.followed[0]
    assert lpar01.found.kind == "nimadm" and lpar01.found.host == "nim01"
    assert (
        lpar01.found.options["-s"] == "spot_AIX72TL5" and lpar01.found.log == "/var/adm/ras/alt_mig/lpar01_alt_mig.log"
    )
    journal = Journal(config.state_dir / "journal.sqlite")
    engine = AttachRun(config, journal, connect_for(config), found, config_path=inventory)
    sink = ListSink()
    finished = await asyncio.wait_for(engine.run(sink), 60)
    assert finished.ok and finished.succeeded == ("lpar01",)
    started = [e for e in sink.events if isinstance(e, RunStarted)]
    assert started[0].runbook == "attach"
    changes = [e for e in sink.events if isinstance(e, TargetChanged) and e.target == "lpar01"]
    assert {e.phase for e in changes} >= set(range(1, 13))
    assert changes[-1].state is TargetState.SUCCEEDED and changes[-1].phase == 12 and changes[-1].phases_total == 12
    assert not [e for e in changes if e.state is TargetState.STALLED]
    # The local log holds the nimadm log from the start of this run, every line once, after our own line.
    local = engine.log_path("lpar01").read_bytes()
    remote = (
        fleet.fleet_dir / "hosts" / "nim01" / "var" / "adm" / "ras" / "alt_mig" / "lpar01_alt_mig.log"
    ).read_bytes()
    head, _, rest = local.partition(b"\n")
    assert b"cockpit: attached to pid" in head and rest == remote[lpar01.offset :]
    lines = [line for e in sink.events if isinstance(e, LogLines) and e.target == "lpar01" for line in e.lines]
    assert lines[1:] == rest.decode().splitlines()
    # The journal has the run (kind attach), what was seen and who started it.
    run = journal.run(engine.run_id)
    assert run is not None and run.runbook == "attach" and run.outcome == "succeeded"
    seen = [e for e in journal.events_after(engine.run_id) if e.kind == "attach-found"]
    assert seen[0].target == "lpar01" and seen[0].detail["pid"] == lpar01.found.pid and seen[0].detail["user"]
    report = build_report(journal, run)
    (target,) = report.targets
    assert (target.name, target.master, target.outcome, target.phase) == ("lpar01", "nim01", "succeeded", 12)
    assert target.steps[0].command == lpar01.found.proc.args and target.steps[0].host == "nim01"
    journal.close()
    await wait_for(lambda: not leftovers(fleet), 10)


async def test_a_failing_one_ends_failed_in_its_phase_with_its_message(fleet: SimFleet, tmp_path: Path) -> None:
    inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
    await by_hand(fleet, "lpar02")
    await asyncio.sleep(0.5)
    done = await asyncio.to_thread(_attach_headless, inventory)
    text = done.stdout
    assert done.returncode == 1, (text, done.stderr)
    assert "lpar02   FAILED      phase 11/12 failed in phase 11  0516-082 /usr/sbin/lchangelv: Unable to access" in text
    assert "lpar02: failed in phase 11: 0516-082" in text and "meaning: Ghost device" in text
    assert "nimadm -C -c lpar02 -s spot_AIX72TL5" in text  # the fix, its values from the log
    await wait_for(lambda: not leftovers(fleet), 10)


def _attach_headless(inventory: Path) -> subprocess.CompletedProcess[str]:
    """`cockpit attach CONFIG --headless` as an operator runs it: its own process, its stdout."""
    return subprocess.run(
        [sys.executable, "-m", "cockpit", "attach", str(inventory), "--headless"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_nothing_running_is_said_and_exits_1(fleet: SimFleet, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
    assert await asyncio.to_thread(main, ["attach", str(inventory), "--headless"]) == 1
    assert "nothing to follow" in capsys.readouterr().err


async def test_an_adopted_migration_can_be_killed_and_its_owner_is_known(fleet: SimFleet, tmp_path: Path) -> None:
    inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
    config = load_config(inventory)
    await by_hand(fleet, "lpar01")
    found = await discover(config, connect_for(config))
    journal = Journal(config.state_dir / "journal.sqlite")
    engine = AttachRun(config, journal, connect_for(config), found, config_path=inventory, operator="tester")
    owner = engine.owner_of("lpar01")
    assert owner is not None and owner.startswith("root (pid ") and "on nim01" in owner
    assert engine.cleanup_command("lpar01") == "nimadm -C -c lpar01 -s spot_AIX72TL5"
    assert engine.cleanup_host("lpar01") == "nim01"
    sink = ListSink()
    task = asyncio.create_task(engine.run(sink))
    await wait_for(lambda: engine.progress["lpar01"].phase is not None and engine.progress["lpar01"].phase >= 2, 30)
    assert leftovers(fleet)  # its follower and the host's process watch, while it runs
    probe = await engine.probe("lpar01", "processes")
    pid = lpar01_pid = found.followed[0].found.pid
    assert probe.host == "nim01" and f"pid {pid} (not started by this cockpit)" in probe.text
    assert any(
        line.split()[0] == str(lpar01_pid) and "nimadm -c lpar01" in line for line in probe.text.splitlines()[1:]
    )
    result = await engine.kill("lpar01", "TERM")
    assert result.ok and "cockpit-kill: sent SIGTERM" in result.stdout
    finished = await asyncio.wait_for(task, 30)
    assert finished.failed == ("lpar01",)
    progress = engine.progress["lpar01"]
    assert progress.state is TargetState.FAILED and "nimadm ended without finishing phase 12" in (progress.error or "")
    actions = {a.action: a for a in journal.run_actions(engine.run_id) if a.target == "lpar01"}
    assert actions["probe"].operator == "tester" and actions["kill-term"].operator == "tester"
    journal.close()
    await wait_for(lambda: not leftovers(fleet), 10)
