"""Troubleshooting looks at a target: read-only commands on its host or the master (the step's
process tree, nimadm's log, the master's NFS mounts ... and the runbook's own probes)."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.domain import names, troubleshoot
from cockpit.domain.troubleshoot import TroubleProbe
from cockpit.engine.run.context import ControlError, RunContext
from cockpit.engine.run.plan import RunPlan


@dataclass(frozen=True)
class ProbeOutput:
    probe: TroubleProbe
    host: str
    exit_status: int
    text: str


PROCESSES = TroubleProbe(
    "processes",
    "processes of the step",
    "step",
    "ps -e -o pid,ppid,etime,args",
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

    async def probe(self, target: str, key: str) -> ProbeOutput:
        """Run one troubleshooting probe now and return what it showed (journaled as looked at)."""
        run = self._run
        runner = run.runner(target)
        spec = next((p for p in self.trouble_probes(target) if p.key == key), None)
        if spec is None:
            raise ControlError(f"no probe {key!r}")
        if spec.key == "processes":
            host = run.config.host(self._plan.step_host(target))
        else:
            host = run.config.master if spec.on == "master" else run.config.host(target)
        result = await run.run_on(host, spec.command)
        text = (result.stdout + result.stderr).rstrip("\n")
        if key == "processes":
            step = runner.current or self._plan.main_step(target)
            pid_result = await run.run_on(host, names.command_line("cat", f"{step.remote.directory}/pid"))
            pid = pid_result.stdout.strip()
            tree = troubleshoot.process_tree(troubleshoot.parse_ps(result.stdout), int(pid)) if pid.isdigit() else []
            text = f"step {step.name}, wrapper pid {pid or '?'}\n" + troubleshoot.render_tree(tree)
        elif key == "nfs_mounts":
            lines = troubleshoot.client_mounts(result.stdout, run.config.host(target).nim_object)
            text = "\n".join(lines) if lines else "(no NFS mount of this client on the master)"
        run.act(target, "probe", spec.command)
        return ProbeOutput(spec, host.name, result.exit_status, text)
