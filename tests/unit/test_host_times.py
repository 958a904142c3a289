"""The host's record of when a step's output grew, moved onto the cockpit's clock, and the dating of
a backlog from it (what a resumed cockpit reads late)."""

from __future__ import annotations

from cockpit.domain.host_times import HostTimes
from cockpit.engine.backlog import Backlog

# The host's clock runs 100 s behind the cockpit's: read at host second 1150, cockpit second 1250.
TIMES = "start 1000\nmark 0 1000\nmark 120 1010\nmark 120 1020\nmark 300 1030\nmark 3\nend 1040\nnow 300 1150\n"


def test_host_times_are_moved_onto_the_cockpits_clock_and_interpolated() -> None:
    times = HostTimes.parse(TIMES, cockpit_now=1250.0)
    assert times.skew == 100.0 and times.start == 1100.0 and times.end == 1140.0
    assert times.at(0) == 1100.0
    assert times.at(60) == 1105.0  # half-way from 0 bytes (1000) to 120 bytes (1010)
    assert times.at(120) == 1110.0  # first sample that has it
    assert times.at(210) == 1125.0  # between the last sample still at 120 (1020) and 300 (1030)
    assert times.at(301) is None  # written after the record: the live clock's
    assert HostTimes.parse("", 5.0).marks == () and HostTimes.parse("", 5.0).at(1) is None


def test_a_backlog_is_dated_line_by_line_up_to_where_the_record_reaches() -> None:
    backlog = Backlog(HostTimes.parse(TIMES, cockpit_now=1250.0))
    assert backlog.reaches == 300
    chunk = b"a" * 59 + b"\n" + b"b" * 239 + b"\nlive\n"
    pieces = list(backlog.pieces(chunk, 0))
    assert [(len(p), at) for p, at in pieces] == [(60, 1105.0), (240, 1130.0), (5, None)]
    assert b"".join(p for p, _ in pieces) == chunk
