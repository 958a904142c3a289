"""Reading the end of a log file: the lines and the count that numbers them."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.ui.logtail import read_log_tail


def test_complete_lines_and_their_count(tmp_path: Path) -> None:
    path = tmp_path / "aixdb01.log"
    path.write_text("Initializing the NIM master.\n\nExecuting nimadm phase 1.\n")
    tail = read_log_tail(path, 10)
    assert tail.lines == ["Initializing the NIM master.", "", "Executing nimadm phase 1."]
    assert tail.line_count == 3


def test_trailing_partial_line_is_left_for_the_live_stream(tmp_path: Path) -> None:
    path = tmp_path / "aixdb01.log"
    path.write_bytes(b"Phase 1 complete.\nExporting /alt_inst fr")
    tail = read_log_tail(path, 10)
    assert tail.lines == ["Phase 1 complete."]
    assert tail.line_count == 1


def test_only_the_last_max_lines_across_many_blocks(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    lines = [f"installp: line {i:06d} " + "x" * 40 for i in range(30_000)]  # ~1.9 MB, several blocks
    path.write_text("\n".join(lines) + "\n")
    tail = read_log_tail(path, 5_000)
    assert tail.lines == lines[-5_000:]
    assert tail.line_count == 30_000


def test_file_without_any_newline(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    path.write_text("Initializing")
    assert read_log_tail(path, 10).lines == []
    assert read_log_tail(path, 10).line_count == 0


def test_undecodable_bytes_are_replaced_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    path.write_bytes(b"ok\n\xff\xfe bad\n")
    assert read_log_tail(path, 10).lines == ["ok", "\ufffd\ufffd bad"]


def test_lines_are_cleaned_like_the_engines_live_lines(tmp_path: Path) -> None:
    from cockpit.domain.lines import LineSplitter

    raw = b"\x1b[1mInstalling software\x1b[0m\r\nprogress 10%\rprogress 100%\n"
    path = tmp_path / "a.log"
    path.write_bytes(raw)
    assert read_log_tail(path, 10).lines == LineSplitter().feed(raw)


def test_missing_file_raises_for_the_caller(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_log_tail(tmp_path / "none.log", 10)
