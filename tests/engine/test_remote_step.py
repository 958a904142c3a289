"""Kept steps run by a real /bin/sh: started once, streamed, followed byte-exactly from any offset."""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from pathlib import Path

import pytest

from cockpit.domain.names import UnsafeValue
from cockpit.domain.remote_step import RemoteStep, StepStatus
from cockpit.engine.follow import AlreadyStarted, FollowPolicy, StepFollower
from cockpit.transports.local import LocalTransport
from tests.engine.steps import start

FAST = FollowPolicy(poll=0.05, idle_poll=0.1)
# Quotes, $, backquotes, a backslash and non-ASCII: all must reach the log unchanged.
TRICKY = (
    r"""for i in 1 2 3 4 5 6; do printf 'line %s '"'"'q'"'"' "$x" `b` \\ ü\n' $i; sleep 0.05; done;"""
    " echo oops >&2; exit 3"
)


async def _follow_all(follower: StepFollower, offset: int = 0) -> tuple[bytes, int]:
    chunks: list[bytes] = []
    status = await follower.follow(offset, chunks.append)
    return b"".join(chunks), status


async def test_run_streams_and_returns_the_exit_status(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "lpar01.nimadm")
    follower = StepFollower(LocalTransport("nim01"), step, FAST, on_event=lambda _: None)
    assert (await follower.status()).state == "absent"
    chunks: list[bytes] = []
    status = await follower.run(TRICKY, chunks.append)
    data = b"".join(chunks)
    assert status == 3
    lines = data.decode().splitlines()
    assert lines[:6] == [f"line {i} 'q' \"$x\" `b` \\ ü" for i in range(1, 7)]
    assert lines[6:] == ["oops"]
    assert data == (Path(step.directory) / "out").read_bytes()
    final = await follower.status()
    assert (final.state, final.exit_status, final.size, final.kept) == ("finished", 3, len(data), True)


