"""Diagnose a saved nimadm or alt_disk log: which phases ran, where it stopped, how it ended, and why.

Pure: text in, `Diagnosis` out. Facts from reference/REFERENCE.md 1.4-1.8 and 2.1-2.3, FAILURES.md
and RUNBOOKS.md tables B and C; the messages themselves live in `catalogue.py`.

Rules that are easy to get wrong, all from the reference:
* 0505-161 and the phase-5 noise lines occur in successful runs: warnings, never errors.
* After a fatal error nimadm cleans up and prints `Bootlist is set to the boot disk: hdisk0 ...` for the
  ORIGINAL disk; that line is success only for alt_disk, in phase 3, with no error before it.
* nimadm succeeded only when phase 12 printed its `Cleaning up alt_disk_migration on client` line.
* A log that just stops (no end, no error) is incomplete: the run may still be going, or was cut off.
* The cockpit's own per-client log starts with `# <timestamp> cockpit: ...` lines; they are not output.
* The cockpit appends to a client's log, so one file can hold several runs: the last one is diagnosed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from cockpit.domain import catalogue
from cockpit.domain.catalogue import Entry, Severity, Step
from cockpit.domain.lines import clean
from cockpit.domain.nimadm import PHASE_BANNER, PHASES, NimadmTracker

Kind = Literal["nimadm", "alt_disk", "unknown"]
PhaseStatus = Literal["ok", "failed", "incomplete"]
Outcome = Literal["succeeded", "failed", "incomplete"]

COCKPIT_LINE = re.compile(r"^# [0-9][0-9:T.,+Z -]* cockpit: ")
"""A line the cockpit writes into its own logs (`# 2025-11-22 02:31:05 cockpit: on nim01: nimadm ...`)."""

# alt_disk_copy / alt_disk_mksysb output (REFERENCE 1.5 phase 11, 2.2). The nested `## Phase 3 ###`
# banner inside nimadm phase 11 is the same banner; nimadm is recognised first, so it stays nested.
ALT_BANNER = re.compile(r"^#{2,}\s*Phase\s+([1-3])\s*#{3,}\s*$")
BOOTLIST_SET = re.compile(r"^Bootlist is set to the boot disk: (\S+)")
_NIMADM_MARKERS = (
    PHASE_BANNER,
    re.compile(r"^Initializing the NIM master\.$"),
    re.compile(r"^Cleaning up alt_disk_migration on the NIM master\.$"),
    re.compile(r"\b0\d{3}-\d{3} nimadm: "),
)
_ALT_DISK_MARKERS = (
    ALT_BANNER,
    re.compile(r"^Calling mkszfile"),
    re.compile(r"^Creating cloned rootvg volume group"),
    re.compile(r"^Creating logical volume alt_hd5\b"),
    BOOTLIST_SET,
)
# When an alt_disk log has no phase banners at all, its phases are read from the lines each phase
# prints (RUNBOOKS C, REFERENCE 1.5 phases 1 and 11). Phase 2 prints nothing we can rely on.
_ALT_DISK_PHASE_LINES: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"^Calling mkszfile")),
    (1, re.compile(r"^Creating cloned rootvg volume group")),
    (1, re.compile(r"^Creating logical volume alt_")),
    (3, re.compile(r"^Modifying ODM on cloned disk\.")),
    (3, re.compile(r"^Changing logical volume names in volume group descriptor area\.")),
    (3, re.compile(r"^Fixing LV control blocks")),
    (3, re.compile(r"^Fixing file system superblocks")),
    (3, BOOTLIST_SET),
)
_NIMADM_START = re.compile(r"^Initializing the NIM master\.$")
_SAYS_ERROR = re.compile(r"\berror\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"<(\w+)>")
_NIMADM_COMMAND = re.compile(r"\bnimadm\s+(-.*)$")


@dataclass(frozen=True)
class PhaseResult:
    phase: int
    status: PhaseStatus


@dataclass(frozen=True)
class Finding:
    """One reported log line: an error, or a warning of a good run."""

    code: str | None
    line: str
    line_no: int
    """1-based line number in the file (cockpit header lines included), for `sed -n` / `less +N`."""
    phase: int | None
    """The phase the line appeared in; None before the first phase banner."""
    severity: Severity
    meaning: str
    fix: str = ""
    commands: tuple[Step, ...] = ()
    """The fix's commands, placeholders filled from the log where it names the value."""
    detail: tuple[str, ...] = ()
    """Continuation lines AIX printed after the coded line (e.g. the real error under 0042-001)."""
    source: str = ""
    wrapper: bool = False

    @property
    def fatal(self) -> bool:
        return self.severity == "fatal"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "line": self.line,
            "line_no": self.line_no,
            "phase": self.phase,
            "fatal": self.fatal,
            "meaning": self.meaning,
            "fix": self.fix,
            "commands": [{"on": s.on, "command": s.command} for s in self.commands],
            "detail": list(self.detail),
            "source": self.source,
        }


