"""When each target's steps run: every target on its own under the concurrency limit (independent
runbooks), or step by step across the targets (lockstep), and the run's start and end.

Each target's steps run in a task of one TaskGroup; retries the operator starts join the same group,
so the run ends when the last of them does (or, kept open for the TUI, when `close()` is called).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from cockpit.domain.events import RunFinished, RunStarted
from cockpit.domain.models import TargetState
from cockpit.domain.stall import PhaseTiming
from cockpit.engine.binding import StepSpec
from cockpit.engine.follow import FollowPolicy
from cockpit.engine.host_locks import TargetLocks
from cockpit.engine.logstore import LogStore
from cockpit.engine.run.context import RunContext
from cockpit.engine.run.facts import FactRecorder
from cockpit.engine.run.restore import journaled_steps, restore
from cockpit.engine.run.window_watch import WindowWatch
from cockpit.engine.storage import StorageHealth
from cockpit.engine.target import TargetRunner
from cockpit.transports.base import Transport

LOCKSTEP_TASK = "<lockstep>"
"""The key of the one task that drives a lockstep run (independent runs have one task per target)."""


class Scheduler:
    def __init__(
        self,
        context: RunContext,
        *,
        logs: LogStore,
        policy: FollowPolicy,
        timing: Callable[[int | None], PhaseTiming],
        observable: float,
        facts: FactRecorder,
        window: WindowWatch,
        locks: TargetLocks,
        health: StorageHealth,
    ) -> None:
        self._run = context
        self.locks = locks
        self._health = health
        self._logs = logs
        self._policy = policy
        self._timing = timing
        self._observable = observable
        self._facts = facts
        self._window = window
        self.attempts: dict[str, int] = {}
        """The latest retry number of each target (0: the first run); step names carry it (`-rN`)."""
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._group: asyncio.TaskGroup | None = None
        self._wake = asyncio.Event()
        self._closed = False

    @property
    def active(self) -> bool:
        """The run is under way: steps may still be started (a retry joins it)."""
        return self._group is not None

    @property
    def busy(self) -> bool:
        """Some target's steps (or the lockstep walk) are still going."""
        return any(not task.done() for task in self._tasks.values())

    def close(self) -> None:
        """End a run started with keep_open once nothing runs (the TUI calls this when it quits)."""
        self._closed = True
        self._wake.set()

    # -- the run --------------------------------------------------------------------------------
    async def run(self, blocked: Mapping[str, str], *, keep_open: bool) -> RunFinished:
        """Plan every step in the journal, restore what a previous start left, and run the rest;
        `blocked` (target -> why) are not started."""
        run = self._run
        run.journal.start_run(run.run_id, run.run_kind, run.config_key)
        masters = {t: m.name for t in run.targets if (m := run.config.master_of(t)) is not None}
        if masters and not any(e.kind == "masters" for e in run.journal.events_after(run.run_id)):  # once per run
            # Which NIM master migrates each target: the record groups by it (plans with several).
            run.journal.record_event(run.run_id, None, "masters", masters)
        with run.journal.batch():  # one commit for the plan (12,000 steps wrote 12,000)
            for t in run.targets:
                adopted = run.adopted.get(t)
                for spec in [adopted] if adopted is not None else run.binding.steps(t):
                    host = spec.host.name if spec.host is not None else t
                    run.journal.plan_step(run.run_id, t, spec.name, host, spec.command, spec.remote.directory)
        self._health.watch(run.sink)  # from here a full disk is told and the hosts still followed
        run.sink.emit(RunStarted(run.run_id, run.run_kind, tuple(run.targets), run.clock()))
        run.runners.clear()
        run.runners.update({t: self._new_runner(t) for t in run.targets})
        plans: dict[str, list[StepSpec]] = {}
        for t in run.targets:
            records = run.records(t)
            progress = run.progress[t]
            adopted = run.adopted.get(t)
            if adopted is not None and adopted.adopted is not None:
                # Already running when the cockpit came: followed from now on, started when it started.
                plans[t] = [adopted]
                progress.started_at = adopted.adopted.started_at
                run.runners[t].announce(reason=f"found running: pid {adopted.adopted.found.pid}")
                continue
            restore(progress, records)
            plans[t] = journaled_steps(run.binding, t, records)
            never_launched = all(r.launched_at is None for r in records)
            if t in blocked and never_launched and not progress.state.finished:
                progress.state, progress.error = TargetState.BLOCKED, f"not started: {blocked[t]}"
                run.runners[t].announce(reason="blocked by preflight")
                continue
            run.runners[t].announce()
        # One cockpit per target (a migration found running, `cockpit attach`, is followed, not launched).
        ours = [t for t in run.targets if t not in run.adopted]
        await self.locks.admit(run.runners, ours, lockstep=run.lockstep)
        return await self._run_all(plans, keep_open)

    def _new_runner(self, target: str) -> TargetRunner:
        run = self._run
        return TargetRunner(
            run.progress[target],
            run.sink,
            self._logs,
            run.journal,
            run.run_id,
            run.clock,
            self._timing,
            observable=self._observable,
        )

    async def _run_all(self, plans: dict[str, list[StepSpec]], keep_open: bool) -> RunFinished:
        run = self._run
        async with asyncio.TaskGroup() as group:
            self._group = group
            if run.lockstep:
                self.start_lockstep(plans)
            else:
                for t in run.targets:
                    if run.progress[t].state.finished:
                        continue  # finished before a crash: never run a finished step again
                    self.start(t, plans[t], resume=run.launched(t))
            # Retries started by the operator join the group; wait for those too.
            while True:
                busy = [task for task in self._tasks.values() if not task.done()]
                if busy:
                    self._wake.clear()
                    waker = asyncio.ensure_future(self._wake.wait())
                    await asyncio.wait([*busy, waker], return_when=asyncio.FIRST_COMPLETED)
                    waker.cancel()
                    continue
                done = self._finished()
                if not keep_open or self._closed:
                    break
                self._wake.clear()
                await self._wake.wait()
        self._group = None
        return done

    def _finished(self) -> RunFinished:
        run = self._run
        done = RunFinished(
            run.run_id,
            tuple(n for n, p in run.progress.items() if p.state is TargetState.SUCCEEDED),
            tuple(n for n, p in run.progress.items() if p.state is not TargetState.SUCCEEDED),
            run.clock(),
        )
        run.sink.emit(done)
        run.journal.finish_run(run.run_id, "succeeded" if done.ok else "failed")
        return done

    def _transport_of(self, spec: StepSpec) -> Transport:
        return self._run.transport_for(spec.host or self._run.config.host(spec.target))

    # -- independent targets --------------------------------------------------------------------
    def start(self, target: str, steps: list[StepSpec], *, resume: bool) -> None:
        """Run `steps` of `target` in the run's group (`resume`: re-attach to a launched step)."""
        assert self._group is not None
        self._tasks[target] = self._group.create_task(self._one(target, steps, resume), name=f"target:{target}")
        self._wake.set()

    async def _one(self, target: str, steps: list[StepSpec], resume: bool) -> None:
        runner = self._run.runners[target]
        # A migration someone else started runs already: no slot to wait for, no cutoff, no facts.
        adopted = bool(steps) and steps[0].adopted is not None
        if not adopted:
            await self._run.gate.acquire(target)
        try:
            if runner.progress.state is TargetState.BLOCKED:
                return  # aborted by the operator (or stopped by the cutoff) while waiting for a slot
            if not resume and not adopted and self._window.cut_off(target):
                return
            if not adopted and not await self.locks.admit(self._run.runners, [target], lockstep=False):
                return  # a retry, and another cockpit took the target meanwhile
            if not resume and not adopted:
                await self._facts.record(target)
            try:
                await runner.run(self._transport_of, steps, self._policy, resume=resume)
            except Exception as exc:  # one target's bug must not end the others
                runner.progress.error = f"internal error: {type(exc).__name__}: {exc}"
                runner.finish(TargetState.FAILED, reason=runner.progress.error)
        finally:
            if not adopted:
                await self.locks.release_ended([target], lambda t: self._run.progress[t].state)
                await self._run.gate.release(target)

    # -- lockstep -------------------------------------------------------------------------------
    def start_lockstep(self, plans: dict[str, list[StepSpec]], from_index: int = 1) -> None:
        """Walk the runbook's steps from `from_index` across every target (`plans`: each target's steps)."""
        assert self._group is not None
        self._tasks[LOCKSTEP_TASK] = self._group.create_task(self._lockstep(plans, from_index), name="lockstep")
        self._wake.set()

    async def _lockstep(self, plans: dict[str, list[StepSpec]], from_index: int) -> None:
        """Step by step: every target that has step i runs it (up to the concurrency limit) before
        any target starts step i+1; a failure stops the run and says so on the targets left."""
        run = self._run
        live = [t for t in run.targets if not run.progress[t].state.finished]
        if not await self.locks.admit(run.runners, live, lockstep=True):
            return  # a cluster starts whole: a locked node keeps every node back
        try:
            await self._lockstep_steps(plans, from_index, live)
        finally:
            await self.locks.release_ended(live, lambda t: run.progress[t].state)

    async def _lockstep_steps(self, plans: dict[str, list[StepSpec]], from_index: int, live: list[str]) -> None:
        run = self._run
        fresh = [t for t in live if not run.launched(t)]
        # A cluster is started whole or not at all: at the cutoff, not at all.
        whole = bool(fresh) and len(fresh) == len(live) and from_index == 1
        if whole and any([self._window.cut_off(t) for t in live]):
            return
        for t in fresh:
            await self._facts.record(t)
        last_index = {t: max((s.index for s in plans[t]), default=0) for t in live}
        for index in range(from_index, len(run.runbook.steps) + 1):
            batch = {t: [s for s in plans[t] if s.index == index] for t in live}
            batch = {t: specs for t, specs in batch.items() if specs}
            if not batch:
                continue
            results = await asyncio.gather(
                *(self._lockstep_one(t, specs, final=index >= last_index[t]) for t, specs in batch.items())
            )
            failed = [t for t, ok in zip(batch, results, strict=True) if not ok]
            if failed:
                step = run.runbook.steps[index - 1]
                why = f"stopped: {', '.join(failed)} failed at step {index} ({step.id})"
                for t in live:
                    runner = run.runners[t]
                    if t not in failed and not runner.progress.state.finished:
                        runner.current = None  # the steps it ran succeeded; the stop is the run's
                        runner.progress.error = why
                        runner.finish(TargetState.BLOCKED, reason=why)
                return
        for t in live:  # targets whose last step came early wait in RUNNING until the run ends
            runner = run.runners[t]
            if runner.progress.state is TargetState.RUNNING:
                runner.current = None
                runner.finish(TargetState.SUCCEEDED)

    async def _lockstep_one(self, target: str, specs: list[StepSpec], *, final: bool) -> bool:
        run = self._run
        runner = run.runners[target]
        if runner.progress.state.finished:
            return runner.progress.state is TargetState.SUCCEEDED
        await run.gate.acquire(target)
        try:
            resumed = any(r.launched_at is not None and r.finished_at is None for r in run.records(target))
            return await runner.run(self._transport_of, specs, self._policy, resume=resumed, final=final)
        except Exception as exc:  # one target's bug must not end the others
            runner.progress.error = f"internal error: {type(exc).__name__}: {exc}"
            runner.finish(TargetState.FAILED, reason=runner.progress.error)
            return False
        finally:
            await run.gate.release(target)
