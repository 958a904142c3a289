"""Which operator action fits which target state, in the engine's words (pure Python)."""

from __future__ import annotations

import pytest

from cockpit.domain.models import TargetState
from cockpit.ui.control_actions import TARGET_ACTIONS, parse_phase, refusal

RUNNING, STALLED, FAILED = TargetState.RUNNING, TargetState.STALLED, TargetState.FAILED


def allowed(state: TargetState, **kw: object) -> list[str]:
    return [key for key in TARGET_ACTIONS if refusal(key, "lpar01", state, **kw) is None]  # type: ignore[arg-type]


def test_a_stalled_host_can_be_waited_on_signalled_or_marked_failed_not_retried() -> None:
    assert allowed(STALLED, phase=3) == ["snooze", "interrupt", "kill", "mark_failed"]
    assert allowed(STALLED, phase=3, term_sent=True) == ["snooze", "interrupt", "kill", "force_kill", "mark_failed"]
    assert refusal("retry", "lpar01", STALLED) == "lpar01 is stalled: stop it before retrying"
    assert refusal("cleanup", "lpar01", RUNNING) == "lpar01 is still running: kill it before cleaning up"


def test_a_failed_host_can_be_cleaned_up_retried_or_skipped_while_the_run_is_open() -> None:
    assert allowed(FAILED, phase=3) == ["cleanup", "retry", "skip", "mark_failed"]
    assert refusal("kill", "lpar01", FAILED) == "lpar01 has no running step to signal"
    assert refusal("retry", "lpar01", FAILED, run_open=False) == "the run is not active"
    assert refusal("skip", "lpar01", FAILED, phase=12) == "lpar01 stopped in phase 12: there is no phase after it"


def test_abort_fits_a_waiting_or_running_host_only() -> None:
    assert refusal("abort", "lpar02", TargetState.PENDING) is None
    assert allowed(TargetState.PENDING) == ["cleanup"]  # a waiting host is aborted (fleet), not marked failed
    assert refusal("abort", "lpar02", RUNNING) is None
    assert refusal("abort", "lpar02", TargetState.SUCCEEDED) == "lpar02 is succeeded: nothing to abort"


@pytest.mark.parametrize("text", ["0", "13", "", "3a", "-1"])
def test_a_phase_is_a_whole_number_from_1_to_12(text: str) -> None:
    with pytest.raises(ValueError, match="from 1 to 12"):
        parse_phase(text)
    assert parse_phase(" 7 ") == 7
