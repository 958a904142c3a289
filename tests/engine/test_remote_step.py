"""Detached steps run by a real /bin/sh: launched once, followed byte-exactly from any offset."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cockpit.domain.names import UnsafeValue
from cockpit.domain.remote_step import RemoteStep, StepStatus
from cockpit.engine.follow import FollowPolicy, StepFollower
from cockpit.transports.local import LocalTransport

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


async def test_launch_follow_and_exit_status(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "lpar01.nimadm")
    follower = StepFollower(LocalTransport("nim01"), step, FAST, on_event=lambda _: None)
    assert (await follower.status()).state == "absent"
    assert "started pid=" in await follower.launch(TRICKY)
    data, status = await _follow_all(follower)
    assert status == 3
    lines = data.decode().splitlines()
    assert lines[:6] == [f"line {i} 'q' \"$x\" `b` \\ ü" for i in range(1, 7)]
    assert lines[6:] == ["oops"]
    final = await follower.status()
    assert (final.state, final.exit_status, final.size) == ("finished", 3, len(data))


async def test_second_launch_never_starts_the_step_again(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.nimadm")
    marker = tmp_path / "count"
    follower = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    command = f"echo x >> {marker}"
    await follower.launch(command)
    assert "already started" in await follower.launch(command)
    await _follow_all(follower)
    assert marker.read_text() == "x\n"


@pytest.mark.parametrize("offset", [0, 1, 17, 60])
async def test_following_from_an_offset_gives_exactly_the_rest(tmp_path: Path, offset: int) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.nimadm")
    follower = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    await follower.launch(TRICKY)
    whole, _ = await _follow_all(follower)
    rest, status = await _follow_all(follower, offset)
    assert rest == whole[offset:]
    assert status == 3


async def test_follow_while_running_then_reattach_loses_and_repeats_nothing(tmp_path: Path) -> None:
    step = RemoteStep.under(str(tmp_path), "run1", "c1.nimadm")
    transport = LocalTransport("m")
    follower = StepFollower(transport, step, FAST, on_event=lambda _: None)
    await follower.launch("i=0; while [ $i -lt 40 ]; do echo line $i; i=$((i+1)); sleep 0.02; done")
    got = bytearray()
    running = await transport.start(step.follow_script(0, poll=0.02), merge_stderr=False)
    async for chunk in running.chunks():
        got += chunk
        if len(got) > 40:
            break
    await running.terminate()  # the "drop": the follower dies mid-stream
    rest, status = await _follow_all(follower, len(got))
    assert status == 0
    assert (bytes(got) + rest).decode().splitlines() == [f"line {i}" for i in range(40)]


async def test_follow_of_a_missing_step_directory_is_an_error_not_a_status(tmp_path: Path) -> None:
    from cockpit.engine.follow import StepGone

    step = RemoteStep.under(str(tmp_path), "nope", "c1.nimadm")
    follower = StepFollower(LocalTransport("m"), step, FAST, on_event=lambda _: None)
    with pytest.raises(StepGone):
        await asyncio.wait_for(_follow_all(follower), 5)


def test_status_line_parses() -> None:
    s = StepStatus.parse("state=running rc=- pid=123 size=4096\n")
    assert (s.state, s.exit_status, s.pid, s.size) == ("running", None, 123, 4096)


@pytest.mark.parametrize("path", ["relative/dir", "/tmp/x;rm -rf /", "/tmp/../etc", "/tmp/$(id)"])
def test_step_directory_must_be_a_plain_absolute_path(path: str) -> None:
    with pytest.raises(UnsafeValue):
        RemoteStep(path)
