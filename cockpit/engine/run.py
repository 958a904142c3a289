"""A run of a runbook across the fleet: every target under the concurrency limit, none blocking another.

The plan names a runbook (cockpit/runbooks/*.yaml, or an operator's file) and its targets; the binding
(engine/binding.py) turns them into each target's steps. Two ways to go through them:

- independent (LPAR migrations: nimadm, alt_disk_copy ...): each target runs all its steps on its own;
- lockstep (clusters: linuxha, hacws): a step ends on every host it runs on before the next begins,
  and one failure stops the run, the other targets marked stopped with the reason.

Every step runs detached on its host (see domain/remote_step.py) and everything that happens goes into
the journal first, so `--resume` after a crash re-attaches to running steps, never runs a finished
step again, and starts only what never started.

The operator's controls (troubleshooting a stuck or failed target, steering the fleet) are methods
here; each one is journaled with who did it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cockpit.config.models import Config, Host
from cockpit.config.runbook import RunbookFile
from cockpit.domain import names, troubleshoot
from cockpit.domain.events import EventSink, FanOutSink, ListSink, RunFinished, RunStarted, TargetChanged
from cockpit.domain.models import TargetProgress, TargetState
from cockpit.domain.stall import PhaseTiming
from cockpit.domain.troubleshoot import TroubleProbe
from cockpit.domain.window import FleetEta, Window, clock_time, misses
from cockpit.engine.binding import STEP_NAME, Binding, StepSpec, UndoSpec
from cockpit.engine.follow import FollowPolicy
from cockpit.engine.journal import Journal, JournalSink, StepRecord
from cockpit.engine.limiter import StartGate
from cockpit.engine.logstore import LogStore
from cockpit.engine.target import TargetRunner
from cockpit.transports.base import CommandResult, Transport, TransportError

TransportFactory = Callable[[Host], Transport]
LEVEL_BEFORE = "oslevel-before"
"""Journal fact: the target's `oslevel -s` just before its first step (what a rollback goes back to)."""
FACT_TIMEOUT = 30.0


def new_run_id(clock: Callable[[], float] = time.time) -> str:
    t = clock()
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(t)) + f"-{int(t * 1000) % 1000:03d}"


class NothingToResume(Exception):
    """`--resume` was asked for but the journal holds no unfinished run of this config."""


class ControlError(Exception):
    """An operator action that does not fit the target's state; the message says why."""


