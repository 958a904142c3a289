"""AttachRun: the migrations found running (discover.py), followed as a run of kind `attach`.

It is a RunbookRun whose targets are the clients with a migration running, each with one adopted
step: never launched, followed from the migration's own log (domain/foreign_log.py) by the same
TargetRunner as a step of ours: phase N/12, stall detection, ETA, the same events (TargetChanged,
LogLines, RunFinished) for every consumer, the same journal. One process watch per host wakes the
followers when their migrations end (watch.py); the end is read from the log.

Nothing here changes a host unless the operator asks: kill, clean-up and retry are the run's own
controls, refused where they make no sense for what runs (a hand-started alt_disk_copy cannot be
resumed from a phase), and the UI shows who started the migration before asking to confirm. A retry
runs as the cockpit's own steps (`nimadm ... -P N`), with the values the migration was started with.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from cockpit.config.models import Config
from cockpit.config.runbooks import load_runbook
from cockpit.domain import names
from cockpit.domain.events import EventSink, RunFinished
from cockpit.domain.foreign_log import ForeignLog
from cockpit.domain.stall import PhaseTiming
from cockpit.domain.troubleshoot import TroubleProbe
from cockpit.engine.attach.discover import Discovery, Followed
from cockpit.engine.attach.watch import HostWatch
from cockpit.engine.binding import Adopted, StepSpec, UndoSpec
from cockpit.engine.follow import FollowPolicy
from cockpit.engine.journal import Journal
from cockpit.engine.run import ControlError, RunbookRun, TransportFactory
from cockpit.engine.run.controls import OperatorControls
from cockpit.engine.run.plan import RunPlan
from cockpit.engine.run.probes import PROCESSES, Probes

ATTACH = "attach"
"""The journal's name for these runs (`cockpit runs`, `cockpit report`)."""
ALT_DISK_TIMING = PhaseTiming(30 * 60, 10 * 60)
"""An alt_disk_copy / alt_disk_mksysb as a whole: typical 30 minutes, 10 minutes of silence is a stall."""
_STEP_NAMES = {"alt_disk_copy": "alt-disk-copy", "alt_disk_mksysb": "alt-disk-mksysb"}


class AttachRefusal(ControlError, ValueError):
    """An action that does not fit a migration the cockpit did not start (shown in its confirmation)."""


class AttachRun(RunbookRun):
    def __init__(
        self,
        config: Config,
        journal: Journal,
        transport_for: TransportFactory,
        discovery: Discovery,
        *,
        config_path: Path | None = None,
        policy: FollowPolicy | None = None,
        clock: Callable[[], float] = time.time,
        operator: str = "operator",
    ) -> None:
        self.discovery = discovery
        followed = discovery.followed
        overrides = {f.target: _values(f) for f in followed if f.found.kind == "nimadm"}
        super().__init__(
            config,
            journal,
            transport_for,
            config_path=config_path,
            policy=policy,
            clock=clock,
            operator=operator,
            runbook=load_runbook(config.plan.runbook),
            targets=[f.target for f in followed],
            kind=ATTACH,
            overrides=overrides,
        )
        for f in followed:
            self.context.adopted[f.target] = self._adopted_spec(f)
            self.progress[f.target].phases_total = f.found.phases_total
        self.plan = AttachPlan(self.context)
        self.controls = OperatorControls(self.context, self.plan, self.scheduler)
        self.probes = AttachProbes(self.context, self.plan)
        self._watches: list[asyncio.Task[None]] = []

    def _adopted_spec(self, f: Followed) -> StepSpec:
        host = self.config.host(f.found.host)
        name = self.runbook.steps[0].id if f.found.kind == "nimadm" else _STEP_NAMES[f.found.kind]
        return StepSpec(
            target=f.target,
            name=name,
            command=f.found.proc.args,
            remote=ForeignLog(f.found.log, f.found.pid, f"{host.work_dir}/attach"),
            host=host,
            step_id=name,
            index=1,
            title=f"{f.found.kind} started by {f.found.proc.user} (pid {f.found.pid})",
            timing=None if f.found.kind == "nimadm" else ALT_DISK_TIMING,
            adopted=Adopted(f.found, f.offset, f.started_at),
        )

    # -- what it is -------------------------------------------------------------------------------
    def owner_of(self, target: str) -> str | None:
        """Who started the target's migration, when it is one the cockpit did not start (else None)."""
        spec = self.context.adopted.get(target)
        if spec is None or spec.adopted is None or self.scheduler.attempts.get(target, 0):
            return None
        started = spec.adopted.started_at
        return spec.adopted.found.owner(time.strftime("%H:%M:%S", time.localtime(started)) if started else None)

    # -- the run ----------------------------------------------------------------------------------
    async def run(
        self, sink: EventSink, blocked: Mapping[str, str] | None = None, *, keep_open: bool = False
    ) -> RunFinished:
        self._journal_discovery()
        self._watches = [asyncio.create_task(w.run(), name=f"watch:{w.transport.name}") for w in self._host_watches()]
        try:
            return await super().run(sink, blocked, keep_open=keep_open)
        finally:
            for task in self._watches:
                task.cancel()
            await asyncio.gather(*self._watches, return_exceptions=True)

    def _host_watches(self) -> list[HostWatch]:
        by_host: dict[str, list[StepSpec]] = {}
        for spec in self.context.adopted.values():
            assert spec.adopted is not None
            by_host.setdefault(spec.adopted.found.host, []).append(spec)
        watches = []
        for name, specs in by_host.items():
            host = self.config.host(name)

            def gone(pid: int, host_name: str = name) -> None:
                self.journal.record_event(self.run_id, None, "attach-ended", {"host": host_name, "pid": pid})

            def note(text: str, host_name: str = name) -> None:
                self.journal.record_event(self.run_id, None, "attach-note", {"host": host_name, "note": text})

            pids = [s.adopted.found.pid for s in specs if s.adopted is not None]
            watches.append(
                HostWatch(self.transport_for(host), f"{host.work_dir}/attach", pids, self.policy, gone, note)
            )
        return watches

    def _journal_discovery(self) -> None:
        """What was seen, in the journal of the run before anything is followed."""
        journal, run_id = self.journal, self.run_id
        for f in self.discovery.followed:
            found = f.found
            detail: dict[str, object] = {
                "kind": found.kind,
                "host": found.host,
                "pid": found.pid,
                "user": found.proc.user,
                "command": found.proc.args,
                "started_at": f.started_at,
                "parents": [{"pid": p.pid, "user": p.user, "command": p.args} for p in found.chain],
                "log": found.log,
                "from_byte": f.offset,
            }
            if f.nim is not None:
                detail["nim"] = {"Cstate": f.nim.cstate, "info": f.nim.info, "Cstate_result": f.nim.result}
            journal.record_event(run_id, f.target, "attach-found", detail)
        for note in self.discovery.notes:
            journal.record_event(run_id, None, "attach-note", {"note": note})
        for host, why in self.discovery.unreachable.items():
            journal.record_event(run_id, None, "attach-unreachable", {"host": host, "reason": why})