@dataclass(frozen=True)
class Diagnosis:
    kind: Kind
    phases: tuple[PhaseResult, ...]
    outcome: Outcome
    errors: tuple[Finding, ...]
    """Root causes first, then the generic wrappers (0505-187, 0042-001), then non-fatal errors."""
    warnings: tuple[Finding, ...]
    stopped_in_phase: int | None
    """The failing phase, or the last phase seen; None when the log ends before phase 1."""
    runs: int = 1
    """How many runs the file holds; only the last one (from `from_line`) is diagnosed."""
    from_line: int = 1

    @property
    def succeeded(self) -> bool:
        return self.outcome == "succeeded"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "phases": [{"phase": p.phase, "status": p.status} for p in self.phases],
            "outcome": self.outcome,
            "stopped_in_phase": self.stopped_in_phase,
            "errors": [f.to_dict() for f in self.errors],
            "warnings": [f.to_dict() for f in self.warnings],
            "runs": self.runs,
            "from_line": self.from_line,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def diagnose(text: str) -> Diagnosis:
    # Split on LF only: a CR is either part of CRLF or a progress-bar rewrite, and `clean` handles
    # both, so line numbers match what `sed -n` shows.
    lines = [clean(raw) for raw in text.split("\n")]
    output = [(no, line) for no, line in enumerate(lines, 1) if not COCKPIT_LINE.match(line)]
    kind = _kind(line for _, line in output)
    infer = kind == "alt_disk" and not any(ALT_BANNER.match(line) for _, line in output)
    context = _context(lines)
    run = _Run(kind, infer, context, from_line=1)
    runs = 1
    for i, (no, line) in enumerate(output):
        if run.restarts_with(line):
            run = _Run(kind, infer, context, from_line=no)
            runs += 1
        run.feed(no, line, [later for _, later in output[i + 1 : i + 4]])
    return run.result(runs)


def _kind(lines: Iterable[str]) -> Kind:
    seen_alt_disk = False
    for line in lines:
        if any(p.search(line) for p in _NIMADM_MARKERS):
            return "nimadm"
        seen_alt_disk = seen_alt_disk or any(p.search(line) for p in _ALT_DISK_MARKERS)
    return "alt_disk" if seen_alt_disk else "unknown"


def _context(lines: list[str]) -> dict[str, str]:
    """Values the log names (client, spot, lpp_source, target disk, master).

    The last mention wins: when a file holds a retry, the retry's values are the ones to fix with.
    """
    found: dict[str, str] = {}
    for line in lines:
        m = _NIMADM_COMMAND.search(line)
        if m:
            for flag, key in catalogue.NIMADM_FLAGS.items():
                v = re.search(rf"(?:^|\s){flag}\s+[\"']?([^\s\"']+)", m.group(1))
                if v:
                    found[key] = v.group(1)
        for key, pattern in catalogue.CONTEXT:
            c = pattern.search(line)
            if c:
                found[key] = c.group(1)
        _, entry = catalogue.lookup(line)
        if entry is not None:
            e = entry.pattern.search(line)
            for key, value in (e.groupdict() if e else {}).items():
                if key in ("client", "spot", "lpp", "hdisk", "master") and value:
                    found[key] = value
    return found


def _fill(text: str, context: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: context.get(m.group(1), m.group(0)), text)


