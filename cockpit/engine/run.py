"""A migration run across the fleet: every client under the concurrency limit, none blocking another."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cockpit.config.models import Config, Host
from cockpit.domain.events import EventSink, RunFinished, RunStarted
from cockpit.domain.models import TargetProgress, TargetState
from cockpit.domain.nimadm_commands import nimadm_migrate
from cockpit.engine.logstore import LogStore
from cockpit.engine.target import TargetRunner
from cockpit.transports.base import Transport

TransportFactory = Callable[[Host], Transport]


def new_run_id(clock: Callable[[], float] = time.time) -> str:
    t = clock()
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(t)) + f"-{int(t * 1000) % 1000:03d}"


@dataclass(frozen=True)
class PlannedStep:
    target: str
    command: str


class NimadmRun:
    """Runs `nimadm` on the NIM master for every planned client.

    Each client gets its own connection to the master: one dropped channel or a master's
    MaxSessions limit then touches one client, not the fleet.
    """

    def __init__(
        self,
        config: Config,
        transport_for: TransportFactory,
        *,
        run_id: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.transport_for = transport_for
        self.clock = clock
        self.run_id = run_id or new_run_id(clock)
        self.run_dir = config.state_dir / "runs" / self.run_id
        self.logs = LogStore(self.run_dir / "logs")
        self.steps = self.plan()
        self.progress = {s.target: TargetProgress(s.target) for s in self.steps}
        self._limit = asyncio.Semaphore(config.plan.concurrency)

    def plan(self) -> list[PlannedStep]:
        plan = self.config.plan
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
            )
            for c in plan.clients
        ]

    def log_path(self, target: str) -> Path:
        return self.logs.path(target)

    async def run(self, sink: EventSink) -> RunFinished:
        sink.emit(RunStarted(self.run_id, "nimadm", tuple(s.target for s in self.steps), self.clock()))
        runners = [TargetRunner(self.progress[s.target], sink, self.logs, self.clock) for s in self.steps]
        for r in runners:
            r.announce()
        async with asyncio.TaskGroup() as group:
            for step, runner in zip(self.steps, runners, strict=True):
                group.create_task(self._one(step, runner), name=f"target:{step.target}")
        done = RunFinished(
            self.run_id,
            tuple(n for n, p in self.progress.items() if p.state is TargetState.SUCCEEDED),
            tuple(n for n, p in self.progress.items() if p.state is not TargetState.SUCCEEDED),
            self.clock(),
        )
        sink.emit(done)
        return done

    async def _one(self, step: PlannedStep, runner: TargetRunner) -> None:
        async with self._limit:
            transport = self.transport_for(self.config.master)
            try:
                await runner.run(transport, step.command)
            except Exception as exc:
                runner.progress.error = f"internal error: {type(exc).__name__}: {exc}"
                runner.finish(TargetState.FAILED, reason=runner.progress.error)
            finally:
                await transport.close()
