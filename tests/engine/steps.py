"""Starting a kept step for a test that then reads it some other way (a second reader, a drop)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cockpit.engine.follow import StepFollower


class Started:
    """A kept step started by `follower.run` in the background: its own channel's output and status."""

    def __init__(self, follower: StepFollower, command: str) -> None:
        self.follower = follower
        self.chunks: list[bytes] = []
        self.task: asyncio.Task[int] = asyncio.create_task(follower.run(command, self.chunks.append))

    async def running(self, timeout: float = 15.0) -> Started:
        """Once the step's shell has started the command (its pid and output file are there)."""
        d = Path(self.follower.step.directory)
        for _ in range(int(timeout / 0.01)):
            if (d / "helper").exists() or self.task.done():
                return self
            await asyncio.sleep(0.01)
        raise AssertionError(f"the step in {d} did not start")

    async def status(self, timeout: float = 60.0) -> int:
        return await asyncio.wait_for(self.task, timeout)

    @property
    def output(self) -> bytes:
        return b"".join(self.chunks)


async def start(follower: StepFollower, command: str) -> Started:
    return await Started(follower, command).running()


async def interrupted_attached(follower: StepFollower, command: str) -> tuple[int, bytes]:
    """Run `command` attached, send its step SIGINT once it printed `ready`: its status and output."""
    chunks: list[bytes] = []
    task = asyncio.create_task(follower.run_attached(command, chunks.append))
    for _ in range(750):
        if b"ready" in b"".join(chunks):
            break
        await asyncio.sleep(0.02)
    killed = await follower.transport.run(follower.step.kill_script("INT"), timeout=30)
    assert killed.exit_status == 0, killed.stderr
    return await asyncio.wait_for(task, 30), b"".join(chunks)
