"""The journal survives the process: what one Journal wrote, a new one reads back."""

from pathlib import Path

import pytest

from cockpit.domain.events import RunStarted, TargetChanged
from cockpit.domain.models import TargetState
from cockpit.engine.journal import Journal, JournalSink


def test_runs_steps_events_and_actions_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    j = Journal(path, clock=lambda: 100.0)
    j.start_run("r1", "nimadm", "/etc/plan.yaml")
    j.plan_step("r1", "lpar01", "nimadm", "nim01", "nimadm -c lpar01 ...", "/var/tmp/cockpit/r1/lpar01.nimadm")
    j.update_step("r1", "lpar01", "nimadm", state="running", phase=3, byte_offset=4096, launched_at=99.0)
    sink = JournalSink(j, "r1")
    sink.emit(RunStarted("r1", "nimadm", ("lpar01",), 100.0))
    sink.emit(TargetChanged("lpar01", TargetState.STALLED, 3, 12, 100.0, reason="silent for 5m"))
    j.record_action("r1", "lpar01", "snooze", "10 minutes", "operator")
    j.close()

    again = Journal(path)
    assert [r.run_id for r in again.runs()] == ["r1"]
    assert again.latest_unfinished("/etc/plan.yaml") is not None
    (step,) = again.steps("r1")
    assert (step.state, step.phase, step.byte_offset, step.launched_at) == ("running", 3, 4096, 99.0)
    kinds = [(target, kind, detail.get("state")) for _, target, kind, detail in again.events("r1")]
    assert kinds == [(None, "run-started", None), ("lpar01", "state", "stalled")]
    assert again.actions("r1") == [(100.0, "lpar01", "snooze", "10 minutes", "operator")]
    again.finish_run("r1", "succeeded")
    assert again.latest_unfinished("/etc/plan.yaml") is None


def test_unknown_step_field_is_refused(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j.sqlite")
    with pytest.raises(ValueError, match="unknown step fields"):
        j.update_step("r", "t", "s", state="x", **{"state = 'x'; DROP TABLE steps; --": 1})