class RunbookRun:
    """Runs the plan's runbook on every target.

    Each target gets its own connections: one dropped channel or a host's MaxSessions limit then
    touches one target, not the fleet.
    """

    def __init__(
        self,
        config: Config,
        transport_for: TransportFactory,
        *,
        config_path: Path | None = None,
        resume: bool = False,
        run_id: str | None = None,
        policy: FollowPolicy | None = None,
        clock: Callable[[], float] = time.time,
        operator: str = "operator",
        runbook: RunbookFile | None = None,
    ) -> None:
        """`runbook` overrides the plan's (a back-out runs the runbook's `backout` steps as one)."""
        self.config = config
        self.transport_for = transport_for
        self.clock = clock
        self.operator = operator
        self.config_key = str(config_path.resolve()) if config_path else "<memory>"
        self.journal = Journal(config.state_dir / "journal.sqlite", clock)
        self.binding = Binding(config, run_id or "pending", runbook)
        self.runbook = self.binding.runbook
        if resume:
            record = self.journal.latest_unfinished(self.config_key, self.runbook.name)
            if record is None:
                raise NothingToResume(f"no unfinished run of {self.config_key} in {self.journal.path}")
            run_id = record.run_id
        self.run_id = run_id or new_run_id(clock)
        self.binding.run_id = self.run_id
        follow = config.plan.follow
        self.policy = policy or FollowPolicy(
            poll=follow.poll, idle_poll=follow.idle_poll, give_up_after=follow.give_up_after
        )
        self.run_dir = config.state_dir / "runs" / self.run_id
        self.logs = LogStore(self.run_dir / "logs")
        self.targets = list(self.binding.targets)
        total = self.binding.phases_total
        self.progress = {t: TargetProgress(t, phases_total=total) for t in self.targets}
        self.observable = 4 * self.policy.idle_poll
        self.timing: Callable[[int | None], PhaseTiming] = self.binding.phase_timing(self.observable)
        self.gate = StartGate(config.plan.concurrency)
        self._plain_timing = self.binding.phase_timing()
        self.window = _window(config)
        self.eta = FleetEta(self._typical, self.binding.phases_total)
        """ETAs from this run's events (the UI and the window watch read it)."""
        self.flagged: set[str] = set()
        """Targets already announced as missing the window's end."""
        self.sink: EventSink = ListSink()
        self.runners: dict[str, TargetRunner] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._attempts: dict[str, int] = {}
        self._group: asyncio.TaskGroup | None = None
        self._wake = asyncio.Event()
        self._closed = False

    def _typical(self, index: int) -> float:
        """Expected seconds of phase (nimadm) or step `index`, scaled like the plan's clock."""
        if self.binding.single_phased:
            # Not self.timing: its floor (a few polls, for stall alarms) would inflate every short phase.
            return self._plain_timing(index).expected
        step = self.runbook.steps[min(max(index, 1), len(self.runbook.steps)) - 1]
        return self.binding.step_timing(step).expected

    @property
    def lockstep(self) -> bool:
        return self.runbook.mode == "lockstep"

    # -- the plan -------------------------------------------------------------------------------
    def command(self, target: str, phase: int | None = None) -> str:
        """The first step's command for `target` (with `phase`: that phase run alone, nimadm -P)."""
        step = self.runbook.steps[0]
        return self.binding.spec(target, step, 1, phase=phase).command

    def undo_of(self, target: str) -> UndoSpec | None:
        """What cleans up after the target: the undo of the last step it started that has one."""
        started = {
            m["id"]
            for r in self.journal.target_steps(self.run_id, target)
            if r.launched_at is not None and (m := STEP_NAME.fullmatch(r.step))
        }
        for step in reversed(self.runbook.steps):
            if step.undo is not None and (step.id in started or not started):
                undo = self.binding.undo(target, step.id)
                if undo is not None:
                    return undo
        return None

    def cleanup_command(self, target: str) -> str:
        """The clean-up line for this target (nimadm: `nimadm -C -c CLIENT -s SPOT`)."""
        undo = self.undo_of(target)
        if undo is None:
            raise ControlError(f"runbook {self.runbook.name} has no clean-up for {target}")
        return undo.command

    def cleanup_host(self, target: str) -> str:
        undo = self.undo_of(target)
        return undo.host.name if undo is not None else target

    def main_step(self, target: str) -> StepSpec:
        """The target's first step (for nimadm: the whole migration)."""
        return self.binding.steps(target)[0]

    def step_host(self, target: str) -> str:
        """Where the target's current (or first) step runs: what a kill or a process probe is about."""
        runner = self.runners.get(target)
        spec = runner.current if runner is not None and runner.current is not None else None
        spec = spec or (self.binding.steps(target) or [None])[0]
        return spec.host.name if spec is not None and spec.host is not None else target

    @property
    def steps(self) -> list[StepSpec]:
        """Every planned step of every target, in order (what `--dry-run` shows)."""
        return [spec for t in self.targets for spec in self.binding.steps(t)]

    def retry_commands(self, target: str, start: int) -> list[str]:
        """The commands a retry from phase / step `start` would run (lockstep: on every target, as
        `host: command`, without the steps a target already did)."""
        if not self.lockstep:
            return [spec.command for spec in self._retry_specs(target, start, attempt=0)]
        done = self._succeeded_steps()
        specs = [s for t in self.targets for s in self.binding.steps(t, from_index=start) if (t, s.step_id) not in done]
        specs.sort(key=lambda s: s.index)  # stable: within a step, in target order
        return [f"{s.host.name if s.host else s.target}: {s.command}" for s in specs]

    def _succeeded_steps(self) -> set[tuple[str, str]]:
        """(target, step id) pairs that succeeded in this run, in any attempt."""
        return {
            (t, m["id"])
            for t in self.targets
            for r in self.journal.target_steps(self.run_id, t)
            if r.state == TargetState.SUCCEEDED.value and (m := STEP_NAME.fullmatch(r.step))
        }

    @property
    def phases_total(self) -> int:
        """What retry and skip count up to: nimadm's 12 phases, or the runbook's steps."""
        return self.binding.phases_total

    @property
    def retry_unit(self) -> str:
        """What `retry_from` counts: `phase` (nimadm -P) or `step`."""
        return "phase" if self.binding.single_phased else "step"

    def log_path(self, target: str) -> Path:
        return self.logs.path(target)

    # -- the run --------------------------------------------------------------------------------
    async def run(
        self, sink: EventSink, blocked: Mapping[str, str] | None = None, *, keep_open: bool = False
    ) -> RunFinished:
        """Run every planned step; `blocked` (target -> why) are not started: the preflight gate.

        With `keep_open` (the TUI) the run stays open after the last step ends, announcing
        RunFinished each time it goes idle, so the operator can still retry a failed target;
        `close()` ends it.
        """
        self.sink = FanOutSink(sink, JournalSink(self.journal, self.run_id), EtaSink(self.eta))
        self.journal.start_run(self.run_id, self.runbook.name, self.config_key)
        for t in self.targets:
            for spec in self.binding.steps(t):
                host = spec.host.name if spec.host is not None else t
                self.journal.plan_step(self.run_id, t, spec.name, host, spec.command, spec.remote.directory)
        self.sink.emit(RunStarted(self.run_id, self.runbook.name, tuple(self.targets), self.clock()))
        self.runners = {
            t: TargetRunner(
                self.progress[t],
                self.sink,
                self.logs,
                self.journal,
                self.run_id,
                self.clock,
                self.timing,
                observable=self.observable,
            )
            for t in self.targets
        }
        plans: dict[str, list[StepSpec]] = {}
        for t in self.targets:
            records = self.journal.target_steps(self.run_id, t)
            progress = self.progress[t]
            _restore(progress, records)
            plans[t] = self._steps_from_journal(t, records)
            never_launched = all(r.launched_at is None for r in records)
            if blocked and t in blocked and never_launched and not progress.state.finished:
                progress.state, progress.error = TargetState.BLOCKED, f"not started: {blocked[t]}"
                self.runners[t].announce(reason="blocked by preflight")
                continue
            self.runners[t].announce()
        window_watch = asyncio.create_task(self._watch_window(), name="window") if self.window else None
        try:
            return await self._run_all(plans, keep_open)
        finally:
            if window_watch is not None:
                window_watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await window_watch

    async def _run_all(self, plans: dict[str, list[StepSpec]], keep_open: bool) -> RunFinished:
        async with asyncio.TaskGroup() as group:
            self._group = group
            if self.lockstep:
                self._start_lockstep(plans)
            else:
                for t in self.targets:
                    if self.progress[t].state.finished:
                        continue  # finished before a crash: never run a finished step again
                    resumed = any(r.launched_at is not None for r in self.journal.target_steps(self.run_id, t))
                    self._start(t, plans[t], resume=resumed)
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
        done = RunFinished(
            self.run_id,
            tuple(n for n, p in self.progress.items() if p.state is TargetState.SUCCEEDED),
            tuple(n for n, p in self.progress.items() if p.state is not TargetState.SUCCEEDED),
            self.clock(),
        )
        self.sink.emit(done)
        self.journal.finish_run(self.run_id, "succeeded" if done.ok else "failed")
        return done

    def close(self) -> None:
        """End a run started with keep_open once nothing runs (the TUI calls this when it quits)."""
        self._closed = True
        self._wake.set()

    def _steps_from_journal(self, target: str, records: list[StepRecord]) -> list[StepSpec]:
        """The target's step list as the journal knows it: the latest attempt's steps (a resumed
        retry continues where it was), the runbook's own when nothing was planned yet."""
        current = [r for r in _latest_attempt(records) if STEP_NAME.fullmatch(r.step)]
        if not current:
            return self.binding.steps(target)
        return [self.binding.from_journal(target, r.step, r.command, r.remote_dir) for r in current]

    def _start(self, target: str, steps: list[StepSpec], *, resume: bool) -> None:
        assert self._group is not None
        self._tasks[target] = self._group.create_task(self._one(target, steps, resume), name=f"target:{target}")
        self._wake.set()

    def _transport_of(self, spec: StepSpec) -> Transport:
        return self.transport_for(spec.host or self.config.host(spec.target))

    async def _one(self, target: str, steps: list[StepSpec], resume: bool) -> None:
        runner = self.runners[target]
        await self.gate.acquire()
        try:
            if runner.progress.state is TargetState.BLOCKED:
                return  # aborted by the operator (or stopped by the cutoff) while waiting for a slot
            if not resume and self._cut_off(target):
                return
            if not resume:
                await self._record_facts(target)
            try:
                await runner.run(self._transport_of, steps, self.policy, resume=resume)
            except Exception as exc:  # one target's bug must not end the others
                runner.progress.error = f"internal error: {type(exc).__name__}: {exc}"
                runner.finish(TargetState.FAILED, reason=runner.progress.error)
        finally:
            await self.gate.release()

    # -- lockstep -------------------------------------------------------------------------------
    def _start_lockstep(self, plans: dict[str, list[StepSpec]], from_index: int = 1) -> None:
        assert self._group is not None
        self._tasks["<lockstep>"] = self._group.create_task(self._lockstep(plans, from_index), name="lockstep")
        self._wake.set()

    async def _lockstep(self, plans: dict[str, list[StepSpec]], from_index: int) -> None:
        """Step by step: every target that has step i runs it (up to the concurrency limit) before
        any target starts step i+1; a failure stops the run and says so on the targets left."""
        live = [t for t in self.targets if not self.progress[t].state.finished]
        fresh = [t for t in live if not any(r.launched_at for r in self.journal.target_steps(self.run_id, t))]
        # A cluster is started whole or not at all: at the cutoff, not at all.
        whole = bool(fresh) and len(fresh) == len(live) and from_index == 1
        if whole and any([self._cut_off(t) for t in live]):
            return
        for t in fresh:
            await self._record_facts(t)
        last_index = {t: max((s.index for s in plans[t]), default=0) for t in live}
        for index in range(from_index, len(self.runbook.steps) + 1):
            batch = {t: [s for s in plans[t] if s.index == index] for t in live}
            batch = {t: specs for t, specs in batch.items() if specs}
            if not batch:
                continue
            results = await asyncio.gather(
                *(self._lockstep_one(t, specs, final=index >= last_index[t]) for t, specs in batch.items())
            )
            failed = [t for t, ok in zip(batch, results, strict=True) if not ok]
            if failed:
                step = self.runbook.steps[index - 1]
                why = f"stopped: {', '.join(failed)} failed at step {index} ({step.id})"
                for t in live:
                    runner = self.runners[t]
                    if t not in failed and not runner.progress.state.finished:
                        runner.current = None  # the steps it ran succeeded; the stop is the run's
                        runner.progress.error = why
                        runner.finish(TargetState.BLOCKED, reason=why)
                return
        for t in live:  # targets whose last step came early wait in RUNNING until the run ends
            runner = self.runners[t]
            if runner.progress.state is TargetState.RUNNING:
                runner.current = None
                runner.finish(TargetState.SUCCEEDED)

    async def _lockstep_one(self, target: str, specs: list[StepSpec], *, final: bool) -> bool:
        runner = self.runners[target]
        if runner.progress.state.finished:
            return runner.progress.state is TargetState.SUCCEEDED
        await self.gate.acquire()
        try:
            resumed = any(
                r.launched_at is not None and r.finished_at is None
                for r in self.journal.target_steps(self.run_id, target)
            )
            return await runner.run(self._transport_of, specs, self.policy, resume=resumed, final=final)
        except Exception as exc:  # one target's bug must not end the others
            runner.progress.error = f"internal error: {type(exc).__name__}: {exc}"
            runner.finish(TargetState.FAILED, reason=runner.progress.error)
            return False
        finally:
            await self.gate.release()

    # -- the maintenance window -----------------------------------------------------------------
    def _cut_off(self, target: str) -> bool:
        """Past the window's cutoff a target that never started does not start; True when so."""
        if self.window is None or not self.window.past_cutoff(self.clock()):
            return False
        runner = self.runners[target]
        when = clock_time(self.window.last_start)
        runner.progress.error = f"not started: the window's cutoff ({when}) has passed"
        runner.finish(TargetState.BLOCKED, reason="cutoff passed")
        self.journal.record_event(self.run_id, target, "cutoff", {"cutoff": self.window.last_start})
        return True

    async def _watch_window(self) -> None:
        """Flag targets whose ETA passes the window's end (once each), and at the cutoff stop every
        target still waiting for a slot: the operator sees it at once, not when a slot frees up."""
        assert self.window is not None
        cut = False
        while True:
            now = self.clock()
            for target, runner in self.runners.items():
                eta = self.eta.eta(target, now)
                if target not in self.flagged and misses(eta, self.window):
                    self.flagged.add(target)
                    end, at = clock_time(self.window.end), clock_time(eta or now)
                    self.journal.record_event(
                        self.run_id, target, "eta-past-window", {"eta": eta, "end": self.window.end}
                    )
                    runner.announce(f"ETA {at} is past the window's end {end}")
            if not cut and self.window.past_cutoff(now):
                cut = True
                self._act(None, "cutoff", "the window's cutoff passed: no new host starts")
                for target, runner in self.runners.items():
                    never = not any(r.launched_at for r in self.journal.target_steps(self.run_id, target))
                    if runner.progress.state is TargetState.PENDING and never and not self.lockstep:
                        self._cut_off(target)
            await asyncio.sleep(1.0 if self.window.end - now > 60 else 0.2)

    # -- facts ----------------------------------------------------------------------------------
    async def _record_facts(self, target: str) -> None:
        """Journal the runbook's facts of the target (its level before), once per run.

        Best effort by design: a target the cockpit cannot reach over SSH may still be migrated
        (nimadm talks to it through nimsh), so it only ends up without the fact.
        """
        for fact in self.runbook.facts:
            if self.journal.fact(target, fact.key, self.run_id) is not None:
                continue
            transport = self.transport_for(self.config.host(target))
            value, why = None, ""
            command = self.binding.render(fact.run, target)
            try:
                result = await asyncio.wait_for(transport.run(command, timeout=FACT_TIMEOUT), FACT_TIMEOUT)
                lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
                value = lines[0] if result.ok and lines else None
                why = f"{command}: exit {result.exit_status}: {(result.stderr or result.stdout).strip()[:200]}"
            except Exception as exc:  # unreachable, timed out, or a bug: never a reason to hold the run
                why = f"{type(exc).__name__}: {exc}"
            finally:
                with contextlib.suppress(Exception):
                    await transport.close()
            if value:
                self.journal.record_fact(self.run_id, target, fact.key, value)
            else:
                self.journal.record_event(self.run_id, target, f"{fact.key}-unknown", {"reason": why})

    # -- operator controls ----------------------------------------------------------------------
    def _act(self, target: str | None, action: str, detail: str) -> None:
        self.journal.record_action(self.run_id, target, action, detail, self.operator)

    def _runner(self, target: str) -> TargetRunner:
        if target not in self.runners:
            raise ControlError(f"{target} is not a target of this run")
        return self.runners[target]

    def snooze(self, target: str, seconds: float) -> None:
        """Keep waiting: no stall alarm for `seconds`."""
        self._runner(target).snooze(seconds)
        self._act(target, "snooze", f"{seconds:.0f}s")

    async def kill(self, target: str, signal_name: str = "TERM") -> CommandResult:
        """Interrupt (INT/TERM) or kill (KILL) the remote processes of the target's current step."""
        runner = self._runner(target)
        # Judged by the step, not the row: a client marked failed may still have its nimadm running,
        # and the remote script itself refuses a step that has ended.
        if runner.current is None:
            raise ControlError(f"{target} has no step to signal")
        spec = runner.current
        result = await self._on(spec.host or self.config.host(target), spec.remote.kill_script(signal_name))
        self._act(target, f"kill-{signal_name.lower()}", (result.stdout or result.stderr).strip())
        if not result.ok:
            raise ControlError(f"{target}: {(result.stderr or result.stdout).strip()}")
        return result

    async def cleanup(self, target: str) -> CommandResult:
        """The runbook's undo for the target (nimadm: `nimadm -C -c CLIENT -s SPOT`; alt_disk_copy:
        `alt_rootvg_op -X altinst_rootvg`): clean up what a failed or stopped run left behind."""
        runner = self._runner(target)
        if runner.progress.state in (TargetState.RUNNING, TargetState.STALLED):
            raise ControlError(f"{target} is still running: kill it before cleaning up")
        undo = self.undo_of(target)
        if undo is None:
            raise ControlError(f"runbook {self.runbook.name} has no clean-up for {target}")
        result = await self._on(undo.host, undo.command, timeout=1800)
        detail = f"{undo.command} on {undo.host.name} -> exit {result.exit_status}"
        self._act(target, "nimadm-cleanup" if self.runbook.name == "nimadm" else f"{undo.step_id}-undo", detail)
        return result

    def _retry_specs(
        self, target: str, start: int, *, attempt: int, skip: frozenset[int] = frozenset()
    ) -> list[StepSpec]:
        """The steps a retry from `start` runs: phases start..N of a multi-phase step (nimadm -P),
        else the runbook's steps from position `start` on."""
        if self.binding.single_phased:
            step = self.runbook.steps[0]
            if not 1 <= start <= step.phases:
                raise ControlError(f"phase {start} is not between 1 and {step.phases}")
            if step.phase_run is None:
                raise ControlError(f"step {step.id} cannot be resumed at a phase")
            return [
                self.binding.spec(target, step, 1, phase=n, attempt=attempt)
                for n in range(start, step.phases + 1)
                if n not in skip
            ]
        if not 1 <= start <= len(self.runbook.steps):
            raise ControlError(f"step {start} is not between 1 and {len(self.runbook.steps)}")
        return [s for s in self.binding.steps(target, from_index=start, attempt=attempt) if s.index not in skip]

    def retry_from(self, target: str, phase: int, *, skip: frozenset[int] = frozenset()) -> None:
        """Run the target again from phase `phase` (nimadm: `nimadm ... -P N` .. `-P 12`) or from
        step `phase` of a step-by-step runbook, skipping `skip`. In a lockstep run the whole run goes
        on from that step, and a target that already did a step does not do it again."""
        runner = self._runner(target)
        if runner.progress.state in (TargetState.RUNNING, TargetState.STALLED, TargetState.PENDING):
            raise ControlError(f"{target} is {runner.progress.state.value}: stop it before retrying")
        if self._group is None:
            raise ControlError("the run is not active")
        unit = self.retry_unit
        if self.lockstep:
            if any(not t.done() for t in self._tasks.values()):
                raise ControlError("the run is still going step by step: wait for it to stop")
            attempt = max(self._attempts.values(), default=0) + 1
        else:
            attempt = self._attempts.get(target, 0) + 1
        specs = self._retry_specs(target, phase, attempt=attempt)
        if not [s for s in specs if (s.phase if unit == "phase" else s.index) not in skip]:
            raise ControlError(f"every {unit} from there on is skipped: nothing to run")
        detail = f"from {unit} {phase}" + (f", skipping {sorted(skip)}" if skip else "")
        if self.lockstep:
            self._retry_lockstep(target, phase, attempt, skip, detail)
            return
        self._attempts[target] = attempt
        todo = []
        for spec in specs:
            number = spec.phase if unit == "phase" else spec.index
            state = "skipped" if number in skip else "pending"
            host = spec.host.name if spec.host is not None else target
            self.journal.plan_step(self.run_id, target, spec.name, host, spec.command, spec.remote.directory, state)
            if number not in skip:
                todo.append(spec)
        self._act(target, "retry", detail)
        runner.restart_tracking(phase)
        runner.progress.state = TargetState.PENDING
        runner.announce(f"retry {detail}")
        self._start(target, todo, resume=False)

    def _retry_lockstep(self, target: str, start: int, attempt: int, skip: frozenset[int], detail: str) -> None:
        """Go on with a stopped lockstep run from step `start`; steps a target already did are not redone."""
        done = self._succeeded_steps()
        plans: dict[str, list[StepSpec]] = {}
        for t in self.targets:
            plans[t] = []
            for spec in self.binding.steps(t, from_index=start, attempt=attempt):
                if (t, spec.step_id) in done:
                    continue
                host = spec.host.name if spec.host is not None else t
                state = "skipped" if spec.index in skip else "pending"
                self.journal.plan_step(self.run_id, t, spec.name, host, spec.command, spec.remote.directory, state)
                if spec.index not in skip:
                    plans[t].append(spec)
            runner = self.runners[t]
            if plans[t]:
                runner.restart_tracking(start)
                runner.current = None
                runner.progress.state, runner.progress.finished_at, runner.progress.error = (
                    TargetState.PENDING,
                    None,
                    None,
                )
                runner.announce(f"retry {detail}" if t == target else f"run goes on ({detail} on {target})")
        self._attempts = dict.fromkeys(self.targets, attempt)
        self._act(target, "retry", detail)
        self._start_lockstep(plans, start)

    def skip_phase(self, target: str) -> None:
        """Continue after the phase (or step) the target stopped in: retry from the next one."""
        runner = self._runner(target)
        phase = runner.progress.phase or 0
        if phase >= self.binding.phases_total:
            raise ControlError(f"{target} stopped in {self.retry_unit} {phase}: there is no {self.retry_unit} after it")
        self._act(target, "skip-phase" if self.retry_unit == "phase" else "skip-step", f"{self.retry_unit} {phase}")
        self.retry_from(target, phase + 1)

    def mark_failed(self, target: str, reason: str) -> None:
        """The operator declares the target failed (its step, if any, is left as it is)."""
        runner = self._runner(target)
        if not reason.strip():
            raise ControlError("marking a target failed needs a reason")
        self._act(target, "mark-failed", reason)
        runner.progress.error = f"marked failed by {self.operator}: {reason}"
        runner.finish(TargetState.FAILED, reason="marked failed by the operator")

    async def abort(self, target: str) -> None:
        """Stop a target: a waiting one never starts; a running one is killed and marked failed."""
        runner = self._runner(target)
        state = runner.progress.state
        if state is TargetState.PENDING:
            self._act(target, "abort", "before start")
            runner.progress.error = f"aborted by {self.operator} before it started"
            runner.finish(TargetState.BLOCKED, reason="aborted by the operator")
            return
        if state in (TargetState.RUNNING, TargetState.STALLED):
            await self.kill(target, "TERM")
            self._act(target, "abort", "killed while running")
            return
        raise ControlError(f"{target} is {state.value}: nothing to abort")

    async def pause_starts(self) -> None:
        await self.gate.pause()
        self._act(None, "pause-starts", "no new client starts until resumed")

    async def resume_starts(self) -> None:
        await self.gate.resume()
        self._act(None, "resume-starts", "")

    async def set_concurrency(self, limit: int) -> None:
        await self.gate.set_limit(limit)
        self._act(None, "concurrency", str(limit))

    # -- troubleshooting probes -----------------------------------------------------------------
    def trouble_probes(self, target: str) -> list[TroubleProbe]:
        """The runbook's looks (and for nimadm the master-side ones: its log, NFS mounts, nimsh ...)."""
        found = troubleshoot.probes(self.config.host(target).nim_object) if self.runbook.name == "nimadm" else []
        if not found:
            found.append(
                TroubleProbe(
                    "processes",
                    "processes of the step",
                    "step",
                    "ps -e -o pid,ppid,etime,args",
                    "Is the step still alive, and what is it waiting on?",
                )
            )
        for p in self.runbook.probes:
            if self.binding.host_for(p.on, target) is None:
                continue
            on = "master" if p.on == "master" else "client"
            found.append(TroubleProbe(p.key, p.title, on, self.binding.render(p.run, target), p.title))
        return found

    async def probe(self, target: str, key: str) -> ProbeOutput:
        """Run one troubleshooting probe now and return what it showed (journaled as looked at)."""
        runner = self._runner(target)
        spec = next((p for p in self.trouble_probes(target) if p.key == key), None)
        if spec is None:
            raise ControlError(f"no probe {key!r}")
        if spec.key == "processes":
            host = self.config.host(self.step_host(target))
        else:
            host = self.config.master if spec.on == "master" else self.config.host(target)
        result = await self._on(host, spec.command)
        text = (result.stdout + result.stderr).rstrip("\n")
        if key == "processes":
            step = runner.current or self.main_step(target)
            pid_result = await self._on(host, names.command_line("cat", f"{step.remote.directory}/pid"))
            pid = pid_result.stdout.strip()
            tree = troubleshoot.process_tree(troubleshoot.parse_ps(result.stdout), int(pid)) if pid.isdigit() else []
            text = f"step {step.name}, wrapper pid {pid or '?'}\n" + troubleshoot.render_tree(tree)
        elif key == "nfs_mounts":
            lines = troubleshoot.client_mounts(result.stdout, self.config.host(target).nim_object)
            text = "\n".join(lines) if lines else "(no NFS mount of this client on the master)"
        self._act(target, "probe", spec.command)
        return ProbeOutput(spec, host.name, result.exit_status, text)

    async def _on(self, host: Host, command: str, timeout: float = 60) -> CommandResult:
        transport = self.transport_for(host)
        try:
            return await transport.run(command, timeout=timeout)
        except TransportError as exc:
            raise ControlError(str(exc)) from exc
        finally:
            await transport.close()


