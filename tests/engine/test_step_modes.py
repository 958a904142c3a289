"""Attached steps, and signals from the troubleshoot screen reaching a step, with a real /bin/sh."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from pathlib import Path

import pytest

from cockpit.domain.remote_step import RemoteStep
from cockpit.engine.follow import AlreadyStarted, FollowPolicy, StepFollower
from cockpit.transports.local import LocalTransport
from tests.engine.steps import interrupted_attached, start

FAST = FollowPolicy(poll=0.05, idle_poll=0.1)
TOOLS = ("mkdir", "mkfifo", "tail", "head", "wc", "cat", "mv", "sleep", "tee", "ps", "awk")
# Cleans up on SIGINT as nimadm does, then ends with a status of its own; `ready` once its trap is set.
CLEANS_UP = "sh -c 'trap \"echo cleaning up; exit 7\" INT; echo ready; while :; do sleep 1; done'"


def logging_tools(tmp_path: Path) -> tuple[LocalTransport, Path]:
    """A transport whose every start of TOOLS is written to a file first (their PATH wrappers)."""
    bindir, calls = tmp_path / "bin", tmp_path / "calls"
    bindir.mkdir()
    calls.write_text("")
    for tool in TOOLS:
        real = next(f"{d}/{tool}" for d in os.environ["PATH"].split(":") if os.access(f"{d}/{tool}", os.X_OK))
        (bindir / tool).write_text(f'#!/bin/sh\necho {tool} >> {calls}\nexec {real} "$@"\n')
        (bindir / tool).chmod(0o755)
    return LocalTransport("m", env={"PATH": f"{bindir}:{os.environ['PATH']}"}), calls


async def test_an_attached_step_prints_straight_to_its_channel(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.check")
    follower = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    chunks: list[bytes] = []
    status = await follower.run_attached("echo one; echo two >&2; echo 'x y' \"$HOME\"; exit 4", chunks.append)
    assert status == 4
    assert b"".join(chunks) == f"one\ntwo\nx y {os.environ['HOME']}\n".encode()  # stderr in order, merged
    final = await follower.status()
    assert (final.state, final.exit_status, final.kept, final.alive) == ("finished", 4, False, False)
    assert not (Path(step.directory) / "out").exists()
    assert (Path(step.directory) / "cmd").read_text().startswith("echo one;")


async def test_an_attached_step_never_runs_twice(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.check")
    marker = tmp_path / "count"
    follower = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    assert await follower.run_attached(f"echo x >> {marker}", lambda _: None) == 0
    with pytest.raises(AlreadyStarted, match="already started pid="):
        await follower.run_attached(f"echo x >> {marker}", lambda _: None)
    kept = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    with pytest.raises(AlreadyStarted):  # nor kept, in the same directory
        await kept.run(f"echo x >> {marker}", lambda _: None)
    assert marker.read_text() == "x\n"


async def test_attached_steps_start_no_process_but_their_own(tmp_path: Path) -> None:
    transport, calls = logging_tools(tmp_path)
    first = RemoteStep.under(str(tmp_path), "run1", "c1.one")
    later = [RemoteStep.under(str(tmp_path), "run1", f"c1.{n}") for n in ("two", "three")]
    follower = StepFollower(transport, first, FAST, on_event=lambda _: None)
    chunks: list[bytes] = []
    prepare = [s.directory for s in later]
    assert await follower.run_attached("cat /dev/null; echo one", chunks.append, prepare=prepare) == 0
    assert Counter(calls.read_text().split()) == {"mkdir": 1, "cat": 1}  # one mkdir makes all three
    assert all(Path(s.directory).is_dir() and not (Path(s.directory) / "started").exists() for s in later)
    calls.write_text("")
    for step in later:
        assert (
            await StepFollower(transport, step, FAST, on_event=lambda _: None).run_attached("echo more", chunks.append)
            == 0
        )
    assert calls.read_text() == ""  # a prepared step starts nothing but its command (echo: a builtin)
    assert b"".join(chunks) == b"one\nmore\nmore\n"


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_bytes()
            except OSError:
                continue
            children.setdefault(int(stat[stat.rindex(b")") + 2 :].split()[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _ignores_sigint(pid: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << 1))
    raise AssertionError(f"no SigIgn for {pid}")


async def _wait_for(path: Path, text: bytes, timeout: float = 15) -> None:
    for _ in range(int(timeout / 0.02)):
        if path.exists() and text in path.read_bytes():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{text!r} never appeared in {path}")


async def test_sigint_reaches_a_kept_step_which_cleans_up_before_it_ends(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.nimadm")
    follower = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    started = await start(follower, CLEANS_UP)
    await _wait_for(Path(step.directory) / "out", b"ready\n")
    root = int((Path(step.directory) / "pid").read_text())
    helpers = [int(p) for p in (Path(step.directory) / "helper").read_text().split()]  # its tail, its sampler
    theirs = {p for h in helpers for p in [h, *_descendants(h)]}
    step_processes = [p for p in _descendants(root) if p not in theirs]
    assert step_processes and not any(_ignores_sigint(p) for p in step_processes)  # nohup & ignored it
    killed = await follower.transport.run(step.kill_script("INT"), timeout=30)
    assert killed.exit_status == 0, killed.stderr
    assert not theirs & {int(p) for p in killed.stdout.split() if p.isdigit()}  # the helpers are left alone
    assert await started.status() == 7  # the step's own status, once its clean-up was done
    assert started.output == b"ready\ncleaning up\n"
    assert (Path(step.directory) / "rc").read_text().strip() == "7"


async def test_sigint_reaches_an_attached_step(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.check")
    follower = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    assert await interrupted_attached(follower, CLEANS_UP) == (7, b"ready\ncleaning up\n")


async def test_term_is_sent_to_the_step_and_its_last_words_are_streamed(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.nimadm")
    follower = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    command = "sh -c 'trap \"echo terminated; exit 143\" TERM; echo ready; while :; do sleep 1; done'"
    started = await start(follower, command)
    await _wait_for(Path(step.directory) / "out", b"ready\n")
    assert (await follower.transport.run(step.kill_script("TERM"), timeout=30)).exit_status == 0
    assert await started.status() == 143
    # (the inner shell may first say "Terminated" of its sleep)
    assert started.output.startswith(b"ready\n") and started.output.endswith(b"terminated\n")


async def test_sigint_is_refused_for_a_step_an_older_cockpit_started_under_nohup(tmp_path: Path) -> None:
    # Such a step ignores SIGINT (started as `nohup /bin/sh ./run &`): nothing can change that.
    step = RemoteStep.under(str(tmp_path), "run1", "old.nimadm")
    d = Path(step.directory)
    (d / "started").mkdir(parents=True)
    (d / "run").write_text("/bin/sh ./cmd > out 2>&1\nst=$?\n")
    (d / "pid").write_text(f"{os.getpid()}\n")
    result = await LocalTransport("m").run(step.kill_script("INT"), timeout=30)
    assert result.exit_status == 2
    assert "ignores SIGINT; send TERM instead" in result.stderr
