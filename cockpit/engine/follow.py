"""Launch a detached remote step and follow its output by byte offset, across SSH drops."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cockpit.domain.remote_step import CANNOT_LAUNCH, NO_STEP_DIR, RemoteStep, StepStatus
from cockpit.transports.base import ConnectionLost, Transport, TransportError

DEFAULT_BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class StepGone(TransportError):
    """The step's directory vanished on the remote host: nothing left to follow."""


@dataclass(frozen=True)
class FollowPolicy:
    poll: float = 1.0
    """Seconds between looks at the output file while it grows (real AIX sleep takes whole seconds)."""
    idle_poll: float = 2.0
    """Seconds between looks once the step has been silent a while."""
    backoff: Sequence[float] = DEFAULT_BACKOFF
    """Waits between reconnection attempts after a drop; the last one repeats."""
    give_up_after: float = 1800.0
    """Seconds without a working connection before the target is declared unreachable."""


class StepFollower:
    """Runs one step detached on `transport` and streams its output into `on_chunk`."""

    def __init__(
        self,
        transport: Transport,
        step: RemoteStep,
        policy: FollowPolicy,
        on_event: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.transport = transport
        self.step = step
        self.policy = policy
        self.on_event = on_event  # one-line notes for the operator: "connection lost, retrying in 2s"
        self.clock = clock

    async def status(self) -> StepStatus:
        result = await self.transport.run(self.step.status_script(), timeout=60)
        if result.exit_status != 0:
            raise TransportError(f"{self.transport.name}: cannot read step status: {result.stderr.strip()}")
        return StepStatus.parse(result.stdout)

    async def launch(self, command: str) -> str:
        result = await self.transport.run(self.step.launch_script(command), timeout=60)
        if result.exit_status == CANNOT_LAUNCH or result.exit_status != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise TransportError(
                f"{self.transport.name}: cannot start the step in {self.step.directory}: "
                + (detail[-1] if detail else f"exit status {result.exit_status}")
            )
        return result.stdout.strip()

    async def follow(self, offset: int, on_chunk: Callable[[bytes], None]) -> int:
        """Stream from `offset` until the step ends; returns its exit status. Survives drops."""
        lost_since: float | None = None
        attempt = 0
        while True:
            try:
                if lost_since is not None:
                    await self.transport.connect()
                    self.on_event(f"re-attached at byte {offset} after {self.clock() - lost_since:.0f}s")
                    lost_since, attempt = None, 0
                running = await self.transport.start(
                    self.step.follow_script(offset, poll=self.policy.poll, idle_poll=self.policy.idle_poll),
                    merge_stderr=False,
                )
                async for chunk in running.chunks():
                    offset += len(chunk)
                    on_chunk(chunk)
                status = await running.wait()
                if status == NO_STEP_DIR and "cockpit-follow:" in running.stderr:
                    raise StepGone(f"{self.transport.name}: step directory {self.step.directory} is gone")
                if "cockpit-follow: done" not in running.stderr:
                    # The follower was killed (sshd restart, kill -9) without finishing: not the step's status.
                    raise ConnectionLost(f"{self.transport.name}: follower ended without the step's status")
                return status
            except StepGone:
                raise
            except ConnectionLost as exc:
                now = self.clock()
                if lost_since is None:
                    lost_since = now
                    self.on_event(f"connection lost at byte {offset}: {exc}; the step keeps running remotely")
                if now - lost_since > self.policy.give_up_after:
                    raise TransportError(
                        f"{self.transport.name}: no connection for {now - lost_since:.0f}s; "
                        "the step may still be running remotely"
                    ) from exc
                wait = self.policy.backoff[min(attempt, len(self.policy.backoff) - 1)]
                attempt += 1
                self.on_event(f"reconnecting in {wait:g}s (attempt {attempt})")
                await asyncio.sleep(wait)
            except TransportError as exc:
                # A refused connection while re-attaching is the same situation as a drop.
                if lost_since is None or isinstance(exc, ConnectionLost):
                    raise
                now = self.clock()
                if now - lost_since > self.policy.give_up_after:
                    raise
                wait = self.policy.backoff[min(attempt, len(self.policy.backoff) - 1)]
                attempt += 1
                self.on_event(f"reconnect failed ({exc}); retrying in {wait:g}s (attempt {attempt})")
                await asyncio.sleep(wait)
