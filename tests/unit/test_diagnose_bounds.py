"""`cockpit diagnose` on hostile input: time linear in the input's size, memory bounded, no blocking read.

Speed itself is measured by bench/diagnose_bench.py; here the bounds are asserted on sizes: what the
line-level code is handed, and the shape of every pattern it runs.
"""

from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path

import pytest

from cockpit.commands import diagnose as command
from cockpit.domain import catalogue, diagnose, lines, nimadm
from cockpit.domain.messages import altdisk, lvm, nim, system

DATA = Path(__file__).parent.parent / "data"
PATHOLOGICAL = "alt_disk_copy " * 64_000


def module_patterns() -> list[re.Pattern[str]]:
    found = []
    for module in (catalogue, diagnose, nimadm, lines):
        found += [v for v in vars(module).values() if isinstance(v, re.Pattern)]
    for entries in (altdisk.ENTRIES, lvm.ENTRIES, nim.ENTRIES, system.ENTRIES):
        found += [e.values for e in entries if e.values is not None]
    return found


def test_no_pattern_repeats_a_wildcard_before_more_pattern() -> None:
    """`.*x` searched over a line is quadratic in the line (each start re-scans the rest): none is left.

    The remaining repeats are over classes the next item cannot match (`\\S+ does`, `#{2,}\\s*Phase`), so
    a failed attempt gives up after one pass; `values` patterns are only `match`ed at the code's position.
    """
    patterns = module_patterns()
    assert len(patterns) > 10
    for p in patterns:
        assert not re.search(r"(?<!\\)\.[*+]", p.pattern), p.pattern


def test_each_line_is_clipped_before_any_pattern_sees_it(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    feed = diagnose._Run.feed

    def spy(self: diagnose._Run, no: int, line: str) -> None:
        seen.append(len(line))
        feed(self, no, line)

    monkeypatch.setattr(diagnose._Run, "feed", spy)
    context = catalogue.context_values
    monkeypatch.setattr(catalogue, "context_values", lambda line: seen.append(len(line)) or context(line))
    text = f"Calling mkszfile to create new /image.data file.\n{PATHOLOGICAL}\n0516-404 allocp: x {PATHOLOGICAL}\n"
    d = diagnose.diagnose(text)
    assert max(seen) == catalogue.LINE_LIMIT < len(PATHOLOGICAL)
    assert d.outcome == "failed" and [f.code for f in d.errors] == ["0516-404"]
    assert len(d.errors[0].line) <= catalogue.LINE_LIMIT


def test_a_pathological_line_reads_like_its_first_4096_characters() -> None:
    clipped = PATHOLOGICAL[: catalogue.LINE_LIMIT]
    assert diagnose.diagnose(PATHOLOGICAL).to_dict() == diagnose.diagnose(clipped).to_dict()
    assert catalogue.context_values("alt_disk_copy -d hdisk3 -B") == {"hdisk": "hdisk3"}
    assert catalogue.context_values(PATHOLOGICAL) == {}


def test_findings_kept_are_bounded_and_the_rest_counted() -> None:
    many = "0505-161 nimadm: WARNING, client nfs mounts may be out of sync.\n" * (diagnose.MAX_FINDINGS + 7)
    d = diagnose.diagnose(many + "0516-9999 lsfoo: something odd\n" * (diagnose.MAX_FINDINGS + 3))
    assert len(d.warnings) == diagnose.MAX_FINDINGS and len(d.errors) == diagnose.MAX_FINDINGS
    assert d.omitted == 10


# --- reading the file -----------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 20])
def test_read_lines_gives_the_same_lines_as_a_split_whatever_the_chunking(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    raw = (DATA / "nimadm_success_qiita.log").read_bytes() + "ünïcode\r\n\nno newline at end".encode()
    monkeypatch.setattr(command, "CHUNK", chunk)
    assert list(command.read_lines(io.BytesIO(raw))) == raw.decode().split("\n")


def test_read_lines_clips_a_long_line_without_holding_it() -> None:
    raw = b"x" * 100_000 + b"\nshort\n" + "é".encode() * 10_000
    got = list(command.read_lines(io.BytesIO(raw), limit=50))
    assert got == ["x" * 50, "short", "é" * 50]


def run_cmd(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return command.run(path, "text", out=out, err=err), out.getvalue(), err.getvalue()


def test_a_fifo_is_refused_at_once_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "log.fifo"
    os.mkfifo(fifo)
    result: list[tuple[int, str, str]] = []
    reader = threading.Thread(target=lambda: result.append(run_cmd(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert result, "diagnose blocked on a FIFO"
    status, out, err = result[0]
    assert status == 2 and out == ""
    assert err == f"cockpit: cannot read {fifo}: not a regular file (a FIFO)\n"


@pytest.mark.parametrize(("path", "what"), [("/dev/zero", "a character device"), ("/dev/null", "a character device")])
def test_devices_are_refused(path: str, what: str) -> None:
    status, out, err = run_cmd(Path(path))
    assert (status, out, err) == (2, "", f"cockpit: cannot read {path}: not a regular file ({what})\n")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    status, _, err = run_cmd(tmp_path)
    assert status == 2 and err == f"cockpit: cannot read {tmp_path}: not a regular file (a directory)\n"
