"""nimsh.active and nimsh.ports on seed 003's master and client."""

from __future__ import annotations

from cockpit.domain.preflight import Finding, Severity, Status, plan_followups
from cockpit.domain.preflight.checks import NimshActive, NimshPorts
from tests.unit.preflight import samples as s
from tests.unit.preflight.fleet import CTX, NOT_RUN, Out, commands_of, evaluate, healthy, run


def by_host(findings: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.host, []).append(f)
    return out


def test_nimsh_active_on_both_sides_passes() -> None:
    findings = evaluate(NimshActive(), healthy())
    assert [(f.host, f.status, f.summary) for f in findings] == [
        ("adachi-nim", Status.PASS, "nimsh is active on adachi-nim (PID 5571004)"),
        ("adachi-AIX7", Status.PASS, "nimsh is active on adachi-AIX7 (PID 5571004)"),
    ]


def test_nimsh_inoperative_on_the_client_fails_with_startsrc_there() -> None:
    answers = healthy() | {("client", "lssrc -s nimsh"): Out(0, s.LSSRC_INOPERATIVE)}
    master, client = evaluate(NimshActive(), answers)
    assert master.status is Status.PASS
    assert (client.host, client.status, client.severity) == ("adachi-AIX7", Status.FAIL, Severity.INHIBITOR)
    assert client.summary == "nimsh is inoperative on adachi-AIX7"
    assert commands_of(client) == [("adachi-AIX7", "startsrc -s nimsh")]
    assert client.remediation.destructive is False
    assert client.evidence[0].command == "lssrc -s nimsh" and "inoperative" in client.evidence[0].output
    assert client.blocking


def test_nimsh_not_defined_on_the_master() -> None:
    answers = healthy() | {("master", "lssrc -s nimsh"): Out(1, "", s.LSSRC_NOT_ON_FILE)}
    master, client = evaluate(NimshActive(), answers)
    assert (master.host, master.status, master.severity) == ("adachi-nim", Status.FAIL, Severity.INHIBITOR)
    assert master.summary == "nimsh is not defined on adachi-nim (0513-085: not on file)"
    assert commands_of(master) == []
    assert master.evidence[0].exit_status == 1
    assert client.status is Status.PASS


def test_a_probe_that_could_not_run_is_an_error_for_that_host_only() -> None:
    answers = healthy() | {("client", "lssrc -s nimsh"): NOT_RUN}
    master, client = evaluate(NimshActive(), answers)
    assert master.status is Status.PASS
    assert (client.status, client.severity) == (Status.ERROR, Severity.INHIBITOR)
    assert client.summary == "nimsh active: `lssrc -s nimsh` on adachi-AIX7 could not be run: connection refused"
    assert client.blocking


def test_a_command_missing_on_the_host_is_an_error() -> None:
    answers = healthy() | {("master", "lssrc -s nimsh"): Out(127, "", "ksh: lssrc: not found\n")}
    master, _ = evaluate(NimshActive(), answers)
    assert master.status is Status.ERROR
    assert master.summary == "nimsh active: `lssrc -s nimsh` on adachi-nim was not found (exit status 127)"


def test_nimsh_ports_held_by_nimsh_pass() -> None:
    findings = evaluate(NimshPorts(), healthy())
    assert [(f.host, f.status) for f in findings] == [("adachi-nim", Status.PASS), ("adachi-AIX7", Status.PASS)]
    assert findings[1].summary == "ports 3901 (PID 5571004), 3902 (PID 5571004) on adachi-AIX7 are held by nimsh"


def test_the_listeners_pcbs_become_rmsock_follow_ups() -> None:
    answers = healthy() | {("client", "netstat -Aan"): Out(0, s.NETSTAT_SAP_3901)}
    results = run(answers | {("client", f"rmsock {s.SAP_PCB_3901} tcpcb"): Out(0, s.RMSOCK_SAP)})
    follow = [(p.on, p.command) for p in plan_followups(CTX, results) if p.command.startswith("rmsock")]
    assert follow == [
        ("master", f"rmsock {s.NIMSH_PCB_3901} tcpcb"),
        ("master", f"rmsock {s.NIMSH_PCB_3902} tcpcb"),
        ("client", f"rmsock {s.SAP_PCB_3901} tcpcb"),
        ("client", f"rmsock {s.NIMSH_PCB_3902} tcpcb"),
    ]


def test_port_3901_held_by_a_sap_message_server_fails_with_a_hint_only() -> None:
    answers = healthy() | {
        ("client", "netstat -Aan"): Out(0, s.NETSTAT_SAP_3901),
        ("client", f"rmsock {s.SAP_PCB_3901} tcpcb"): Out(0, s.RMSOCK_SAP),
    }
    hosts = by_host(evaluate(NimshPorts(), answers))
    assert [f.status for f in hosts["adachi-nim"]] == [Status.PASS]
    [clash] = hosts["adachi-AIX7"]
    assert (clash.status, clash.severity) == (Status.FAIL, Severity.HIGH)
    assert clash.summary == "port 3901 on adachi-AIX7 is held by msg_server (PID 4718730), not by nimsh"
    assert commands_of(clash) == []
    assert "rdisp/msserv_internal" in clash.remediation.hint and "ps -fp 4718730" in clash.remediation.hint
    assert [e.command for e in clash.evidence] == ["netstat -Aan", f"rmsock {s.SAP_PCB_3901} tcpcb"]
    assert (
        clash.evidence[0].output
        == f"{s.SAP_PCB_3901} tcp4       0      0  *.3901                *.*                   LISTEN"
    )
    assert "msg_server" in clash.evidence[1].output
    assert clash.blocking


def test_nothing_listening_warns_for_each_port() -> None:
    answers = healthy() | {("master", "netstat -Aan"): Out(0, s.NETSTAT_AAN_AIX73)}
    warnings = by_host(evaluate(NimshPorts(), answers))["adachi-nim"]
    assert [(f.status, f.severity, f.summary) for f in warnings] == [
        (Status.WARN, Severity.MEDIUM, "nothing listens on port 3901 on adachi-nim: nimsh is not serving there"),
        (Status.WARN, Severity.MEDIUM, "nothing listens on port 3902 on adachi-nim: nimsh is not serving there"),
    ]
    assert not any(f.blocking for f in warnings)


def test_an_unknown_holder_warns() -> None:
    answers = healthy() | {("client", f"rmsock {s.NIMSH_PCB_3901} tcpcb"): Out(1, s.RMSOCK_NOT_A_SOCKET)}
    [unknown] = by_host(evaluate(NimshPorts(), answers))["adachi-AIX7"]
    assert (unknown.status, unknown.summary) == (
        Status.WARN,
        "could not tell which process holds port 3901 on adachi-AIX7",
    )


def test_netstat_without_pcb_gives_no_follow_up_and_a_warning() -> None:
    answers = healthy() | {("client", "netstat -Aan"): Out(0, s.NETSTAT_AN)}
    results = run(answers)
    assert not any(p.on == "client" and p.command.startswith("rmsock") for p in plan_followups(CTX, results))
    client = by_host(NimshPorts().evaluate(CTX, results))["adachi-AIX7"]
    assert [f.status for f in client] == [Status.WARN, Status.WARN]


def test_netstat_that_failed_is_an_error() -> None:
    answers = healthy() | {("master", "netstat -Aan"): NOT_RUN}
    [master] = by_host(evaluate(NimshPorts(), answers))["adachi-nim"]
    assert master.status is Status.ERROR
    assert master.summary == "nimsh ports: `netstat -Aan` on adachi-nim could not be run: connection refused"