class _PhaseReader:
    """Phase banners of one kind of log: the phase a line announces, the current one, the end."""

    def __init__(self, kind: Kind, infer: bool) -> None:
        self.kind = kind
        self.infer = infer
        self.nimadm = NimadmTracker()
        self.alt_phase: int | None = None
        self.alt_done = False

    @property
    def phase(self) -> int | None:
        return self.nimadm.phase if self.kind == "nimadm" else self.alt_phase

    @property
    def completed(self) -> bool:
        if self.kind == "nimadm":
            return self.nimadm.completed_phase_12
        return self.kind == "alt_disk" and self.alt_done

    def announced(self, line: str) -> int | None:
        if self.kind == "nimadm":
            m = PHASE_BANNER.match(line)
            return int(m.group(1)) if m and 1 <= int(m.group(1)) <= PHASES else None
        if self.kind == "alt_disk":
            m = ALT_BANNER.match(line)
            if m:
                return int(m.group(1))
            if self.infer:
                return next((n for n, p in _ALT_DISK_PHASE_LINES if p.search(line)), None)
        return None

    def feed(self, line: str) -> None:
        if self.kind == "nimadm":
            self.nimadm.feed(line)
            return
        n = self.announced(line)
        if n is not None and (self.alt_phase is None or n >= self.alt_phase):
            self.alt_phase = n
        if self.alt_phase == 3 and BOOTLIST_SET.match(line):
            self.alt_done = True


@dataclass
class _Run:
    kind: Kind
    infer: bool
    context: dict[str, str]
    from_line: int
    reader: _PhaseReader = field(init=False)
    seen: list[int] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.reader = _PhaseReader(self.kind, self.infer)

    def restarts_with(self, line: str) -> bool:
        """A new run began in the same file: nimadm starting over, or a phase earlier than the current."""
        current = self.reader.phase
        if self.kind == "nimadm" and _NIMADM_START.match(line):
            return current is not None or bool(self.errors or self.warnings)
        n = self.reader.announced(line)
        return n is not None and current is not None and n < current

    def feed(self, no: int, line: str, following: list[str]) -> None:
        self.reader.feed(line)
        phase = self.reader.phase
        if phase is not None and (not self.seen or self.seen[-1] != phase):
            self.seen.append(phase)
        code, entry = catalogue.lookup(line)
        if entry is not None and entry.severity == "info":
            return
        if entry is None and code is None:
            if (
                self.kind == "nimadm"
                and catalogue.ABORTED.pattern.match(line)
                and phase != PHASES
                and not any(f.fatal for f in self.errors)
            ):
                self.errors.append(self._finding(no, line, phase, None, catalogue.ABORTED, following))
            return
        finding = self._finding(no, line, phase, code, entry, following)
        (self.warnings if finding.severity == "warning" else self.errors).append(finding)

    def _finding(
        self, no: int, line: str, phase: int | None, code: str | None, entry: Entry | None, following: list[str]
    ) -> Finding:
        if entry is None:
            assert code is not None
            family = catalogue.FAMILIES.get(code[:4], "AIX")
            return Finding(
                code=code,
                line=line.strip(),
                line_no=no,
                phase=phase,
                # Unknown codes cannot fail a run on their own; one that says "error" is still shown as one.
                severity="error" if _SAYS_ERROR.search(line) else "warning",
                meaning=f"{family} message {code}: not in the cockpit's catalogue; read the lines around it.",
            )
        detail: list[str] = []
        for later in following[: entry.continuation]:
            if not later.strip() or catalogue.CODE.search(later):
                break
            detail.append(later.strip())
        return Finding(
            code=code,
            line=line.strip(),
            line_no=no,
            phase=phase,
            severity=entry.severity,
            meaning=entry.meaning,
            fix=_fill(entry.fix, self.context),
            commands=tuple(Step(s.on, _fill(s.command, self.context)) for s in entry.steps),
            detail=tuple(detail),
            source=entry.source,
            wrapper=entry.wrapper,
        )

    def result(self, runs: int) -> Diagnosis:
        fatal = [f for f in self.errors if f.fatal]
        completed = self.reader.completed and not fatal
        outcome: Outcome = "failed" if fatal else "succeeded" if completed else "incomplete"
        failed_in = {f.phase for f in fatal}
        phases: list[PhaseResult] = []
        for i, n in enumerate(self.seen):
            status: PhaseStatus
            if n in failed_in:
                status = "failed"
            elif i < len(self.seen) - 1 or completed:
                status = "ok"
            else:
                status = "incomplete"
            phases.append(PhaseResult(n, status))
        errors = sorted(self.errors, key=lambda f: (0 if f.fatal and not f.wrapper else 1 if f.fatal else 2, f.line_no))
        stopped = errors[0].phase if fatal else (self.seen[-1] if self.seen else None)
        return Diagnosis(
            kind=self.kind,
            phases=tuple(phases),
            outcome=outcome,
            errors=tuple(errors),
            warnings=tuple(self.warnings),
            stopped_in_phase=stopped,
            runs=runs,
            from_line=self.from_line,
        )
