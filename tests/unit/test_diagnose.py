"""`cockpit diagnose`: the log reader on real and constructed logs (tests/data/README.md), and the command."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cockpit.commands.diagnose import phase_summary, run
from cockpit.domain import catalogue, nimadm
from cockpit.domain.diagnose import Diagnosis, PhaseResult, diagnose

DATA = Path(__file__).parent.parent / "data"
SUCCESS = DATA / "nimadm_success_qiita.log"
PRECHECK = DATA / "nimadm_precheck_fail_qiita.log"
GHOST = DATA / "nimadm_ghost_device_phase11_constructed.log"
MULTIBOS = DATA / "nimadm_multibos_phase11_constructed.log"
ALT_DISK = DATA / "alt_disk_copy_constructed.log"
HEADER = (
    "# 2025-11-22 02:31:05 cockpit: on nim01: "
    "nimadm -c adachi-AIX7 -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y"
)


def read(path: Path) -> str:
    return path.read_text()


def statuses(d: Diagnosis) -> list[tuple[int, str]]:
    return [(p.phase, p.status) for p in d.phases]


def codes(findings: tuple) -> list[str | None]:  # type: ignore[type-arg]
    return [f.code for f in findings]


def line_no(path: Path, startswith: str) -> int:
    return next(i for i, line in enumerate(read(path).split("\n"), 1) if line.startswith(startswith))


# --- nimadm -------------------------------------------------------------------------------------------


def test_real_successful_run_is_twelve_ok_phases_with_its_benign_lines_as_warnings() -> None:
    d = diagnose(read(SUCCESS))
    assert d.kind == "nimadm"
    assert statuses(d) == [(n, "ok") for n in range(1, 13)]
    assert d.outcome == "succeeded" and d.succeeded
    assert d.errors == ()
    assert d.stopped_in_phase == 12
    nfs = [w for w in d.warnings if w.code == "0505-161"]
    assert [(w.phase, w.line) for w in nfs] == [
        (5, "0505-161 nimadm: WARNING, client nfs mounts may be out of sync."),
        (6, "0505-161 nimadm: WARNING, client nfs mounts may be out of sync."),
    ]
    assert nfs[0].line_no == line_no(SUCCESS, "0505-161")
    noise = {w.line for w in d.warnings if w.code is None}
    assert "Can not remove the glbd subsystem" in noise
    assert "sum: Can't open /usr/lib/hal_hfi64.o" in noise
    assert all(not w.fatal for w in d.warnings)


def test_real_precheck_failure_lists_the_three_codes_with_meaning_and_fix_before_phase_1() -> None:
    d = diagnose(read(PRECHECK))
    assert d.kind == "nimadm"
    assert d.phases == ()
    assert d.outcome == "failed"
    assert d.stopped_in_phase is None
    # The specific cause first, the generic NIM wrapper after it.
    assert codes(d.errors) == ["0505-204", "0505-205", "0042-001"]
    by_code = {f.code: f for f in d.errors}
    assert all(f.fatal and f.phase is None for f in d.errors)
    assert "SPOT lacks bos.alt_disk_install.rte" in by_code["0505-204"].meaning
    assert "(0.0.0.0) means it is not installed" in by_code["0505-205"].meaning
    assert by_code["0505-205"].detail == ("spot_AIX72TL5 (0.0.0.0) does not match the NIM master's level (7.2.5.101).",)
    assert by_code["0042-001"].detail == ("/usr/bin/lslpp: Fileset bos.alt_disk_install.rte not installed.",)
    assert by_code["0042-001"].line_no == 4
    # The SPOT named by 0505-204 fills the fix command; the lpp_source is not in this log.
    assert [s.command for s in by_code["0505-204"].commands][-1] == (
        "nim -o cust -a lpp_source=<lpp> -a filesets=bos.alt_disk_install.rte spot_AIX72TL5"
    )


def test_phase_11_ghost_device_fails_phase_11_and_the_bootlist_line_after_it_is_not_success() -> None:
    d = diagnose(read(GHOST))
    assert statuses(d) == [(n, "ok") for n in range(1, 11)] + [(11, "failed")]
    assert d.outcome == "failed"
    assert d.stopped_in_phase == 11
    assert codes(d.errors) == ["0516-082", "0505-187"]
    ghost = d.errors[0]
    assert ghost.line == "0516-082 /usr/sbin/lchangelv: Unable to access a special device file"
    assert ghost.line_no == line_no(GHOST, "0516-082")
    assert "Ghost device" in ghost.meaning
    commands = [(s.on, s.command) for s in ghost.commands]
    assert ("client", "alt_disk_copy -d hdisk2 -DV") in commands  # target disk read from the log
    assert ("client", "odmdelete -q value1=<major> -o CuDvDr") in commands
    assert ("client", "savebase") in commands
    assert commands[-1] == ("master", "nimadm -C -c adachi-AIX7 -s <spot>")
    assert "ORIGINAL disk" in d.errors[1].meaning


def test_bootlist_line_in_phase_11_without_phase_12_is_never_success() -> None:
    lines = read(GHOST).split("\n")
    no_codes = [line for line in lines if not re.match(r"0505-|0516-", line)]
    # Without the codes, nimadm's cleanup before phase 12 still says the run gave up ...
    d = diagnose("\n".join(no_codes))
    assert d.outcome == "failed" and codes(d.errors) == [None]
    # ... and with only the bootlist line left after phase 11's work, the log is merely incomplete.
    d = diagnose("\n".join(line for line in no_codes if not line.startswith("Cleaning up")))
    assert "Bootlist is set to the boot disk: hdisk0 blv=hd5" in no_codes
    assert d.errors == ()
    assert d.outcome == "incomplete"
    assert statuses(d)[-1] == (11, "incomplete")


def test_multibos_0505_218_is_the_cause_and_0505_187_the_wrapper() -> None:
    d = diagnose(read(MULTIBOS))
    assert d.outcome == "failed"
    assert statuses(d)[-1] == (11, "failed")
    assert codes(d.errors) == ["0505-218", "0505-187"]
    assert d.errors[0].line.startswith("alt_disk_copy: 0505-218 ATTENTION")
    assert "multibos" in d.errors[0].meaning
    assert [s.command for s in d.errors[0].commands] == ["lsvg -l rootvg | grep bos_", "multibos -R"]


def test_truncated_log_is_incomplete_in_the_phase_it_stops_in() -> None:
    d = diagnose(read(SUCCESS).split("Executing nimadm phase 7.")[0])
    assert statuses(d) == [(n, "ok") for n in range(1, 6)] + [(6, "incomplete")]
    assert d.outcome == "incomplete"
    assert d.stopped_in_phase == 6
    assert d.errors == ()


def test_nimadm_cleaning_up_before_phase_12_without_a_known_code_is_a_failure() -> None:
    text = read(SUCCESS).split("Executing nimadm phase 7.")[0]
    text += "some message nimadm did not explain\nCleaning up alt_disk_migration on the NIM master.\n"
    d = diagnose(text)
    assert d.outcome == "failed"
    assert statuses(d)[-1] == (6, "failed")
    assert codes(d.errors) == [None]
    assert d.errors[0].fatal and "gave up" in d.errors[0].meaning


def test_unknown_codes_do_not_decide_the_outcome_but_are_shown() -> None:
    text = read(SUCCESS).replace(
        "Installing software with the installp installer.\n",
        "Installing software with the installp installer.\n0503-999 installp: something noted.\n"
        "0505-999 nimadm: Error in something new.\n",
    )
    d = diagnose(text)
    assert d.outcome == "succeeded"
    assert [(f.code, f.fatal) for f in d.errors] == [("0505-999", False)]
    assert "not in the cockpit's catalogue" in d.errors[0].meaning
    assert "0503-999" in codes(d.warnings)


# --- alt_disk ----------------------------------------------------------------------------------------


def test_alt_disk_copy_log_with_phase_banners_succeeds_on_the_phase_3_bootlist_line() -> None:
    d = diagnose(read(ALT_DISK))
    assert d.kind == "alt_disk"
    assert statuses(d) == [(1, "ok"), (2, "ok"), (3, "ok")]
    assert d.outcome == "succeeded"
    assert d.errors == d.warnings == ()


def test_alt_disk_log_without_banners_reads_phases_from_its_lines() -> None:
    text = "\n".join(line for line in read(ALT_DISK).split("\n") if not line.startswith("## Phase"))
    d = diagnose(text)
    assert d.kind == "alt_disk"
    assert statuses(d) == [(1, "ok"), (3, "ok")]
    assert d.outcome == "succeeded"


def test_alt_disk_error_in_phase_3_fails_it_despite_the_bootlist_line() -> None:
    text = read(ALT_DISK).replace(
        "Changing logical volume names in volume group descriptor area.\n",
        "Changing logical volume names in volume group descriptor area.\n"
        "0516-082 /usr/sbin/lchangelv: Unable to access a special device file\n",
    )
    d = diagnose(text)
    assert d.outcome == "failed"
    assert statuses(d) == [(1, "ok"), (2, "ok"), (3, "failed")]
    assert codes(d.errors) == ["0516-082"]
    # The log names no target disk (the bootlist line may name the original one): the placeholder stays.
    assert ("client", "alt_disk_copy -d <hdisk> -DV") in [(s.on, s.command) for s in d.errors[0].commands]


def test_alt_disk_log_cut_before_the_bootlist_is_incomplete() -> None:
    d = diagnose(read(ALT_DISK).split("Bootlist is set")[0])
    assert d.outcome == "incomplete"
    assert statuses(d)[-1] == (3, "incomplete")


def test_alt_disk_copy_stopped_by_bosboot_in_phase_1_fails_with_the_boot_device_fix() -> None:
    # mkszfile, alt_disk_copy's first step, fails with 0301-150 when /dev/ipldevice points to a disk that
    # no longer holds hd5 (IBM APAR IV00794: the message and the usage line after it, as the APAR prints them).
    text = read(ALT_DISK).split("Checking disk sizes.")[0] + (
        "0301-150 bosboot: Invalid or no boot device specified!\nusage:  bosboot ....\n"
    )
    d = diagnose(text)
    assert d.kind == "alt_disk"
    assert statuses(d) == [(1, "failed")]
    assert d.outcome == "failed" and d.stopped_in_phase == 1
    assert codes(d.errors) == ["0301-150"]
    error = d.errors[0]
    assert error.fatal and error.detail == ("usage:  bosboot ....",)
    assert "/dev/ipldevice" in error.meaning
    commands = [(s.on, s.command) for s in error.commands]
    assert ("host", "ln -f /dev/r<bootdisk> /dev/ipldevice") in commands
    assert ("host", "bosboot -ad /dev/<bootdisk>") in commands


def test_nimadm_stopped_by_bosboot_building_the_client_boot_image_fails_in_phase_8() -> None:
    # The real run cut where phase 8 builds the boot image, then the message of IBM's support page
    # (a protoext list naming a removed driver).
    text = (
        read(SUCCESS).split("bosboot: Boot image is")[0]
        + "0301-154 bosboot: missing proto file: /usr/lib/drivers/ssapin\n"
    )
    d = diagnose(text)
    assert d.kind == "nimadm"
    assert statuses(d)[-1] == (8, "failed")
    assert d.outcome == "failed" and d.stopped_in_phase == 8
    assert codes(d.errors) == ["0301-154"]
    error = d.errors[0]
    assert error.fatal and error.detail == ()
    assert "protoext" in error.meaning
    assert ("host", "grep -l /usr/lib/drivers/ssapin /usr/lib/boot/protoext/*") in [
        (s.on, s.command) for s in error.commands
    ]


# --- input shapes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello world\nthis is not a migration log\n",
        bytes(range(256)).decode("utf-8", errors="replace") * 3,
    ],
)
def test_garbage_is_unknown_and_incomplete(text: str) -> None:
    d = diagnose(text)
    assert (d.kind, d.phases, d.outcome, d.errors) == ("unknown", (), "incomplete", ())


def test_cockpit_header_lines_are_ignored_but_counted_in_line_numbers() -> None:
    plain = diagnose(read(GHOST))
    noisy_header = "# 2025-11-22 02:31:06 cockpit: earlier attempt ended with 0505-187 Error"
    d = diagnose(f"{HEADER}\n{noisy_header}\n{read(GHOST)}")
    assert (d.kind, d.phases, d.outcome) == (plain.kind, plain.phases, plain.outcome)
    assert codes(d.errors) == ["0516-082", "0505-187"]  # the header's 0505-187 is not an error
    assert [f.line_no for f in d.errors] == [f.line_no + 2 for f in plain.errors]
    # The command in the header names the SPOT, so the fix command is complete.
    assert d.errors[0].commands[-1].command == "nimadm -C -c adachi-AIX7 -s spot_AIX72TL5"


def test_header_only_log_is_incomplete() -> None:
    d = diagnose(HEADER + "\n")
    assert d.phases == () and d.outcome == "incomplete" and d.errors == ()


def test_crlf_line_endings_give_the_same_diagnosis() -> None:
    for path in (SUCCESS, GHOST, PRECHECK, ALT_DISK):
        text = read(path)
        assert diagnose(text.replace("\n", "\r\n")).to_dict() == diagnose(text).to_dict()


def test_several_runs_in_one_file_diagnose_the_last() -> None:
    first = read(GHOST)
    retry_at = len(first.split("\n"))  # header line number of the retry (the file ends with "\n")
    d = diagnose(f"{HEADER}\n{first}{HEADER}\n{read(SUCCESS)}")
    assert d.outcome == "succeeded"
    assert d.runs == 2
    assert d.from_line == retry_at + 2  # the first output line after the retry's header
    assert d.errors == ()

    again = diagnose(read(SUCCESS) + read(SUCCESS).split("Executing nimadm phase 3.")[0])
    assert again.runs == 2
    assert again.outcome == "incomplete"
    assert statuses(again) == [(1, "ok"), (2, "incomplete")]


# --- JSON ---------------------------------------------------------------------------------------------


def test_json_has_the_documented_stable_shape() -> None:
    doc = json.loads(diagnose(read(GHOST)).to_json())
    assert list(doc) == [
        "kind", "phases", "outcome", "stopped_in_phase", "errors", "warnings", "runs", "from_line", "omitted",
    ]  # fmt: skip
    assert doc["phases"][-1] == {"phase": 11, "status": "failed"}
    first = doc["errors"][0]
    assert set(first) == {
        "code", "line", "line_no", "phase", "fatal", "severity", "meaning", "fix", "commands", "detail", "context",
        "source", "explain",
    }  # fmt: skip
    assert first["explain"] == "cockpit explain 0516-082"
    assert first["code"] == "0516-082" and first["fatal"] is True
    assert {"on": "client", "command": "savebase"} in first["commands"]
    assert doc["warnings"][0]["code"] == "0505-161"


# --- catalogue -----------------------------------------------------------------------------------------


def test_catalogue_holds_every_code_the_cockpit_met_first() -> None:
    expected = {
        "0505-161", "0505-158", "0505-187", "0505-204", "0505-205", "0505-218",
        "0516-082", "0516-320", "0516-1396",
        "0042-001", "0042-052", "0042-053", "0042-081", "0042-137", "0042-207",
        "0513-059",
    }  # fmt: skip
    assert expected <= set(catalogue.BY_CODE)


def test_live_tracker_uses_the_catalogue_and_keeps_its_fatal_and_benign_codes() -> None:
    before = {"0505-187", "0505-204", "0505-205", "0505-218", "0516-082", "0042-001", "0042-053"}
    assert before <= nimadm.FATAL_CODES == catalogue.fatal_codes()
    assert "0505-161" in nimadm.BENIGN_CODES == catalogue.benign_codes()
    assert not nimadm.BENIGN_CODES & nimadm.FATAL_CODES
    assert len(nimadm.BENIGN_LINES) == 3


# --- the command --------------------------------------------------------------------------------------


def run_cmd(path: Path, fmt: str = "text") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(path, fmt, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_command_text_for_the_ghost_device_failure() -> None:
    status, out, err = run_cmd(GHOST)
    assert status == 1 and err == ""
    assert "phases:   1-10 ok, 11 FAILED\n" in out
    assert "outcome:  FAILED in phase 11" in out
    assert out.index("0516-082") < out.index("0505-187 nimadm: Error")
    assert "      [client] odmdelete -q value1=<major> -o CuDvDr\n" in out
    assert "warnings: 9 (0505-161 x2, phase-5 noise x7)" in out


@pytest.mark.parametrize(
    ("path", "status", "outcome"),
    [(SUCCESS, 0, "succeeded"), (PRECHECK, 1, "failed"), (MULTIBOS, 1, "failed"), (ALT_DISK, 0, "succeeded")],
)
def test_command_json_and_exit_status(path: Path, status: int, outcome: str) -> None:
    got, out, _ = run_cmd(path, "json")
    assert got == status
    assert json.loads(out)["outcome"] == outcome


def test_command_incomplete_and_unknown_logs_exit_1(tmp_path: Path) -> None:
    cut = tmp_path / "cut.log"
    cut.write_text(read(SUCCESS).split("Executing nimadm phase 9.")[0])
    status, out, _ = run_cmd(cut)
    assert status == 1 and "INCOMPLETE: the log ends in phase 8" in out
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)))
    assert run_cmd(junk, "json")[0] == 1


@pytest.mark.parametrize("make", [lambda p: p / "missing.log", lambda p: p])
def test_command_unreadable_file_exits_2_with_one_line(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    status, out, err = run_cmd(make(tmp_path))
    assert status == 2 and out == ""
    assert err.startswith("cockpit: cannot read ") and err.count("\n") == 1 and "Traceback" not in err


def test_command_refuses_an_unknown_format() -> None:
    assert run_cmd(SUCCESS, "yaml")[0] == 2


def test_phase_summary_groups_consecutive_phases() -> None:
    assert phase_summary([PhaseResult(1, "ok"), PhaseResult(3, "ok")]) == "1 ok, 3 ok"
    assert phase_summary([PhaseResult(1, "ok"), PhaseResult(2, "incomplete")]) == "1 ok, 2 INCOMPLETE"
    assert phase_summary([]).startswith("none")


def test_diagnose_path_never_imports_textual() -> None:
    code = (
        "import io, sys; from pathlib import Path; from cockpit.commands.diagnose import run;"
        f"run(Path({str(GHOST)!r}), 'text', out=io.StringIO());"
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
