"""A plan bound to its runbook: for every target, its steps with host, command, judge and timing.

The runbook (cockpit/runbooks/*.yaml or an operator's file) says what to run where; the plan says
on which hosts and with which values. Binding renders every command template with values that were
shape-checked when the config was loaded and are quoted here, so nothing from a config reaches a
remote shell unquoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from cockpit.config.models import Config, Host, NimadmPlan
from cockpit.config.runbook import Guard, RunbookFile, StepSpecFile
from cockpit.config.runbooks import load_runbook
from cockpit.domain import template
from cockpit.domain.attach import Found
from cockpit.domain.foreign_log import ForeignLog
from cockpit.domain.remote_step import RemoteStep
from cockpit.domain.stall import PhaseTiming, timing_for
from cockpit.domain.step_check import StepCheck

STEP_NAME = re.compile(r"^(?P<id>[a-z][a-z0-9-]*?)(?:-P(?P<phase>[0-9]+))?(?:-r(?P<attempt>[0-9]+))?$")
"""Journal names of steps: `ID`, a retry `ID-rN`, one phase of a multi-phase step `ID-Pn-rN`."""


@dataclass(frozen=True)
class GuardSpec:
    command: str
    output: re.Pattern[str] | None
    skip: bool
    reason: str
    absent: re.Pattern[str] | None = None
    """No line of the guard's output may match (the state the step would create is not there yet)."""

    def holds(self, exit_ok: bool, stdout: str) -> bool:
        """The guard's verdict on its command's outcome: run the step (True) or not."""
        lines = stdout.splitlines()
        if not exit_ok:
            return False
        if self.output is not None and not any(self.output.search(line) for line in lines):
            return False
        return self.absent is None or not any(self.absent.search(line) for line in lines)


@dataclass(frozen=True)
class Adopted:
    """A migration someone else started, followed from its own log (`cockpit attach`)."""

    found: Found
    offset: int
    """Byte offset in its log where this run's output begins (earlier runs are left out)."""
    started_at: float | None
    """When its process started (from ps's elapsed time; None when ps does not say)."""


@dataclass(frozen=True)
class StepSpec:
    """One command of a target, ready to run (kept or attached: domain/remote_step.py), or, adopted,
    already running."""

    target: str
    name: str
    """Journal name (see STEP_NAME); also names the remote step directory."""
    command: str
    remote: RemoteStep | ForeignLog
    phase: int | None = None
    """The phase a phase run (`nimadm -P N`) runs; None for a whole step."""
    host: Host | None = None
    """Where it runs (None only in tests that build a spec by hand: the runner's default host)."""
    step_id: str = ""
    index: int = 1
    """1-based position of the step in the runbook (the progress of a step-by-step runbook)."""
    title: str = ""
    check: StepCheck | None = None
    """How success is judged; None: the nimadm parser (phase banners and error codes)."""
    guard: GuardSpec | None = None
    record: str | None = None
    timing: PhaseTiming | None = None
    """Expected duration and silence threshold (seconds, scaled); None: nimadm's per-phase table."""
    adopted: Adopted | None = None
    """Not launched by this cockpit: a running migration it follows (its `remote` is a ForeignLog)."""
    attached: bool = False
    """Runs attached to its SSH channel (a quick step), not kept (see domain/remote_step.py)."""


@dataclass(frozen=True)
class UndoSpec:
    host: Host
    command: str
    step_id: str


def step_name(step_id: str, *, phase: int | None = None, attempt: int = 0) -> str:
    name = step_id + (f"-P{phase}" if phase is not None else "")
    return name + (f"-r{attempt}" if attempt else "")


