"""The record of a run: who ran what, when, on which host, and how it ended, as Markdown, JSON or JUnit.

Plain dataclasses filled from the journal by cockpit/commands/report.py; everything here is pure
(no journal, no files), so the three renderings are tested on values and stay the same for a live
run, a replay or a run of last year.

JSON is stable (keys are only ever added); times are ISO 8601 with the local offset, durations are
seconds. JUnit: one <testsuite> per run, one <testcase> per target (classname = runbook, name =
target), a <failure> for a target that did not succeed, its steps in <system-out>; CI tools and test
dashboards read it as they read test results.
"""

from cockpit.domain.report.formats import (
    iso,
    render_json,
    run_outcome_text,
    runs_json,
    runs_text,
    span,
    stamp,
    to_json,
    to_junit,
    to_markdown,
)
from cockpit.domain.report.records import (
    FAILED_OUTCOMES,
    UNFINISHED_OUTCOMES,
    ActionEntry,
    AlertEntry,
    DeliveryEntry,
    PhaseEntry,
    RollbackEntry,
    RunReport,
    RunSummary,
    StateEntry,
    StepEntry,
    TargetRecord,
    WaiverEntry,
    phases_from_states,
    waivers_in_force,
)

__all__ = [
    "FAILED_OUTCOMES",
    "UNFINISHED_OUTCOMES",
    "ActionEntry",
    "AlertEntry",
    "DeliveryEntry",
    "PhaseEntry",
    "RollbackEntry",
    "RunReport",
    "RunSummary",
    "StateEntry",
    "StepEntry",
    "TargetRecord",
    "WaiverEntry",
    "iso",
    "phases_from_states",
    "render_json",
    "run_outcome_text",
    "runs_json",
    "runs_text",
    "span",
    "stamp",
    "to_json",
    "to_junit",
    "to_markdown",
    "waivers_in_force",
]