class AttachPlan(RunPlan):
    """The plan's questions answered for adopted steps: where they run, how they clean up, retries."""

    def _adopted(self, target: str) -> StepSpec | None:
        spec = self._run.adopted.get(target)
        runner = self._run.runners.get(target)
        current = runner.current if runner is not None else None
        if spec is None or (current is not None and current.adopted is None):
            return None  # a retry of ours runs now: the plan's own answers
        return spec

    def main_step(self, target: str) -> StepSpec:
        return self._adopted(target) or super().main_step(target)

    def step_host(self, target: str) -> str:
        spec = self._adopted(target)
        if spec is not None and spec.host is not None:
            return spec.host.name
        return super().step_host(target)

    def undo_of(self, target: str) -> UndoSpec | None:
        spec = self._adopted(target)
        if spec is None or spec.adopted is None:
            return super().undo_of(target)
        found = spec.adopted.found
        if found.cleanup is None:
            return None
        on = self._run.config.host(found.host if found.kind == "nimadm" else target)
        return UndoSpec(on, found.cleanup, spec.step_id)

    def retry_specs(
        self, target: str, start: int, *, attempt: int, skip: frozenset[int] = frozenset()
    ) -> list[StepSpec]:
        spec = self._run.adopted.get(target)
        if spec is not None and spec.adopted is not None:
            kind = spec.adopted.found.kind
            if kind != "nimadm" or self._run.runbook.name != "nimadm":
                raise AttachRefusal(
                    f"{target}: {kind} was started by someone else, outside a nimadm plan: only nimadm can be "
                    "resumed from a phase here (run it again with `cockpit run`)"
                )
        return super().retry_specs(target, start, attempt=attempt, skip=skip)


class AttachProbes(Probes):
    """The nimadm looks for nimadm; for an alt_disk_copy on a client, its process, its log, its disks."""

    def trouble_probes(self, target: str) -> list[TroubleProbe]:
        spec = self._run.adopted.get(target)
        if spec is None or spec.adopted is None or spec.adopted.found.kind == "nimadm":
            return super().trouble_probes(target)
        return [
            PROCESSES,
            TroubleProbe(
                "alt_disk_log",
                "/var/adm/ras/alt_disk_inst.log",
                "client",
                "tail -n 40 /var/adm/ras/alt_disk_inst.log",
                "alt_disk_copy's own log on the client.",
            ),
            TroubleProbe("lspv", "lspv", "client", "lspv", "Which disk holds altinst_rootvg (or what is left of it)?"),
        ]


def _values(f: Followed) -> dict[str, str]:
    """The values nimadm was started with, for its clean-up and a retry (the plan's are for its own runs)."""
    options, values = f.found.options, {}
    for flag, key, valid in (("-l", "lpp_source", names.NIM_NAME), ("-s", "spot", names.NIM_NAME)):
        if valid.fullmatch(options.get(flag, "")):
            values[key] = options[flag]
    disks = options.get("-d", "").split()
    if disks and all(names.DISK_NAME.fullmatch(d) for d in disks):
        values["disk"] = " ".join(disks)
    if names.VG_NAME.fullmatch(options.get("-j", "")):
        values["cache_vg"] = options["-j"]
    return values


__all__ = ["ATTACH", "AttachPlan", "AttachProbes", "AttachRefusal", "AttachRun"]
