"""go / no-go per host and for the fleet, waivers, the probe session the engine drives, and the JSON."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from cockpit.domain.preflight import (
    ALL_CHECKS,
    CHECKS,
    ClientContext,
    Decision,
    Finding,
    HostCommand,
    PreflightSession,
    Severity,
    Status,
    Waiver,
    evaluate_fleet,
    host_verdict,
    run_checks,
)
from tests.unit.preflight import samples as s
from tests.unit.preflight.fleet import CTX, NOT_RUN, Answers, Out, healthy, run

CTX2 = replace(CTX, client="aix02", nim_name="aix02")


def finding(status: Status, severity: Severity, check: str = "x.y", host: str = "adachi-AIX7") -> Finding:
    return Finding(check, host, status, severity, f"{check} {status} {severity}")


@pytest.mark.parametrize(
    "status,severity,blocks",
    [
        (Status.FAIL, Severity.INHIBITOR, True),
        (Status.FAIL, Severity.HIGH, True),
        (Status.FAIL, Severity.MEDIUM, False),
        (Status.FAIL, Severity.LOW, False),
        (Status.FAIL, Severity.INFO, False),
        (Status.WARN, Severity.INHIBITOR, False),
        (Status.ERROR, Severity.LOW, True),
        (Status.PASS, Severity.INHIBITOR, False),
    ],
)
def test_what_blocks_a_host(status: Status, severity: Severity, blocks: bool) -> None:
    verdict = host_verdict("adachi-AIX7", [finding(status, severity)])
    assert verdict.decision is (Decision.NO_GO if blocks else Decision.GO)


def test_healthy_client_is_go_and_every_check_reports() -> None:
    findings = run_checks(CTX, run(healthy()))
    verdict = host_verdict(CTX.client, findings)
    assert verdict.decision is Decision.GO and verdict.reasons == []
    assert {f.check for f in findings} == set(CHECKS) - {"cache_vg.space"}
    assert all(f.status is Status.PASS for f in findings)


def test_a_master_side_problem_is_listed_for_every_client_naming_the_master() -> None:
    # nimsh stopped on the master: inoperative, and nothing listens on its ports any more.
    answers: Answers = (
        healthy()
        | client2()
        | {
            ("master", "lssrc -s nimsh"): Out(0, s.LSSRC_INOPERATIVE),
            ("master", "netstat -Aan"): Out(0, s.NETSTAT_AAN_AIX73),
        }
    )
    verdict = evaluate_fleet({c.client: run_checks(c, run(answers, c)) for c in (CTX, CTX2)})
    assert verdict.decision is Decision.NO_GO
    for client in ("adachi-AIX7", "aix02"):
        host = verdict.host(client)
        assert host.decision is Decision.NO_GO
        assert host.reasons == ["nimsh.active: nimsh is inoperative on adachi-nim"]
        [blocking] = host.blocking
        assert blocking.host == "adachi-nim"


def test_waiver_lets_a_host_go_and_stays_in_the_finding() -> None:
    answers = healthy() | {("client", "lsvg -l rootvg"): Out(0, s.LSVG_L_MULTIBOS)}
    findings = run_checks(CTX, run(answers))
    waiver = Waiver(
        "rootvg.multibos", "standby removed by hand at 21:50, change CHG-1234", host="adachi-AIX7", by="ops"
    )
    assert host_verdict(CTX.client, findings).decision is Decision.NO_GO
    verdict = host_verdict(CTX.client, findings, [waiver])
    assert verdict.decision is Decision.GO
    [waived] = [f for f in verdict.findings if f.check == "rootvg.multibos"]
    assert waived.status is Status.FAIL and waived.waiver == waiver and not waived.blocking
    assert waived.to_json()["waiver"] == {
        "reason": "standby removed by hand at 21:50, change CHG-1234",
        "by": "ops",
        "host": "adachi-AIX7",
        "key": None,
        "expires_at": None,
    }


def test_waiver_scope() -> None:
    master_problem = finding(Status.FAIL, Severity.INHIBITOR, "nimsh.active", host="adachi-nim")
    assert Waiver("nimsh.active", "r").covers(master_problem, "aix02")
    assert Waiver("nimsh.active", "r", host="adachi-nim").covers(master_problem, "aix02")
    assert Waiver("nimsh.active", "r", host="aix02").covers(master_problem, "aix02")
    assert not Waiver("nimsh.active", "r", host="aix03").covers(master_problem, "aix02")
    assert not Waiver("nimsh.ports", "r").covers(master_problem, "aix02")
    with pytest.raises(ValueError):
        Waiver("nimsh.active", "  ")


def test_an_error_is_never_waived_it_was_never_judged() -> None:
    """A check that could not run (error) found nothing to accept: no waiver covers it, the host stays no-go."""
    could_not_run = finding(Status.ERROR, Severity.INHIBITOR, "nimsh.active", host="aix02")
    waiver = Waiver("nimsh.active", "nimsh checked by hand", host="aix02")
    assert not waiver.covers(could_not_run, "aix02")
    assert not Waiver("nimsh.active", "every host", host=None).covers(could_not_run, "aix02")
    verdict = host_verdict("aix02", [could_not_run], [waiver])
    assert verdict.decision is Decision.NO_GO and verdict.findings[0].waiver is None


def test_an_expired_waiver_is_not_in_force() -> None:
    waiver = Waiver("nimsh.active", "r", host="aix02", given_at=100.0, expires_at=200.0)
    assert waiver.in_force(199.0) and not waiver.in_force(200.0)
    assert Waiver("nimsh.active", "r").in_force(1e12)  # not from the journal: no end of its own


def test_json_report_shape() -> None:
    answers = healthy() | {
        ("client", "lssrc -s nimsh"): Out(0, s.LSSRC_INOPERATIVE),
        ("client", "netstat -Aan"): Out(0, s.NETSTAT_AAN_AIX73),
    }
    report = evaluate_fleet({CTX.client: run_checks(CTX, run(answers))}).to_json()
    assert json.loads(json.dumps(report)) == report
    assert report["verdict"] == "no-go"
    [host] = report["hosts"]
    assert set(host) == {"host", "verdict", "blocking", "findings"}
    assert (host["host"], host["verdict"]) == ("adachi-AIX7", "no-go")
    [failed] = [f for f in host["findings"] if f["status"] == "fail"]
    assert failed == {
        "check": "nimsh.active",
        "host": "adachi-AIX7",
        "status": "fail",
        "severity": "inhibitor",
        "summary": "nimsh is inoperative on adachi-AIX7",
        "meaning": CHECKS["nimsh.active"].meaning,
        "evidence": [
            {"host": "adachi-AIX7", "command": "lssrc -s nimsh", "output": s.LSSRC_INOPERATIVE, "exit_status": 0}
        ],
        "remediation": {
            "hint": failed["remediation"]["hint"],
            "commands": [{"host": "adachi-AIX7", "command": "startsrc -s nimsh"}],
            "destructive": False,
            "saves_first": [],
        },
        "waiver": None,
    }


def drive(session: PreflightSession, answers_by_host: dict[str, Answers]) -> list[list[HostCommand]]:
    """Run the session like the engine: every pending command once, until nothing is pending."""
    rounds = []
    while batch := session.pending():
        rounds.append(batch)
        for hc in batch:
            role = "master" if hc.host == "adachi-nim" else "client"
            out = answers_by_host[hc.host][(role, hc.command)]
            session.record(hc.host, hc.command, out.exit_status, out.stdout, out.stderr, out.error)
    return rounds


def client2() -> Answers:
    """What differs for a second client, aix02, of the same master (same disks and outputs otherwise)."""
    return {
        ("master", "lsnim -l aix02"): Out(0, s.LSNIM_CLIENT.replace("adachi-AIX7", "aix02")),
        ("client", "cat /etc/niminfo"): Out(0, s.NIMINFO.replace("NIM_NAME=adachi-AIX7", "NIM_NAME=aix02")),
    }


def fleet_answers() -> dict[str, Answers]:
    both = healthy() | client2()
    master = {k: v for k, v in both.items() if k[0] == "master"}
    return {"adachi-nim": master, "adachi-AIX7": healthy(), "aix02": healthy() | client2()}


def test_session_runs_each_command_once_per_host_in_two_rounds() -> None:
    session = PreflightSession([CTX, CTX2])
    rounds = drive(session, fleet_answers())
    assert len(rounds) == 2
    first, second = rounds
    assert len(first) == len(set(first))
    assert [hc for hc in first if hc.host == "adachi-nim" and hc.command == "lssrc -s nimsh"] == [
        HostCommand("adachi-nim", "lssrc -s nimsh")
    ]
    assert {hc.command for hc in first if hc.host == "adachi-nim"} >= {"lsnim -l adachi-AIX7", "lsnim -l aix02"}
    assert sorted((hc.host, hc.command) for hc in second) == sorted(
        [(c, "odmget -q value1=43 CuDvDr") for c in ("adachi-AIX7", "aix02")]
    )
    verdict = session.verdict()
    assert verdict.decision is Decision.GO
    assert [h.host for h in verdict.hosts] == ["adachi-AIX7", "aix02"]


def test_session_turns_an_unreachable_client_into_errors_not_passes() -> None:
    answers = fleet_answers()
    answers["aix02"] = {k: (NOT_RUN if k[0] == "client" else v) for k, v in answers["aix02"].items()}
    session = PreflightSession([CTX, CTX2])
    rounds = drive(session, answers)
    assert not any(hc.host == "aix02" and "odmget" in hc.command for r in rounds for hc in r)
    verdict = session.verdict()
    assert verdict.host("adachi-AIX7").decision is Decision.GO
    bad = verdict.host("aix02")
    assert bad.decision is Decision.NO_GO
    client_side = [f for f in bad.findings if f.host == "aix02"]
    assert client_side and all(f.status is Status.ERROR for f in client_side)
    assert "disk.target_free: target disk free: `lspv` on aix02 could not be run: connection refused" in bad.reasons


def test_session_refuses_the_same_client_twice() -> None:
    with pytest.raises(ValueError):
        PreflightSession([CTX, CTX])


def test_checks_are_described() -> None:
    ids = [c.id for c in ALL_CHECKS]
    assert len(ids) == len(set(ids))
    for check in ALL_CHECKS:
        assert check.meaning.strip() and check.title and isinstance(check.severity, Severity)
    assert {c.id for c in ALL_CHECKS} >= {
        "nimsh.active",
        "nimsh.ports",
        "fileset.alt_disk_install",
        "devices.ghost_major",
        "disk.target_free",
        "disk.target_size",
        "rootvg.leftover_alt",
        "rootvg.multibos",
        "nim.client_defined",
        "nim.client_master",
        "oslevel.master_not_below_target",
    }


def test_context_validates_every_value() -> None:
    from cockpit.domain.names import UnsafeValue

    for bad in (
        {"disks": ("hdisk2; reboot",)},
        {"disks": "hdisk2"},
        {"spot": "spot$(id)"},
        {"client": "a b"},
        {"target_level": "7.2.5"},
        {"cache_vg": "vg;x"},
    ):
        with pytest.raises(UnsafeValue):
            replace(CTX, **bad)
    assert ClientContext("c1", "m1", "lpp", "spot", ("hdisk1",)).nim_name == "c1"
