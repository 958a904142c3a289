"""`cockpit diagnose LOGFILE [--format text|json]`: what a saved nimadm / alt_disk log says happened.

Exit status: 0 the log shows a successful run, 1 it failed or is incomplete (or is not a log we know),
2 the file cannot be read, or is not a regular file (a FIFO, a device, a directory): one line on
stderr, no traceback. The file is read twice, in chunks, each line clipped: memory stays bounded
whatever its size (bench/diagnose_bench.py). Headless: imports no Textual.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

from cockpit.domain import catalogue
from cockpit.domain.diagnose import Diagnosis, Finding, PhaseResult, diagnose_lines

EXIT_OK, EXIT_FAILED, EXIT_UNREADABLE = 0, 1, 2
FORMATS = ("text", "json")
_WIDTH = 100


def run(path: Path, fmt: str, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Diagnose the log at `path` and write the report to `out` (default: the current sys.stdout)."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    if fmt not in FORMATS:
        print(f"cockpit: diagnose: unknown format {fmt!r} (use text or json)", file=err)
        return EXIT_UNREADABLE
    try:
        with open_log(Path(path)) as log:
            result = diagnose_lines(lambda: read_lines(log))
    except OSError as exc:
        print(f"cockpit: cannot read {path}: {exc.strerror or exc}", file=err)
        return EXIT_UNREADABLE
    except NotARegularFile as exc:
        print(f"cockpit: cannot read {path}: not a regular file ({exc})", file=err)
        return EXIT_UNREADABLE
    out.write(result.to_json() + "\n" if fmt == "json" else render_text(result, str(path)))
    return EXIT_OK if result.succeeded else EXIT_FAILED


class NotARegularFile(Exception):
    """The path is a FIFO, a device, a directory or a socket: reading it could block or never end."""


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def open_log(path: Path) -> BinaryIO:
    """Open `path` for reading only if it is a regular file, deciding on the opened file itself.

    O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one; the check
    is on the descriptor (fstat), so the file cannot be swapped between the check and the read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFile(next((what for test, what in _KINDS if test(mode)), "not a file"))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


CHUNK = 1 << 20


def read_lines(log: BinaryIO, limit: int = catalogue.LINE_LIMIT) -> Iterator[str]:
    """The file's lines from its start, each clipped to `limit` characters, in 1 MiB reads.

    Logs copied off AIX are not always UTF-8: a bad byte becomes U+FFFD instead of stopping the read. A
    line longer than `limit` keeps its first `limit` characters; the rest is skipped, never held.
    """
    log.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    partial = ""  # the start of a line whose end is in a later read, already clipped
    while True:
        data = log.read(CHUNK)
        pieces = decoder.decode(data, final=not data).split("\n")
        if len(partial) < limit:
            partial += pieces[0][: limit - len(partial)]
        if len(pieces) > 1:
            yield partial
            for piece in pieces[1:-1]:
                yield piece[:limit]
            partial = pieces[-1][:limit]
        if not data:
            break
    yield partial


def render_text(d: Diagnosis, name: str) -> str:
    lines = [f"log:      {name}", f"kind:     {_kind(d)}"]
    if d.runs > 1:
        lines.append(f"runs:     {d.runs} in this file; this is the last one, from line {d.from_line}")
    lines.append(f"phases:   {phase_summary(d.phases)}")
    lines.append(f"outcome:  {_outcome(d)}")
    lines.append(f"errors:   {len(d.errors)}" if d.errors else "errors:   none")
    lines += _errors(d.errors)
    lines.append(f"warnings: {_warnings(d.warnings)}")
    if d.omitted:
        lines.append(f"omitted:  {d.omitted} more errors and warnings (only the first {len(d.errors)} are listed)")
    return "\n".join(lines) + "\n"


