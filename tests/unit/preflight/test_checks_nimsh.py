"""nimsh.active and nimsh.ports on the field report's master and client."""

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


def test_nimsh_active_with_one_listener_per_port_passes() -> None:
    findings = evaluate(NimshPorts(), healthy())
    assert [(f.host, f.status) for f in findings] == [("adachi-nim", Status.PASS), ("adachi-AIX7", Status.PASS)]
    assert findings[1].summary == "ports 3901, 3902 on adachi-AIX7 are listened on and nimsh is active (PID 5571004)"
    assert [e.command for e in findings[1].evidence] == ["netstat -Aan", "lssrc -s nimsh"]


def test_the_preflight_never_runs_rmsock() -> None:
    # rmsock aborts a socket no process holds: it changes the host, so it is a fix, never a probe.
    answers = healthy() | {
        ("client", "netstat -Aan"): Out(0, s.NETSTAT_SAP_3901),
        ("client", "lssrc -s nimsh"): Out(0, s.LSSRC_INOPERATIVE),
    }
    results = run(answers)
    assert not any(p.command.startswith("rmsock") for p in plan_followups(CTX, results))
    assert not any(p.command.startswith("rmsock") for p in NimshPorts().probes(CTX))


def test_a_port_held_while_nimsh_is_down_fails_and_offers_rmsock_as_a_confirmed_fix() -> None:
    # SAP instance 01's message server took 3901 first: nimsh could not bind it and is not running.
    answers = healthy() | {
        ("client", "netstat -Aan"): Out(
            0, "".join(x for x in s.NETSTAT_SAP_3901.splitlines(True) if "*.3902" not in x)
        ),
        ("client", "lssrc -s nimsh"): Out(0, s.LSSRC_INOPERATIVE),
    }
    hosts = by_host(evaluate(NimshPorts(), answers))
    assert [f.status for f in hosts["adachi-nim"]] == [Status.PASS]
    clash, free = hosts["adachi-AIX7"]
    assert (clash.status, clash.severity) == (Status.FAIL, Severity.HIGH)
    assert clash.summary == (
        "port 3901 on adachi-AIX7 is held while nimsh is not running: another process or an orphaned socket has it"
    )
    assert commands_of(clash) == [("adachi-AIX7", f"rmsock {s.SAP_PCB_3901} tcpcb")]
    assert clash.remediation.destructive  # it may abort an orphaned socket: typed confirmation
    assert "rdisp/msserv_internal" in clash.remediation.hint
    assert [e.command for e in clash.evidence] == ["netstat -Aan", "lssrc -s nimsh"]
    assert (
        clash.evidence[0].output
        == f"{s.SAP_PCB_3901} tcp4       0      0  *.3901                *.*                   LISTEN"
    )
    assert clash.blocking
    assert (free.status, free.severity) == (Status.WARN, Severity.MEDIUM)  # 3902: nothing listens


def test_a_second_listener_on_a_port_fails_even_with_nimsh_active() -> None:
    extra = f"{s.SAP_PCB_3901} tcp4       0      0  10.1.1.5.3901         *.*                   LISTEN\n"
    netstat = s.NETSTAT_NIMSH + extra
    answers = healthy() | {("client", "netstat -Aan"): Out(0, netstat)}
    [clash] = by_host(evaluate(NimshPorts(), answers))["adachi-AIX7"]
    assert (clash.status, clash.summary) == (
        Status.FAIL,
        "port 3901 on adachi-AIX7 has 2 listeners: a process other than nimsh holds one",
    )
    assert commands_of(clash) == [
        ("adachi-AIX7", f"rmsock {s.NIMSH_PCB_3901} tcpcb"),
        ("adachi-AIX7", f"rmsock {s.SAP_PCB_3901} tcpcb"),
    ]


def test_nothing_listening_warns_for_each_port() -> None:
    answers = healthy() | {("master", "netstat -Aan"): Out(0, s.NETSTAT_AAN_AIX73)}
    warnings = by_host(evaluate(NimshPorts(), answers))["adachi-nim"]
    assert [(f.status, f.severity, f.summary) for f in warnings] == [
        (Status.WARN, Severity.MEDIUM, "nothing listens on port 3901 on adachi-nim: nimsh is not serving there"),
        (Status.WARN, Severity.MEDIUM, "nothing listens on port 3902 on adachi-nim: nimsh is not serving there"),
    ]
    assert not any(f.blocking for f in warnings)


def test_without_nimsh_state_the_holder_is_unknown() -> None:
    answers = healthy() | {("client", "lssrc -s nimsh"): NOT_RUN}
    unknown = by_host(evaluate(NimshPorts(), answers))["adachi-AIX7"]
    assert [(f.status, f.summary) for f in unknown] == [
        (
            Status.WARN,
            f"could not tell whether nimsh holds port {port} on adachi-AIX7 (`lssrc -s nimsh` gave no answer)",
        )
        for port in (3901, 3902)
    ]
    assert commands_of(unknown[0]) == [("adachi-AIX7", f"rmsock {s.NIMSH_PCB_3901} tcpcb")]


def test_netstat_without_pcb_offers_no_rmsock_and_says_how() -> None:
    answers = healthy() | {
        ("client", "netstat -Aan"): Out(0, s.NETSTAT_AN),
        ("client", "lssrc -s nimsh"): Out(0, s.LSSRC_INOPERATIVE),
    }
    client = by_host(NimshPorts().evaluate(CTX, run(answers)))["adachi-AIX7"]
    assert [f.status for f in client] == [Status.FAIL, Status.FAIL]
    for f in client:
        assert commands_of(f) == []
        assert "`netstat -Aan` and `rmsock <PCB> tcpcb`" in f.remediation.hint


def test_netstat_that_failed_is_an_error() -> None:
    answers = healthy() | {("master", "netstat -Aan"): NOT_RUN}
    [master] = by_host(evaluate(NimshPorts(), answers))["adachi-nim"]
    assert master.status is Status.ERROR
    assert master.summary == "nimsh ports: `netstat -Aan` on adachi-nim could not be run: connection refused"
