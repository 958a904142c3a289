"""Which events of a run need a person, said once: the alerts behind the bell and the notify commands.

Five things are worth waking someone for: a target failed (or its host could not be reached), a step
stalled, a target's ETA passed the window's end, the cutoff passed with targets not started, and the
run finished. Each is told once per target and kind: the engine re-announces a state (a restart, a
note on a failed row), and an operator paged twice for one failure stops reading the pages.

An attempt resets that: a target the operator retries after it ended may fail again, and that is
news; so is a step still stuck when the operator's snooze ("keep waiting") runs out, and the run's
end after a retry. An operator's own "mark failed" is no alert: the operator is there.

Pure: the decider is fed the engine's events and returns alerts; delivering them is the engine's
(cockpit/engine/alerts/).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from cockpit.domain.events import (
    CUTOFF_PASSED,
    MARKED_FAILED,
    SNOOZED,
    STALLED_PREFIX,
    Event,
    RunFinished,
    RunStarted,
    TargetChanged,
    is_eta_past_end,
)
from cockpit.domain.models import TargetState


class AlertKind(StrEnum):
    FAILED = "failed"
    """A target failed, or the host running its step could not be reached."""
    STALLED = "stalled"
    ETA_PAST_WINDOW = "eta_past_window"
    CUTOFF_MISSED = "cutoff_missed"
    """The window's cutoff passed with targets not started (they never will in this run)."""
    FINISHED = "finished"


ALERT_KINDS: tuple[AlertKind, ...] = tuple(AlertKind)

AlertKey = tuple[str | None, str]
"""(target, kind): what is told once. The target is None for the run itself (finished)."""


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    run_id: str
    at: float
    """When the engine said it (its clock)."""
    summary: str
    """One line for a person: `lpar02 failed in phase 11/12: 0505-218 ...`."""
    targets: tuple[str, ...] = ()
    """What it is about: one target, several (targets not started at the cutoff), none (the run)."""
    runbook: str = ""
    phase: int | None = None
    """The phase (nimadm) or step number the target was at."""
    phases_total: int | None = None
    step: str | None = None
    """The step's title (runbooks that go step by step)."""
    detail: str | None = None
    """The error line or the engine's reason, as it said it."""
    succeeded: tuple[str, ...] = ()
    """The run's end: targets that succeeded ..."""
    failed: tuple[str, ...] = ()
    """... and those that did not (failed, blocked, unreachable)."""

    @property
    def target(self) -> str | None:
        """The one target it is about (None: about the run, or several targets)."""
        return self.targets[0] if len(self.targets) == 1 else None

    @property
    def keys(self) -> tuple[AlertKey, ...]:
        return tuple((t, self.kind.value) for t in self.targets) or ((None, self.kind.value),)


