"""Following a log the cockpit did not write, until a process it did not start ends: the follower and the
per-host process watch under dash, ksh and mksh, on real files and real processes; every byte once,
the end told by the watch, nothing left running; shellcheck -s ksh on the scripts where it is installed."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cockpit.domain.foreign_log import ForeignLog, watch_script
from cockpit.engine.attach.watch import HostWatch
from cockpit.engine.follow import FollowPolicy, StepFollower
from cockpit.transports.local import LocalTransport

SHELLS = [s for s in ("/bin/sh", shutil.which("ksh"), shutil.which("mksh")) if s]
POLICY = FollowPolicy(poll=0.1, idle_poll=1.0, backoff=(0.1,), give_up_after=30)

# A migration of someone else's: writes its log line by line for about two seconds, then ends.
WRITER = """
import sys, time
with open(sys.argv[1], "a") as log:
    for i in range(40):
        log.write(f"line {i} " + "x" * (i % 7) + "\\n"); log.flush(); time.sleep(0.05)
"""


class ShellTransport(LocalTransport):
    """The local transport with another shell than /bin/sh (as an AIX host's ksh)."""

    def __init__(self, shell: str) -> None:
        super().__init__(f"local-{Path(shell).name}")
        self.shell = shell

    async def _spawn(self, command: str, *, merge: bool) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            self.shell,
            "-c",
            command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT if merge else asyncio.subprocess.PIPE,
            start_new_session=True,
        )


def register_of(tmp_path: Path) -> str:
    return str(tmp_path / "work" / "attach")


def followers(register: str) -> list[str]:
    return sorted(os.listdir(register)) if os.path.isdir(register) else []


@pytest.mark.parametrize("shell", SHELLS, ids=lambda s: Path(s).name)
async def test_follow_until_the_process_ends_every_byte_once(shell: str, tmp_path: Path) -> None:
    log = tmp_path / "lpar01_alt_mig.log"
    log.write_bytes(b"an earlier run\n")
    start = len(log.read_bytes())
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(log)])
    # Reaped as soon as it ends, as a migration's shell (or init) reaps it: a zombie would still "exist".
    threading.Thread(target=writer.wait, daemon=True).start()
    register = register_of(tmp_path)
    try:
        got = bytearray()
        gone: list[int] = []
        watch = HostWatch(ShellTransport(shell), register, [writer.pid], POLICY, gone.append, lambda _: None)
        follower = StepFollower(
            ShellTransport(shell), ForeignLog(str(log), writer.pid, register), POLICY, lambda _: None
        )
        watching = asyncio.create_task(watch.run())
        status = await asyncio.wait_for(follower.follow(start, got.extend), 30)
        await asyncio.wait_for(watching, 10)
    finally:
        writer.kill()
        writer.wait()
    assert status == 0 and bytes(got) == log.read_bytes()[start:]
    assert got.count(b"\n") == 40 and gone == [writer.pid]
    assert followers(register) == []  # each follower removed its registration


@pytest.mark.parametrize("shell", SHELLS, ids=lambda s: Path(s).name)
async def test_a_process_that_ended_before_the_follower_came(shell: str, tmp_path: Path) -> None:
    log = tmp_path / "alt_disk_inst.log"
    log.write_bytes(b"## Phase 1 ###\nall of it\n")
    ended = subprocess.Popen(["true"])
    ended.wait()
    got = bytearray()
    follower = StepFollower(
        ShellTransport(shell), ForeignLog(str(log), ended.pid, register_of(tmp_path)), POLICY, lambda _: None
    )
    assert await asyncio.wait_for(follower.follow(0, got.extend), 10) == 0
    assert bytes(got) == log.read_bytes()


async def test_kill_script_signals_the_process_and_its_children(tmp_path: Path) -> None:
    parent = subprocess.Popen(["/bin/sh", "-c", "sleep 60 & sleep 60; wait"], start_new_session=True)
    try:
        await asyncio.sleep(0.3)
        result = await LocalTransport("local").run(
            ForeignLog("/var/tmp/x.log", parent.pid, "/var/tmp/r").kill_script("TERM")
        )
        assert result.ok and str(parent.pid) in result.stdout
        assert parent.wait(5) != 0
    finally:
        if parent.poll() is None:
            parent.kill()


def test_the_watch_script_knows_when_nothing_is_left() -> None:
    script = watch_script("/var/tmp/cockpit/attach", [4300, 5130], 2)
    assert "sleep 2" in script and "pids='4300 5130'" in script and "trap '' PIPE" in script
    with pytest.raises(ValueError):
        watch_script("/var/tmp/x;reboot", [4300], 2)
    with pytest.raises(ValueError):
        ForeignLog("/var/adm/ras/x.log; reboot", 4300, "/var/tmp/r")


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_the_scripts_pass_shellcheck_for_ksh(tmp_path: Path) -> None:
    f = ForeignLog("/var/adm/ras/alt_mig/lpar01_alt_mig.log", 4300, "/var/tmp/cockpit/attach")
    for name, script in {
        "stream": f.stream_script(1234),
        "follow": f.follow_script(1234),
        "kill": f.kill_script("TERM"),
        "watch": watch_script("/var/tmp/cockpit/attach", [4300], 2),
    }.items():
        path = tmp_path / f"{name}.sh"
        path.write_text(script + "\n")
        done = subprocess.run(["shellcheck", "-s", "ksh", "-S", "warning", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, (name, done.stdout)


async def test_a_follower_killed_outright_leaves_no_tail_once_the_process_ends(tmp_path: Path) -> None:
    log = tmp_path / "lpar01_alt_mig.log"
    log.write_bytes(b"")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(log)])
    threading.Thread(target=writer.wait, daemon=True).start()
    register = register_of(tmp_path)
    follower = subprocess.Popen(
        ["/bin/sh", "-c", ForeignLog(str(log), writer.pid, register).stream_script(0)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        registration = Path(register) / f"follow.{writer.pid}.{follower.pid}"
        for _ in range(100):
            if registration.exists() and registration.read_text().strip().isdigit():
                break
            await asyncio.sleep(0.05)
        tail = int(registration.read_text())
        follower.kill()  # SIGKILL: no trap runs, its tail is orphaned
        follower.wait()
        os.kill(tail, 0)  # still there
        gone: list[int] = []
        watch = HostWatch(LocalTransport("local"), register, [writer.pid], POLICY, gone.append, lambda _: None)
        await asyncio.wait_for(watch.run(), 30)
        assert gone == [writer.pid] and not registration.exists()
        for _ in range(50):
            try:
                os.kill(tail, 0)
            except ProcessLookupError:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"the orphaned tail {tail} is still running")
    finally:
        writer.kill()
        if follower.poll() is None:
            follower.kill()
