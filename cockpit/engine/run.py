"""A migration run across the fleet: every client under the concurrency limit, none blocking another.

Every step runs detached on the NIM master (see domain/remote_step.py) and everything that happens
goes into the journal first, so `resume()` after a crash re-attaches to running steps, never runs a
finished step again, and starts only what never started.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cockpit.config.models import Config, Host
from cockpit.domain.events import EventSink, FanOutSink, RunFinished, RunStarted
from cockpit.domain.models import TargetProgress, TargetState
from cockpit.domain.nimadm_commands import nimadm_migrate
from cockpit.domain.remote_step import RemoteStep
from cockpit.domain.stall import PhaseTiming, timing_for
from cockpit.engine.follow import FollowPolicy
from cockpit.engine.journal import Journal, JournalSink, StepRecord
from cockpit.engine.logstore import LogStore
from cockpit.engine.target import TargetRunner
from cockpit.transports.base import Transport

TransportFactory = Callable[[Host], Transport]
STEP = "nimadm"


def new_run_id(clock: Callable[[], float] = time.time) -> str:
    t = clock()
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(t)) + f"-{int(t * 1000) % 1000:03d}"


class NothingToResume(Exception):
    """`--resume` was asked for but the journal holds no unfinished run of this config."""


@dataclass(frozen=True)
class PlannedStep:
    target: str
    command: str
    remote: RemoteStep


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
    ) -> None:
        self.config = config
        self.transport_for = transport_for
        self.clock = clock
        self.config_key = str(config_path.resolve()) if config_path else "<memory>"
        self.journal = Journal(config.state_dir / "journal.sqlite", clock)
        self.resuming = resume
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
        self.steps = self.plan()
        self.progress = {s.target: TargetProgress(s.target) for s in self.steps}
        self.timing = phase_timing(config, observable=4 * self.policy.idle_poll)
        self._limit = asyncio.Semaphore(config.plan.concurrency)

    def plan(self) -> list[PlannedStep]:
        plan = self.config.plan
        base = self.config.master.work_dir
        return [
            PlannedStep(
                c.host,
                nimadm_migrate(
                    self.config.host(c.host).nim_object,
                    plan.lpp_source_for(c),
                    plan.spot_for(c),
                    c.disks,
                    cache_vg=plan.cache_vg,
                ),
                RemoteStep.under(base, self.run_id, f"{c.host}.{STEP}"),
            )
            for c in plan.clients
        ]

    def log_path(self, target: str) -> Path:
        return self.logs.path(target)

    async def run(self, sink: EventSink, blocked: Mapping[str, str] | None = None) -> RunFinished:
        """Run every planned step; `blocked` (target -> why) are not started: the preflight gate."""
        journal_sink = JournalSink(self.journal, self.run_id)
        out = FanOutSink(sink, journal_sink)
        self.journal.start_run(self.run_id, STEP, self.config_key)
        for s in self.steps:
            self.journal.plan_step(self.run_id, s.target, STEP, self.config.master.name, s.command, s.remote.directory)
        out.emit(RunStarted(self.run_id, STEP, tuple(s.target for s in self.steps), self.clock()))
        runners = {
            s.target: TargetRunner(
                self.progress[s.target], out, self.logs, self.journal, self.run_id, STEP, self.clock, self.timing
            )
            for s in self.steps
        }
        records = {r.target: r for r in self.journal.steps(self.run_id)}
        for s in self.steps:
            progress = self.progress[s.target]
            _restore(progress, records.get(s.target))
            record = records.get(s.target)
            never_launched = record is None or record.launched_at is None
            if blocked and s.target in blocked and never_launched and not progress.state.finished:
                progress.state, progress.error = TargetState.BLOCKED, f"not started: {blocked[s.target]}"
                runners[s.target].announce(reason="blocked by preflight")
                continue
            runners[s.target].announce()
        async with asyncio.TaskGroup() as group:
            for s in self.steps:
                if self.progress[s.target].state.finished:
                    continue  # finished before a crash: never run a finished step again
                launched = records.get(s.target) is not None and records[s.target].launched_at is not None
                group.create_task(self._one(s, runners[s.target], launched), name=f"target:{s.target}")
        done = RunFinished(
            self.run_id,
            tuple(n for n, p in self.progress.items() if p.state is TargetState.SUCCEEDED),
            tuple(n for n, p in self.progress.items() if p.state is not TargetState.SUCCEEDED),
            self.clock(),
        )
        out.emit(done)
        self.journal.finish_run(self.run_id, "succeeded" if done.ok else "failed")
        return done

    async def _one(self, step: PlannedStep, runner: TargetRunner, launched: bool) -> None:
        async with self._limit:
            transport = self.transport_for(self.config.master)
            try:
                await runner.run(transport, step.command, step.remote, self.policy, resume=launched)
            except Exception as exc:
                runner.progress.error = f"internal error: {type(exc).__name__}: {exc}"
                runner.finish(TargetState.FAILED, reason=runner.progress.error)
            finally:
                await transport.close()


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
