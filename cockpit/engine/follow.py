"""Launch a detached remote step and follow its output by byte offset, across SSH drops.

One remote reader per step for its whole life (`RemoteStep.stream_script`: a `tail -f` woken by the
step's end), read here as a stream and handed on in batches; no remote process starts per look.
The byte offset is the count of bytes handed to `on_chunk`, so after a drop the next reader starts
exactly where the last one stopped. A step the stream cannot serve (launched by an older cockpit,
a `tail` without `-f`) is polled with `RemoteStep.follow_script`, which also fetches the last bytes
when the stream's tail was stopped before printing them.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cockpit.domain.foreign_log import ForeignLog
from cockpit.domain.printable import printable
from cockpit.domain.remote_step import (
    CANNOT_LAUNCH,
    FOLLOW_DONE,
    FOLLOW_NO_STREAM,
    NO_STEP_DIR,
    NO_STREAM,
    RemoteStep,
    StepStatus,
)
from cockpit.transports.base import ConnectionLost, Transport, TransportError

DEFAULT_BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
BACKLOG_BYTES = 65536
"""Streamed output held back this big is handed on at once, whatever the interval (a backlog)."""
_DONE_SIZE = re.compile(re.escape(FOLLOW_DONE) + r" rc=-?\d+ size=(\d+)")


class StepGone(TransportError):
    """The step's directory vanished on the remote host: nothing left to follow."""


@dataclass(frozen=True)
class FollowPolicy:
    poll: float = 1.0
    """Seconds between hand-overs of streamed output (fewer, bigger chunks for the engine; fractions
    are fine, this is the cockpit's own timer), and between looks at the output file when a step has
    to be polled: there rounded up to whole seconds, as AIX's sleep takes nothing else."""
    idle_poll: float = 2.0
    """Seconds between looks once a polled step has been silent a while (rounded up likewise)."""
    backoff: Sequence[float] = DEFAULT_BACKOFF
    """Waits between reconnection attempts after a drop; the last one repeats."""
    give_up_after: float = 1800.0
    """Seconds without a working connection before the target is declared unreachable."""

    @property
    def remote_poll(self) -> int:
        """`poll` as the host's sleep takes it: whole seconds, at least one."""
        return whole_seconds(self.poll)

    @property
    def remote_idle_poll(self) -> int:
        return whole_seconds(self.idle_poll)


def whole_seconds(seconds: float) -> int:
    """A wait for a remote `sleep`: rounded up (never shorter than asked, never 0)."""
    return max(1, math.ceil(seconds))


