"""Wording of states, phase bars, durations and summaries."""

from __future__ import annotations

import pytest

from cockpit.domain.models import TargetState
from cockpit.ui.present import format_elapsed, is_noise, phase_bar, state_text, summary_text, truncate


@pytest.mark.parametrize(
    ("phase", "total", "expected"),
    [
        (None, 12, " -/12 ░░░░░░░░░░░░"),
        (0, 12, " 0/12 ░░░░░░░░░░░░"),
        (6, 12, " 6/12 ██████░░░░░░"),
        (12, 12, "12/12 ████████████"),
        (13, 12, "12/12 ████████████"),
        (2, 3, "2/3 ████████░░░░"),
    ],
)
def test_phase_bar(phase: int | None, total: int, expected: str) -> None:
    assert phase_bar(phase, total) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(None, ""), (0.0, "00:00"), (59.9, "00:59"), (754.0, "12:34"), (3600.0, "1:00:00"), (-5.0, "00:00")],
)
def test_format_elapsed(seconds: float | None, expected: str) -> None:
    assert format_elapsed(seconds) == expected


def test_summary_counts_only_states_present_in_fixed_order() -> None:
    states = [TargetState.FAILED, TargetState.RUNNING, TargetState.PENDING, TargetState.RUNNING]
    states += [TargetState.SUCCEEDED, TargetState.RUNNING, TargetState.PENDING, TargetState.RUNNING]
    assert summary_text(states) == "running 4 · pending 2 · ok 1 · failed 1"


def test_every_state_has_a_single_cell_glyph() -> None:
    from rich.cells import cell_len

    for state in TargetState:
        glyph = state_text(state).split(" ")[0]
        assert cell_len(glyph) == 1, state


def test_truncate_marks_the_cut() -> None:
    assert truncate("0516-082 /usr/sbin/lchangelv", 12) == "0516-082 /u…"
    assert truncate("short", 12) == "short"
    assert truncate("x", 0) == ""


@pytest.mark.parametrize(
    ("line", "noise"),
    [
        ("", True),
        ("   ", True),
        ("+" + "-" * 77 + "+", True),
        ("## Phase 3 ###################", False),
        ("Executing nimadm phase 6.", False),
    ],
)
def test_is_noise(line: str, noise: bool) -> None:
    assert is_noise(line) is noise