class Binding:
    """The plan of `config` bound to its runbook for run `run_id`."""

    def __init__(
        self,
        config: Config,
        run_id: str,
        runbook: RunbookFile | None = None,
        *,
        targets: list[str] | None = None,
        overrides: dict[str, dict[str, str]] | None = None,
    ) -> None:
        """`targets`: some of the plan's (attach follows only those with a migration running);
        `overrides`: per target, values that win over the plan's (a migration's own SPOT, say)."""
        self.config = config
        self.run_id = run_id
        self.runbook = runbook or load_runbook(config.plan.runbook)
        self.targets: list[str] = list(config.targets) if targets is None else list(targets)
        self.overrides = overrides or {}
        self._plain_timing: Callable[[int | None], PhaseTiming] | None = None
        # Asked per step and per journal line; a runbook plan finds a target's values by a walk of its list.
        self._values: dict[tuple[str, int | None], dict[str, str | None]] = {}

    # -- values ---------------------------------------------------------------------------------
    def values(self, target: str, phase: int | None = None) -> dict[str, str | None]:
        """Every value a template of this target may use: parameters (defaults applied) and reserved ones."""
        cached = self._values.get((target, phase))
        if cached is None:
            cached = {name: spec.default for name, spec in self.runbook.params.items()}
            cached.update({k: v for k, v in self.config.plan.target_values(target).items() if v is not None})
            cached.update(self.overrides.get(target, {}))
            host = self.config.host(target)
            master = self.config.master_of(target)
            cached.update(
                target=target,
                nim_name=host.nim_object,
                master=master.nim_object if master is not None else None,
                phase=str(phase) if phase is not None else None,
            )
            self._values[(target, phase)] = cached
        return dict(cached)

    def render(self, text: str, target: str, phase: int | None = None) -> str:
        return template.render(text, self.values(target, phase))

    # -- where steps run ------------------------------------------------------------------------
    def host_for(self, scope: str, target: str) -> Host | None:
        """The host a step of `scope` runs on for `target`, or None when it does not apply to it."""
        if scope == "master":
            master = self.config.master_of(target)
            if master is None:
                raise LookupError(f"{target} has no NIM master in this plan")
            return master
        if scope == "first" and target != self.targets[0]:
            return None
        if scope.startswith("role:") and self.config.plan.role_of(target) != scope[5:]:
            return None
        return self.config.host(target)

    def applies(self, step: StepSpecFile, target: str) -> bool:
        if step.when is not None and not self.values(target).get(step.when):
            return False
        return self.host_for(step.on, target) is not None

    # -- steps ----------------------------------------------------------------------------------
    @cached_property
    def phases_total(self) -> int:
        return self.runbook.phases_total

    @property
    def single_phased(self) -> bool:
        """One step with phases of its own (nimadm): progress is that step's phase, not a step count."""
        return len(self.runbook.steps) == 1 and self.runbook.steps[0].phases > 1

    def step_by_id(self, step_id: str) -> tuple[int, StepSpecFile]:
        for i, step in enumerate(self.runbook.steps, start=1):
            if step.id == step_id:
                return i, step
        raise KeyError(step_id)

    def steps(self, target: str, *, from_index: int = 1, attempt: int = 0) -> list[StepSpec]:
        """The target's steps from runbook position `from_index` on (those that apply to it)."""
        return [
            self.spec(target, step, i, attempt=attempt)
            for i, step in enumerate(self.runbook.steps, start=1)
            if i >= from_index and self.applies(step, target)
        ]

    def spec(
        self, target: str, step: StepSpecFile, index: int, *, phase: int | None = None, attempt: int = 0
    ) -> StepSpec:
        host = self.host_for(step.on, target)
        if host is None:
            raise ValueError(f"step {step.id} does not run for {target}")
        name = step_name(step.id, phase=phase, attempt=attempt)
        if phase is not None:
            if step.phase_run is None:
                raise ValueError(f"step {step.id} cannot run one phase alone")
            command = self.render(step.phase_run, target, phase)
        else:
            command = self.render(step.run, target)
        return StepSpec(
            target=target,
            name=name,
            command=command,
            remote=RemoteStep.under(
                host.work_dir, self.run_id, f"{target}.{name}", mark_every=self.config.plan.follow.mark_every
            ),
            phase=phase,
            host=host,
            step_id=step.id,
            index=index,
            title=self.render_text(step.title, target),
            check=self._check(step, target),
            guard=self._guard(step.guard, target),
            record=step.record,
            timing=None if step.expect.parser == "nimadm" else self.step_timing(step),
            attached=step.attached and phase is None,
        )

    def from_journal(self, target: str, name: str, command: str, remote_dir: str) -> StepSpec:
        """A planned step as the journal knows it (the command as it was run, not re-rendered)."""
        match = STEP_NAME.fullmatch(name)
        if match is None:
            raise ValueError(f"unknown step name {name!r} in the journal")
        index, step = self.step_by_id(match["id"])
        phase = int(match["phase"]) if match["phase"] else None
        spec = self.spec(target, step, index, phase=phase, attempt=int(match["attempt"] or 0))
        return StepSpec(**{**spec.__dict__, "command": command, "remote": RemoteStep(remote_dir)})

    def undo(self, target: str, step_id: str) -> UndoSpec | None:
        _, step = self.step_by_id(step_id)
        if step.undo is None:
            return None
        host = self.host_for(step.undo_on or step.on, target) or self.config.host(target)
        return UndoSpec(host, self.render(step.undo, target), step.id)

    def render_text(self, text: str, target: str) -> str:
        """A title or reason with its placeholders filled in plainly (shown, never run)."""
        values = self.values(target)
        return template.PLACEHOLDER.sub(lambda m: str(values.get(m.group(2)) or m.group(0)), text)

    # -- judging and timing ---------------------------------------------------------------------
    def _check(self, step: StepSpecFile, target: str) -> StepCheck | None:
        expect = step.expect
        if expect.parser == "nimadm":
            return None
        values = self.values(target)
        return StepCheck(
            exit_codes=tuple(expect.exit),
            output=tuple(template.render_pattern(p, values) for p in expect.output),
            fail_output=tuple(template.render_pattern(p, values) for p in expect.fail_output),
            empty=expect.empty,
        )

    def _guard(self, guard: Guard | None, target: str) -> GuardSpec | None:
        if guard is None:
            return None
        values = self.values(target)
        return GuardSpec(
            command=template.render(guard.run, values),
            output=template.render_pattern(guard.output, values) if guard.output else None,
            skip=guard.otherwise == "skip",
            reason=self.render_text(" ".join(guard.reason.split()), target),
            absent=template.render_pattern(guard.absent, values) if guard.absent else None,
        )

    def step_timing(self, step: StepSpecFile) -> PhaseTiming:
        """The step's expected duration, silence threshold and timeout in seconds, scaled like the plan's clock."""
        scale = self.config.plan.time_scale
        limit = step.timeout_minutes * 60 * scale if step.timeout_minutes is not None else None
        return PhaseTiming(step.expected_minutes * 60 * scale, step.silence_minutes * 60 * scale, limit)

    def expected_seconds(self, index: int) -> float:
        """Expected seconds of phase (nimadm) or step `index`, scaled like the plan's clock: what an
        ETA counts with, the same in the cockpit that drives the run and in one that watches it."""
        if self.single_phased:
            # Not the run's own timing: its floor (a few polls, for stall alarms) would inflate every short phase.
            if self._plain_timing is None:
                self._plain_timing = self.phase_timing()
            return self._plain_timing(index).expected
        steps = self.runbook.steps
        return self.step_timing(steps[min(max(index, 1), len(steps)) - 1]).expected

    def phase_timing(self, observable: float = 0.0) -> Callable[[int | None], PhaseTiming]:
        """The nimadm phase table with the plan's overrides and time scale (multi-phase steps)."""
        plan = self.config.plan
        overrides = {}
        if isinstance(plan, NimadmPlan):
            for phase, o in plan.phase_timing.items():
                default = timing_for(phase)
                overrides[phase] = PhaseTiming(
                    o.expected_minutes * 60 if o.expected_minutes else default.expected,
                    o.silence_minutes * 60 if o.silence_minutes else default.silence,
                )

        def timing(phase: int | None) -> PhaseTiming:
            t = timing_for(phase, scale=plan.time_scale, overrides=overrides)
            return PhaseTiming(max(t.expected, observable), max(t.silence, observable))

        return timing


__all__ = ["Adopted", "Binding", "GuardSpec", "StepSpec", "UndoSpec", "step_name"]