class AlertDecider:
    """Feed it every engine event; it returns the alerts they call for, each (target, kind) once.

    `told` are the keys already told in this run (from the journal, after a restart: a failure told
    before the crash is not told again when the resumed run re-announces it).
    """

    def __init__(self, told: Iterable[AlertKey] = ()) -> None:
        self._told: set[AlertKey] = set(told)
        self._states: dict[str, TargetState] = {}
        self.run_id = ""
        self.runbook = ""

    def remember(self, told: Iterable[AlertKey]) -> None:
        """Keys told before (a restarted run's, from the journal): not told again."""
        self._told.update(told)

    def feed(self, event: Event) -> list[Alert]:
        if isinstance(event, RunStarted):
            self.run_id, self.runbook = event.run_id, event.runbook
            return []
        if isinstance(event, RunFinished):
            self.run_id = self.run_id or event.run_id
            return self._once(_finished(event, self.runbook))
        if isinstance(event, TargetChanged):
            return self._target(event)
        return []

    def _target(self, e: TargetChanged) -> list[Alert]:
        before = self._states.get(e.target)
        self._states[e.target] = e.state
        if before is not None and before.finished and not e.state.finished:
            self._forget(e.target)  # a retry: a new attempt, whose end is news again
        if e.reason == SNOOZED:
            self._told.discard((e.target, AlertKind.STALLED.value))  # still stuck after the snooze: say so
        alerts: list[Alert] = []
        if e.state in (TargetState.FAILED, TargetState.UNREACHABLE) and e.reason != MARKED_FAILED:
            alerts += self._once(self._alert(AlertKind.FAILED, e, _failed_summary(e), e.error or e.reason))
        elif e.state is TargetState.STALLED and (e.reason or "").startswith(STALLED_PREFIX):
            why = (e.reason or "").removeprefix(STALLED_PREFIX)
            alerts += self._once(self._alert(AlertKind.STALLED, e, f"{e.target} stalled: {why}", why))
        elif e.state is TargetState.BLOCKED and e.reason == CUTOFF_PASSED:
            why = _cutoff_detail(e.error)
            alerts += self._once(self._alert(AlertKind.CUTOFF_MISSED, e, f"{e.target} not started: {why}", why))
        if is_eta_past_end(e.reason):
            alerts += self._once(self._alert(AlertKind.ETA_PAST_WINDOW, e, f"{e.target}: {e.reason}", e.reason))
        return alerts

    def _alert(self, kind: AlertKind, e: TargetChanged, summary: str, detail: str | None) -> Alert:
        return Alert(
            kind=kind,
            run_id=self.run_id,
            at=e.at,
            summary=summary,
            targets=(e.target,),
            runbook=self.runbook,
            phase=e.phase,
            phases_total=e.phases_total if e.phase is not None else None,
            step=e.step,
            detail=detail,
        )

    def _once(self, alert: Alert) -> list[Alert]:
        if alert.run_id == "":
            alert = replace(alert, run_id=self.run_id)
        if any(key in self._told for key in alert.keys):
            return []
        self._told.update(alert.keys)
        return [alert]

    def _forget(self, target: str) -> None:
        self._told = {key for key in self._told if key[0] != target and key != (None, AlertKind.FINISHED.value)}


def _where(e: TargetChanged) -> str:
    if e.phase is None:
        return ""
    if e.step:
        return f" at step {e.phase}/{e.phases_total} ({e.step})"
    return f" in phase {e.phase}/{e.phases_total}"


def _failed_summary(e: TargetChanged) -> str:
    if e.state is TargetState.UNREACHABLE:
        return f"{e.target} unreachable{_where(e)}: {e.error or e.reason or 'no connection'}"
    return f"{e.target} failed{_where(e)}" + (f": {e.error}" if e.error else "")


def _cutoff_detail(error: str | None) -> str:
    return (error or "the window's cutoff has passed").removeprefix("not started: ")


def _finished(e: RunFinished, runbook: str) -> Alert:
    verdict = "all succeeded" if e.ok else f"{len(e.failed)} not succeeded: {', '.join(e.failed)}"
    what = f"run {e.run_id}" + (f" ({runbook})" if runbook else "")
    return Alert(
        kind=AlertKind.FINISHED,
        run_id=e.run_id,
        at=e.at,
        summary=f"{what} finished: {len(e.succeeded)} succeeded, {verdict}",
        runbook=runbook,
        succeeded=e.succeeded,
        failed=e.failed,
    )


def coalesce(alerts: Sequence[Alert]) -> list[Alert]:
    """Targets stopped by the cutoff together are one alert (one page for ten hosts, not ten pages).

    The engine stops every waiting target at the cutoff in one go; the alerts of one such burst are
    merged into the first, in place. Other alerts pass as they are.
    """
    out: list[Alert] = []
    merged: int | None = None
    for alert in alerts:
        if alert.kind is not AlertKind.CUTOFF_MISSED:
            out.append(alert)
            continue
        if merged is None:
            merged = len(out)
            out.append(alert)
            continue
        first = out[merged]
        targets = first.targets + tuple(t for t in alert.targets if t not in first.targets)
        summary = f"{', '.join(targets)} not started: {first.detail}"
        out[merged] = replace(first, targets=targets, summary=summary)
    return out


__all__ = ["ALERT_KINDS", "Alert", "AlertDecider", "AlertKey", "AlertKind", "coalesce"]
