"""RunbookRun: one run of the plan's runbook, as the commands and the UI see it.

It wires the run's parts together over one RunContext and answers for them: the scheduler
(schedule.py), the operator's controls (controls.py), the troubleshooting probes (probes.py), the
window watch (window_watch.py) and the facts recorded before a target's first step (facts.py). What
the plan says is plan.py. The journal is the caller's: it opens it and closes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from cockpit.config.models import Config, NimadmPlan
from cockpit.config.runbook import RunbookFile
from cockpit.domain.events import EventSink, FanOutSink, RunFinished, TargetChanged
from cockpit.domain.models import TargetProgress, TargetState
from cockpit.domain.troubleshoot import StepWhere, TroubleProbe
from cockpit.domain.window import FleetEta, Window
from cockpit.engine import rolled_back
from cockpit.engine.binding import Binding, StepSpec, UndoSpec
from cockpit.engine.follow import FollowPolicy
from cockpit.engine.host_locks import Identity, Refusal, TargetLocks
from cockpit.engine.journal import Journal, JournalSink
from cockpit.engine.limiter import FleetGate
from cockpit.engine.logstore import LogStore
from cockpit.engine.run.context import NothingToResume, RunContext, TransportFactory, new_run_id
from cockpit.engine.run.controls import OperatorControls
from cockpit.engine.run.facts import FactRecorder
from cockpit.engine.run.plan import RunPlan
from cockpit.engine.run.probes import ProbeOutput, Probes
from cockpit.engine.run.schedule import Scheduler
from cockpit.engine.run.window_watch import EtaSink, WindowWatch, feed_history, window_of
from cockpit.engine.state_lock import StateDirLock
from cockpit.engine.storage import StorageHealth
from cockpit.engine.target import TargetRunner
from cockpit.transports.base import CommandResult


def fleet_gate(config: Config, targets: Sequence[str]) -> FleetGate:
    """One concurrency limit per NIM master of the plan (one for the whole run without masters)."""
    plan = config.plan
    if isinstance(plan, NimadmPlan):
        limits = {g.master: g.concurrency for g in plan.groups}
        return FleetGate(limits, {t: g.master for g in plan.groups for t in (c.host for c in g.clients)})
    return FleetGate({plan.master or "": plan.concurrency}, dict.fromkeys(targets, plan.master or ""))


class RunbookRun:
    """Runs the plan's runbook on every target.

    Each target gets its own connections: one dropped channel or a host's MaxSessions limit then
    touches one target, not the fleet.
    """

    def __init__(
        self,
        config: Config,
        journal: Journal,
        transport_for: TransportFactory,
        *,
        config_path: Path | None = None,
        resume: bool = False,
        run_id: str | None = None,
        policy: FollowPolicy | None = None,
        clock: Callable[[], float] = time.time,
        operator: str = "operator",
        runbook: RunbookFile | None = None,
        targets: Sequence[str] | None = None,
        kind: str = "",
        overrides: dict[str, dict[str, str]] | None = None,
        break_locks: frozenset[str] = frozenset(),
    ) -> None:
        """`journal` is the config's (its state directory's), opened by the caller with the same
        `clock`; `runbook` overrides the plan's (a back-out runs the runbook's `backout` steps as one).
        `targets` (some of the plan's), `kind` (the journal's name for the run) and `overrides` (values
        per target) serve `cockpit attach`, which follows the migrations it finds running.
        `break_locks`: targets whose lock, left by a cockpit that is gone, the operator breaks.

        Raises StateDirBusy while another cockpit runs on this state directory (--resume included)."""
        self.state_lock = StateDirLock.hold(config.state_dir, operator=operator, clock=clock())
        self.health = StorageHealth(clock)
        """The cockpit's own storage during the run: a full disk is told, never a host's failure."""
        journal.report_failures_to(self.health)
        config_key = str(config_path.resolve()) if config_path else "<memory>"
        binding = Binding(
            config,
            run_id or "pending",
            runbook,
            targets=list(targets) if targets is not None else None,
            overrides=overrides,
        )
        self.resumed = resume
        if resume:
            record = journal.latest_unfinished(config_key, kind or binding.runbook.name)
            if record is None:
                raise NothingToResume(f"no unfinished run of {config_key} in {journal.path}")
            run_id = record.run_id
        run_id = run_id or new_run_id(clock)
        binding.run_id = run_id
        follow = config.plan.follow
        self.policy = policy or FollowPolicy(
            poll=follow.poll, idle_poll=follow.idle_poll, give_up_after=follow.give_up_after
        )
        self.state_lock.describe(run_id=run_id)
        self.logs = LogStore(config.state_dir / "runs" / run_id / "logs", self.health)
        total = binding.phases_total
        self.context = RunContext(
            config=config,
            journal=journal,
            binding=binding,
            run_id=run_id,
            config_key=config_key,
            transport_for=transport_for,
            clock=clock,
            operator=operator,
            progress={t: TargetProgress(t, phases_total=total) for t in binding.targets},
            gate=fleet_gate(config, binding.targets),
            kind=kind,
        )
        # The shortest span the cockpit can judge (a few polls): stall thresholds never go below it.
        observable = 4 * self.policy.idle_poll
        self.timing = binding.phase_timing(observable)
        self.plan = RunPlan(self.context)
        self.window_watch = WindowWatch(self.context, window_of(config), FleetEta(self.plan.expected_seconds, total))
        self.facts = FactRecorder(self.context)
        # One cockpit per target: the locks on the hosts the targets' steps run on (host_locks.py).
        self.locks = TargetLocks(
            config,
            binding,
            journal,
            run_id,
            transport_for,
            Identity.here(operator),
            clock=clock,
            break_locks=break_locks,
        )
        self.scheduler = Scheduler(
            self.context,
            logs=self.logs,
            policy=self.policy,
            timing=self.timing,
            observable=observable,
            facts=self.facts,
            window=self.window_watch,
            locks=self.locks,
            health=self.health,
        )
        self.controls = OperatorControls(self.context, self.plan, self.scheduler)
        self.probes = Probes(self.context, self.plan)

    # -- what the run is ------------------------------------------------------------------------
    @property
    def config(self) -> Config:
        return self.context.config

    @property
    def journal(self) -> Journal:
        return self.context.journal

    @property
    def binding(self) -> Binding:
        return self.context.binding

    @property
    def runbook(self) -> RunbookFile:
        return self.context.runbook

    @property
    def run_kind(self) -> str:
        """What the journal calls this run: its runbook's name, or `attach`."""
        return self.context.run_kind

    @property
    def run_id(self) -> str:
        return self.context.run_id

    @property
    def config_key(self) -> str:
        return self.context.config_key

    @property
    def transport_for(self) -> TransportFactory:
        return self.context.transport_for

    @property
    def clock(self) -> Callable[[], float]:
        return self.context.clock

    @property
    def operator(self) -> str:
        return self.context.operator

    @property
    def targets(self) -> list[str]:
        return self.context.targets

    @property
    def progress(self) -> dict[str, TargetProgress]:
        return self.context.progress

    @property
    def runners(self) -> dict[str, TargetRunner]:
        return self.context.runners

    @property
    def gate(self) -> FleetGate:
        return self.context.gate

    @property
    def lockstep(self) -> bool:
        return self.context.lockstep

    @property
    def window(self) -> Window | None:
        return self.window_watch.window

    @property
    def eta(self) -> FleetEta:
        return self.window_watch.eta

    def log_path(self, target: str) -> Path:
        return self.logs.path(target)

    def groups(self) -> dict[str, str]:
        """Each target's NIM master (the fleet groups and filters by it); empty without masters."""
        return {t: m.name for t in self.targets if (m := self.config.master_of(t)) is not None}

    def owner_of(self, target: str) -> str | None:
        """Who started the target's migration when it was not this cockpit (None: the run started it)."""
        return None

    # -- the plan -------------------------------------------------------------------------------
    @property
    def steps(self) -> list[StepSpec]:
        return self.plan.steps

    @property
    def phases_total(self) -> int:
        return self.plan.phases_total

    @property
    def retry_unit(self) -> str:
        return self.plan.retry_unit

    def command(self, target: str, phase: int | None = None) -> str:
        return self.plan.command(target, phase)

    def main_step(self, target: str) -> StepSpec:
        return self.plan.main_step(target)

    def step_host(self, target: str) -> str:
        where = self.probes.trouble_step(target)
        return where.host if where is not None else self.plan.step_host(target)

    def undo_of(self, target: str) -> UndoSpec | None:
        return self.plan.undo_of(target)

    def cleanup_command(self, target: str) -> str:
        return self.plan.cleanup_command(target)

    def cleanup_host(self, target: str) -> str:
        return self.plan.cleanup_host(target)

    def retry_commands(self, target: str, start: int) -> list[str]:
        return self.plan.retry_commands(target, start)

    # -- the run --------------------------------------------------------------------------------
    async def run(
        self, sink: EventSink, blocked: Mapping[str, str] | None = None, *, keep_open: bool = False
    ) -> RunFinished:
        """Run every planned step; `blocked` (target -> why) are not started: the preflight gate.

        With `keep_open` (the TUI) the run stays open after the last step ends, announcing
        RunFinished each time it goes idle, so the operator can still retry a failed target;
        `close()` ends it.
        """
        self.state_lock.again()
        if self.resumed:
            feed_history(self.eta, self.journal, self.run_id, self.phases_total)
        self.context.sink = FanOutSink(sink, JournalSink(self.journal, self.run_id), EtaSink(self.eta))
        try:
            async with self.window_watch.watching():
                return await self.scheduler.run(blocked or {}, keep_open=keep_open)
        finally:
            # Also when the run is cancelled (the TUI quits): the locks of targets that ended go back.
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self.locks.release_ended(self.targets, lambda t: self.progress[t].state)
            self.state_lock.release()

    def close(self) -> None:
        self.scheduler.close()

    def mark_rolled_back(self, target: str, reason: str) -> None:
        """`target` went back to its old system (the rollback wizard verified it, the cluster's
        back-out completed): announced like any state change, so the fleet shows it and the journal
        keeps it. Its times and phase stay those of the run."""
        p = self.progress[target]
        if not self.runners:  # the run never started here: only the journal can say it
            rolled_back.record(self.journal, self.run_id, target, reason)
            return
        p.state, p.stall_reason = TargetState.ROLLED_BACK, None
        self.context.sink.emit(
            TargetChanged(
                target=target,
                state=p.state,
                phase=p.phase,
                phases_total=p.phases_total,
                at=self.clock(),
                started_at=p.started_at,
                finished_at=p.finished_at,
                reason=reason,
                last_output_at=p.last_output_at,
                step=p.step,
            )
        )

    # -- operator controls (controls.py) and probes (probes.py) ---------------------------------
    def snooze(self, target: str, seconds: float) -> None:
        self.controls.snooze(target, seconds)

    async def kill(self, target: str, signal_name: str = "TERM") -> CommandResult:
        return await self.controls.kill(target, signal_name)

    async def cleanup(self, target: str) -> CommandResult:
        return await self.controls.cleanup(target)

    def retry_from(self, target: str, phase: int, *, skip: frozenset[int] = frozenset()) -> None:
        self.controls.retry_from(target, phase, skip=skip)

    def skip_phase(self, target: str) -> None:
        self.controls.skip_phase(target)

    def mark_failed(self, target: str, reason: str) -> None:
        self.controls.mark_failed(target, reason)

    async def abort(self, target: str) -> None:
        await self.controls.abort(target)

    def lock_refusal(self, target: str) -> Refusal | None:
        return self.controls.lock_refusal(target)

    async def break_lock(self, target: str) -> None:
        await self.controls.break_lock(target)

    async def pause_starts(self) -> None:
        await self.controls.pause_starts()

    async def resume_starts(self) -> None:
        await self.controls.resume_starts()

    async def set_concurrency(self, limit: int, master: str | None = None) -> None:
        await self.controls.set_concurrency(limit, master)

    def trouble_probes(self, target: str) -> list[TroubleProbe]:
        return self.probes.trouble_probes(target)

    def trouble_step(self, target: str) -> StepWhere | None:
        return self.probes.trouble_step(target)

    async def probe(self, target: str, key: str) -> ProbeOutput:
        return await self.probes.probe(target, key)