class EtaSink:
    """Feeds the run's TargetChanged events to its ETA model."""

    def __init__(self, eta: FleetEta) -> None:
        self._eta = eta

    def emit(self, event: object) -> None:
        if isinstance(event, TargetChanged):
            self._eta.feed(event)


def _window(config: Config) -> Window | None:
    w = config.plan.window
    if w is None:
        return None
    return Window(w.epoch(w.start), w.epoch(w.end), w.epoch(w.cutoff) if w.cutoff is not None else None)


NimadmRun = RunbookRun
"""The name of the first slice, when nimadm was the only runbook."""


@dataclass(frozen=True)
class ProbeOutput:
    probe: TroubleProbe
    host: str
    exit_status: int
    text: str


def _latest_attempt(records: list[StepRecord]) -> list[StepRecord]:
    """The records of the newest attempt (a retry supersedes what it retries)."""
    parsed = [(r, STEP_NAME.fullmatch(r.step)) for r in records]
    attempts = [int(m["attempt"] or 0) for _, m in parsed if m is not None]
    if not attempts:
        return records
    latest = max(attempts)
    return [r for r, m in parsed if m is not None and int(m["attempt"] or 0) == latest]


def _restore(progress: TargetProgress, records: list[StepRecord]) -> None:
    """After a restart: the target's state as its journaled steps left it.

    A failed step ends the target; every step succeeded (or skipped) means it succeeded; otherwise
    it is still under way and the run re-attaches or goes on. An unreachable target may still be
    running on its host: resume re-attaches to it.
    """
    current = _latest_attempt(records)
    touched = [r for r in current if r.launched_at is not None or r.finished_at is not None]
    if not touched:
        return
    last = touched[-1]
    progress.phase = last.phase
    progress.started_at = next((r.started_at for r in records if r.started_at is not None), last.started_at)
    progress.error = last.error
    progress.exit_status = last.exit_status
    ended = [r for r in current if r.state in (TargetState.FAILED.value, TargetState.BLOCKED.value)]
    if ended:
        progress.state = TargetState(ended[0].state)
        progress.error = ended[0].error
        progress.finished_at = ended[0].finished_at
    elif all(r.state in (TargetState.SUCCEEDED.value, "skipped") for r in current):
        progress.state = TargetState.SUCCEEDED
        progress.finished_at = last.finished_at