async def test_second_start_never_runs_the_step_again(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.nimadm")
    marker = tmp_path / "count"
    follower = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    command = f"echo x >> {marker}"
    assert await follower.run(command, lambda _: None) == 0
    with pytest.raises(AlreadyStarted, match="already started pid="):
        await follower.run(command, lambda _: None)
    assert marker.read_text() == "x\n"


@pytest.mark.parametrize("offset", [0, 1, 17, 60])
async def test_following_from_an_offset_gives_exactly_the_rest(tmp_path: Path, offset: int) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.nimadm")
    follower = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    chunks: list[bytes] = []
    await follower.run(TRICKY, chunks.append)
    whole = b"".join(chunks)
    rest, status = await _follow_all(follower, offset)
    assert rest == whole[offset:]
    assert status == 3


async def test_follow_while_running_then_reattach_loses_and_repeats_nothing(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.nimadm")
    transport = LocalTransport("m")
    follower = StepFollower(transport, step, FAST, on_event=lambda _: None)
    started = await start(follower, "i=0; while [ $i -lt 40 ]; do echo line $i; i=$((i+1)); sleep 0.02; done")
    got = bytearray()
    running = await transport.start(step.follow_script(0, poll=1), merge_stderr=False)
    async for chunk in running.chunks():
        got += chunk
        if len(got) > 40:
            break
    await running.terminate()  # the "drop": the follower dies mid-stream
    rest, status = await _follow_all(follower, len(got))
    assert status == 0
    assert (bytes(got) + rest).decode().splitlines() == [f"line {i}" for i in range(40)]
    assert await started.status() == 0 and started.output == bytes(got) + rest


async def test_follow_of_a_missing_step_directory_is_an_error_not_a_status(tmp_path: Path) -> None:
    from cockpit.engine.follow import StepGone

    step = RemoteStep.under(str(tmp_path), "nope", "c1.nimadm")
    follower = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    with pytest.raises(StepGone):
        await asyncio.wait_for(_follow_all(follower), 5)


async def test_a_kept_step_starts_no_process_per_look(tmp_path: Path) -> None:
    # Every wc/head/tail/sleep/cat the step's own shell runs goes through a logging wrapper first on PATH.
    bindir, calls = tmp_path / "bin", tmp_path / "calls"
    bindir.mkdir()
    for tool in ("wc", "head", "tail", "sleep", "cat"):
        real = next(f"{d}/{tool}" for d in os.environ["PATH"].split(":") if os.access(f"{d}/{tool}", os.X_OK))
        (bindir / tool).write_text(f'#!/bin/sh\necho {tool} >> {calls}\nexec {real} "$@"\n')
        (bindir / tool).chmod(0o755)
    transport = LocalTransport("m", env={"PATH": f"{bindir}:{os.environ['PATH']}"})
    step = RemoteStep.under(str(tmp_path), "run1", "c1.nimadm")
    follower = StepFollower(transport, step, FollowPolicy(poll=0.02, idle_poll=0.02), on_event=lambda _: None)
    chunks: list[bytes] = []
    status = await follower.run(
        "i=0; while [ $i -lt 25 ]; do echo line $i; i=$((i+1)); /bin/sleep 0.02; done", chunks.append
    )
    assert status == 0 and b"".join(chunks).decode().splitlines() == [f"line {i}" for i in range(25)]
    # One tail for the stream and one wc for the final size; the host's timing record takes a wc at
    # the start and the end and sleeps once (its interval is 15 s); at most one more polling pass
    # (tail, head, wc) for the last bytes. The former polling loop started ~4 processes per look.
    started = Counter(calls.read_text().split())
    assert started["sleep"] <= 1 and started["cat"] == 0
    assert started["tail"] <= 2 and sum(started.values()) <= 8, started


async def test_stream_dropped_mid_step_resumes_exactly_and_leaves_no_reader(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.nimadm")
    transport = LocalTransport("m")
    follower = StepFollower(transport, step, FAST, on_event=lambda _: None)
    started = await start(follower, "i=0; while [ $i -lt 40 ]; do echo line $i; i=$((i+1)); sleep 0.02; done")
    got = bytearray()
    running = await transport.start(step.stream_script(0), merge_stderr=False)
    async for chunk in running.chunks():
        got += chunk
        if len(got) > 40:
            break
    await running.terminate()  # the "drop": the reader dies mid-stream
    rest, status = await _follow_all(follower, len(got))
    assert status == 0
    assert (bytes(got) + rest).decode().splitlines() == [f"line {i}" for i in range(40)]
    assert not list(Path(step.directory).glob("follow.*"))  # every reader gone, none left registered
    assert await started.status() == 0


async def test_two_readers_of_one_step_both_get_everything_and_its_status(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.nimadm")
    first = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    second = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    started = await start(first, TRICKY)
    (a, sa), (b, sb) = await asyncio.wait_for(asyncio.gather(_follow_all(first), _follow_all(second, 5)), 30)
    assert (sa, sb, await started.status()) == (3, 3, 3)
    assert a[5:] == b and a == (Path(step.directory) / "out").read_bytes()


async def test_a_stray_sigwinch_does_not_end_the_stream(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.nimadm")
    events: list[str] = []
    follower = StepFollower(LocalTransport("m"), step, FAST, on_event=events.append)
    started = await start(follower, "i=0; while [ $i -lt 20 ]; do echo line $i; i=$((i+1)); sleep 0.03; done")
    task = asyncio.create_task(_follow_all(follower))
    for _ in range(1000):
        if readers := list(Path(step.directory).glob("follow.*")):
            break
        await asyncio.sleep(0.01)
    else:
        raise AssertionError("no streaming reader registered itself")
    os.kill(int(readers[0].name.split(".")[1]), signal.SIGWINCH)  # what a reused pid would get
    data, status = await asyncio.wait_for(task, 30)
    assert status == 0 and data.decode().splitlines() == [f"line {i}" for i in range(20)]
    assert not any("polling" in e for e in events)  # still the one stream, not a fallback
    assert await started.status() == 0


async def test_a_step_launched_without_the_waking_wrapper_is_polled(tmp_path: Path) -> None:
    # A step directory as an older cockpit left it: no `run` wrapper, so nobody signals its end.
    step = RemoteStep.under(str(tmp_path), "run1", "old.nimadm")
    d = Path(step.directory)
    (d / "started").mkdir(parents=True)
    (d / "out").write_bytes(b"phase 1\nphase 2\n")
    (d / "rc").write_text("0\n")
    events: list[str] = []
    follower = StepFollower(LocalTransport("m"), step, FAST, on_event=events.append)
    data, status = await asyncio.wait_for(_follow_all(follower, 8), 10)
    assert (data, status) == (b"phase 2\n", 0)
    assert any("polling" in e for e in events)


def test_status_line_parses() -> None:
    s = StepStatus.parse("state=running rc=- pid=123 size=4096 alive=yes output=file\n")
    assert (s.state, s.exit_status, s.pid, s.size, s.alive, s.kept) == ("running", None, 123, 4096, True, True)
    s = StepStatus.parse("state=running rc=- pid=123 size=0 alive=no output=channel\n")
    assert (s.alive, s.kept) == (False, False)


@pytest.mark.parametrize("path", ["relative/dir", "/tmp/x;rm -rf /", "/tmp/../etc", "/tmp/$(id)"])
def test_step_directory_must_be_a_plain_absolute_path(path: str) -> None:
    with pytest.raises(UnsafeValue):
        RemoteStep(path)
