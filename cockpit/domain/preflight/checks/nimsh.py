"""nimsh on both ends of the migration: running (`nimsh.active`) and owning its ports (`nimsh.ports`)."""

from __future__ import annotations

import functools

from cockpit.domain.preflight import commands
from cockpit.domain.preflight.checks.base import Check, Undecidable, View
from cockpit.domain.preflight.context import ClientContext
from cockpit.domain.preflight.models import (
    ROLES,
    Finding,
    Probe,
    Remediation,
    RemedyCommand,
    Role,
    Severity,
    Status,
)
from cockpit.domain.preflight.parsers.net import Socket, listeners, parse_netstat
from cockpit.domain.preflight.parsers.src import NOT_ON_FILE, parse_lssrc

NIMSH_PROCESS = "nimsh"


class NimshActive(Check):
    id = "nimsh.active"
    severity = Severity.INHIBITOR
    title = "nimsh active"
    meaning = (
        "nimadm reaches the client through NIM remote execution, served by the NIM service handler (nimsh) "
        "on the NIM master and on the client. nimsh is not started by default, and nimadm fails when it is "
        "not active on both sides. `startsrc -s nimsh` starts it (0513-059 The nimsh Subsystem "
        "has been started. Subsystem PID is N.); if nimadm still cannot connect, /var/adm/ras/nimsh.log on "
        "the host says why."
    )

    def probes(self, ctx: ClientContext) -> list[Probe]:
        return [commands.lssrc_nimsh(role) for role in ROLES]

    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        return [f for role in ROLES for f in self.guarded(functools.partial(self._on, ctx, view, role))]

    def _on(self, ctx: ClientContext, view: View, role: Role) -> list[Finding]:
        host = ctx.host_for(role)
        result = view.get(commands.lssrc_nimsh(role), accept=None)
        row = parse_lssrc(result.output, "nimsh")
        if row is None:
            if NOT_ON_FILE not in result.output:
                raise Undecidable(host, result.probe.command, "printed no nimsh row", view.evidence(result))
            return [
                self.finding(
                    host,
                    Status.FAIL,
                    f"nimsh is not defined on {host} (0513-085: not on file)",
                    [view.evidence(result)],
                    Remediation(
                        f"The nimsh subsystem is not defined on {host}: it comes with the NIM client "
                        "configuration (bos.sysmgt.nim.client; connect=nimsh). Configure it, then start it "
                        "with `startsrc -s nimsh`."
                    ),
                )
            ]
        if row.active:
            pid = f" (PID {row.pid})" if row.pid else ""
            return [self.finding(host, Status.PASS, f"nimsh is active on {host}{pid}", [view.evidence(result)])]
        return [
            self.finding(
                host,
                Status.FAIL,
                f"nimsh is {row.status or 'not active'} on {host}",
                [view.evidence(result)],
                Remediation(
                    f"Start nimsh on {host}; it answers 0513-059 The nimsh Subsystem has been started. If nimadm "
                    "still cannot connect, read /var/adm/ras/nimsh.log on that host.",
                    (RemedyCommand(host, commands.startsrc_nimsh()),),
                ),
            )
        ]


