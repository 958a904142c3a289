"""What the run's plan says, read with its journal: each target's steps, where they run, what a
retry would run and what cleans up after a target. Questions only: nothing here changes the run."""

from __future__ import annotations

from cockpit.domain.models import TargetState
from cockpit.engine.binding import STEP_NAME, StepSpec, UndoSpec
from cockpit.engine.run.context import ControlError, RunContext


class RunPlan:
    def __init__(self, context: RunContext) -> None:
        self._run = context
        self._binding = context.binding

    @property
    def phases_total(self) -> int:
        """What retry and skip count up to: nimadm's 12 phases, or the runbook's steps."""
        return self._binding.phases_total

    @property
    def retry_unit(self) -> str:
        """What a retry counts: `phase` (nimadm -P) or `step`."""
        return "phase" if self._binding.single_phased else "step"

    @property
    def steps(self) -> list[StepSpec]:
        """Every planned step of every target, in order (what `--dry-run` shows)."""
        return [spec for t in self._run.targets for spec in self._binding.steps(t)]

    def command(self, target: str, phase: int | None = None) -> str:
        """The first step's command for `target` (with `phase`: that phase run alone, nimadm -P)."""
        step = self._run.runbook.steps[0]
        return self._binding.spec(target, step, 1, phase=phase).command

    def main_step(self, target: str) -> StepSpec:
        """The target's first step (for nimadm: the whole migration)."""
        return self._binding.steps(target)[0]

    def step_host(self, target: str) -> str:
        """Where the target's current (or first) step runs: what a kill or a process probe is about."""
        runner = self._run.runners.get(target)
        spec = runner.current if runner is not None else None
        if spec is None:
            planned = self._binding.steps(target)
            spec = planned[0] if planned else None
        return spec.host.name if spec is not None and spec.host is not None else target

    def expected_seconds(self, index: int) -> float:
        """Expected seconds of phase (nimadm) or step `index`, scaled like the plan's clock (for ETAs)."""
        return self._binding.expected_seconds(index)

    # -- cleaning up ----------------------------------------------------------------------------
    def undo_of(self, target: str) -> UndoSpec | None:
        """What cleans up after the target: the undo of the last step it started that has one."""
        started = {
            m["id"]
            for r in self._run.records(target)
            if r.launched_at is not None and (m := STEP_NAME.fullmatch(r.step))
        }
        for step in reversed(self._run.runbook.steps):
            if step.undo is not None and (step.id in started or not started):
                undo = self._binding.undo(target, step.id)
                if undo is not None:
                    return undo
        return None

    def cleanup_command(self, target: str) -> str:
        """The clean-up line for this target (nimadm: `nimadm -C -c CLIENT -s SPOT`)."""
        undo = self.undo_of(target)
        if undo is None:
            raise ControlError(f"runbook {self._run.runbook.name} has no clean-up for {target}")
        return undo.command

    def cleanup_host(self, target: str) -> str:
        undo = self.undo_of(target)
        return undo.host.name if undo is not None else target

    # -- retrying -------------------------------------------------------------------------------
    def succeeded_steps(self) -> set[tuple[str, str]]:
        """(target, step id) pairs that succeeded in this run, in any attempt."""
        return {
            (t, m["id"])
            for t in self._run.targets
            for r in self._run.records(t)
            if r.state == TargetState.SUCCEEDED.value and (m := STEP_NAME.fullmatch(r.step))
        }

    def retry_specs(
        self, target: str, start: int, *, attempt: int, skip: frozenset[int] = frozenset()
    ) -> list[StepSpec]:
        """The steps a retry from `start` runs: phases start..N of a multi-phase step (nimadm -P),
        else the runbook's steps from position `start` on."""
        runbook = self._run.runbook
        if self._binding.single_phased:
            step = runbook.steps[0]
            if not 1 <= start <= step.phases:
                raise ControlError(f"phase {start} is not between 1 and {step.phases}")
            if step.phase_run is None:
                raise ControlError(f"step {step.id} cannot be resumed at a phase")
            return [
                self._binding.spec(target, step, 1, phase=n, attempt=attempt)
                for n in range(start, step.phases + 1)
                if n not in skip
            ]
        if not 1 <= start <= len(runbook.steps):
            raise ControlError(f"step {start} is not between 1 and {len(runbook.steps)}")
        return [s for s in self._binding.steps(target, from_index=start, attempt=attempt) if s.index not in skip]

    def retry_commands(self, target: str, start: int) -> list[str]:
        """The commands a retry from phase / step `start` would run (lockstep: on every target, as
        `host: command`, without the steps a target already did)."""
        if not self._run.lockstep:
            return [spec.command for spec in self.retry_specs(target, start, attempt=0)]
        done = self.succeeded_steps()
        specs = [
            s for t in self._run.targets for s in self._binding.steps(t, from_index=start) if (t, s.step_id) not in done
        ]
        specs.sort(key=lambda s: s.index)  # stable: within a step, in target order
        return [f"{s.host.name if s.host else s.target}: {s.command}" for s in specs]
