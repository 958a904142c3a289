"""The config's notify commands, run in the background so that none ever holds up the run.

Each command has a lane: its alerts wait in a bounded queue and run one at a time, in order (a
chat channel reads "lpar05 failed" before "run finished"), each at most its `timeout`, after which
its whole process group is killed (a `sh -c` and the `curl` it started alike). Lanes do not wait for
each other: a hung mailer never delays the webhook. A flood (a network outage failing forty hosts
at once) fills a lane's queue; what does not fit is dropped and counted, in the journal.

A command that fails, hangs or is flooded is reported to the operator once (per command and kind
of trouble); every outcome is in the journal and `cockpit report`. The command runs without the
terminal: stdin is /dev/null, its output is captured (the last line of it explains a failure) and
never reaches the cockpit's screen, and it gets a session of its own (no controlling terminal).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from cockpit.config.notify import NotifyCommand
from cockpit.domain.alert_env import command_env, one_line
from cockpit.domain.alerts import Alert
from cockpit.engine.alert_journal import AlertJournal

QUEUE_LIMIT = 20
"""Alerts waiting per command; more are dropped (and counted)."""
KILL_GRACE = 2.0
"""Seconds between SIGTERM and SIGKILL of a command's process group."""
OUTPUT_KEPT = 4096
"""Bytes kept of a command's output (its last line explains a failure)."""
AFTER_EXIT_READ = 1.0
"""Seconds to read what is left in the pipe after the command exits (a child it left may hold it)."""

Report = Callable[[str], None]


@dataclass
class _Job:
    alert: Alert
    env: dict[str, str]
    delivery: int | None


@dataclass
class _Lane:
    index: int
    """The command's place in the config's `notify:` list (`notify[0]`)."""
    entry: NotifyCommand
    jobs: deque[_Job] = field(default_factory=deque)
    task: asyncio.Task[None] | None = None
    running: asyncio.subprocess.Process | None = None
    dropped: int = 0
    reported: set[str] = field(default_factory=set)

    @property
    def channel(self) -> str:
        return f"notify[{self.index}] {self.entry.label}"


