"""The nimadm stream reader on real published outputs (tests/data/README.md names them)."""

from pathlib import Path

import pytest

from cockpit.domain.lines import LineSplitter
from cockpit.domain.nimadm import NimadmTracker

DATA = Path(__file__).parent.parent / "data"


def feed_all(text: str) -> tuple[NimadmTracker, list[int]]:
    tracker = NimadmTracker()
    phases = []
    for line in text.splitlines():
        if tracker.feed(line):
            phases.append(tracker.phase)
    return tracker, phases


def test_real_successful_run_reads_twelve_phases_in_order_and_succeeds() -> None:
    tracker, phases = feed_all((DATA / "nimadm_success_qiita.log").read_text())
    assert phases == list(range(1, 13))
    assert tracker.errors == {}
    assert tracker.succeeded(0)
    # 0505-161 (twice) and the phase-5 noise are warnings of a good run, not errors.
    assert sum("0505-161" in w for w in tracker.warnings) == 2
    assert any(w.startswith("sum: Can't open") for w in tracker.warnings)
    assert "Can not remove the glbd subsystem" in tracker.warnings


def test_exit_zero_without_phase_12_cleanup_is_not_success() -> None:
    text = (DATA / "nimadm_success_qiita.log").read_text()
    truncated = text.split("Executing nimadm phase 9.")[0]
    tracker, _ = feed_all(truncated)
    assert not tracker.succeeded(0)


def test_real_precheck_failure_reports_the_fileset_mismatch_before_phase_1() -> None:
    tracker, phases = feed_all((DATA / "nimadm_precheck_fail_qiita.log").read_text())
    assert phases == []
    assert tracker.phase is None
    assert set(tracker.errors) == {"0042-001", "0505-204", "0505-205"}
    assert tracker.error_line is not None and tracker.error_line.startswith("0505-204")
    assert not tracker.succeeded(0)


def test_phase_11_ghost_device_failure_names_0516_082_and_ignores_the_bootlist_line() -> None:
    # Shape of a published phase-11 failure: the bootlist line after the error points
    # back at the ORIGINAL disk and must not be read as success.
    text = (DATA / "nimadm_success_qiita.log").read_text().split("Fixing LV control blocks...")[0]
    text += "\n".join(
        [
            "0516-082 /usr/sbin/lchangelv: Unable to access a special device file",
            "0505-187 nimadm: Error cloning altinst_rootvg on client.",
            "Cleaning up alt_disk_migration on the NIM master.",
            "Cleaning up alt_disk_migration on client adachi-AIX7.",
            "Client alt_disk_install command: alt_disk_install -M 7.2 -X",
            "Bootlist is set to the boot disk: hdisk0 blv=hd5",
        ]
    )
    tracker, phases = feed_all(text)
    assert phases[-1] == 11
    assert tracker.failed_in_phase == 11
    assert tracker.error_line == "0516-082 /usr/sbin/lchangelv: Unable to access a special device file"
    assert not tracker.succeeded(0)
    assert not tracker.succeeded(1)


@pytest.mark.parametrize("size", [1, 2, 7, 64, 4096])
def test_splitter_gives_the_same_lines_whatever_the_chunking(size: int) -> None:
    raw = (DATA / "nimadm_success_qiita.log").read_bytes() + "ünïcode line\n".encode()
    splitter = LineSplitter()
    lines: list[str] = []
    for i in range(0, len(raw), size):
        lines += splitter.feed(raw[i : i + size])
    lines += splitter.flush()
    assert lines == raw.decode().splitlines()


def test_splitter_strips_ansi_and_control_characters_and_keeps_the_last_cr_segment() -> None:
    splitter = LineSplitter()
    assert splitter.feed(b"\x1b[1mbold\x1b[0m text\x07\n10%\r50%\r100%\r\nrest") == ["bold text", "100%"]
    assert splitter.flush() == ["rest"]
