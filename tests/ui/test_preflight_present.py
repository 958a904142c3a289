"""How preflight findings are written in the matrix: headers, cell glyphs, fix plans (no app needed)."""

from __future__ import annotations

from cockpit.domain.preflight import ALL_CHECKS, Finding, Remediation, RemedyCommand, Severity, Status, Waiver
from cockpit.domain.preflight.verdict import evaluate_fleet
from cockpit.ui.preflight_present import (
    SHORT_MAX,
    CellStatus,
    PreflightMatrix,
    cell_status,
    fix_steps,
    fixable,
    short_name,
)


def finding(check: str, host: str, status: Status, severity: Severity = Severity.INHIBITOR, **kw: object) -> Finding:
    return Finding(check, host, status, severity, f"{check} {status.value} on {host}", **kw)  # type: ignore[arg-type]


def test_every_check_has_a_short_distinct_header() -> None:
    names = [short_name(c.id) for c in ALL_CHECKS]
    assert all(0 < len(n) <= SHORT_MAX for n in names), names
    assert len(set(names)) == len(names), names
    assert short_name("nimsh.active") == "nimsh"
    assert short_name("new.some_check_with_a_long_name") == "some chec"


def test_a_cell_shows_its_worst_open_finding_and_waived_only_when_nothing_is_open() -> None:
    ok = finding("nimsh.active", "nim01", Status.PASS)
    warn = finding("nimsh.ports", "lpar01", Status.WARN)
    error = finding("nimsh.active", "lpar01", Status.ERROR)
    fail = finding("nimsh.active", "lpar01", Status.FAIL)
    waived = fail.waived(Waiver("nimsh.active", "known", host="lpar01"))
    assert cell_status([]) is CellStatus.NONE
    assert cell_status([ok]) is CellStatus.PASS
    assert cell_status([ok, warn]) is CellStatus.WARN
    assert cell_status([warn, error]) is CellStatus.ERROR
    assert cell_status([error, fail, ok]) is CellStatus.FAIL
    assert cell_status([ok, waived]) is CellStatus.WAIVED
    assert cell_status([waived, warn]) is CellStatus.WARN


def test_a_master_finding_shows_in_each_clients_row_and_waivers_come_from_the_verdict() -> None:
    master_fail = finding("nimsh.active", "nim01", Status.FAIL)
    findings = {
        "lpar01": [master_fail, finding("nimsh.active", "lpar01", Status.PASS)],
        "lpar02": [master_fail, finding("devices.ghost_major", "lpar02", Status.FAIL)],
    }
    verdict = evaluate_fleet(findings, [Waiver("nimsh.active", "maintenance window", host="lpar02")])
    matrix = PreflightMatrix.build(findings, verdict)
    assert matrix.checks == ("nimsh.active", "devices.ghost_major")  # in the checks' own order
    assert matrix.status("lpar01", "nimsh.active") is CellStatus.FAIL
    assert matrix.status("lpar02", "nimsh.active") is CellStatus.WAIVED
    assert matrix.status("lpar01", "devices.ghost_major") is CellStatus.NONE
    assert matrix.clients_with("nimsh.active", "nim01") == ["lpar01", "lpar02"]
    assert matrix.go_clients() == []


def test_fix_steps_put_each_findings_saves_first_and_mark_destructive_commands() -> None:
    ghost = finding(
        "devices.ghost_major",
        "lpar05",
        Status.FAIL,
        remediation=Remediation(
            "ghost cleanup",
            commands=(RemedyCommand("lpar05", "odmdelete -q value1=43 -o CuDvDr"),),
            destructive=True,
            saves_first=(RemedyCommand("lpar05", "odmget -q value1=43 CuDvDr > /tmp/save"),),
        ),
    )
    hint_only = finding("nimsh.ports", "lpar05", Status.FAIL, remediation=Remediation("move SAP"))
    assert fixable([hint_only, ghost]) == [ghost]
    steps = fix_steps([ghost])
    assert [(s.line, s.saves, s.destructive) for s in steps] == [
        ("[lpar05] odmget -q value1=43 CuDvDr > /tmp/save", True, False),
        ("[lpar05] odmdelete -q value1=43 -o CuDvDr", False, True),
    ]
