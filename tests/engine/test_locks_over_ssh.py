"""One cockpit per target, over real SSH to the simulated fleet, with `cockpit run` as operators start it.

Two cockpits on one plan (two state directories: two operators, two machines), a second cockpit on
the same state directory, `--resume` while the first lives and after it died, a nimadm started by
hand, stale and foreign locks broken only on the operator's word, a cluster that starts whole.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cockpit.domain import host_lock as hl
from cockpit.engine.journal import Journal
from cockpit.sim import state
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from tests.engine.test_engine_over_ssh import SCENARIOS
from tests.sim.remote import ssh

CLIENTS = ("lpar01", "lpar02", "lpar03")
MACHINE = socket.gethostname()
OPERATOR = getpass.getuser()


def scenario(tmp_path: Path, *, time_scale: int, clients: int = 3, hosts: str = "") -> Path:
    """tiny.yaml with `clients` clients, clean unless `hosts` (a scenario `hosts:` block) says, at `time_scale`."""
    text = (SCENARIOS / "tiny.yaml").read_text()
    text = text.replace("time_scale: 1100", f"time_scale: {time_scale}").replace("count: 2", f"count: {clients}")
    text = text.replace("hosts:\n  lpar02:\n    faults: {ghost_major: 43}\n", hosts)
    text = text.replace("concurrency: 2", "concurrency: 4")
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


@pytest.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimFleet]:
    # ~20 s per migration: long enough for several cockpits to meet on it.
    fleet = await SimFleet.start(load_scenario(scenario(tmp_path, time_scale=165)), tmp_path / "fleet")
    yield fleet
    await fleet.stop()


def inventories(fleet: SimFleet, tmp_path: Path) -> tuple[Path, Path]:
    """One plan, two state directories (as two operators' copies of it would have)."""
    base = fleet.write_inventory(tmp_path / "inventory.yaml").read_text()
    a, b = tmp_path / "plan-a.yaml", tmp_path / "plan-b.yaml"
    a.write_text(base + "state_dir: state-a\n")
    b.write_text(base + "state_dir: state-b\n")
    return a, b


def work_dir(fleet: SimFleet, host: str) -> Path:
    return Path(state.host_dir(str(fleet.fleet_dir), host)) / "var" / "tmp" / "cockpit"


def launches(fleet: SimFleet) -> Counter[str]:
    """nimadm launches per client: the step directories on the master (one per launch, any run)."""
    return Counter(d.name.split(".")[0] for d in work_dir(fleet, "nim01").glob("*/*.nimadm*"))


def locks_left(fleet: SimFleet, host: str = "nim01") -> list[str]:
    directory = work_dir(fleet, host) / "locks"
    return sorted(p.name for p in directory.iterdir()) if directory.is_dir() else []


def plant(fleet: SimFleet, host: str, name: str, *, machine: str = MACHINE, pid: int, run: str = "r-old") -> hl.Holder:
    """A lock left on `host` as a cockpit leaves it (the simulated hosts share this filesystem)."""
    holder = hl.Holder("someone", machine, run, pid, int(time.time()) - 600, "5eed" * 4)
    lock = work_dir(fleet, host) / "locks" / name
    lock.mkdir(parents=True)
    (lock / "owner").write_text("\n".join(holder.owner_lines()) + "\n")
    return holder


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


async def cockpit(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cockpit", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )


async def finished(proc: asyncio.subprocess.Process, timeout: float = 90) -> tuple[int, str, str]:
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def run(*args: str, timeout: float = 90) -> tuple[int, str, str]:
    return await finished(await cockpit(*args), timeout)


def line_of(out: str, target: str, state: str) -> str | None:
    return next((line for line in out.splitlines() if line[9:].split()[:2] == [target, state]), None)


async def wait_for(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within the timeout")
        await asyncio.sleep(0.1)


async def test_two_cockpits_on_one_plan_launch_each_client_once(fleet: SimFleet, tmp_path: Path) -> None:
    plan_a, plan_b = inventories(fleet, tmp_path)
    first = await cockpit("run", str(plan_a), "--headless", "--no-preflight")
    second = await cockpit("run", str(plan_b), "--headless", "--no-preflight")
    (code_a, out_a, _), (code_b, out_b, _) = await asyncio.gather(finished(first), finished(second))
    assert launches(fleet) == Counter(dict.fromkeys(CLIENTS, 1))  # never a second nimadm onto a disk
    run_of = {out.split()[2].rstrip(":"): (proc.pid, out) for proc, out in ((first, out_a), (second, out_b))}
    assert len(run_of) == 2
    for client in CLIENTS:
        winners = [r for r, (_, out) in run_of.items() if line_of(out, client, "SUCCEEDED")]
        assert len(winners) == 1, (client, out_a, out_b)
        (loser,) = [out for r, (_, out) in run_of.items() if r not in winners]
        refused = line_of(loser, client, "BLOCKED")
        assert refused is not None
        holder = f"locked by {OPERATOR}@{MACHINE} (run {winners[0]}, cockpit pid {run_of[winners[0]][0]}) since "
        assert holder in refused and refused.endswith("that cockpit is running"), refused
    assert sorted([code_a, code_b]) in ([0, 1], [1, 1])
    assert locks_left(fleet) == []  # each given back when its client ended


async def test_one_cockpit_per_state_dir_resume_waits_for_the_first_then_adopts_its_locks(
    fleet: SimFleet, tmp_path: Path
) -> None:
    plan_a, plan_b = inventories(fleet, tmp_path)
    first = subprocess.Popen(
        [sys.executable, "-m", "cockpit", "run", str(plan_a), "--headless", "--no-preflight"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        await wait_for(lambda: sum(launches(fleet).values()) == len(CLIENTS), 30)
        # The same state directory: refused at start, and so is --resume while the first lives.
        (code, out, err), (rcode, rout, rerr), (bcode, bout, _) = await asyncio.gather(
            run("run", str(plan_a), "--headless", "--no-preflight"),
            run("run", str(plan_a), "--headless", "--resume"),
            run("run", str(plan_b), "--headless", "--no-preflight"),
        )
        in_use = f"{tmp_path}/state-a is in use by cockpit pid {first.pid} ("
        for status, said, told in ((code, out, err), (rcode, rout, rerr)):
            assert status == 2 and said == "" and len(told.splitlines()) == 1 and told.startswith(f"cockpit: {in_use}")
        # Another state directory (another operator's copy of the plan): refused per client, naming the holder.
        assert bcode == 1
        for client in CLIENTS:
            refused = line_of(bout, client, "BLOCKED")
            assert refused is not None and f"cockpit pid {first.pid})" in refused
            assert refused.endswith("that cockpit is running")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(10)
    # Gone: its locks are stale. Another cockpit still needs the operator's word, and even then a
    # nimadm still running for the client keeps it off (the first cockpit's migrations go on).
    code, out, _ = await run("run", str(plan_b), "--headless", "--no-preflight", "--break-lock", "lpar01")
    assert code == 1
    stale = line_of(out, "lpar02", "BLOCKED")
    assert (
        stale is not None
        and f"that cockpit is gone (no pid {first.pid} here); break it with --break-lock lpar02" in stale
    )
    busy = line_of(out, "lpar01", "BLOCKED")
    assert busy is not None and "already running on nim01, not started by this cockpit: pid " in busy
    assert " nimadm -c lpar01 " in busy
    journal = Journal.read_only(tmp_path / "state-b" / "journal.sqlite")
    try:
        broken = [(a.target, a.action) for r in journal.runs() for a in journal.run_actions(r.run_id) if a.target]
    finally:
        journal.close()
    assert broken == [("lpar01", "break-lock")]
    # The resume of the first cockpit's run takes its locks back and finishes the run.
    code, out, err = await run("run", str(plan_a), "--headless", "--resume", timeout=120)
    assert code == 0, out + err
    assert all(line_of(out, c, "SUCCEEDED") for c in CLIENTS)
    assert launches(fleet) == Counter(dict.fromkeys(CLIENTS, 1))
    assert locks_left(fleet) == []


@pytest.fixture
async def quick_fleet(tmp_path: Path) -> AsyncIterator[SimFleet]:
    fleet = await SimFleet.start(load_scenario(scenario(tmp_path, time_scale=1100, clients=2)), tmp_path / "fleet")
    yield fleet
    await fleet.stop()


async def test_a_nimadm_started_by_hand_keeps_the_cockpit_off_its_client(tmp_path: Path) -> None:
    hangs = "hosts:\n  lpar01:\n    faults: {hang_phase: 3}\n"  # the hand-started run stays in phase 3
    fleet = await SimFleet.start(
        load_scenario(scenario(tmp_path, time_scale=1100, clients=2, hosts=hangs)), tmp_path / "fleet"
    )
    try:
        await _by_hand(fleet, tmp_path)
    finally:
        await fleet.stop()


async def _by_hand(fleet: SimFleet, tmp_path: Path) -> None:
    plan, _ = inventories(fleet, tmp_path)
    # An operator (or Ansible) started this on the master: no cockpit, no lock.
    by_hand = "nimadm -c lpar01 -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y"
    started = await ssh(fleet, "nim01", f"nohup {by_hand} >/tmp/by-hand.out 2>&1 & echo $!")
    assert started.exit_status == 0
    await asyncio.sleep(0.5)
    code, out, _ = await run("run", str(plan), "--headless", "--no-preflight")
    assert code == 1
    refused = line_of(out, "lpar01", "BLOCKED")
    assert refused is not None and "already running on nim01, not started by this cockpit" in refused
    assert f" {by_hand}" in refused  # the process, from its program on, as the master's ps shows it
    assert line_of(out, "lpar02", "SUCCEEDED") is not None
    assert launches(fleet) == Counter({"lpar02": 1})
    assert locks_left(fleet) == []


async def test_stale_and_foreign_locks_are_broken_only_on_the_operators_word(
    quick_fleet: SimFleet, tmp_path: Path
) -> None:
    fleet = quick_fleet
    plan, _ = inventories(fleet, tmp_path)
    gone = plant(fleet, "nim01", "lpar01", pid=dead_pid())
    plant(fleet, "nim01", "lpar02", machine="other-host", pid=4242)
    code, out, _ = await run("run", str(plan), "--headless", "--no-preflight")
    assert code == 1 and sum(launches(fleet).values()) == 0
    stale = line_of(out, "lpar01", "BLOCKED")
    assert stale is not None and f"locked by someone@{MACHINE} (run r-old, cockpit pid {gone.pid})" in stale
    assert "that cockpit is gone" in stale
    foreign = line_of(out, "lpar02", "BLOCKED")
    assert foreign is not None and "locked by someone@other-host (run r-old, cockpit pid 4242)" in foreign
    assert "a cockpit on another machine; if it is gone, break it with --break-lock lpar02" in foreign
    code, out, _ = await run(
        "run", str(plan), "--headless", "--no-preflight", "--break-lock", "lpar01", "--break-lock", "lpar02"
    )
    assert code == 0, out
    assert launches(fleet) == Counter({"lpar01": 1, "lpar02": 1})
    assert locks_left(fleet) == []
    journal = Journal.read_only(tmp_path / "state-a" / "journal.sqlite")
    try:
        actions = [
            (a.target, a.action, a.detail) for r in journal.runs() for a in journal.run_actions(r.run_id) if a.target
        ]
    finally:
        journal.close()
    assert [(t, a) for t, a, _ in actions] == [("lpar01", "break-lock"), ("lpar02", "break-lock")]
    assert f"held by someone@{MACHINE} (run r-old, cockpit pid {gone.pid})" in actions[0][2]


async def test_a_live_cockpits_lock_is_never_broken(quick_fleet: SimFleet, tmp_path: Path) -> None:
    fleet = quick_fleet
    plan, _ = inventories(fleet, tmp_path)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "cockpit-holder"])
    try:
        plant(fleet, "nim01", "lpar01", pid=live.pid)
        code, out, _ = await run("run", str(plan), "--headless", "--no-preflight", "--break-lock", "lpar01")
    finally:
        live.kill()
        live.wait()
    refused = line_of(out, "lpar01", "BLOCKED")
    assert code == 1 and refused is not None and refused.endswith("that cockpit is running")
    assert launches(fleet) == Counter({"lpar02": 1})
    assert locks_left(fleet) == ["lpar01"]  # still the other cockpit's


async def test_break_lock_names_a_target_of_the_plan(quick_fleet: SimFleet, tmp_path: Path) -> None:
    plan, _ = inventories(quick_fleet, tmp_path)
    code, out, err = await run("run", str(plan), "--headless", "--break-lock", "lpar09")
    assert code == 2 and out == ""
    assert err == f"cockpit: --break-lock lpar09: not a target of {plan} (targets: lpar01, lpar02)\n"


async def test_a_cluster_starts_whole_or_not_at_all(tmp_path: Path) -> None:
    fleet = await SimFleet.start(load_scenario("linuxha"), tmp_path / "fleet")
    try:
        plan = fleet.write_inventory(tmp_path / "inventory.yaml")
        plant(fleet, "node2", "node2", machine="other-host", pid=4242)  # a cluster node holds its own lock
        code, out, _ = await run("run", str(plan), "--headless")
        assert code == 1
        refused = line_of(out, "node2", "BLOCKED")
        assert refused is not None and "locked by someone@other-host" in refused
        for node in ("node1", "node3"):
            kept = line_of(out, node, "BLOCKED")
            assert kept is not None and "not started: node2 locked by someone@other-host" in kept
            assert locks_left(fleet, node) == []  # taken, then given back: nothing started anywhere
        for node in ("node1", "node2", "node3"):
            assert not [d for d in work_dir(fleet, node).glob("*/*") if d.parent.name != "locks"]
    finally:
        await fleet.stop()


async def test_alt_disk_steps_lock_the_target_itself(tmp_path: Path) -> None:
    fleet = await SimFleet.start(load_scenario("alt-disk-copy"), tmp_path / "fleet")
    try:
        plan = fleet.write_inventory(tmp_path / "inventory.yaml")
        targets = [h for h in fleet.hosts if h != "nim01"]
        plant(fleet, targets[0], targets[0], machine="other-host", pid=4242)
        code, out, _ = await run("run", str(plan), "--headless")
        refused = line_of(out, targets[0], "BLOCKED")
        assert refused is not None and f"at {targets[0]}:{work_dir(fleet, targets[0])}/locks/{targets[0]}" in refused
        assert not list(work_dir(fleet, targets[0]).glob("2*"))  # no step of this run there
        assert code == 1
    finally:
        await fleet.stop()
