"""Run a remote step and stream its output by byte offset, across SSH drops.

A kept step (`RemoteStep.run_script`) is started and streamed over one channel: the session shell
runs it with its output in a file and a `tail -f` streaming that file back. After a drop, one remote
reader per step for the rest of its life (`RemoteStep.stream_script`: a `tail -f` woken by the
step's end) follows it from the byte offset held here, read as a stream and handed on in batches; no
remote process starts per look. The byte offset is the count of bytes handed to `on_chunk`, so the
next reader starts exactly where the last one stopped. A step the stream cannot serve (a `tail`
without `-f`) is polled with `RemoteStep.follow_script`, which also fetches the last bytes when a
tail was stopped before printing them.

An attached step (`RemoteStep.attached_script`) prints straight to its one channel; after a drop
only its status is read (`settle`): it either ended, with its rc, or was cut off.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from signal import SIGPIPE

from cockpit.domain.foreign_log import ForeignLog
from cockpit.domain.printable import printable
from cockpit.domain.remote_step import (
    ALREADY_STARTED,
    ATTACHED_DONE,
    CANNOT_LAUNCH,
    FOLLOW_DONE,
    FOLLOW_NO_STREAM,
    NO_STEP_DIR,
    NO_STREAM,
    STARTED,
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


class AlreadyStarted(TransportError):
    """The step directory was started before (by another launch): nothing was run this time."""


class StepCutOff(TransportError):
    """An attached step lost its channel and ended without a status, or was ended by it (SIGPIPE)."""


class StepFollower:
    """Runs one step on `transport` and streams its output into `on_chunk`, across drops."""

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

    def _own(self) -> RemoteStep:
        assert isinstance(self.step, RemoteStep), "a foreign log (a migration someone else started) is only followed"
        return self.step

    async def status(self) -> StepStatus:
        result = await self.transport.run(self._own().status_script(), timeout=60)
        if result.exit_status != 0:
            said = printable(result.stderr).strip()
            raise TransportError(f"{self.transport.name}: cannot read step status: {said}")
        return StepStatus.parse(result.stdout)

    # -- kept steps: output in a file, streamed; survive a drop -------------------------------------
    async def run(self, command: str, on_chunk: Callable[[bytes], None]) -> int:
        """Start `command` kept and stream it over one channel until it ends; returns its status.

        Raises AlreadyStarted when the directory was started before (nothing runs). After a drop it
        follows the step from the byte offset it holds, as `follow` does.
        """
        cursor = _Cursor(0, on_chunk)
        try:
            status, stderr = await self._read_once(cursor, self._own().run_script(command), self.policy.poll)
        except ConnectionLost as exc:
            return await self._follow(cursor, lost=exc, start=command)
        if ALREADY_STARTED in stderr:
            raise AlreadyStarted(f"{self.transport.name}: {_line_with(stderr, ALREADY_STARTED)}")
        if STARTED not in stderr:
            raise self._cannot_start(status, stderr)
        return await self._finish(cursor, status, stderr)

    async def follow(self, offset: int, on_chunk: Callable[[bytes], None]) -> int:
        """Stream from `offset` until the step ends; returns its exit status. Survives drops."""
        return await self._follow(_Cursor(offset, on_chunk))

    async def _finish(self, cursor: _Cursor, status: int, stderr: str) -> int:
        """After a reader's channel ended: the status, or more reading when it did not say it all."""
        if FOLLOW_DONE not in stderr:
            # The reader was killed (sshd restart, kill -9) without finishing: not the step's status.
            return await self._follow(cursor, lost=ConnectionLost(f"{self.transport.name}: reader ended early"))
        if cursor.offset < _final_size(stderr, cursor.offset):
            return await self._follow(cursor, stream=False)  # the tail was stopped before its last bytes
        return status

    async def _follow(
        self,
        cursor: _Cursor,
        *,
        stream: bool = True,
        lost: TransportError | None = None,
        start: str | None = None,
    ) -> int:
        """Read the step to its end from `cursor`, reconnecting after drops. `start`: the command of a
        start whose channel broke before the step was seen started: it is started again (the
        directory refuses a second start, which then only means it had started)."""
        reconnect = _Reconnect(self, lost)
        while True:
            try:
                await reconnect.ready(cursor.offset)
                if start is not None:
                    status, stderr = await self._read_once(cursor, self._own().run_script(start), self.policy.poll)
                    if ALREADY_STARTED not in stderr:
                        if STARTED not in stderr:
                            raise self._cannot_start(status, stderr)
                        return await self._finish(cursor, status, stderr)
                    start = None  # it had started before the drop: follow it
                    continue
                status, stderr = await self._read_once(cursor, self._reader(cursor, stream), self._interval(stream))
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
            except (StepGone, AlreadyStarted):
                raise
            except TransportError as exc:
                await reconnect.after(exc, cursor.offset)

    def _reader(self, cursor: _Cursor, stream: bool) -> str:
        if stream:
            return self.step.stream_script(cursor.offset)
        return self.step.follow_script(
            cursor.offset, poll=self.policy.remote_poll, idle_poll=self.policy.remote_idle_poll
        )

    def _interval(self, stream: bool) -> float:
        return self.policy.poll if stream else 0.0

    # -- attached steps: output straight on the channel ---------------------------------------------
    async def run_attached(
        self, command: str, on_chunk: Callable[[bytes], None], *, prepare: Sequence[str] = ()
    ) -> int:
        """Run `command` attached to one channel; returns its status.

        Raises AlreadyStarted (nothing ran), or StepCutOff when the channel broke and the step then
        ended without a status, or by SIGPIPE (it was writing to the broken channel).
        """
        script = self._own().attached_script(command, prepare)
        return await self._attached(_Cursor(0, on_chunk), script, first=True)

    async def settle(self, offset: int) -> int:
        """The outcome of an attached step found running after a restart: wait, by its status, until
        it has ended. `offset`: the bytes of its output already held (the rest is not kept)."""
        return await self._settle(_Cursor(offset, lambda _: None), _Reconnect(self, None, dropped=True), restart=None)

    async def _attached(self, cursor: _Cursor, script: str, *, first: bool) -> int:
        try:
            status, stderr = await self._read_once(cursor, script, self.policy.poll)
        except ConnectionLost as exc:
            # Lost before or after it started: its status will say, and starts it if it never did.
            return await self._settle(cursor, _Reconnect(self, exc), restart=script)
        if ALREADY_STARTED in stderr:
            if first:
                raise AlreadyStarted(f"{self.transport.name}: {_line_with(stderr, ALREADY_STARTED)}")
            return await self._settle(cursor, _Reconnect(self, None, dropped=True), restart=None)
        if ATTACHED_DONE in stderr:
            return status
        if status == CANNOT_LAUNCH:
            raise self._cannot_start(status, stderr)
        # The shell running it ended without a word (killed): its rc, if it wrote one, says the rest.
        return await self._settle(cursor, _Reconnect(self, None), restart=None)

    async def _settle(self, cursor: _Cursor, reconnect: _Reconnect, *, restart: str | None) -> int:
        while True:
            try:
                await reconnect.ready(cursor.offset)
                status = await self.status()
            except TransportError as exc:
                await reconnect.after(exc, cursor.offset)
                continue
            if status.state == "absent":
                if restart is None:
                    raise StepGone(f"{self.transport.name}: step directory {self.step.directory} is gone")
                return await self._attached(cursor, restart, first=False)  # the drop came before it started
            if status.state == "finished" and status.exit_status is not None:
                if reconnect.dropped:
                    if status.exit_status == 128 + SIGPIPE:
                        raise StepCutOff(
                            f"{self.transport.name}: the step was still printing when its connection broke "
                            "and was ended by SIGPIPE (status 141): check its effect before retrying"
                        )
                    self.on_event(
                        f"the step ended (status {status.exit_status}) while the connection was down; "
                        f"its output after byte {cursor.offset} was not kept (attached step)"
                    )
                return status.exit_status
            if status.alive is False:
                raise StepCutOff(
                    f"{self.transport.name}: the shell running the step is gone and left no exit status "
                    "(the host restarted, or it was killed): check the step's effect before retrying"
                )
            await asyncio.sleep(self.policy.remote_poll)

    # -- one channel ----------------------------------------------------------------------------
    async def _read_once(self, cursor: _Cursor, script: str, interval: float) -> tuple[int, str]:
        """Run one remote script, its stdout into the cursor; returns (exit status, stderr)."""
        running = await self.transport.start(script, merge_stderr=False)
        batch = _Batch(cursor, interval)
        try:
            async for chunk in running.chunks():
                batch.add(chunk)
            batch.add(b"")  # raises what a timed hand-over raised
        finally:
            batch.flush()  # every byte received is handed on before any status or error: offsets stay exact
        return await running.wait(), running.stderr

    def _cannot_start(self, status: int, stderr: str) -> TransportError:
        detail = printable(stderr, multiline=True).strip().splitlines()
        return TransportError(
            f"{self.transport.name}: cannot start the step in {self.step.directory}: "
            + (detail[-1] if detail else f"exit status {status}")
        )


