"""The remote-step protocol over real SSH under each shell and userland an AIX host may have.

Every test runs against a simulated host whose sessions run under dash with GNU tools, mksh with
busybox, or ksh93 with busybox (a GNU-only option or a fractional sleep fails there as on AIX), with
the step's wrapper run by that same shell. Each ends by checking that nothing is left running.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cockpit.config import load_config
from cockpit.domain.events import ListSink
from cockpit.domain.models import TargetState
from cockpit.domain.remote_step import FOLLOW_DONE, RemoteStep
from cockpit.engine.follow import AlreadyStarted, FollowPolicy, StepCutOff, StepFollower
from cockpit.engine.journal import Journal
from cockpit.engine.run import RunbookRun
from cockpit.sim.server import SimFleet
from cockpit.sim.userland import Userland
from cockpit.transports.factory import transport_for
from cockpit.transports.ssh import SSHRunningCommand, SSHTransport
from tests.engine.steps import interrupted_attached, start
from tests.sim.userlands import USERLANDS, nothing_left_running, require

POLICY = FollowPolicy(poll=0.2, idle_poll=1)
MASTER = "nim01"
# Quotes, $, backquotes, a backslash and non-ASCII must reach the log unchanged; whole-second sleeps.
TRICKY = (
    r"""for i in 1 2 3; do printf 'line %s '"'"'q'"'"' "$x" `b` \\ ü\n' $i; sleep 1; done;"""
    " echo oops >&2; exit 3"
)
TRICKY_LINES = [f"line {i} 'q' \"$x\" `b` \\ ü" for i in (1, 2, 3)] + ["oops"]
COUNT = "i=0; while [ $i -lt {n} ]; do echo line $i; i=$((i + 1)); sleep 1; done"


@pytest.fixture(params=USERLANDS)
async def fleet(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SimFleet]:
    userland: Userland = request.param
    require(userland)
    fleet = await SimFleet.start("tiny", tmp_path / "fleet", userland)
    yield fleet
    await fleet.stop()


def master(fleet: SimFleet) -> SSHTransport:
    return SSHTransport(
        MASTER,
        "127.0.0.1",
        fleet.hosts[MASTER],
        "root",
        known_hosts=fleet.known_hosts_path,
        client_keys=[fleet.client_key_path],
    )


def step_for(fleet: SimFleet, name: str) -> RemoteStep:
    """A step directory on the master (run by the fleet's shell, the session's, as on AIX)."""
    return RemoteStep(str(fleet.workdir / "steps" / name))


async def follow_all(follower: StepFollower, offset: int = 0) -> tuple[bytes, int]:
    chunks: list[bytes] = []
    status = await asyncio.wait_for(follower.follow(offset, chunks.append), 60)
    return b"".join(chunks), status


async def registered_follower(step: RemoteStep, timeout: float = 15) -> tuple[int, int]:
    """(follower shell pid, its tail's pid) once a streaming reader has registered itself."""
    for _ in range(int(timeout / 0.02)):
        for f in Path(step.directory).glob("follow.*"):
            tail = f.read_text().strip()
            if tail.isdigit():
                return int(f.name.split(".")[1]), int(tail)
        await asyncio.sleep(0.02)
    raise AssertionError("no streaming reader registered itself")


async def read_all(running: SSHRunningCommand) -> bytes:
    return b"".join([chunk async for chunk in running.chunks()])


def running_process(pid: int) -> bool:
    """Alive and not a zombie (an orphan's exit is reaped by init, whenever init gets to it)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(b")") + 2 :].split()[0] != b"Z"


async def test_run_stream_and_status(fleet: SimFleet) -> None:
    step = step_for(fleet, "tricky")
    follower = StepFollower(master(fleet), step, POLICY, on_event=lambda _: None)
    assert (await follower.status()).state == "absent"
    chunks: list[bytes] = []
    status = await asyncio.wait_for(follower.run(TRICKY, chunks.append), 60)
    data = b"".join(chunks)
    assert status == 3
    assert data.decode().splitlines() == TRICKY_LINES
    final = await follower.status()
    assert (final.state, final.exit_status, final.size) == ("finished", 3, len(data))
    with pytest.raises(AlreadyStarted):  # never twice
        await follower.run(TRICKY, chunks.append)
    await follower.transport.close()
    assert not list(Path(step.directory).glob("follow.*"))
    await nothing_left_running(fleet.fleet_dir)


async def test_reattach_at_any_offset_gives_exactly_the_rest(fleet: SimFleet) -> None:
    step = step_for(fleet, "offsets")
    follower = StepFollower(master(fleet), step, POLICY, on_event=lambda _: None)
    chunks: list[bytes] = []
    await asyncio.wait_for(follower.run(TRICKY, chunks.append), 60)
    whole = b"".join(chunks)
    for offset in (0, 1, 17, len(whole) - 1, len(whole)):
        rest, status = await follow_all(follower, offset)
        assert (rest, status) == (whole[offset:], 3), offset
    await follower.transport.close()
    await nothing_left_running(fleet.fleet_dir)


async def test_polling_follow_sleeps_whole_seconds(fleet: SimFleet) -> None:
    step = step_for(fleet, "polled")
    transport = master(fleet)
    follower = StepFollower(transport, step, POLICY, on_event=lambda _: None)
    started = await start(follower, COUNT.format(n=3))
    running = await transport.start(step.follow_script(0, poll=POLICY.remote_poll), merge_stderr=False)
    data = await asyncio.wait_for(read_all(running), 30)
    assert await running.wait() == 0
    assert data.decode().splitlines() == [f"line {i}" for i in range(3)]
    assert f"{FOLLOW_DONE} rc=0 size={len(data)}" in running.stderr
    assert "sleep" not in running.stderr  # no "not a whole number of seconds" on the way
    assert await started.status() == 0 and started.output == data
    await transport.close()
    await nothing_left_running(fleet.fleet_dir)


async def test_a_dropped_cockpit_resumes_exactly_and_its_remote_reader_ends(fleet: SimFleet) -> None:
    # What a SIGKILLed cockpit leaves: its connection gone, the step and its remote reader still there.
    step = step_for(fleet, "dropped")
    transport = master(fleet)
    running = await transport.start(step.run_script(COUNT.format(n=4)), merge_stderr=False)
    got = bytearray()
    async for chunk in running.chunks():
        got += chunk
        break
    fleet.disconnect(MASTER)
    resumed = StepFollower(master(fleet), step, POLICY, on_event=lambda _: None)
    rest, status = await follow_all(resumed, len(got))
    assert status == 0
    assert (bytes(got) + rest).decode().splitlines() == [f"line {i}" for i in range(4)]
    await resumed.transport.close()
    await nothing_left_running(fleet.fleet_dir)
    assert not list(Path(step.directory).glob("follow.*"))


async def test_a_stray_sigwinch_does_not_end_the_stream(fleet: SimFleet) -> None:
    step = step_for(fleet, "winch")
    events: list[str] = []
    follower = StepFollower(master(fleet), step, POLICY, on_event=events.append)
    started = await start(follower, COUNT.format(n=4))
    task = asyncio.create_task(follow_all(follower))
    shell, _ = await registered_follower(step)
    os.kill(shell, signal.SIGWINCH)  # what a stale follow.<pid> reused by this reader would get
    await asyncio.sleep(0.3)
    os.kill(shell, signal.SIGWINCH)
    data, status = await task
    assert status == 0 and data.decode().splitlines() == [f"line {i}" for i in range(4)]
    assert not any("polling" in e for e in events), events  # still the one stream
    assert not any("connection lost" in e for e in events), events
    assert await started.status() == 0 and started.output == data
    await follower.transport.close()
    await nothing_left_running(fleet.fleet_dir)


async def test_a_follower_killed_outright_leaves_no_tail_behind(fleet: SimFleet) -> None:
    step = step_for(fleet, "killed-reader")
    transport = master(fleet)
    started = await start(StepFollower(transport, step, POLICY, on_event=lambda _: None), COUNT.format(n=3))
    running = await transport.start(step.stream_script(0), merge_stderr=False)
    shell, tail = await registered_follower(step)
    os.kill(shell, signal.SIGKILL)  # no EXIT trap: its tail is orphaned, its follow file stays
    # The stream ends when the step's wrapper stops the orphaned tail; left alone it would follow for ever.
    data = await asyncio.wait_for(read_all(running), 30)
    assert await running.wait() == 128 + signal.SIGKILL  # the reader's own death, not the step's status
    assert FOLLOW_DONE not in running.stderr
    await transport.close()
    for _ in range(100):  # its pipe closes as it exits, a moment before it is a zombie
        if not running_process(tail):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the orphaned tail is still following")
    resumed = StepFollower(master(fleet), step, POLICY, on_event=lambda _: None)
    rest, status = await follow_all(resumed, len(data))
    assert status == 0 and (data + rest).decode().splitlines() == [f"line {i}" for i in range(3)]
    assert await started.status() == 0
    await resumed.transport.close()
    await nothing_left_running(fleet.fleet_dir)


async def test_a_killed_step_reports_128_plus_the_signal(fleet: SimFleet) -> None:
    step = step_for(fleet, "killed-step")
    follower = StepFollower(master(fleet), step, POLICY, on_event=lambda _: None)
    # `exec`: the step is one process, so its status is the signal's. (Killing a shell and its child in
    # one `kill` left the shell running on in 2 of about 60 runs under load, dash and mksh alike: not
    # understood yet, so not what this test is about.)
    started = await start(follower, "echo started; exec sleep 30")
    task = asyncio.create_task(follow_all(follower))
    await registered_follower(step)
    out = Path(step.directory) / "out"
    for _ in range(300):  # in its sleep: a kill during the step's own start-up races its forks
        if out.read_bytes() == b"started\n":
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    killed = await follower.transport.run(step.kill_script("TERM"), timeout=30)
    assert killed.exit_status == 0, killed.stderr
    data, status = await task
    assert status == 143  # ksh93 says 271 for it; 15 would be a plain failure
    assert data.startswith(b"started\n")  # (then the wrapper shell's own "Terminated" line, in some shells)
    assert (await follower.status()).exit_status == 143
    assert (Path(step.directory) / "rc").read_text().strip() == "143"
    assert await started.status() == 143
    await follower.transport.close()
    await nothing_left_running(fleet.fleet_dir)


async def test_a_whole_nimadm_run_with_a_stray_sigwinch(fleet: SimFleet, tmp_path: Path) -> None:
    inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
    config = load_config(inventory)
    journal = Journal(config.state_dir / "journal.sqlite")
    engine = RunbookRun(config, journal, lambda host: transport_for(host, config.ssh), config_path=inventory)
    run = asyncio.create_task(engine.run(ListSink()))
    work = Path(config.host(MASTER).work_dir)
    signalled: set[int] = set()
    while not run.done() and not signalled:  # a stray SIGWINCH to the first step's shell and its stream
        for helper in work.rglob("helper"):
            shell = (helper.parent / "pid").read_text().strip()
            for pid in (int(shell), *(int(p) for p in helper.read_text().split())):
                os.kill(pid, signal.SIGWINCH)
                signalled.add(pid)
        await asyncio.sleep(0.05)
    try:
        await asyncio.wait_for(run, 90)
    finally:
        journal.close()
    assert signalled, "the run ended before a step could be signalled"
    assert engine.progress["lpar01"].state is TargetState.SUCCEEDED
    assert engine.progress["lpar02"].state is TargetState.FAILED
    assert "0516-082" in (engine.progress["lpar02"].error or "")
    await nothing_left_running(fleet.fleet_dir)


# Cleans up on SIGINT as nimadm does (its own status afterwards); prints `ready` once its trap is set.
CLEANS_UP = "sh -c 'trap \"echo cleaning up; exit 7\" INT; echo ready; while :; do sleep 1; done'"


async def test_sigint_reaches_a_kept_step(fleet: SimFleet) -> None:
    step = step_for(fleet, "interrupted")
    follower = StepFollower(master(fleet), step, POLICY, on_event=lambda _: None)
    started = await start(follower, CLEANS_UP)
    out = Path(step.directory) / "out"
    for _ in range(750):
        if out.read_bytes() == b"ready\n":
            break
        await asyncio.sleep(0.02)
    killed = await follower.transport.run(step.kill_script("INT"), timeout=30)
    assert killed.exit_status == 0, killed.stderr
    assert await started.status() == 7  # its own status, after its clean-up
    assert started.output == b"ready\ncleaning up\n"
    await follower.transport.close()
    await nothing_left_running(fleet.fleet_dir)


async def test_an_attached_step_and_its_prepared_siblings(fleet: SimFleet) -> None:
    steps = [step_for(fleet, f"quick.{n}") for n in range(3)]
    transport = master(fleet)
    chunks: list[bytes] = []
    prepare = [s.directory for s in steps[1:]]
    follower = StepFollower(transport, steps[0], POLICY, on_event=lambda _: None)
    assert await follower.run_attached(TRICKY, chunks.append, prepare=prepare) == 3
    assert b"".join(chunks).decode().splitlines() == TRICKY_LINES
    for step in steps[1:]:
        assert (
            await StepFollower(transport, step, POLICY, on_event=lambda _: None).run_attached(
                "echo more; exit 0", chunks.append
            )
            == 0
        )
    with pytest.raises(AlreadyStarted):
        await follower.run_attached(TRICKY, chunks.append)
    assert (await follower.status()).exit_status == 3
    await transport.close()
    await nothing_left_running(fleet.fleet_dir)


async def test_sigint_reaches_an_attached_step(fleet: SimFleet) -> None:
    step = step_for(fleet, "quick-int")
    follower = StepFollower(master(fleet), step, POLICY, on_event=lambda _: None)
    assert await interrupted_attached(follower, CLEANS_UP) == (7, b"ready\ncleaning up\n")
    await follower.transport.close()
    await nothing_left_running(fleet.fleet_dir)


async def test_an_attached_step_that_outlives_a_drop_quietly_ends_with_its_status(fleet: SimFleet) -> None:
    step = step_for(fleet, "quick-drop")
    marker = fleet.workdir / "done-after-drop"
    events: list[str] = []
    follower = StepFollower(master(fleet), step, POLICY, on_event=events.append)
    chunks: list[bytes] = []
    task = asyncio.create_task(follower.run_attached(f"echo first; sleep 2; : > {marker}; exit 5", chunks.append))
    for _ in range(750):
        if chunks:
            break
        await asyncio.sleep(0.02)
    fleet.disconnect(MASTER)
    assert await asyncio.wait_for(task, 60) == 5  # it printed nothing after the drop: it ran to its end
    assert marker.exists() and b"".join(chunks) == b"first\n"
    assert any("was not kept (attached step)" in e for e in events), events
    await follower.transport.close()
    await nothing_left_running(fleet.fleet_dir)


async def test_an_attached_step_still_printing_at_a_drop_is_cut_off(fleet: SimFleet) -> None:
    step = step_for(fleet, "quick-cut")
    follower = StepFollower(master(fleet), step, POLICY, on_event=lambda _: None)
    chunks: list[bytes] = []
    task = asyncio.create_task(follower.run_attached(COUNT.format(n=6), chunks.append))
    for _ in range(750):
        if chunks:
            break
        await asyncio.sleep(0.02)
    fleet.disconnect(MASTER)
    with pytest.raises(StepCutOff, match="SIGPIPE"):
        await asyncio.wait_for(task, 60)
    assert (await follower.status()).exit_status == 141
    await follower.transport.close()
    await nothing_left_running(fleet.fleet_dir)