class NotifyCommands:
    def __init__(
        self,
        entries: Sequence[NotifyCommand],
        *,
        journal: AlertJournal | None,
        report: Report,
        inherited: Mapping[str, str] | None = None,
        queue_limit: int = QUEUE_LIMIT,
    ) -> None:
        self._lanes = [_Lane(i, entry) for i, entry in enumerate(entries)]
        self._journal = journal
        self._report = report
        self._inherited = dict(os.environ if inherited is None else inherited)
        self._limit = queue_limit
        self._closed = False

    @property
    def busy(self) -> int:
        """Commands running or waiting to run."""
        return sum(len(lane.jobs) + (lane.running is not None) for lane in self._lanes)

    @property
    def longest_timeout(self) -> float:
        return max((lane.entry.timeout for lane in self._lanes), default=0.0)

    def offer(self, alert: Alert, alert_id: int | None, values: Mapping[str, str]) -> None:
        """Queue `alert` on every command that wants its kind; never blocks, never raises."""
        for lane in self._lanes:
            if alert.kind not in lane.entry.events:
                continue
            if self._closed:
                self._deliver(alert_id, lane, "not run: the cockpit was exiting")
                continue
            if len(lane.jobs) >= self._limit:
                lane.dropped += 1
                self._deliver(alert_id, lane, f"dropped: {len(lane.jobs)} alerts already waiting for it")
                self._once(lane, "flood", f"{len(lane.jobs)} alerts waiting for it: new ones are dropped and counted")
                continue
            delivery = self._deliver(alert_id, lane, "queued")
            lane.jobs.append(_Job(alert, command_env(self._inherited, values), delivery))
            if lane.task is None:
                try:
                    lane.task = asyncio.get_running_loop().create_task(self._work(lane), name=lane.channel)
                except RuntimeError:  # no event loop (a synchronous consumer): nothing can run it
                    job = lane.jobs.pop()
                    self._settle(job, "not run: no event loop to run it")

    async def aclose(self, wait: float) -> None:
        """Give what is queued or running up to `wait` seconds, then stop it (its process group killed)."""
        self._closed = True
        tasks = [lane.task for lane in self._lanes if lane.task is not None]
        if tasks and wait > 0:
            await asyncio.wait(tasks, timeout=wait)
        for lane in self._lanes:
            if lane.task is not None and not lane.task.done():
                lane.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await lane.task
            while lane.jobs:
                self._settle(lane.jobs.popleft(), "not run: the cockpit exited first")

    # -- a lane ---------------------------------------------------------------------------------
    async def _work(self, lane: _Lane) -> None:
        try:
            while lane.jobs:
                job = lane.jobs[0]
                self._settle(job, "running")
                outcome = await self._run(lane, job)
                lane.jobs.popleft()
                self._settle(job, outcome)
                if outcome != "ok":
                    kind = "timeout" if outcome.startswith("timed out") else "failure"
                    self._once(lane, kind, f"{outcome} (alert: {job.alert.summary})")
        except asyncio.CancelledError:
            if lane.jobs:
                self._settle(lane.jobs.popleft(), "stopped: the cockpit exited first")
            raise
        finally:
            lane.task = None

    async def _run(self, lane: _Lane, job: _Job) -> str:
        entry = lane.entry
        try:
            process = await asyncio.create_subprocess_exec(
                *entry.command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env=job.env,
                start_new_session=True,  # its own process group: a timeout kills what it started too
            )
        except OSError as exc:
            return f"could not start: {exc.strerror or exc}"
        lane.running = process
        output = bytearray()
        reader = asyncio.create_task(_read(process, output))
        try:
            status = await asyncio.wait_for(process.wait(), entry.timeout)
        except TimeoutError:
            await _kill_group(process)
            return f"timed out after {entry.timeout:g}s: its process group was killed"
        except asyncio.CancelledError:
            await _kill_group(process)
            raise
        finally:
            lane.running = None
            if not reader.done():
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(asyncio.shield(reader), AFTER_EXIT_READ)
                reader.cancel()
        if status == 0:
            return "ok"
        why = f"killed by signal {-status}" if status < 0 else f"exit {status}"
        last = _last_line(output)
        return f"failed: {why}" + (f": {last}" if last else "")

    # -- the record -----------------------------------------------------------------------------
    def _deliver(self, alert_id: int | None, lane: _Lane, outcome: str) -> int | None:
        if self._journal is None or alert_id is None:
            return None
        return self._journal.delivery(alert_id, lane.channel, outcome)

    def _settle(self, job: _Job, outcome: str) -> None:
        if self._journal is not None and job.delivery is not None:
            self._journal.settle(job.delivery, outcome)

    def _once(self, lane: _Lane, kind: str, text: str) -> None:
        if kind in lane.reported:
            return
        lane.reported.add(kind)
        self._report(
            f"{lane.channel}: {text}. Not said again for this command; every outcome is in the journal "
            "(cockpit report)."
        )


async def _read(process: asyncio.subprocess.Process, into: bytearray) -> None:
    stream = process.stdout
    if stream is None:
        return
    while chunk := await stream.read(65536):
        into += chunk
        del into[:-OUTPUT_KEPT]


async def _kill_group(process: asyncio.subprocess.Process) -> None:
    """SIGTERM to the command's process group, then SIGKILL to whatever of it is left."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(process.wait()), KILL_GRACE)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # a child that ignored SIGTERM, or the command itself
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(process.wait()), KILL_GRACE)


def _last_line(output: bytes | bytearray) -> str:
    lines = [line for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    return one_line(lines[-1], 200) if lines else ""


__all__ = ["NotifyCommands"]
