"""nimsh on both ends of the migration: running (`nimsh.active`) and owning its ports (`nimsh.ports`)."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from cockpit.domain.preflight import commands
from cockpit.domain.preflight.checks.base import Check, Undecidable, View
from cockpit.domain.preflight.context import ClientContext
from cockpit.domain.preflight.models import (
    ROLES,
    Finding,
    Probe,
    ProbeResult,
    Remediation,
    RemedyCommand,
    Role,
    Severity,
    Status,
)
from cockpit.domain.preflight.parsers.net import SocketHolder, listeners, parse_netstat, parse_rmsock
from cockpit.domain.preflight.parsers.src import NOT_ON_FILE, parse_lssrc

NIMSH_PROCESS = "nimsh"


class NimshActive(Check):
    id = "nimsh.active"
    severity = Severity.INHIBITOR
    title = "nimsh active"
    meaning = (
        "nimadm reaches the client through NIM remote execution, served by the NIM service handler (nimsh) "
        "on the NIM master and on the client. nimsh is not started by default, and nimadm fails when it is "
        "not active on both sides (seed 003). `startsrc -s nimsh` starts it (0513-059 The nimsh Subsystem "
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
        "rdisp/msserv_internal is 39NN - nimsh cannot serve and nimadm cannot reach the host. The check "
        "lists TCP listeners with `netstat -Aan` and asks `rmsock <PCB> tcpcb` which process holds each "
        "one (rmsock only reports a socket that a process holds; it would abort an orphaned one)."
    )

    def probes(self, ctx: ClientContext) -> list[Probe]:
        return [commands.netstat_sockets(role) for role in ROLES]

    def followups(self, ctx: ClientContext, results: Mapping[str, ProbeResult]) -> list[Probe]:
        view = View(ctx, results)
        probes = []
        for role in ROLES:
            result = view.peek(commands.netstat_sockets(role))
            if result is None or result.exit_status != 0:
                continue
            sockets = parse_netstat(result.output)
            for port in commands.NIMSH_PORTS:
                probes += [commands.rmsock_holder(role, s.pcb) for s in listeners(sockets, port) if s.pcb]
        return probes

    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        return [f for role in ROLES for f in self.guarded(functools.partial(self._on, ctx, view, role))]

    def _on(self, ctx: ClientContext, view: View, role: Role) -> list[Finding]:
        host = ctx.host_for(role)
        netstat = view.get(commands.netstat_sockets(role))
        sockets = parse_netstat(netstat.output)
        findings: list[Finding] = []
        held_by_nimsh: list[str] = []
        for port in commands.NIMSH_PORTS:
            found = listeners(sockets, port)
            port_lines = view.evidence(netstat, "\n".join(s.line for s in found) or f"(no listener on {port})")
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
                continue
            holders: dict[int, tuple[SocketHolder, ProbeResult]] = {}
            unknown = False
            for socket in found:
                answer = view.peek(commands.rmsock_holder(role, socket.pcb)) if socket.pcb else None
                holder = parse_rmsock(answer.output) if answer else None
                if holder is None or answer is None:
                    unknown = True
                else:
                    holders.setdefault(holder.pid, (holder, answer))
            for holder, answer in holders.values():
                if holder.process == NIMSH_PROCESS:
                    held_by_nimsh.append(f"{port} (PID {holder.pid})")
                    continue
                findings.append(
                    self.finding(
                        host,
                        Status.FAIL,
                        f"port {port} on {host} is held by {holder.process} (PID {holder.pid}), not by nimsh",
                        [port_lines, view.evidence(answer)],
                        Remediation(
                            f"Free port {port} on {host} for nimsh: if {holder.process} is a SAP message server "
                            "(instance 01/02 use rdisp/msserv_internal = 3901/3902), move the SAP instance "
                            "number (00 or 03 and up) or change rdisp/msserv_internal; otherwise stop or "
                            f"reconfigure the process (ps -fp {holder.pid}). Then restart nimsh."
                        ),
                    )
                )
            if unknown and not holders:
                findings.append(
                    self.finding(
                        host,
                        Status.WARN,
                        f"could not tell which process holds port {port} on {host}",
                        [port_lines],
                        Remediation(
                            f"Run `netstat -Aan` and `rmsock <PCB> tcpcb` on {host} as root to see who "
                            f"holds port {port}."
                        ),
                        severity=Severity.MEDIUM,
                    )
                )
        if not findings:
            findings.append(
                self.finding(
                    host,
                    Status.PASS,
                    f"ports {', '.join(held_by_nimsh)} on {host} are held by nimsh",
                    [
                        view.evidence(
                            netstat, "\n".join(s.line for p in commands.NIMSH_PORTS for s in listeners(sockets, p))
                        )
                    ],
                )
            )
        return findings
