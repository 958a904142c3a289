"""`cockpit diagnose LOGFILE [--format text|json]`: what a saved nimadm / alt_disk log says happened.

Exit status: 0 the log shows a successful run, 1 it failed or is incomplete (or is not a log we know),
2 the file cannot be read (one line on stderr, no traceback). Headless: imports no Textual.
"""

from __future__ import annotations

import sys
import textwrap
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from cockpit.domain import catalogue
from cockpit.domain.diagnose import Diagnosis, Finding, PhaseResult, diagnose

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
        data = Path(path).read_bytes()
    except OSError as exc:
        print(f"cockpit: cannot read {path}: {exc.strerror or exc}", file=err)
        return EXIT_UNREADABLE
    # Logs copied off AIX are not always UTF-8; a replaced byte must not stop the diagnosis.
    result = diagnose(data.decode("utf-8", errors="replace"))
    out.write(result.to_json() + "\n" if fmt == "json" else render_text(result, str(path)))
    return EXIT_OK if result.succeeded else EXIT_FAILED


def render_text(d: Diagnosis, name: str) -> str:
    lines = [f"log:      {name}", f"kind:     {_kind(d)}"]
    if d.runs > 1:
        lines.append(f"runs:     {d.runs} in this file; this is the last one, from line {d.from_line}")
    lines.append(f"phases:   {phase_summary(d.phases)}")
    lines.append(f"outcome:  {_outcome(d)}")
    lines.append(f"errors:   {len(d.errors)}" if d.errors else "errors:   none")
    lines += _errors(d.errors)
    lines.append(f"warnings: {_warnings(d.warnings)}")
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
        if again:
            lines.append(f"    (again at line {', '.join(str(a.line_no) for a in again)})")
        lines += _wrapped("meaning: ", f.meaning)
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
