"""The client as NIM knows it: defined on the master (`nim.client_defined`), pointing at it (`nim.client_master`)."""

from __future__ import annotations

from cockpit.domain.preflight import commands
from cockpit.domain.preflight.checks.base import Check, Undecidable, View
from cockpit.domain.preflight.context import ClientContext
from cockpit.domain.preflight.models import Evidence, Finding, Probe, Remediation, Severity, Status
from cockpit.domain.preflight.parsers.common import first_line
from cockpit.domain.preflight.parsers.nim import no_such_object_line, parse_lsnim, parse_niminfo

READY = "ready for a NIM operation"


class ClientDefined(Check):
    id = "nim.client_defined"
    severity = Severity.INHIBITOR
    title = "client defined in NIM"
    meaning = (
        "nimadm -c takes the client's NIM object name (as lsnim lists it), which is not necessarily its "
        "host name. If the master has no such machine object, `lsnim -l` answers 0042-053 lsnim: there is "
        "no NIM object named ... and nimadm stops at once. A client whose Cstate is not 'ready for a NIM "
        "operation' still has an operation in progress or resources allocated."
    )

    def probes(self, ctx: ClientContext) -> list[Probe]:
        return [commands.lsnim_object(ctx.nim_name)]

    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        return self.guarded(lambda: self._judge(ctx, view))

    def _judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        master = ctx.master
        result = view.get(commands.lsnim_object(ctx.nim_name), accept=None)
        missing = no_such_object_line(result.output)
        if missing:
            return [
                self.finding(
                    master,
                    Status.FAIL,
                    f"NIM master {master} does not know client {ctx.nim_name}: {missing}",
                    [view.evidence(result)],
                    Remediation(
                        f"Define {ctx.nim_name} as a standalone machine on {master} (nim -o define -t standalone "
                        "...), or correct the client's nim_name in hosts[].nim_name (lsnim -t standalone lists them)."
                    ),
                )
            ]
        if result.exit_status != 0:
            view.get(commands.lsnim_object(ctx.nim_name))  # raises Undecidable with the exit status
        obj = parse_lsnim(result.output)
        if obj is None or obj.name != ctx.nim_name:
            raise Undecidable(master, result.probe.command, "printed no stanza for the client", view.evidence(result))
        evidence = [view.evidence(result)]
        kind = obj.attributes.get("class")
        if kind is not None and kind != "machines":
            return [
                self.finding(
                    master,
                    Status.FAIL,
                    f"NIM object {ctx.nim_name} on {master} is a {kind} object, not a machine",
                    evidence,
                    Remediation(f"Give the client's machine object name as its hosts[].nim_name, not {ctx.nim_name}."),
                )
            ]
        cstate = obj.attributes.get("Cstate")
        if cstate is not None and cstate != READY:
            return [
                self.finding(
                    master,
                    Status.WARN,
                    f"client {ctx.nim_name} is defined on {master} but its Cstate is '{cstate}'",
                    evidence,
                    Remediation(
                        f"An earlier NIM operation on {ctx.nim_name} has not finished or left resources allocated "
                        f"(lsnim -c resources {ctx.nim_name}); if nothing is running, `nim -o deallocate -a "
                        f"subclass=all {ctx.nim_name}` on {master} frees them."
                    ),
                    severity=Severity.MEDIUM,
                )
            ]
        return [self.finding(master, Status.PASS, f"client {ctx.nim_name} is a NIM machine on {master}", evidence)]


def _short(name: str) -> str:
    return name.strip().split(".")[0].lower()


class ClientMaster(Check):
    id = "nim.client_master"
    severity = Severity.INHIBITOR
    title = "client points at this master"
    meaning = (
        "A NIM client serves only the master named in its /etc/niminfo (NIM_MASTER_HOSTNAME). A client "
        "registered with another master, or with a broken niminfo (0042-137 nimclient: the /etc/niminfo "
        "file is missing some required environment variables), refuses this master's requests and nimadm "
        "fails. Re-registering the client (remove /etc/niminfo, run niminit against this master) fixes it."
    )

    def probes(self, ctx: ClientContext) -> list[Probe]:
        return [commands.cat_niminfo(), commands.hostname("master")]

    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        return self.guarded(lambda: self._judge(ctx, view))

    def _judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        host = ctx.client
        reregister = Remediation(
            f"Re-register {host} with {ctx.master}: on {host} stop nimsh, move /etc/niminfo away and run "
            f"niminit -a name={ctx.nim_name} -a master={ctx.master} -a connect=nimsh (check the flags for "
            "your AIX level), then start nimsh."
        )
        result = view.get(commands.cat_niminfo(), accept=None)
        if result.exit_status != 0:
            said = first_line(result.output) or f"exit status {result.exit_status}"
            return [
                self.finding(
                    host,
                    Status.FAIL,
                    f"{host} has no readable /etc/niminfo ({said}): it is not a configured NIM client",
                    [view.evidence(result)],
                    reregister,
                )
            ]
        info = parse_niminfo(result.output)
        evidence: list[Evidence] = [view.evidence(result)]
        named = info.get("NIM_MASTER_HOSTNAME")
        if not named:
            return [
                self.finding(
                    host,
                    Status.FAIL,
                    f"/etc/niminfo on {host} names no NIM_MASTER_HOSTNAME",
                    evidence,
                    reregister,
                )
            ]
        names = [ctx.master, *ctx.master_aliases]
        reported = view.peek(commands.hostname("master"))
        if reported is not None and reported.exit_status == 0 and first_line(reported.stdout):
            names.append(first_line(reported.stdout))
            evidence.append(view.evidence(reported))
        if _short(named) not in {_short(n) for n in names}:
            return [
                self.finding(
                    host,
                    Status.FAIL,
                    f"/etc/niminfo on {host} names NIM master {named}, not {ctx.master}",
                    evidence,
                    reregister,
                )
            ]
        own = info.get("NIM_NAME")
        if own and own != ctx.nim_name:
            return [
                self.finding(
                    host,
                    Status.WARN,
                    f"/etc/niminfo on {host} calls the client {own}, the plan calls it {ctx.nim_name}",
                    evidence,
                    Remediation(f"Set hosts[].nim_name of {host} to {own}, or re-register {host} as {ctx.nim_name}."),
                    severity=Severity.MEDIUM,
                )
            ]
        return [self.finding(host, Status.PASS, f"{host} is a NIM client of {named}", evidence)]
