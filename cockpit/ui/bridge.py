"""The sink the engine emits into, and the state the screens draw from.

The engine may emit tens of thousands of lines a second across a fleet. `emit` therefore only
updates plain Python state (latest TargetChanged per target, a line counter, the last line, a small
tail ring) and marks the target dirty; it never touches a widget and posts no Textual message. The
app drains the dirty set on a timer (see CockpitApp.flush) and redraws once per tick.

Only the target whose log pane is open gets its lines kept beyond the tail ring, in a LogFeed that
the pane drains once per tick. No Textual import here: the bridge is tested as plain Python.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from cockpit.domain.events import CockpitNotice, Event, LogLines, RunFinished, RunStarted, TargetChanged
from cockpit.domain.models import TargetState
from cockpit.ui.present import is_noise

DEFAULT_TAIL_LINES = 200
DEFAULT_PENDING_LIMIT = 5_000

_TICKING = (TargetState.RUNNING, TargetState.STALLED)
STALL_PREFIX = "stalled:"
"""How the engine's reason starts when it turns a target stalled (as opposed to, say, a re-attach)."""


@dataclass(slots=True)
class TargetView:
    """What the UI knows about one target, folded from its events."""

    name: str
    tail: deque[str]
    change: TargetChanged | None = None
    received_at: float = 0.0
    """clock() at the moment `change` happened (its arrival less its age on the engine's clock):
    elapsed keeps ticking from there on the UI's own clock."""
    last_line: str = ""
    seq: int = 0
    """Lines emitted so far for this target, i.e. the seq the next LogLines should start at."""

    @property
    def state(self) -> TargetState:
        return self.change.state if self.change is not None else TargetState.PENDING

    @property
    def phase(self) -> int | None:
        return self.change.phase if self.change is not None else None

    @property
    def phases_total(self) -> int:
        return self.change.phases_total if self.change is not None else 12

    def silent_for(self, now: float) -> float | None:
        """Seconds since the target last printed (engine's last_output_at), ticking on the UI clock."""
        change = self.change
        if change is None or change.last_output_at is None:
            return None
        return max(0.0, change.at - change.last_output_at + now - self.received_at)

    def elapsed(self, now: float) -> float | None:
        """Seconds since the target started, on the event's own time base.

        `at` and `started_at` come from the engine's clock, which need not be the UI's; the time
        since the event arrived is added from the UI clock, so the two never get mixed.
        """
        change = self.change
        if change is None or change.started_at is None:
            return None
        if change.finished_at is not None:
            return max(0.0, change.finished_at - change.started_at)
        base = change.at - change.started_at
        if change.state in _TICKING:
            base += now - self.received_at
        return max(0.0, base)


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed since the last flush."""

    targets: frozenset[str] = frozenset()
    """Targets whose state, phase or error changed (a TargetChanged arrived)."""
    lines: frozenset[str] = frozenset()
    """Targets that only printed lines (their last line may have changed)."""
    added: tuple[str, ...] = ()
    """Targets first heard of in events (not in the plan order given at start), in arrival order."""
    run: bool = False
    """RunStarted or RunFinished arrived."""
    stalled: tuple[TargetChanged, ...] = ()
    """Every TargetChanged that announced a stall ("stalled: ..."), in order, even one a later change
    replaced before this flush: each is told to the operator once."""
    notices: tuple[Notice, ...] = ()
    """What the operator must be told at once besides the rows: a target another cockpit holds (or
    whose program already runs), the cockpit's own storage failing."""

    def __bool__(self) -> bool:
        return bool(self.targets or self.lines or self.added or self.run or self.stalled or self.notices)


@dataclass(frozen=True, slots=True)
class Notice:
    title: str
    text: str
    severity: Literal["information", "warning", "error"] = "warning"


LOCK_REASONS = ("locked", "already running")
"""The engine's reasons for a target kept back by another cockpit's lock or a program already running."""


