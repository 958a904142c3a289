"""A migration run across the fleet: every client under the concurrency limit, none blocking another.

Every step runs detached on the NIM master (see domain/remote_step.py) and everything that happens
goes into the journal first, so `--resume` after a crash re-attaches to running steps, never runs a
finished step again, and starts only what never started.

The operator's controls (troubleshooting a stuck or failed client, steering the fleet) are methods
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
from cockpit.domain import names, troubleshoot
from cockpit.domain.events import EventSink, FanOutSink, ListSink, RunFinished, RunStarted
from cockpit.domain.models import TargetProgress, TargetState
from cockpit.domain.nimadm import PHASES
from cockpit.domain.nimadm_commands import nimadm_cleanup, nimadm_migrate
from cockpit.domain.remote_step import RemoteStep
from cockpit.domain.rollback import oslevel_of
from cockpit.domain.stall import PhaseTiming, timing_for
from cockpit.domain.troubleshoot import TroubleProbe
from cockpit.engine.follow import FollowPolicy
from cockpit.engine.journal import Journal, JournalSink, StepRecord
from cockpit.engine.limiter import StartGate
from cockpit.engine.logstore import LogStore
from cockpit.engine.target import StepSpec, TargetRunner
from cockpit.transports.base import CommandResult, Transport, TransportError

TransportFactory = Callable[[Host], Transport]
STEP = "nimadm"
LEVEL_BEFORE = "oslevel-before"
"""Journal fact: the client's `oslevel -s` just before its nimadm step started (what a rollback goes back to)."""
LEVEL_PROBE_TIMEOUT = 30.0


def new_run_id(clock: Callable[[], float] = time.time) -> str:
    t = clock()
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(t)) + f"-{int(t * 1000) % 1000:03d}"


class NothingToResume(Exception):
    """`--resume` was asked for but the journal holds no unfinished run of this config."""


class ControlError(Exception):
    """An operator action that does not fit the target's state; the message says why."""


