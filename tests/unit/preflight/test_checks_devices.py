"""devices.ghost_major: the field report's 0516-082 trap, found before the run instead of in phase 11."""

from __future__ import annotations

from cockpit.domain.preflight import Severity, Status, plan_followups
from cockpit.domain.preflight.checks import GhostMajor
from tests.unit.preflight import samples as s
from tests.unit.preflight.fleet import CTX, NOT_RUN, Out, commands_of, evaluate, healthy, run

ODMGET = ("client", "odmget -q value1=43 CuDvDr")
LS_DEV = ("client", "ls -al /dev")
SAVE_ODM = 'odmget -q value1=43 CuDvDr > /tmp/cockpit-CuDvDr-43."$(date +%Y%m%d%H%M%S)".odm'
SAVE_DEV = 'ls -al /dev/hdisk9 > /tmp/cockpit-dev-43."$(date +%Y%m%d%H%M%S)".txt'


def test_the_lowest_free_major_becomes_the_odmget_follow_up() -> None:
    results = run(healthy())
    assert [(p.on, p.command) for p in plan_followups(CTX, results) if "odmget" in p.command] == [ODMGET]


def test_unused_major_passes() -> None:
    [f] = evaluate(GhostMajor(), healthy())
    assert (f.host, f.status) == ("adachi-AIX7", Status.PASS)
    assert f.summary == "major number 43, the one alt_disk_copy will take, is unused in /dev and CuDvDr on adachi-AIX7"


def test_ghost_major_43_with_dev_hdisk9_and_a_cudvdr_entry() -> None:
    answers = healthy() | {LS_DEV: Out(0, s.LS_DEV_GHOST), ODMGET: Out(0, s.ODMGET_GHOST)}
    [f] = evaluate(GhostMajor(), answers)
    assert (f.host, f.status, f.severity) == ("adachi-AIX7", Status.FAIL, Severity.INHIBITOR)
    assert f.summary == (
        "major number 43, the lowest free one in lvlstmajor (alt_disk_copy's ALT_MAJOR_NUM), is still used by "
        "1 special file(s) in /dev (hdisk9) and 1 CuDvDr entry on adachi-AIX7: phase 11 would fail with "
        "0516-082 /usr/sbin/lchangelv: Unable to access a special device file"
    )
    assert [(c.host, c.command) for c in f.remediation.saves_first] == [
        ("adachi-AIX7", SAVE_ODM),
        ("adachi-AIX7", SAVE_DEV),
    ]
    assert commands_of(f) == [
        ("adachi-AIX7", SAVE_ODM),
        ("adachi-AIX7", SAVE_DEV),
        ("adachi-AIX7", "rm /dev/hdisk9"),
        ("adachi-AIX7", "odmdelete -q value1=43 -o CuDvDr"),
        ("adachi-AIX7", "odmget -q value1=43 CuDvDr"),
        ("adachi-AIX7", "savebase"),
    ]
    assert f.remediation.destructive is True
    assert "(0516-082)" in f.remediation.hint and "risky" in f.remediation.hint
    assert f.evidence[1].output == "crw-rw----    1 root     system       43,  0 Nov 20 10:00 hdisk9"
    assert 'value3 = "hdisk9"' in f.evidence[2].output


def test_a_cudvdr_entry_alone_is_a_ghost_too_and_needs_no_rm() -> None:
    [f] = evaluate(GhostMajor(), healthy() | {ODMGET: Out(0, s.ODMGET_GHOST)})
    assert f.status is Status.FAIL
    assert "used by 1 CuDvDr entry on adachi-AIX7" in f.summary
    assert [c for _, c in commands_of(f)] == [
        SAVE_ODM,
        "odmdelete -q value1=43 -o CuDvDr",
        "odmget -q value1=43 CuDvDr",
        "savebase",
    ]


def test_special_files_alone_need_no_odm_commands() -> None:
    [f] = evaluate(GhostMajor(), healthy() | {LS_DEV: Out(0, s.LS_DEV_GHOST)})
    assert [c for _, c in commands_of(f)] == [SAVE_DEV, "rm /dev/hdisk9"]


def test_lvlstmajor_that_did_not_run_is_an_error_and_asks_no_follow_up() -> None:
    answers = healthy() | {("client", "lvlstmajor"): NOT_RUN}
    results = run(answers)
    assert not any("odmget" in p.command for p in plan_followups(CTX, results))
    [f] = GhostMajor().evaluate(CTX, results)
    assert (f.status, f.summary) == (
        Status.ERROR,
        "ghost major number: `lvlstmajor` on adachi-AIX7 could not be run: connection refused",
    )


def test_unreadable_lvlstmajor_is_an_error() -> None:
    answers = healthy() | {("client", "lvlstmajor"): Out(0, "Usage: lvlstmajor\n")}
    [f] = GhostMajor().evaluate(CTX, run(answers))
    assert f.status is Status.ERROR
    assert f.summary.startswith("ghost major number: `lvlstmajor` on adachi-AIX7 printed something unexpected")