class StepFollower:
    """Runs one step detached on `transport` and streams its output into `on_chunk`."""

    def __init__(
        self,
        transport: Transport,
        step: RemoteStep | ForeignLog,
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
        assert isinstance(self.step, RemoteStep), "a foreign log has no step status"
        result = await self.transport.run(self.step.status_script(), timeout=60)
        if result.exit_status != 0:
            said = printable(result.stderr).strip()
            raise TransportError(f"{self.transport.name}: cannot read step status: {said}")
        return StepStatus.parse(result.stdout)

    async def launch(self, command: str) -> str:
        assert isinstance(self.step, RemoteStep), "a foreign log is never launched"
        result = await self.transport.run(self.step.launch_script(command), timeout=60)
        if result.exit_status == CANNOT_LAUNCH or result.exit_status != 0:
            detail = printable(result.stderr or result.stdout, multiline=True).strip().splitlines()
            raise TransportError(
                f"{self.transport.name}: cannot start the step in {self.step.directory}: "
                + (detail[-1] if detail else f"exit status {result.exit_status}")
            )
        return result.stdout.strip()

    async def follow(self, offset: int, on_chunk: Callable[[bytes], None]) -> int:
        """Stream from `offset` until the step ends; returns its exit status. Survives drops."""
        cursor = _Cursor(offset, on_chunk)
        stream = True  # False: poll with follow_script (no streaming here, or the last bytes to fetch)
        lost_since: float | None = None
        attempt = 0
        while True:
            try:
                if lost_since is not None:
                    await self.transport.connect()
                    self.on_event(f"re-attached at byte {cursor.offset} after {self.clock() - lost_since:.0f}s")
                    lost_since, attempt = None, 0
                status, stderr = await self._read_once(cursor, stream)
                if status == NO_STEP_DIR and "cockpit-follow:" in stderr:
                    raise StepGone(f"{self.transport.name}: step directory {self.step.directory} is gone")
                if status == NO_STREAM and FOLLOW_NO_STREAM in stderr:
                    stream = False
                    self.on_event(f"following by polling every {self.policy.remote_poll}s (cannot stream this step)")
                    continue
                if FOLLOW_DONE not in stderr:
                    # The follower was killed (sshd restart, kill -9) without finishing: not the step's status.
                    raise ConnectionLost(f"{self.transport.name}: follower ended without the step's status")
                if cursor.offset < _final_size(stderr, cursor.offset):
                    stream = False  # the tail was stopped before its last bytes: one polling pass fetches them
                    continue
                return status
            except StepGone:
                raise
            except ConnectionLost as exc:
                now = self.clock()
                if lost_since is None:
                    lost_since = now
                    self.on_event(f"connection lost at byte {cursor.offset}: {exc}; the step keeps running remotely")
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

    async def _read_once(self, cursor: _Cursor, stream: bool) -> tuple[int, str]:
        """Run one remote reader from the cursor's offset to its end; returns (exit status, stderr)."""
        if stream:
            script = self.step.stream_script(cursor.offset)
        else:
            script = self.step.follow_script(
                cursor.offset, poll=self.policy.remote_poll, idle_poll=self.policy.remote_idle_poll
            )
        running = await self.transport.start(script, merge_stderr=False)
        batch = _Batch(cursor, self.policy.poll if stream else 0.0)
        try:
            async for chunk in running.chunks():
                batch.add(chunk)
            batch.add(b"")  # raises what a timed hand-over raised
        finally:
            batch.flush()  # every byte received is handed on before any status or error: offsets stay exact
        return await running.wait(), running.stderr


class _Batch:
    """Hands streamed output to the cursor at most once per `interval` seconds.

    Why: a `tail -f` forwards every write of the step as it happens (GNU tail wakes per write), so
    unbatched the engine would take thousands of tiny chunks a second at 200 clients. Output that
    arrives after a quiet spell is handed on at once, later output waits for the interval's end (a
    timer), and the end of the stream is never delayed.
    """

    def __init__(self, cursor: _Cursor, interval: float) -> None:
        self.cursor = cursor
        self.interval = interval
        self._loop = asyncio.get_running_loop()
        self._held = bytearray()
        self._next_at = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._error: Exception | None = None

    def add(self, chunk: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._held += chunk
        if self._loop.time() >= self._next_at or len(self._held) >= BACKLOG_BYTES:
            self.flush()
        elif self._timer is None:
            self._timer = self._loop.call_at(self._next_at, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        try:
            self.flush()
        except Exception as exc:  # raised in the reader by the next add(), not lost in the loop
            self._error = exc

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._held:
            data = bytes(self._held)
            self._held.clear()
            self._next_at = self._loop.time() + self.interval
            self.cursor.take(data)


@dataclass
class _Cursor:
    """The byte offset in the step's output: always the count of bytes handed to `on_chunk`."""

    offset: int
    on_chunk: Callable[[bytes], None]

    def take(self, chunk: bytes) -> None:
        self.offset += len(chunk)
        self.on_chunk(chunk)


def _final_size(stderr: str, default: int) -> int:
    """The output's size the follower saw when the step had ended (`default` if it did not say)."""
    match = _DONE_SIZE.search(stderr)
    return int(match.group(1)) if match else default
