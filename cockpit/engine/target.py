"""One target's step: run it detached, follow its log, read its progress, announce its state."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from cockpit.domain.events import EventSink, LogLines, TargetChanged
from cockpit.domain.lines import LineSplitter
from cockpit.domain.models import TargetProgress, TargetState
from cockpit.domain.nimadm import NimadmTracker
from cockpit.domain.remote_step import RemoteStep
from cockpit.domain.stall import PhaseTiming, stall_reason, timing_for
from cockpit.engine.follow import FollowPolicy, StepFollower
from cockpit.engine.journal import Journal
from cockpit.engine.logstore import LogStore
from cockpit.transports.base import Transport, TransportError

_OFFSET_JOURNAL_INTERVAL = 1.0  # seconds; the local log file's size is the truth after a crash anyway


class TargetRunner:
    """Runs the nimadm step of one client on the NIM master and keeps `progress` current."""

    def __init__(
        self,
        progress: TargetProgress,
        sink: EventSink,
        logs: LogStore,
        journal: Journal,
        run_id: str,
        step_name: str = "nimadm",
        clock: Callable[[], float] = time.time,
        timing: Callable[[int | None], PhaseTiming] = timing_for,
    ) -> None:
        self.progress = progress
        self.sink = sink
        self.logs = logs
        self.journal = journal
        self.run_id = run_id
        self.step_name = step_name
        self.clock = clock
        self.timing = timing
        self.snoozed_until = 0.0
        """The operator said "keep waiting": no stall alarm before this time."""
        self._seq = 0
        self._offset = 0
        self._offset_journaled_at = 0.0
        self._splitter = LineSplitter()
        self._tracker = NimadmTracker()

    # -- state ----------------------------------------------------------------------------------
    def announce(self, reason: str | None = None) -> None:
        p = self.progress
        self.sink.emit(
            TargetChanged(
                target=p.name,
                state=p.state,
                phase=p.phase,
                phases_total=p.phases_total,
                at=self.clock(),
                started_at=p.started_at,
                finished_at=p.finished_at,
                error=p.error,
                exit_status=p.exit_status,
                reason=reason,
                last_output_at=p.last_output_at,
            )
        )
        self._journal(
            state=p.state.value,
            phase=p.phase,
            started_at=p.started_at,
            finished_at=p.finished_at,
            exit_status=p.exit_status,
            error=p.error,
            reason=reason,
            byte_offset=self._offset,
        )

    def finish(self, state: TargetState, reason: str | None = None) -> None:
        p = self.progress
        p.state = state
        p.finished_at = self.clock()
        self.announce(reason)

    def _journal(self, **fields: object) -> None:
        self.journal.update_step(self.run_id, self.progress.name, self.step_name, **fields)

    # -- running --------------------------------------------------------------------------------
    async def run(
        self,
        transport: Transport,
        command: str,
        step: RemoteStep,
        policy: FollowPolicy,
        *,
        resume: bool = False,
    ) -> None:
        p = self.progress
        follower = StepFollower(transport, step, policy, on_event=self._note)
        try:
            await transport.connect()
            status = await follower.status()
        except TransportError as exc:
            p.error = str(exc)
            self.finish(TargetState.UNREACHABLE, reason=str(exc))
            return
        if resume:
            self._prime_from_log()
        elif status.state != "absent":
            # A fresh run must never adopt a step directory it did not create.
            p.error = f"step directory {step.directory} already exists on {transport.name}"
            self.finish(TargetState.FAILED, reason=p.error)
            return
        p.state = TargetState.RUNNING
        if p.started_at is None:
            p.started_at = self.clock()
        try:
            if status.state == "absent":
                self._journal(launched_at=self.clock())
                await follower.launch(command)
            now = self.clock()
            p.last_output_at = p.last_output_at or now
            p.phase_started_at = p.phase_started_at or now
            self.announce("re-attached" if resume and status.state != "absent" else None)
            watchdog = asyncio.create_task(self._watch(), name=f"watchdog:{p.name}")
            try:
                exit_status = await follower.follow(self._offset, self._chunk)
            finally:
                watchdog.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watchdog
        except TransportError as exc:
            where = f" in phase {p.phase}" if p.phase else ""
            p.error = f"lost the NIM master{where}; the migration may still be running there: {exc}"
            self.finish(TargetState.UNREACHABLE, reason=str(exc))
            return
        finally:
            self.logs.close(p.name)
        self._lines(self._splitter.flush())
        self._conclude(exit_status)

    def _conclude(self, exit_status: int) -> None:
        p, tracker = self.progress, self._tracker
        p.exit_status = exit_status
        p.warnings = tracker.warnings
        if tracker.succeeded(exit_status):
            self.finish(TargetState.SUCCEEDED)
            return
        p.error = tracker.error_line or f"nimadm exited with status {exit_status}"
        failed_in = tracker.failed_in_phase or p.phase
        self.finish(TargetState.FAILED, reason=f"failed in phase {failed_in}" if failed_in else "failed in pre-checks")

    def _prime_from_log(self) -> None:
        """After a restart: rebuild phase, errors and the line count from the local log file."""
        path: Path = self.logs.path(self.progress.name)
        data = path.read_bytes() if path.exists() else b""
        self._offset = len(data)
        lines = self._splitter.feed(data)
        for line in lines:
            self._tracker.feed(line)
        self._seq = len(lines)
        self.progress.phase = self._tracker.phase

    def _note(self, text: str) -> None:
        self.announce(text)

    # -- stall detection ------------------------------------------------------------------------
    async def _watch(self) -> None:
        while True:
            silence = self.timing(self.progress.phase).silence
            await asyncio.sleep(min(5.0, max(0.05, silence / 10)))
            self.check_stall()

    def check_stall(self) -> None:
        """Flip between running and stalled; called by the watchdog and after each chunk."""
        p = self.progress
        if p.state not in (TargetState.RUNNING, TargetState.STALLED) or p.last_output_at is None:
            return
        now = self.clock()
        reason = None
        if now >= self.snoozed_until:
            reason = stall_reason(
                phase=p.phase,
                phase_started_at=p.phase_started_at or now,
                last_output_at=p.last_output_at,
                now=now,
                timing=self.timing(p.phase),
            )
        if reason and p.state is TargetState.RUNNING:
            p.state, p.stall_reason = TargetState.STALLED, reason
            self.announce(f"stalled: {reason}")
        elif reason is None and p.state is TargetState.STALLED:
            p.state, p.stall_reason = TargetState.RUNNING, None
            self.announce("output resumed" if now >= self.snoozed_until else "alarm snoozed by the operator")

    def snooze(self, seconds: float) -> None:
        self.snoozed_until = self.clock() + seconds
        self.check_stall()

    def _chunk(self, chunk: bytes) -> None:
        self.progress.last_output_at = self.clock()
        self.logs.append(self.progress.name, chunk)
        self._offset += len(chunk)
        self._lines(self._splitter.feed(chunk))
        now = self.clock()
        if now - self._offset_journaled_at >= _OFFSET_JOURNAL_INTERVAL:
            self._offset_journaled_at = now
            self._journal(byte_offset=self._offset)

    def _lines(self, lines: list[str]) -> None:
        if not lines:
            return
        p = self.progress
        phase_before = p.phase
        for line in lines:
            self._tracker.feed(line)
        p.phase = self._tracker.phase
        for line in reversed(lines):
            if line.strip():
                p.last_line = line
                break
        self.sink.emit(LogLines(p.name, tuple(lines), self._seq))
        self._seq += len(lines)
        if p.phase != phase_before:
            p.phase_started_at = self.clock()
            self.announce()
        if p.state is TargetState.STALLED:
            self.check_stall()
