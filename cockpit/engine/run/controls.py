"""The operator's controls over a run: troubleshooting one target (keep waiting, signal, clean up,
retry, skip, mark failed, abort) and steering the fleet (pause new starts, change the concurrency).

Each one is journaled with who did it; one that does not fit the target's state is refused with a
ControlError whose message says why (the UI shows it as it is).
"""

from __future__ import annotations

from cockpit.domain.events import MARKED_FAILED
from cockpit.domain.models import TargetState
from cockpit.domain.printable import printable
from cockpit.engine.binding import StepSpec
from cockpit.engine.host_locks import Refusal
from cockpit.engine.run.context import ControlError, RunContext
from cockpit.engine.run.plan import RunPlan
from cockpit.engine.run.restore import journaled_steps
from cockpit.engine.run.schedule import Scheduler
from cockpit.transports.base import CommandResult

_BUSY = (TargetState.RUNNING, TargetState.STALLED)


class OperatorControls:
    def __init__(self, context: RunContext, plan: RunPlan, scheduler: Scheduler) -> None:
        self._run = context
        self._plan = plan
        self._scheduler = scheduler

    # -- one target -----------------------------------------------------------------------------
    def snooze(self, target: str, seconds: float) -> None:
        """Keep waiting: no stall alarm for `seconds`."""
        self._run.runner(target).snooze(seconds)
        self._run.act(target, "snooze", f"{seconds:.0f}s")

    async def kill(self, target: str, signal_name: str = "TERM") -> CommandResult:
        """Interrupt (INT/TERM) or kill (KILL) the remote processes of the target's current step."""
        runner = self._run.runner(target)
        # Judged by the step, not the row: a client marked failed may still have its nimadm running,
        # and the remote script itself refuses a step that has ended.
        if runner.current is None:
            raise ControlError(f"{target} has no step to signal")
        spec = runner.current
        host = spec.host or self._run.config.host(target)
        result = await self._run.run_on(host, spec.remote.kill_script(signal_name))
        self._run.act(target, f"kill-{signal_name.lower()}", printable(result.stdout or result.stderr).strip())
        if not result.ok:
            raise ControlError(f"{target}: {printable(result.stderr or result.stdout).strip()}")
        return result

    async def cleanup(self, target: str) -> CommandResult:
        """The runbook's undo for the target (nimadm: `nimadm -C -c CLIENT -s SPOT`; alt_disk_copy:
        `alt_rootvg_op -X altinst_rootvg`): clean up what a failed or stopped run left behind."""
        runner = self._run.runner(target)
        if runner.progress.state in _BUSY:
            raise ControlError(f"{target} is still running: kill it before cleaning up")
        runbook = self._run.runbook.name
        undo = self._plan.undo_of(target)
        if undo is None:
            raise ControlError(f"runbook {runbook} has no clean-up for {target}")
        result = await self._run.run_on(undo.host, undo.command, timeout=1800)
        detail = f"{undo.command} on {undo.host.name} -> exit {result.exit_status}"
        self._run.act(target, "nimadm-cleanup" if runbook == "nimadm" else f"{undo.step_id}-undo", detail)
        return result

    def retry_from(self, target: str, phase: int, *, skip: frozenset[int] = frozenset()) -> None:
        """Run the target again from phase `phase` (nimadm: `nimadm ... -P N` .. `-P 12`) or from
        step `phase` of a step-by-step runbook, skipping `skip`. In a lockstep run the whole run goes
        on from that step, and a target that already did a step does not do it again."""
        run, scheduler = self._run, self._scheduler
        runner = run.runner(target)
        if runner.progress.state in (*_BUSY, TargetState.PENDING):
            raise ControlError(f"{target} is {runner.progress.state.value}: stop it before retrying")
        if not scheduler.active:
            raise ControlError("the run is not active")
        unit = self._plan.retry_unit
        if run.lockstep:
            if scheduler.busy:
                raise ControlError("the run is still going step by step: wait for it to stop")
            attempt = max(scheduler.attempts.values(), default=0) + 1
        else:
            attempt = scheduler.attempts.get(target, 0) + 1
        specs = self._plan.retry_specs(target, phase, attempt=attempt)
        if not [s for s in specs if (s.phase if unit == "phase" else s.index) not in skip]:
            raise ControlError(f"every {unit} from there on is skipped: nothing to run")
        detail = f"from {unit} {phase}" + (f", skipping {sorted(skip)}" if skip else "")
        if run.lockstep:
            self._retry_lockstep(target, phase, attempt, skip, detail)
            return
        scheduler.attempts[target] = attempt
        todo = []
        for spec in specs:
            number = spec.phase if unit == "phase" else spec.index
            self._plan_step(target, spec, skipped=number in skip)
            if number not in skip:
                todo.append(spec)
        run.act(target, "retry", detail)
        runner.restart_tracking(phase)
        runner.progress.state = TargetState.PENDING
        runner.announce(f"retry {detail}")
        scheduler.start(target, todo, resume=False)

    def _retry_lockstep(self, target: str, start: int, attempt: int, skip: frozenset[int], detail: str) -> None:
        """Go on with a stopped lockstep run from step `start`; steps a target already did are not redone."""
        run = self._run
        done = self._plan.succeeded_steps()
        plans: dict[str, list[StepSpec]] = {}
        for t in run.targets:
            plans[t] = []
            for spec in run.binding.steps(t, from_index=start, attempt=attempt):
                if (t, spec.step_id) in done:
                    continue
                self._plan_step(t, spec, skipped=spec.index in skip)
                if spec.index not in skip:
                    plans[t].append(spec)
            runner = run.runners[t]
            if plans[t]:
                runner.restart_tracking(start)
                runner.current = None
                runner.progress.state, runner.progress.finished_at, runner.progress.error = (
                    TargetState.PENDING,
                    None,
                    None,
                )
                runner.announce(f"retry {detail}" if t == target else f"run goes on ({detail} on {target})")
        self._scheduler.attempts = dict.fromkeys(run.targets, attempt)
        run.act(target, "retry", detail)
        self._scheduler.start_lockstep(plans, start)

    def _plan_step(self, target: str, spec: StepSpec, *, skipped: bool) -> None:
        run = self._run
        host = spec.host.name if spec.host is not None else target
        state = "skipped" if skipped else "pending"
        run.journal.plan_step(run.run_id, target, spec.name, host, spec.command, spec.remote.directory, state)

    def skip_phase(self, target: str) -> None:
        """Continue after the phase (or step) the target stopped in: retry from the next one."""
        runner = self._run.runner(target)
        phase = runner.progress.phase or 0
        unit = self._plan.retry_unit
        if phase >= self._plan.phases_total:
            raise ControlError(f"{target} stopped in {unit} {phase}: there is no {unit} after it")
        self._run.act(target, "skip-phase" if unit == "phase" else "skip-step", f"{unit} {phase}")
        self.retry_from(target, phase + 1)

    def mark_failed(self, target: str, reason: str) -> None:
        """The operator declares the target failed (its step, if any, is left as it is)."""
        runner = self._run.runner(target)
        reason = printable(reason).strip()  # an operator's note: kept as one printable line
        if not reason:
            raise ControlError("marking a target failed needs a reason")
        self._run.act(target, "mark-failed", reason)
        runner.progress.error = f"marked failed by {self._run.operator}: {reason}"
        runner.finish(TargetState.FAILED, reason=MARKED_FAILED)

    async def abort(self, target: str) -> None:
        """Stop a target: a waiting one never starts; a running one is killed and marked failed."""
        runner = self._run.runner(target)
        state = runner.progress.state
        if state is TargetState.PENDING:
            self._run.act(target, "abort", "before start")
            runner.progress.error = f"aborted by {self._run.operator} before it started"
            runner.finish(TargetState.BLOCKED, reason="aborted by the operator")
            return
        if state in _BUSY:
            await self.kill(target, "TERM")
            self._run.act(target, "abort", "killed while running")
            return
        raise ControlError(f"{target} is {state.value}: nothing to abort")

    # -- locks ----------------------------------------------------------------------------------
    def lock_refusal(self, target: str) -> Refusal | None:
        """Why `target` was not started for its lock (its holder, whether the operator may break it)."""
        runner = self._run.runner(target)
        return self._scheduler.locks.refusals.get(target) if runner.progress.state.finished else None

    async def break_lock(self, target: str) -> None:
        """The operator confirmed: break the stale lock that kept `target` back (journaled), start it.
        A cluster starts whole, so in a lockstep run every node that never started starts again."""
        run, scheduler = self._run, self._scheduler
        runner = run.runner(target)
        if self.lock_refusal(target) is None or not scheduler.active:
            raise ControlError(f"{target} is not kept back by a lock in an active run")
        try:
            refused = await scheduler.locks.break_lock(target)
        except (LookupError, PermissionError) as exc:
            raise ControlError(str(exc)) from None
        if refused is not None:
            runner.progress.error = refused.text
            runner.announce("still locked")
            raise ControlError(f"{target}: {refused.text}")
        kept = [t for t in run.targets if run.progress[t].state is TargetState.BLOCKED and not run.launched(t)]
        again = kept if run.lockstep else [target]
        for t in again:
            run.runners[t].progress.state, run.runners[t].progress.error = TargetState.PENDING, None
            run.runners[t].announce("lock broken by the operator" if t == target else "the cluster starts again")
        if run.lockstep:
            scheduler.start_lockstep({t: run.binding.steps(t) for t in again})
        else:
            scheduler.start(target, journaled_steps(run.binding, target, run.records(target)), resume=False)

    # -- the fleet ------------------------------------------------------------------------------
    async def pause_starts(self) -> None:
        await self._run.gate.pause()
        self._run.act(None, "pause-starts", "no new client starts until resumed")

    async def resume_starts(self) -> None:
        await self._run.gate.resume()
        self._run.act(None, "resume-starts", "")

    async def set_concurrency(self, limit: int, master: str | None = None) -> None:
        """Change how many targets run at once (with several NIM masters: `master`'s own limit)."""
        gate = self._run.gate
        if master is None and len(gate.gates) > 1:
            raise ControlError(f"this run has {len(gate.gates)} NIM masters: say whose concurrency to change")
        try:
            await gate.set_limit(limit, master)
        except ValueError as exc:
            raise ControlError(str(exc)) from exc
        self._run.act(None, "concurrency", f"{limit} on {master}" if master else str(limit))