class NimadmRun:
    """Runs `nimadm` on the NIM master for every planned client.

    Each client gets its own connection to the master: one dropped channel or the master's
    MaxSessions limit then touches one client, not the fleet.
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
    ) -> None:
        self.config = config
        self.transport_for = transport_for
        self.clock = clock
        self.operator = operator
        self.config_key = str(config_path.resolve()) if config_path else "<memory>"
        self.journal = Journal(config.state_dir / "journal.sqlite", clock)
        if resume:
            record = self.journal.latest_unfinished(self.config_key)
            if record is None:
                raise NothingToResume(f"no unfinished run of {self.config_key} in {self.journal.path}")
            run_id = record.run_id
        self.run_id = run_id or new_run_id(clock)
        follow = config.plan.follow
        self.policy = policy or FollowPolicy(
            poll=follow.poll, idle_poll=follow.idle_poll, give_up_after=follow.give_up_after
        )
        self.run_dir = config.state_dir / "runs" / self.run_id
        self.logs = LogStore(self.run_dir / "logs")
        self.targets = [c.host for c in config.plan.clients]
        self.progress = {t: TargetProgress(t) for t in self.targets}
        self.timing = phase_timing(config, observable=4 * self.policy.idle_poll)
        self.gate = StartGate(config.plan.concurrency)
        self.sink: EventSink = ListSink()
        self.runners: dict[str, TargetRunner] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._attempts: dict[str, int] = {}
        self._group: asyncio.TaskGroup | None = None
        self._wake = asyncio.Event()
        self._closed = False

    # -- the plan -------------------------------------------------------------------------------
    def command(self, target: str, phase: int | None = None) -> str:
        plan = self.config.plan
        client = next(c for c in plan.clients if c.host == target)
        return nimadm_migrate(
            self.config.host(target).nim_object,
            plan.lpp_source_for(client),
            plan.spot_for(client),
            client.disks,
            cache_vg=plan.cache_vg,
            phase=phase,
        )

    def cleanup_command(self, target: str) -> str:
        """`nimadm -C -c CLIENT -s SPOT` for this target."""
        plan = self.config.plan
        client = next(c for c in plan.clients if c.host == target)
        return nimadm_cleanup(self.config.host(target).nim_object, plan.spot_for(client))

    def main_step(self, target: str) -> StepSpec:
        return StepSpec(target, STEP, self.command(target), self._remote(f"{target}.{STEP}"))

    def _remote(self, key: str) -> RemoteStep:
        return RemoteStep.under(self.config.master.work_dir, self.run_id, key)

    @property
    def steps(self) -> list[StepSpec]:
        """The first step of every target (what `--dry-run` shows)."""
        return [self.main_step(t) for t in self.targets]

    def log_path(self, target: str) -> Path:
        return self.logs.path(target)

    # -- the run --------------------------------------------------------------------------------
    async def run(
        self, sink: EventSink, blocked: Mapping[str, str] | None = None, *, keep_open: bool = False
    ) -> RunFinished:
        """Run every planned step; `blocked` (target -> why) are not started: the preflight gate.

        With `keep_open` (the TUI) the run stays open after the last step ends, announcing
        RunFinished each time it goes idle, so the operator can still retry a failed client;
        `close()` ends it.
        """
        self.sink = FanOutSink(sink, JournalSink(self.journal, self.run_id))
        self.journal.start_run(self.run_id, STEP, self.config_key)
        master = self.config.master.name
        for t in self.targets:
            spec = self.main_step(t)
            self.journal.plan_step(self.run_id, t, spec.name, master, spec.command, spec.remote.directory)
        self.sink.emit(RunStarted(self.run_id, STEP, tuple(self.targets), self.clock()))
        self.runners = {
            t: TargetRunner(self.progress[t], self.sink, self.logs, self.journal, self.run_id, self.clock, self.timing)
            for t in self.targets
        }
        plans: dict[str, list[StepSpec]] = {}
        for t in self.targets:
            records = self.journal.target_steps(self.run_id, t)
            progress = self.progress[t]
            _restore(progress, records[-1] if records else None)
            plans[t] = self._steps_from_journal(t, records)
            never_launched = all(r.launched_at is None for r in records)
            if blocked and t in blocked and never_launched and not progress.state.finished:
                progress.state, progress.error = TargetState.BLOCKED, f"not started: {blocked[t]}"
                self.runners[t].announce(reason="blocked by preflight")
                continue
            self.runners[t].announce()
        async with asyncio.TaskGroup() as group:
            self._group = group
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
        """The step list of a target as the journal knows it (a resumed retry continues its phases)."""
        phase_steps = [r for r in records if r.step != STEP]
        if not phase_steps:
            return [self.main_step(target)]
        specs = []
        for r in phase_steps:
            phase = int(r.step.split("-P", 1)[1].split("-", 1)[0])
            specs.append(StepSpec(target, r.step, r.command, RemoteStep(r.remote_dir), phase))
        return specs

    def _start(self, target: str, steps: list[StepSpec], *, resume: bool) -> None:
        assert self._group is not None
        self._tasks[target] = self._group.create_task(self._one(target, steps, resume), name=f"target:{target}")
        self._wake.set()

    async def _one(self, target: str, steps: list[StepSpec], resume: bool) -> None:
        runner = self.runners[target]
        await self.gate.acquire()
        try:
            if runner.progress.state is TargetState.BLOCKED:
                return  # aborted by the operator while waiting for a slot
            if not resume:
                await self._record_level_before(target)
            transport = self.transport_for(self.config.master)
            try:
                await runner.run(transport, steps, self.policy, resume=resume)
            except Exception as exc:  # one target's bug must not end the others
                runner.progress.error = f"internal error: {type(exc).__name__}: {exc}"
                runner.finish(TargetState.FAILED, reason=runner.progress.error)
            finally:
                await transport.close()
        finally:
            await self.gate.release()

    async def _record_level_before(self, target: str) -> None:
        """Journal the client's `oslevel -s` before nimadm touches it, once per run (a retry keeps the first).

        Best effort by design: a client the cockpit cannot reach over SSH may still be migrated
        (nimadm talks to it through nimsh), so it only ends up without a recorded level.
        """
        if self.journal.fact(target, LEVEL_BEFORE, self.run_id) is not None:
            return
        transport = self.transport_for(self.config.host(target))
        level, why = None, ""
        try:
            probe = transport.run("oslevel -s", timeout=LEVEL_PROBE_TIMEOUT)
            result = await asyncio.wait_for(probe, LEVEL_PROBE_TIMEOUT)
            level = oslevel_of(result.stdout) if result.ok else None
            why = f"oslevel -s: exit {result.exit_status}: {(result.stderr or result.stdout).strip()[:200]}"
        except Exception as exc:  # unreachable, timed out, or a bug: never a reason to hold the migration
            why = f"{type(exc).__name__}: {exc}"
        finally:
            with contextlib.suppress(Exception):
                await transport.close()
        if level:
            self.journal.record_fact(self.run_id, target, LEVEL_BEFORE, level)
        else:
            self.journal.record_event(self.run_id, target, "level-before-unknown", {"reason": why})

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
        result = await self._on_master(runner.current.remote.kill_script(signal_name))
        self._act(target, f"kill-{signal_name.lower()}", (result.stdout or result.stderr).strip())
        if not result.ok:
            raise ControlError(f"{target}: {(result.stderr or result.stdout).strip()}")
        return result

    async def cleanup(self, target: str) -> CommandResult:
        """`nimadm -C -c CLIENT -s SPOT`: clean up a migration that did not clean itself."""
        runner = self._runner(target)
        if runner.progress.state in (TargetState.RUNNING, TargetState.STALLED):
            raise ControlError(f"{target} is still running: kill it before cleaning up")
        command = self.cleanup_command(target)
        result = await self._on_master(command, timeout=1800)
        self._act(target, "nimadm-cleanup", f"{command} -> exit {result.exit_status}")
        return result

    def retry_from(self, target: str, phase: int, *, skip: frozenset[int] = frozenset()) -> None:
        """Run `nimadm ... -P phase` .. `-P 12` as steps of this target, skipping `skip` phases."""
        runner = self._runner(target)
        if runner.progress.state in (TargetState.RUNNING, TargetState.STALLED, TargetState.PENDING):
            raise ControlError(f"{target} is {runner.progress.state.value}: stop it before retrying")
        if not 1 <= phase <= PHASES:
            raise ControlError(f"phase {phase} is not between 1 and {PHASES}")
        if self._group is None:
            raise ControlError("the run is not active")
        attempt = self._attempts[target] = self._attempts.get(target, 0) + 1
        specs: list[StepSpec] = []
        for n in range(phase, PHASES + 1):
            name = f"{STEP}-P{n}-r{attempt}"
            spec = StepSpec(target, name, self.command(target, n), self._remote(f"{target}.{name}"), n)
            state = "skipped" if n in skip else "pending"
            self.journal.plan_step(
                self.run_id, target, name, self.config.master.name, spec.command, spec.remote.directory, state
            )
            if n not in skip:
                specs.append(spec)
        if not specs:
            raise ControlError("every phase from there on is skipped: nothing to run")
        detail = f"from phase {phase}" + (f", skipping {sorted(skip)}" if skip else "")
        self._act(target, "retry", detail)
        runner.restart_tracking(phase)
        runner.progress.state = TargetState.PENDING
        runner.announce(f"retry {detail}")
        self._start(target, specs, resume=False)

    def skip_phase(self, target: str) -> None:
        """Continue after the phase the target stopped in: retry from the next phase."""
        runner = self._runner(target)
        phase = runner.progress.phase or 0
        if phase >= PHASES:
            raise ControlError(f"{target} stopped in phase {phase}: there is no phase after it")
        self._act(target, "skip-phase", f"phase {phase}")
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
        return troubleshoot.probes(self.config.host(target).nim_object)

    async def probe(self, target: str, key: str) -> ProbeOutput:
        """Run one troubleshooting probe now and return what it showed (journaled as looked at)."""
        runner = self._runner(target)
        spec = next((p for p in self.trouble_probes(target) if p.key == key), None)
        if spec is None:
            raise ControlError(f"no probe {key!r}")
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

    async def _on_master(self, command: str, timeout: float = 60) -> CommandResult:
        return await self._on(self.config.master, command, timeout)

    async def _on(self, host: Host, command: str, timeout: float = 60) -> CommandResult:
        transport = self.transport_for(host)
        try:
            return await transport.run(command, timeout=timeout)
        except TransportError as exc:
            raise ControlError(str(exc)) from exc
        finally:
            await transport.close()


@dataclass(frozen=True)
class ProbeOutput:
    probe: TroubleProbe
    host: str
    exit_status: int
    text: str


def _restore(progress: TargetProgress, record: StepRecord | None) -> None:
    if record is None:
        return
    state = TargetState(record.state)
    progress.phase = record.phase
    progress.started_at = record.started_at
    progress.error = record.error
    progress.exit_status = record.exit_status
    if state.finished and state is not TargetState.UNREACHABLE:
        # An unreachable target may still be running on the master: resume re-attaches to it.
        progress.state = state
        progress.finished_at = record.finished_at


def phase_timing(config: Config, observable: float = 0.0) -> Callable[[int | None], PhaseTiming]:
    """The runbook's phase timing with the plan's overrides and time scale applied.

    `observable` is the shortest span the cockpit can judge: it sees output only every poll, so a
    threshold shorter than a few polls (a compressed simulator clock) would cry wolf.
    """
    plan = config.plan
    overrides = {}
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
