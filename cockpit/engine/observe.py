"""Watch a run from its journal and log files: the event stream of a run another process drives.

The engine journals every state change (JournalSink) and writes every chunk of output to the
target's log file before it announces the lines (LogStore). So a second cockpit on the same state
directory can rebuild the same events, RunStarted, TargetChanged, LogLines and RunFinished, by
polling: new journal events by id, new log bytes by offset (a `tail -f` that never loses or repeats
a line). The existing TUI then shows the run as it goes (`cockpit watch`) or as it ended (`cockpit
replay`), read-only: the journal is opened with SQLite `mode=ro` and the logs with "rb".

A target's times and step title are the ones the driving cockpit announced (journaled with each
state change), and its ETA comes from the same model fed with the same journaled changes, the whole
history even when only the latest state is shown: `watch` shows the elapsed time, ETA and window the
driving cockpit shows. What the journal does not keep is left out rather than guessed: a target's
live "silent for" is the log file's modification time; an older journal's state changes carry no
times, so a target's start is then its first step's launch.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from cockpit.domain.events import EventSink, LogLines, RunFinished, RunStarted, TargetChanged
from cockpit.domain.lines import clean
from cockpit.domain.models import TargetState
from cockpit.domain.window import FleetEta
from cockpit.engine.journal import MIGRATION, EventRecord, Journal, RunRecord

POLL = 0.3
"""Seconds between two looks at the journal and the logs: a watcher needs no more than a few a second."""
READ_LIMIT = 1 << 20
"""Bytes read from one log file per poll: a burst is spread over polls, never held in memory at once."""
_SAFE = re.compile(r"[^A-Za-z0-9_.\-]")  # LogStore.path's rule (tests check they agree)


class ObserveError(Exception):
    """The run to watch is not in the journal: one line for the operator."""


def log_path(logs_dir: Path, target: str) -> Path:
    """Where the engine's LogStore keeps `target`'s log (without creating anything, unlike LogStore)."""
    return logs_dir / f"{_SAFE.sub('_', target)}.log"


class LogFollower:
    """`tail -f` of one log file by byte offset: complete lines, numbered from 0 as the engine numbers them.

    Only bytes up to the last newline become lines; the rest waits for the next poll, so a line the
    engine is half-way through writing is neither cut in two nor shown twice. `seq` is the number of
    complete lines handed out, which is also the log pane's line count of the file (read_log_tail).
    """

    def __init__(self, target: str, path: Path, limit: int = READ_LIMIT) -> None:
        self.target = target
        self.path = path
        self.limit = limit
        self.offset = 0
        """Bytes of the file read so far."""
        self.seq = 0
        self.mtime: float | None = None
        self._partial = b""

    def poll(self) -> LogLines | None:
        """The complete lines added since the last poll (at most `limit` bytes' worth), or None."""
        try:
            with self.path.open("rb") as f:
                f.seek(self.offset)
                data = f.read(self.limit)
                self.mtime = os.fstat(f.fileno()).st_mtime
        except FileNotFoundError:
            return None  # nothing logged yet
        if not data:
            return None
        self.offset += len(data)
        buf = self._partial + data
        cut = buf.rfind(b"\n")
        if cut < 0:
            self._partial = buf
            return None
        # Cut at a newline, so no UTF-8 sequence is split: decode the complete lines at once.
        self._partial = buf[cut + 1 :]
        lines = tuple(clean(line) for line in buf[:cut].decode("utf-8", errors="replace").split("\n"))
        first, self.seq = self.seq, self.seq + len(lines)
        return LogLines(self.target, lines, first)

    def drain(self) -> list[LogLines]:
        """Poll until the file has nothing more (a finished run's replay)."""
        out = []
        while (batch := self.poll()) is not None or self._more():
            if batch is not None:
                out.append(batch)
        return out

    def _more(self) -> bool:
        try:
            return self.path.stat().st_size > self.offset
        except FileNotFoundError:
            return False

    def flush(self) -> LogLines | None:
        """The last line when the file ends without a newline (only once the run wrote its last byte)."""
        if not self._partial:
            return None
        line = clean(self._partial.decode("utf-8", errors="replace"))
        self._partial = b""
        first, self.seq = self.seq, self.seq + 1
        return LogLines(self.target, (line,), first)


class JournalObserver:
    """An event source over the journal of `state_dir`, for one run; `run(sink)` as the engine's.

    With `follow` it polls until cancelled (the app's worker ends with the app): a run kept open by
    its cockpit may still retry a target after it said finished. Without it (a replay) it reads the
    journal and the logs to their end, emits, and returns the run's RunFinished.
    """

    def __init__(
        self,
        state_dir: Path,
        run_id: str,
        *,
        follow: bool = True,
        poll: float = POLL,
        clock: Callable[[], float] = time.time,
        eta: FleetEta | None = None,
    ) -> None:
        """`eta`: the ETA model to feed with every state change of the run (the driver's model)."""
        self.journal_path = state_dir / "journal.sqlite"
        self.run_id = run_id
        self.logs_dir = state_dir / "runs" / run_id / "logs"
        self.follow = follow
        self.poll = poll
        self.clock = clock
        self.record: RunRecord | None = None
        self.targets: list[str] = []
        self._followers: dict[str, LogFollower] = {}
        self._last_id = 0
        self.eta = eta
        self._started_at: dict[str, float] = {}
        self._finished_at: dict[str, float | None] = {}
        self._runbook: tuple[int | None, list[str]] | None = None

    def log_path(self, target: str) -> Path:
        return log_path(self.logs_dir, target)

    # -- the stream -----------------------------------------------------------------------------------
    async def run(self, sink: EventSink) -> RunFinished | None:
        journal = await self._open()
        try:
            record = journal.run(self.run_id)
            while record is None and self.follow:  # watching a run about to start (`watch --run ID`)
                await asyncio.sleep(self.poll)
                record = journal.run(self.run_id)
            if record is None:
                raise ObserveError(f"no run {self.run_id} in {self.journal_path}")
            self.record = record
            events = journal.events_after(self.run_id)
            self.targets = self._targets(journal, events)
            sink.emit(RunStarted(self.run_id, record.runbook, tuple(self.targets), record.started_at))
            finished = self._step(journal, sink, events, catch_up=True)
            if not self.follow:
                return self._finish(journal, sink, finished)
            while True:
                await asyncio.sleep(self.poll)
                self._step(journal, sink, journal.events_after(self.run_id, self._last_id), catch_up=False)
        finally:
            journal.close()

    async def _open(self) -> Journal:
        while True:
            try:
                return Journal.read_only(self.journal_path)
            except FileNotFoundError:
                if not self.follow:
                    raise ObserveError(f"no journal at {self.journal_path}") from None
            await asyncio.sleep(self.poll)  # the engine creates it when it starts

    def _targets(self, journal: Journal, events: list[EventRecord]) -> list[str]:
        names: list[str] = []
        for e in events:
            if e.kind == "run-started":
                names += [t for t in e.detail.get("targets", []) if isinstance(t, str)]
                break
        names += [s.target for s in journal.steps(self.run_id)]
        return list(dict.fromkeys(names))

    def _step(
        self, journal: Journal, sink: EventSink, events: list[EventRecord], *, catch_up: bool
    ) -> RunFinished | None:
        """One poll: the logs' new lines first (the engine wrote them before it announced what they
        meant), then the new state changes. On the first poll only each target's latest state and the
        latest RunFinished are told: a replay must not toast every stall of the past."""
        for target in self._known(events):
            follower = self._follower(target)
            batches = follower.drain() if catch_up or not self.follow else [b for b in [follower.poll()] if b]
            for batch in batches:
                sink.emit(batch)
        if events:
            self._last_id = events[-1].id
        states = [e for e in events if e.kind == "state" and e.target]
        if states:
            self._learn_starts(journal)
        changes = [self._change(e) for e in states]
        if self.eta is not None:
            for change in changes:  # the whole history: the ETA learns from every phase seen
                self.eta.feed(change)
        if catch_up:
            changes = list({c.target: c for c in changes}.values())
        for change in changes:
            sink.emit(change)
        finished = None
        for e in events:
            if e.kind == "run-finished":
                finished = RunFinished(
                    self.run_id, tuple(e.detail.get("succeeded", ())), tuple(e.detail.get("failed", ())), e.at
                )
                if not catch_up:
                    sink.emit(finished)
        if catch_up and finished is not None:
            sink.emit(finished)
        return finished

    def _known(self, events: Iterable[EventRecord]) -> list[str]:
        for e in events:
            if e.target and e.target not in self.targets and e.kind == "state":
                self.targets.append(e.target)
        return self.targets

    def _follower(self, target: str) -> LogFollower:
        follower = self._followers.get(target)
        if follower is None:
            follower = self._followers[target] = LogFollower(target, self.log_path(target))
        return follower

    def _finish(self, journal: Journal, sink: EventSink, finished: RunFinished | None) -> RunFinished:
        """The end of a replay: the last unterminated lines, and the run's end as the journal has it."""
        for target in self.targets:
            last = self._follower(target).flush()
            if last is not None:
                sink.emit(last)
        if finished is None:
            # The journal ends before the run did (a crash, or it is still going): say how far it got.
            states = journal.last_states(self.run_id)
            ok = tuple(t for t in self.targets if states.get(t, {}).get("state") == TargetState.SUCCEEDED.value)
            finished = RunFinished(self.run_id, ok, tuple(t for t in self.targets if t not in ok), self.clock())
            sink.emit(finished)
        return finished

    # -- one TargetChanged from one journaled state ----------------------------------------------------
    def _learn_starts(self, journal: Journal) -> None:
        for s in journal.steps(self.run_id):
            if s.launched_at is not None:
                known = self._started_at.get(s.target)
                self._started_at[s.target] = s.launched_at if known is None else min(known, s.launched_at)

    def _change(self, e: EventRecord) -> TargetChanged:
        assert e.target is not None
        d = e.detail
        state = TargetState(d.get("state", TargetState.PENDING.value))
        phase = d.get("phase") if isinstance(d.get("phase"), int) else None
        total, step_ids = self._runbook_shape()
        if "started_at" in d:  # the driver's own times (journals before this key: learnt from the steps)
            started, finished = _number(d.get("started_at")), _number(d.get("finished_at"))
        else:
            started = self._started_at.get(e.target)
            if started is None and state in (TargetState.RUNNING, TargetState.STALLED):
                started = e.at
            finished = e.at if state.finished else None
            if state is TargetState.ROLLED_BACK:  # a rollback after the run keeps the run's end
                finished = self._finished_at.get(e.target, finished)
        self._finished_at[e.target] = finished
        step = d.get("step") if "step" in d else None
        if "step" not in d and step_ids and phase is not None and 0 < phase <= len(step_ids):
            step = step_ids[phase - 1]
        follower = self._followers.get(e.target)
        return TargetChanged(
            target=e.target,
            state=state,
            phase=phase,
            phases_total=max(total or 0, phase or 0, 1),
            at=e.at,
            started_at=started,
            finished_at=finished,
            error=d.get("error"),
            reason=d.get("reason"),
            last_output_at=follower.mtime if follower is not None else None,
            step=step if isinstance(step, str) else None,
        )

    def _runbook_shape(self) -> tuple[int | None, list[str]]:
        """(what progress counts up to, the step ids of a step-by-step runbook) when the runbook loads."""
        if self._runbook is None:
            self._runbook = (None, [])
            if self.record is not None:
                from cockpit.config.runbooks import load_runbook

                try:
                    book = load_runbook(self.record.runbook)
                except Exception:  # an operator's runbook elsewhere, a back-out: counts from the phases seen
                    return self._runbook
                single = len(book.steps) == 1 and book.steps[0].phases > 1
                self._runbook = (book.phases_total, [] if single else [s.id for s in book.steps])
        return self._runbook


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def pick_run(journal: Journal, run_id: str | None = None) -> RunRecord:
    """The run to watch: `run_id`, else the latest unfinished migration, else the latest migration
    (a rollback or back-out only when the journal has nothing else; name it to watch one)."""
    if run_id is not None and run_id != "latest":
        record = journal.run(run_id)
        if record is None:
            raise ObserveError(f"no run {run_id} in {journal.path}")
        return record
    runs = journal.runs(MIGRATION) or journal.runs()
    if not runs:
        raise ObserveError(f"no runs in {journal.path}")
    if run_id is None:
        unfinished = [r for r in runs if r.finished_at is None]
        if unfinished:
            return unfinished[-1]
    return runs[-1]
