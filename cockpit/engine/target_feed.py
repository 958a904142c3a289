"""One target's side of the run that the operator sees: its state changes (announced and journaled),
its output (local log, lines, phase banners or the step judge), and stall detection against the
runbook's timing. The running of its steps is TargetRunner's (engine/target.py), built on this.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from cockpit.domain.alt_disk import AltDiskTracker
from cockpit.domain.events import SNOOZED, STALLED_PREFIX, EventSink, LogLines, TargetChanged
from cockpit.domain.lines import LineSplitter
from cockpit.domain.models import TargetProgress, TargetState
from cockpit.domain.nimadm import NimadmTracker
from cockpit.domain.stall import PhaseTiming, stall_reason, timing_for
from cockpit.domain.step_check import StepJudge
from cockpit.engine.backlog import Backlog
from cockpit.engine.binding import StepSpec
from cockpit.engine.journal import Journal
from cockpit.engine.logstore import LogStore

_OFFSET_JOURNAL_INTERVAL = 1.0  # seconds; the local log file's size is the truth after a crash anyway


class TargetFeed:
    """What one target tells: its state changes (journaled), its log lines, its stalls. TargetRunner
    (engine/target.py) adds the running of its steps."""

    def __init__(
        self,
        progress: TargetProgress,
        sink: EventSink,
        logs: LogStore,
        journal: Journal,
        run_id: str,
        clock: Callable[[], float] = time.time,
        timing: Callable[[int | None], PhaseTiming] = timing_for,
        *,
        observable: float = 0.0,
    ) -> None:
        self.progress = progress
        self.sink = sink
        self.logs = logs
        self.journal = journal
        self.run_id = run_id
        self.clock = clock
        self.timing = timing
        self.snoozed_until = 0.0
        """The operator said "keep waiting": no stall alarm before this time."""
        self.current: StepSpec | None = None
        """The step running now (what a kill or a probe of the process tree is about)."""
        self._seq = 0
        self._held: dict[str, object] = {}
        self._offset = 0  # bytes in the local log file: all steps of this target
        self._offset_journaled_at = 0.0
        self._splitter = LineSplitter()
        self._tracker: NimadmTracker | AltDiskTracker = NimadmTracker()
        self._judge: StepJudge | None = None
        self.observable = observable
        """The shortest span the cockpit can judge (a few polls): thresholds below it would cry wolf."""
        self._backlog: Backlog | None = None
        self._remote_base = 0  # local log offset of the current step's first remote byte
        self._at: float | None = None
        """When what is being read was written, while reading a backlog (None: now, the live clock)."""

    # -- state ----------------------------------------------------------------------------------
    def announce(self, reason: str | None = None) -> None:
        p = self.progress
        self.sink.emit(
            TargetChanged(
                target=p.name,
                state=p.state,
                phase=p.phase,
                phases_total=p.phases_total,
                at=self.now(),
                started_at=p.started_at,
                finished_at=p.finished_at,
                error=p.error,
                exit_status=p.exit_status,
                reason=reason,
                last_output_at=p.last_output_at,
                step=p.step,
            )
        )
        if self.current is not None:
            self._journal(
                state=p.state.value,
                phase=p.phase,
                started_at=p.started_at,
                finished_at=p.finished_at,
                exit_status=p.exit_status,
                error=p.error,
                reason=reason,
            )

    def finish(self, state: TargetState, reason: str | None = None) -> None:
        p = self.progress
        p.state = state
        p.finished_at = self.now()
        self.announce(reason)

    def now(self) -> float:
        """The time of what is being handled: the live clock, or in a backlog when the host wrote it."""
        return self._at if self._at is not None else self.clock()

    def _journal(self, **fields: object) -> None:
        """One write of the current step's row, with whatever `_hold` kept back for it."""
        assert self.current is not None
        held, self._held = self._held, {}
        self.journal.update_step(self.run_id, self.progress.name, self.current.name, **{**held, **fields})

    def _hold(self, **fields: object) -> None:
        """Fields for the current step's next journal write, which follows before anything is awaited
        (one SQLite commit per step end instead of three: at 2,400 quick steps they showed)."""
        self._held.update(fields)

    # -- stall detection ------------------------------------------------------------------------
    async def _watch(self) -> None:
        while True:
            silence = self._timing_now().silence
            await asyncio.sleep(min(5.0, max(0.05, silence / 10)))
            self.check_stall()

    def check_stall(self) -> None:
        """Flip between running and stalled; called by the watchdog and after each chunk."""
        p = self.progress
        if p.state not in (TargetState.RUNNING, TargetState.STALLED) or p.last_output_at is None:
            return
        now = self.clock()
        reason = None
        spec = self.current
        if (spec is None or spec.check is None) and self._tracker.done:
            # The log says it has finished (phase 12's clean-up): what is left is the process exiting.
            if p.state is TargetState.STALLED:
                p.state, p.stall_reason = TargetState.RUNNING, None
                self.announce("output resumed")
            return
        if now >= self.snoozed_until:
            reason = stall_reason(
                phase=p.phase,
                phase_started_at=p.phase_started_at or now,
                last_output_at=p.last_output_at,
                now=now,
                timing=self._timing_now(),
                where=f"step {p.phase}" if p.step and p.phase else None,
            )
        if reason and p.state is TargetState.RUNNING:
            p.state, p.stall_reason = TargetState.STALLED, reason
            self.announce(f"{STALLED_PREFIX}{reason}")
        elif reason is None and p.state is TargetState.STALLED:
            p.state, p.stall_reason = TargetState.RUNNING, None
            self.announce("output resumed" if now >= self.snoozed_until else SNOOZED)

    def _timing_now(self) -> PhaseTiming:
        spec = self.current
        if spec is not None and spec.timing is not None:
            t, floor = spec.timing, self.observable
            limit = max(t.limit, floor) if t.limit is not None else None
            return PhaseTiming(max(t.expected, floor), max(t.silence, floor), limit)
        return self.timing(self.progress.phase)

    def snooze(self, seconds: float) -> None:
        self.snoozed_until = self.clock() + seconds
        self.check_stall()

    # -- output ---------------------------------------------------------------------------------
    def _marker(self, text: str) -> None:
        """A line of the cockpit's own in the target's log (not step output: no judge, no tracker)."""
        data = (text.replace("\n", " ") + "\n").encode()
        self.logs.append(self.progress.name, data)
        self._offset += len(data)
        lines = self._splitter.feed(data)
        if lines:
            self.sink.emit(LogLines(self.progress.name, tuple(lines), self._seq))
            self._seq += len(lines)

    def _chunk(self, chunk: bytes) -> None:
        self.progress.last_output_at = self.clock()
        self.logs.append(self.progress.name, chunk)
        backlog = self._backlog
        if backlog is not None and self._offset - self._remote_base < backlog.reaches:
            for piece, at in backlog.pieces(chunk, self._offset - self._remote_base):
                self._at = at
                self._offset += len(piece)
                self._lines(self._splitter.feed(piece))
            self._at = None
        else:
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
        entered: list[int] = []  # one chunk may hold several banners (quick phases): announce each
        spec = self.current
        if spec is not None and spec.check is not None:
            judge = self._judge
            if judge is not None:
                for line in lines:
                    judge.feed(line)
        else:
            for line in lines:
                if self._tracker.feed(line) and self._tracker.phase is not None:
                    entered.append(self._tracker.phase)
        for line in reversed(lines):
            if line.strip():
                p.last_line = line
                break
        self.sink.emit(LogLines(p.name, tuple(lines), self._seq))
        self._seq += len(lines)
        for phase in entered:
            p.phase = phase
            p.phase_started_at = self.now()
            self.announce()
        if spec is None or spec.check is None:
            p.phase = self._tracker.phase
        if p.state is TargetState.STALLED:
            self.check_stall()