class LogFeed:
    """Live lines of the one target whose log pane is open, held until the pane takes them.

    Lines are kept as the chunks they arrived in (one deque append per LogLines, no per-line work)
    and bounded to about `limit` lines: when more pile up (a paused pane), older chunks are dropped,
    which loses nothing visible because writing `limit` newer lines pushes them out of a Log with
    max_lines=limit anyway.
    """

    def __init__(self, target: str, start_seq: int, recent: Sequence[str], limit: int) -> None:
        self.target = target
        self.start_seq = start_seq
        """Lines emitted before the pane opened; the log file holds at least these."""
        self._recent = tuple(recent)
        self._limit = max(1, limit)
        self._chunks: deque[tuple[int, tuple[str, ...]]] = deque()
        self._count = 0
        self._floor: int | None = None

    @property
    def settled(self) -> bool:
        """True once the file tail is on screen and the feed knows where the file ended."""
        return self._floor is not None

    @property
    def pending(self) -> int:
        """Lines waiting (some may turn out to be already shown by the file tail)."""
        return self._count

    @property
    def waiting(self) -> int:
        """Lines waiting that the pane has not shown yet (0 before `settle`)."""
        floor = self._floor
        if floor is None:
            return 0
        total = 0
        for first, lines in self._chunks:
            end = first + len(lines)
            if end > floor:
                total += end - max(first, floor)
                floor = end
        return total

    def push(self, first_seq: int, lines: tuple[str, ...]) -> None:
        self._chunks.append((first_seq, lines))
        self._count += len(lines)
        while len(self._chunks) > 1 and self._count - len(self._chunks[0][1]) >= self._limit:
            self._count -= len(self._chunks.popleft()[1])

    def settle(self, file_line_count: int) -> list[str]:
        """Record that the file tail shown ended at `file_line_count` lines.

        Returns lines to show right after that tail when the file held fewer lines than were
        already emitted (it should not, but a truncated or unreadable file must not leave a hole
        that the tail ring can fill).
        """
        if file_line_count >= self.start_seq:
            self._floor = file_line_count
            return []
        ring_start = self.start_seq - len(self._recent)
        lo = max(file_line_count, ring_start)
        self._floor = self.start_seq
        return list(self._recent[lo - ring_start :])

    def drain(self) -> list[str]:
        """Take the waiting lines not shown yet, in order. Nothing before `settle`."""
        floor = self._floor
        if floor is None or not self._chunks:
            return []
        out: list[str] = []
        for first, lines in self._chunks:
            end = first + len(lines)
            if end <= floor:
                continue
            out.extend(lines[floor - first :] if first < floor else lines)
            floor = end
        self._chunks.clear()
        self._count = 0
        self._floor = floor
        return out


@dataclass
class EmitErrors:
    """Events the bridge could not fold in (emit swallows the exception and counts it here)."""

    count: int = 0
    last: str | None = None
    reported: int = 0
    """How many of `count` the app has already told the operator about."""


