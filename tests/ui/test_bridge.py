"""The bridge folds engine events into per-target views and a feed for the open log pane."""

from __future__ import annotations

from cockpit.domain.events import LogLines, RunFinished, RunStarted, TargetChanged
from cockpit.domain.models import TargetState
from cockpit.ui.bridge import UiBridge
from tests.ui import nimadm_output as out
from tests.ui.fake_engine import FakeClock


def changed(target: str, state: TargetState, phase: int | None, at: float, **kw: object) -> TargetChanged:
    return TargetChanged(target=target, state=state, phase=phase, phases_total=12, at=at, **kw)  # type: ignore[arg-type]


def lines(target: str, first: int, count: int) -> LogLines:
    return LogLines(target, tuple(f"{target} line {i}" for i in range(first, first + count)), first)


def test_latest_target_change_wins_and_marks_the_target_dirty() -> None:
    bridge = UiBridge(["aixdb01", "aixweb02"])
    bridge.emit(changed("aixdb01", TargetState.RUNNING, 3, 10.0, started_at=0.0))
    bridge.emit(changed("aixdb01", TargetState.RUNNING, 4, 20.0, started_at=0.0))
    assert bridge.views["aixdb01"].phase == 4
    assert bridge.views["aixweb02"].state is TargetState.PENDING
    changes = bridge.take_changes()
    assert changes.targets == {"aixdb01"}
    assert not bridge.take_changes()


def test_unknown_targets_are_added_in_arrival_order() -> None:
    bridge = UiBridge(["aixdb01"])
    bridge.emit(RunStarted("r-1", "nimadm", ("aixdb01", "aixnew09"), 0.0))
    bridge.emit(lines("aixlate10", 0, 1))
    changes = bridge.take_changes()
    assert changes.added == ("aixnew09", "aixlate10")
    assert changes.run
    assert list(bridge.views) == ["aixdb01", "aixnew09", "aixlate10"]


def test_last_line_skips_banner_rules_and_blank_lines() -> None:
    bridge = UiBridge(["aixdb01"])
    bridge.emit(LogLines("aixdb01", tuple(out.phase("aixdb01", 4)), 0))
    assert bridge.views["aixdb01"].last_line.startswith("nimadm: There is no user customization")
    bridge.emit(LogLines("aixdb01", tuple(out.banner(5)), 5))
    assert bridge.views["aixdb01"].last_line == "Executing nimadm phase 5."


def test_replayed_lines_are_not_counted_twice() -> None:
    bridge = UiBridge(["a"], tail_lines=50)
    bridge.emit(lines("a", 0, 10))
    bridge.emit(lines("a", 5, 10))  # 5..9 again, then 10..14 new
    bridge.emit(lines("a", 0, 3))  # pure replay
    view = bridge.views["a"]
    assert view.seq == 15
    assert list(view.tail) == [f"a line {i}" for i in range(15)]


def test_tail_ring_is_bounded() -> None:
    bridge = UiBridge(["a"], tail_lines=200)
    for first in range(0, 10_000, 100):
        bridge.emit(lines("a", first, 100))
    tail = bridge.views["a"].tail
    assert len(tail) == 200
    assert tail[-1] == "a line 9999"


def test_feed_keeps_only_the_watched_target_and_skips_what_the_file_showed() -> None:
    bridge = UiBridge(["a", "b"])
    bridge.emit(lines("a", 0, 50))
    feed = bridge.watch("a")
    assert feed.start_seq == 50
    bridge.emit(lines("a", 50, 10))  # already in the file when the pane read it
    bridge.emit(lines("b", 0, 10))
    assert feed.drain() == []  # nothing before the file tail is settled
    assert feed.settle(60) == []
    bridge.emit(lines("a", 60, 5))
    assert feed.drain() == [f"a line {i}" for i in range(60, 65)]
    assert feed.drain() == []


def test_feed_cuts_a_batch_that_straddles_the_end_of_the_file() -> None:
    bridge = UiBridge(["a"])
    feed = bridge.watch("a")
    bridge.emit(lines("a", 0, 8))
    assert feed.settle(5) == []  # the file held lines 0..4
    assert feed.drain() == ["a line 5", "a line 6", "a line 7"]


def test_feed_fills_a_short_file_from_the_tail_ring() -> None:
    bridge = UiBridge(["a"], tail_lines=20)
    bridge.emit(lines("a", 0, 30))
    feed = bridge.watch("a")
    # The file held only 25 of the 30 lines emitted: lines 25..29 come from memory.
    assert feed.settle(25) == [f"a line {i}" for i in range(25, 30)]
    bridge.emit(lines("a", 30, 2))
    assert feed.drain() == ["a line 30", "a line 31"]


def test_feed_bound_drops_only_lines_a_full_pane_would_push_out() -> None:
    bridge = UiBridge(["a"], pending_limit=100)
    feed = bridge.watch("a")
    feed.settle(0)
    for first in range(0, 1_000, 7):
        bridge.emit(lines("a", first, 7))
    assert feed.pending < 100 + 7
    drained = feed.drain()
    # Contiguous, ending at the newest line, and at least a pane's worth.
    assert len(drained) >= 100
    numbers = [int(line.rsplit(" ", 1)[1]) for line in drained]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert numbers[-1] == 1_000  # the last batch started at 994


def test_unwatch_of_a_replaced_feed_keeps_the_new_one() -> None:
    bridge = UiBridge(["a", "b"])
    old = bridge.watch("a")
    new = bridge.watch("b")
    bridge.unwatch(old)
    assert bridge.feed is new
    bridge.unwatch(new)
    assert bridge.feed is None


def test_elapsed_ticks_on_the_ui_clock_and_stops_when_finished() -> None:
    clock = FakeClock(500.0)
    bridge = UiBridge(["a"], clock=clock)
    # The engine's clock (at/started_at) is a different time base from the UI clock.
    bridge.emit(changed("a", TargetState.RUNNING, 2, at=1_700_000_100.0, started_at=1_700_000_000.0))
    view = bridge.views["a"]
    assert view.elapsed(clock()) == 100.0
    clock.advance(30)
    assert view.elapsed(clock()) == 130.0
    bridge.emit(
        changed(
            "a", TargetState.SUCCEEDED, 12, at=1_700_003_600.0, started_at=1_700_000_000.0, finished_at=1_700_003_600.0
        )
    )
    clock.advance(999)
    assert view.elapsed(clock()) == 3600.0


def test_emit_never_raises_on_a_malformed_event() -> None:
    bridge = UiBridge(["a"])
    bridge.emit(LogLines("a", 5, 0))  # type: ignore[arg-type]
    bridge.emit(RunFinished("r-1", ("a",), (), 1.0))
    assert bridge.errors.count == 1
    assert "TypeError" in (bridge.errors.last or "")
    assert bridge.run_finished is not None


def test_every_stall_is_kept_for_one_notification_even_when_a_later_change_replaced_it() -> None:
    bridge = UiBridge(["a", "b"])
    bridge.emit(changed("a", TargetState.STALLED, 3, 10.0, reason="stalled: silent for 45s in phase 3"))
    bridge.emit(changed("a", TargetState.RUNNING, 3, 11.0, reason="output resumed"))
    bridge.emit(changed("b", TargetState.RUNNING, 2, 11.0, reason="re-attached"))
    changes = bridge.take_changes()
    assert [(c.target, c.reason) for c in changes.stalled] == [("a", "stalled: silent for 45s in phase 3")]
    assert bridge.views["a"].state is TargetState.RUNNING
    assert not bridge.take_changes().stalled  # told once
