"""`cockpit diagnose` on real failures published in public bug reports and blogs (tests/data/README.md)."""

from __future__ import annotations

import io
from pathlib import Path

from cockpit.commands.diagnose import run
from cockpit.domain.diagnose import Diagnosis, diagnose

DATA = Path(__file__).parent.parent / "data"


def read(name: str) -> Diagnosis:
    return diagnose((DATA / name).read_text())


def codes(d: Diagnosis) -> list[str | None]:
    return [f.code for f in d.errors]


def test_ansible_issue_278_0516_404_is_a_failure_in_phase_1_with_its_reason_lines() -> None:
    d = read("alt_disk_copy_0516_404_ansible_issue_278.log")
    assert d.kind == "alt_disk"
    assert d.outcome == "failed"
    assert [(p.phase, p.status) for p in d.phases] == [(1, "failed")]
    assert codes(d) == ["0516-404"]
    allocp = d.errors[0]
    assert allocp.fatal and allocp.phase == 1
    assert allocp.line == "0516-404 allocp: This system cannot fulfill the allocation request."
    assert allocp.detail == (
        "There are not enough free partitions or not enough physical volumes",
        "to keep strictness and satisfy allocation requests.  The command",
        "should be retried with different allocation characteristics.",
    )
    assert "too small for rootvg" in allocp.meaning
    # The target disk is named by the command line: the fix's placeholder is filled.
    assert ("client", "bootinfo -s hdisk3") in [(s.on, s.command) for s in allocp.commands]
    assert allocp.explain == "cockpit explain 0516-404"


def test_ansible_issue_278_through_the_command() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run(DATA / "alt_disk_copy_0516_404_ansible_issue_278.log", "text", out=out, err=err) == 1
    text = out.getvalue()
    assert "outcome:  FAILED in phase 1" in text and "INCOMPLETE" not in text
    assert "  0516-404  line 6, phase 1, fatal\n" in text
    assert "    to keep strictness and satisfy allocation requests.  The command\n" in text
    assert "    explain: cockpit explain 0516-404\n" in text


def test_gibson_multibos_failure_in_phase_11() -> None:
    d = read("nimadm_multibos_phase11_gibsonnet.log")
    assert d.kind == "nimadm" and d.outcome == "failed" and d.stopped_in_phase == 11
    assert codes(d) == ["0505-218", "0505-187"]
    assert d.errors[1].commands[-1].command == "nimadm -C -c lpar1 -s <spot>"  # client named by the cleanup line


def test_ansible_issue_510_nim_cust_failure_keeps_what_each_message_introduces() -> None:
    d = read("nim_cust_0042_175_ansible_issue_510.log")
    assert d.outcome == "failed"
    assert codes(d) == ["0042-175", "0042-175", "0042-001", "0042-001"]
    installp = d.errors[1]
    assert installp.line.startswith("0042-175 c_installp: An unexpected result was returned")
    assert installp.detail == ("Input device or directory does not exist.",)
    assert all(f.fatal for f in d.errors)


def test_ansible_issue_642_nimsh_refused() -> None:
    d = read("nim_c_rsh_0042_006_ansible_issue_642.log")
    assert d.outcome == "failed" and codes(d) == ["0042-006"]
    assert "nimsh" in d.errors[0].meaning


def test_ansible_issue_131_chvg_ends_on_the_wrapper_and_the_cause_leads() -> None:
    d = read("chvg_0516_1616_ansible_issue_131.log")
    assert d.outcome == "failed"
    assert codes(d) == ["0516-1616", "0516-732"]
    assert all(f.fatal for f in d.errors)


def test_ibm_apar_iv88407_multibos_copy_failure() -> None:
    d = read("multibos_0565_apar_iv88407.log")
    assert d.outcome == "failed"
    assert codes(d) == ["0565-020", "0565-035", "0511-449", "0565-022"]


def test_an_unknown_code_in_a_failing_log_is_an_error_shown_with_the_lines_around_it() -> None:
    text = (DATA / "alt_disk_copy_0516_404_ansible_issue_278.log").read_text().replace("0516-404", "0516-4040")
    d = diagnose(text)
    assert d.outcome == "failed"  # the log ends right after it
    unknown = d.errors[0]
    assert (unknown.code, unknown.fatal) == ("0516-4040", True)
    assert "not in the cockpit's catalogue" in unknown.meaning and unknown.explain is None
    assert len(unknown.detail) == 3  # the tab-indented reason lines, kept as for a known message
    assert unknown.context[:2] == ("Creating cloned rootvg volume group and associated logical volumes.",
                                   "Creating logical volume alt_hd5.")  # fmt: skip

    mid = text + "Creating logical volume alt_hd6.\n"
    d = diagnose(mid)  # not the last message, the run not finished: an error, not the cause
    assert d.outcome == "incomplete"
    assert [(f.code, f.severity) for f in d.errors] == [("0516-4040", "error")]