def phase_summary(phases: Sequence[PhaseResult]) -> str:
    """`1-10 ok, 11 FAILED`: runs of consecutive phases with the same status."""
    if not phases:
        return "none (the log ends before phase 1)"
    groups: list[list[PhaseResult]] = []
    for p in phases:
        last = groups[-1][-1] if groups else None
        if last is not None and last.status == p.status and p.phase == last.phase + 1:
            groups[-1].append(p)
        else:
            groups.append([p])
    parts = []
    for g in groups:
        span = str(g[0].phase) if len(g) == 1 else f"{g[0].phase}-{g[-1].phase}"
        status = g[0].status
        parts.append(f"{span} {status if status == 'ok' else status.upper()}")
    return ", ".join(parts)


def _kind(d: Diagnosis) -> str:
    return {
        "nimadm": "nimadm (12 phases)",
        "alt_disk": "alt_disk (alt_disk_copy / alt_disk_mksysb, 3 phases)",
        "unknown": "unknown: neither nimadm nor alt_disk output",
    }[d.kind]


def _phase_name(d: Diagnosis, phase: int) -> str:
    names = catalogue.NIMADM_PHASES if d.kind == "nimadm" else catalogue.ALT_DISK_PHASES
    return f"phase {phase} ({names[phase]})" if phase in names else f"phase {phase}"


def _outcome(d: Diagnosis) -> str:
    if d.outcome == "succeeded":
        end = "phase 12 cleaned up on the client" if d.kind == "nimadm" else "phase 3 set the bootlist"
        return f"succeeded: {end}, no error"
    if d.outcome == "failed":
        if d.kind == "unknown":
            return "FAILED: a known fatal error, in output that is neither nimadm nor alt_disk"
        if d.stopped_in_phase is None:
            return "FAILED before phase 1 (pre-checks)"
        return f"FAILED in {_phase_name(d, d.stopped_in_phase)}"
    if d.kind == "unknown":
        return "INCOMPLETE: no phases recognised, no known fatal error"
    where = f"in {_phase_name(d, d.stopped_in_phase)}" if d.stopped_in_phase else "before phase 1"
    return (
        f"INCOMPLETE: the log ends {where} with no error and no end of run "
        "(still running, cut off, or no longer logged)"
    )


def _errors(errors: Sequence[Finding]) -> list[str]:
    # A code seen again is listed once, with the lines it came back on, rather than its fix twice.
    groups: dict[object, list[Finding]] = {}
    for i, f in enumerate(errors):
        groups.setdefault(f.code if f.code is not None else i, []).append(f)
    lines: list[str] = []
    fixes: dict[tuple[str, tuple[object, ...]], str] = {}
    for first, *again in groups.values():
        f = first
        where = f"line {f.line_no}, " + (f"phase {f.phase}" if f.phase is not None else "before phase 1")
        lines.append(f"  {f.code or '(no code)'}  {where}{', fatal' if f.fatal else ''}")
        lines.append(f"    {f.line}")
        lines += [f"    {more}" for more in f.detail]
        if f.context:
            lines.append("    around it:")
            lines += [f"      | {around}" for around in f.context]
        same_line = [a for a in again if a.line == f.line and a.detail == f.detail]
        if same_line:
            lines.append(f"    (again at line {', '.join(str(a.line_no) for a in same_line)})")
        for a in again:
            if a not in same_line:
                lines.append(f"    line {a.line_no}: {a.line}")
                lines += [f"    {more}" for more in a.detail]
        lines += _wrapped("meaning: ", f.meaning)
        if f.explain:
            lines.append(f"    explain: {f.explain}")
        same = fixes.setdefault((f.fix, f.commands), f.code or "the error above")
        if same != (f.code or "the error above"):
            lines.append(f"    fix:     as for {same}")
            continue
        if f.fix:
            lines += _wrapped("fix:     ", f.fix)
        lines += [f"      [{s.on}] {s.command}" for s in f.commands]
    return lines


def _wrapped(label: str, text: str) -> list[str]:
    return textwrap.wrap(text, width=_WIDTH, initial_indent="    " + label, subsequent_indent="    " + " " * len(label))


def _warnings(warnings: Sequence[Finding]) -> str:
    if not warnings:
        return "none"
    counts = Counter(w.code or "phase-5 noise" for w in warnings)
    kinds = ", ".join(f"{k} x{n}" if n > 1 else k for k, n in counts.items())
    return f"{len(warnings)} ({kinds}); --format json lists them"