class UiBridge:
    """EventSink for the engine; folds events into per-target views and dirty marks."""

    def __init__(
        self,
        targets: Iterable[str],
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] | None = None,
        tail_lines: int = DEFAULT_TAIL_LINES,
        pending_limit: int = DEFAULT_PENDING_LIMIT,
    ) -> None:
        """`clock`: the UI's (monotonic) clock; `wall_clock`: the engine's, on which events are stamped
        (None: the UI's own, as when one test clock drives both)."""
        self._clock = clock
        self._wall = wall_clock or clock
        self._tail_lines = tail_lines
        self._pending_limit = pending_limit
        self.views: dict[str, TargetView] = {}
        for name in targets:
            if name not in self.views:
                self.views[name] = self._new_view(name)
        self.run_started: RunStarted | None = None
        self.run_finished: RunFinished | None = None
        self.errors = EmitErrors()
        self._dirty: set[str] = set()
        self._dirty_lines: set[str] = set()
        self._added: list[str] = []
        self._run_dirty = False
        self._stalled: list[TargetChanged] = []
        self._notices: list[Notice] = []
        self._feed: LogFeed | None = None

    # -- engine side -------------------------------------------------------------------------

    def emit(self, event: Event) -> None:
        """Fold one event in. Never raises: a bad event is counted and reported by the app."""
        try:
            self._apply(event)
        except Exception as exc:  # the engine must never be broken by its observer
            self.errors.count += 1
            self.errors.last = f"{type(event).__name__}: {type(exc).__name__}: {exc}"

    def _apply(self, event: Event) -> None:
        if isinstance(event, LogLines):  # by far the most frequent: checked first
            self._on_lines(event)
        elif isinstance(event, TargetChanged):
            view = self._view(event.target)
            view.change = event
            # The moment the change happened, on the UI's clock: its arrival less its age on the
            # engine's. A change read from the journal a poll later (cockpit watch) then ticks on
            # from the same moment as in the cockpit that announced it.
            view.received_at = self._clock() - max(0.0, self._wall() - event.at)
            self._dirty.add(event.target)
            if event.state is TargetState.STALLED and (event.reason or "").startswith(STALL_PREFIX):
                self._stalled.append(event)
            elif event.state.finished and event.reason in LOCK_REASONS:  # the error says what to do
                self._notices.append(Notice(f"{event.target} not started", f"{event.error}."))
        elif isinstance(event, CockpitNotice):
            self._notices.append(Notice("The cockpit's own storage", event.text, "error"))
        elif isinstance(event, RunStarted):
            for name in event.targets:
                self._view(name)
            self.run_started = event
            self._run_dirty = True
        elif isinstance(event, RunFinished):
            self.run_finished = event
            self._run_dirty = True

    def _on_lines(self, event: LogLines) -> None:
        lines = event.lines
        if not lines:
            return
        view = self._view(event.target)
        first = event.first_seq
        end = first + len(lines)
        if end <= view.seq:
            return  # a replay of lines already seen (e.g. after a re-attach)
        if first < view.seq:
            lines = lines[view.seq - first :]
            first = view.seq
        view.seq = end
        view.tail.extend(lines)
        for line in reversed(lines):
            if not is_noise(line):
                view.last_line = line
                break
        self._dirty_lines.add(event.target)
        feed = self._feed
        if feed is not None and feed.target == event.target:
            feed.push(first, lines)

    def _view(self, name: str) -> TargetView:
        view = self.views.get(name)
        if view is None:
            view = self.views[name] = self._new_view(name)
            self._added.append(name)
        return view

    def _new_view(self, name: str) -> TargetView:
        return TargetView(name=name, tail=deque(maxlen=self._tail_lines))

    # -- UI side -----------------------------------------------------------------------------

    def take_changes(self) -> Changes:
        """What changed since the previous call; resets the marks."""
        if not (self._dirty or self._dirty_lines or self._added or self._run_dirty or self._notices):
            return Changes()
        changes = Changes(
            frozenset(self._dirty),
            frozenset(self._dirty_lines),
            tuple(self._added),
            self._run_dirty,
            tuple(self._stalled),
            tuple(self._notices),
        )
        self._notices = []
        self._dirty = set()
        self._dirty_lines = set()
        self._added = []
        self._run_dirty = False
        self._stalled = []
        return changes

    def watch(self, target: str) -> LogFeed:
        """Start keeping `target`'s live lines for its log pane (replaces any other feed)."""
        view = self._view(target)
        self._feed = LogFeed(target, view.seq, view.tail, self._pending_limit)
        return self._feed

    def unwatch(self, feed: LogFeed) -> None:
        if self._feed is feed:
            self._feed = None

    @property
    def feed(self) -> LogFeed | None:
        return self._feed

    def states(self) -> list[TargetState]:
        return [view.state for view in self.views.values()]