class NimshPorts(Check):
    id = "nimsh.ports"
    severity = Severity.HIGH
    title = "nimsh ports"
    meaning = (
        "nimsh uses the reserved ports 3901 (service requests, stdin/stdout) and 3902 (stderr). If another "
        "program holds one of them - typically the message server of SAP instance 01 or 02, whose "
        "rdisp/msserv_internal is 39NN - nimsh cannot bind it and stops, and nimadm reaches that program "
        "instead of nimsh. The check is read-only: it lists TCP listeners with `netstat -Aan` and reads "
        "nimsh's state with `lssrc -s nimsh`. An active nimsh holds its ports itself; a listener while nimsh "
        "is down, or a second listener on a port, belongs to something else. Which process that is, "
        "`rmsock <PCB> tcpcb` tells; it is offered as a fix, not run by the preflight, because for a socket "
        "that no process holds (an orphan) rmsock aborts it and frees the port."
    )

    def probes(self, ctx: ClientContext) -> list[Probe]:
        return [p for role in ROLES for p in (commands.netstat_sockets(role), commands.lssrc_nimsh(role))]

    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        return [f for role in ROLES for f in self.guarded(functools.partial(self._on, ctx, view, role))]

    def _on(self, ctx: ClientContext, view: View, role: Role) -> list[Finding]:
        host = ctx.host_for(role)
        netstat = view.get(commands.netstat_sockets(role))
        sockets = parse_netstat(netstat.output)
        lssrc = view.peek(commands.lssrc_nimsh(role))
        nimsh = parse_lssrc(lssrc.output, NIMSH_PROCESS) if lssrc is not None else None
        nimsh_active = nimsh.active if nimsh is not None else None
        findings: list[Finding] = []
        for port in commands.NIMSH_PORTS:
            found = listeners(sockets, port)
            port_lines = view.evidence(netstat, "\n".join(s.line for s in found) or f"(no listener on {port})")
            evidence = [port_lines] + ([view.evidence(lssrc)] if lssrc is not None else [])
            if not found:
                findings.append(
                    self.finding(
                        host,
                        Status.WARN,
                        f"nothing listens on port {port} on {host}: nimsh is not serving there",
                        [port_lines],
                        Remediation(f"Start nimsh on {host} (see nimsh.active) and run the preflight again."),
                        severity=Severity.MEDIUM,
                    )
                )
            elif nimsh_active is False:
                findings.append(
                    self.finding(
                        host,
                        Status.FAIL,
                        f"port {port} on {host} is held while nimsh is not running: another process or an "
                        "orphaned socket has it",
                        evidence,
                        self._holder_fix(host, port, found),
                    )
                )
            elif _more_than_one_per_family(found):
                findings.append(
                    self.finding(
                        host,
                        Status.FAIL,
                        f"port {port} on {host} has {len(found)} listeners: a process other than nimsh holds one",
                        evidence,
                        self._holder_fix(host, port, found),
                    )
                )
            elif nimsh_active is None:
                findings.append(
                    self.finding(
                        host,
                        Status.WARN,
                        f"could not tell whether nimsh holds port {port} on {host} (`lssrc -s nimsh` gave no answer)",
                        [port_lines],
                        self._holder_fix(host, port, found),
                        severity=Severity.MEDIUM,
                    )
                )
        if not findings:
            pid = f" (PID {nimsh.pid})" if nimsh is not None and nimsh.pid else ""
            held = [s.line for p in commands.NIMSH_PORTS for s in listeners(sockets, p)]
            findings.append(
                self.finding(
                    host,
                    Status.PASS,
                    f"ports {', '.join(map(str, commands.NIMSH_PORTS))} on {host} are listened on and nimsh is "
                    f"active{pid}",
                    [view.evidence(netstat, "\n".join(held))] + ([view.evidence(lssrc)] if lssrc is not None else []),
                )
            )
        return findings

    def _holder_fix(self, host: str, port: int, found: list[Socket]) -> Remediation:
        probes = [RemedyCommand(host, commands.rmsock_holder(s.pcb)) for s in found if s.pcb]
        how = (
            "The fix runs `rmsock <PCB> tcpcb` for each listener: it prints the process that holds the socket "
            "(then stop it or move it), or, for a socket no process holds, aborts it and frees the port. "
            if probes
            else f"Run `netstat -Aan` and `rmsock <PCB> tcpcb` on {host} as root to see who holds it "
            "(this netstat printed no PCB addresses). "
        )
        return Remediation(
            f"Free port {port} on {host} for nimsh. {how}A SAP message server (instance 01/02, "
            "rdisp/msserv_internal = 3901/3902) is moved by changing the SAP instance number (00 or 03 and up) "
            "or rdisp/msserv_internal. Then start nimsh (`startsrc -s nimsh`) and run the preflight again.",
            tuple(probes),
            destructive=bool(probes),  # an orphaned socket is aborted: confirmed by typing, like a deletion
        )


def _more_than_one_per_family(found: list[Socket]) -> bool:
    """nimsh opens one listener per port (per address family); a second one is another program's."""
    families = ["6" if s.proto.endswith("6") else "4" for s in found]
    return len(families) != len(set(families))