class _Reconnect:
    """The backoff between reconnection attempts of one follower, and its notes to the operator."""

    def __init__(self, follower: StepFollower, lost: TransportError | None, *, dropped: bool = False) -> None:
        self.follower = follower
        self.lost_since: float | None = None
        self.attempt = 0
        self.dropped = dropped
        """A connection was lost at some point (output sent meanwhile may not have been seen)."""
        self._pending = lost

    async def ready(self, offset: int) -> None:
        """Before a read from byte `offset`: note a drop handed in at the start, and connect again
        after one."""
        if self._pending is not None:
            lost, self._pending = self._pending, None
            await self.after(lost, offset)
        if self.lost_since is not None:
            f = self.follower
            await f.transport.connect()
            f.on_event(f"re-attached at byte {offset} after {f.clock() - self.lost_since:.0f}s")
            self.lost_since, self.attempt = None, 0

    async def after(self, exc: TransportError, offset: int) -> None:
        """After a failed read: wait (backing off) or give up with the error."""
        f = self.follower
        first = not isinstance(exc, ConnectionLost) and self.lost_since is None
        if first:
            raise exc  # not a drop (a refused command, a host key): nothing to wait for
        now = f.clock()
        if self.lost_since is None:
            self.lost_since, self.dropped = now, True
            f.on_event(f"connection lost at byte {offset}: {exc}; the step keeps running remotely")
        if now - self.lost_since > f.policy.give_up_after:
            raise TransportError(
                f"{f.transport.name}: no connection for {now - self.lost_since:.0f}s; "
                "the step may still be running remotely"
            ) from exc
        wait = f.policy.backoff[min(self.attempt, len(f.policy.backoff) - 1)]
        self.attempt += 1
        if isinstance(exc, ConnectionLost):
            f.on_event(f"reconnecting in {wait:g}s (attempt {self.attempt})")
        else:
            f.on_event(f"reconnect failed ({exc}); retrying in {wait:g}s (attempt {self.attempt})")
        await asyncio.sleep(wait)


def _line_with(text: str, marker: str) -> str:
    return next((line for line in text.splitlines() if marker in line), marker)


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
