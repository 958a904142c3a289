"""Troubleshooting looks at a target: read-only commands on its host or the master (the step's
process tree, nimadm's log, the master's NFS mounts ... and the runbook's own probes)."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.domain import troubleshoot
from cockpit.domain.foreign_log import ForeignLog
from cockpit.domain.printable import printable
from cockpit.domain.troubleshoot import StepWhere, TroubleProbe
from cockpit.engine.run.context import ControlError, RunContext
from cockpit.engine.run.plan import RunPlan


@dataclass(frozen=True)
class ProbeOutput:
    probe: TroubleProbe
    host: str
    exit_status: int
    text: str
    command: str = ""
    """What ran on the host, exactly (the probe's own command unless it needed more)."""


PROCESSES = TroubleProbe(
    "processes",
    "processes of the step",
    "step",
    troubleshoot.STEP_PS,
    "Is the step still alive, and what is it waiting on?",
)
"""The probe of runbooks without master-side looks of their own."""


class Probes:
    def __init__(self, context: RunContext, plan: RunPlan) -> None:
        self._run = context
        self._plan = plan

    def trouble_probes(self, target: str) -> list[TroubleProbe]:
        """The runbook's looks (and for nimadm the master-side ones: its log, NFS mounts, nimsh ...)."""
        run = self._run
        found = troubleshoot.probes(run.config.host(target).nim_object) if run.runbook.name == "nimadm" else []
        if not found:
            found.append(PROCESSES)
        for p in run.runbook.probes:
            if run.binding.host_for(p.on, target) is None:
                continue
            on = "master" if p.on == "master" else "client"
            found.append(TroubleProbe(p.key, p.title, on, run.binding.render(p.run, target), p.title))
        return found

    def trouble_step(self, target: str) -> StepWhere | None:
        """The step troubleshooting is about: the one under way, else the last one launched (a
        finished or stopped target's); None when no step of the target was launched in this run.
        The screen's header and the process probe both name it."""
        run = self._run
        records = run.records(target)
        runner = run.runners.get(target)
        current = runner.current if runner is not None else None
        record = next((r for r in records if current is not None and r.step == current.name), None)
        if record is None or record.launched_at is None:  # not launched yet (its guard, a slot): the last that was
            launched = [r for r in records if r.launched_at is not None]
            if not launched:
                return None
            record = max(launched, key=lambda r: r.launched_at or 0.0)
        ended = record.finished_at is not None or record.exit_status is not None
        return StepWhere(
            record.step, record.remote_dir, record.host, "ended" if ended else "running", record.exit_status
        )

    async def probe(self, target: str, key: str) -> ProbeOutput:
        """Run one troubleshooting probe now and return what it showed (journaled as looked at)."""
        run = self._run
        run.runner(target)  # a target of this run
        spec = next((p for p in self.trouble_probes(target) if p.key == key), None)
        if spec is None:
            raise ControlError(f"no probe {key!r}")
        if key == "processes":
            return await self._processes(target, spec)
        master = run.config.master_of(target)
        host = master if spec.on == "master" and master is not None else run.config.host(target)
        result = await run.run_on(host, spec.command)
        text = printable(result.stdout + result.stderr, multiline=True).rstrip("\n")
        if key == "nfs_mounts":
            lines = troubleshoot.client_mounts(result.stdout, run.config.host(target).nim_object)
            text = "\n".join(lines) if lines else "(no NFS mount of this client on the master)"
        run.act(target, "probe", spec.command)
        return ProbeOutput(spec, host.name, result.exit_status, text, spec.command)

    async def _processes(self, target: str, spec: TroubleProbe) -> ProbeOutput:
        """The step's process tree, walked from its wrapper's pid on the step's host, and what the
        host says of the step (running, ended with its status, gone without one)."""
        run = self._run
        where = self.trouble_step(target)
        adopted = run.adopted.get(target)
        if where is not None and adopted is not None and where.name == adopted.name:
            return await self._foreign_processes(target, spec, where, adopted.remote)
        if where is None:
            host = self._plan.step_host(target)
            return ProbeOutput(spec, host, 0, f"{troubleshoot.NO_STEP}: nothing of {target} runs yet", "")
        script = troubleshoot.step_probe_script(where.directory)
        result = await run.run_on(run.config.host(where.host), script)
        run.act(target, "probe", script)  # what ran, exactly (the screen shows the ps it comes down to)
        shown = printable(troubleshoot.read_step_probe(where, result.stdout), multiline=True)
        return ProbeOutput(spec, where.host, result.exit_status, shown, script)

    async def _foreign_processes(
        self, target: str, spec: TroubleProbe, where: StepWhere, remote: object
    ) -> ProbeOutput:
        """A migration someone else started (`cockpit attach`): no step directory, its own pid."""
        assert isinstance(remote, ForeignLog)
        run = self._run
        script = f"{troubleshoot.STEP_PS} 2>/dev/null || ps -e -o pid,ppid,args"
        result = await run.run_on(run.config.host(where.host), script)
        run.act(target, "probe", script)
        tree = troubleshoot.process_tree(troubleshoot.parse_ps(result.stdout), remote.pid)
        head = f"step {where.name} · pid {remote.pid} (not started by this cockpit) · its log {remote.log}"
        body = troubleshoot.render_tree(tree) if tree else "(no process left: it has ended)"
        shown = printable(f"{head}\n{body}", multiline=True)  # host output: no escape reaches a screen
        return ProbeOutput(spec, where.host, result.exit_status, shown, script)
