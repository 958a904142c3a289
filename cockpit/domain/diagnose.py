"""Diagnose a saved nimadm or alt_disk log: which phases ran, where it stopped, how it ended, and why.

Pure: lines in, `Diagnosis` out. The messages themselves live in the catalogue (`catalogue.py`).

Rules that are easy to get wrong:
* 0505-161 and the phase-5 noise lines occur in successful runs: warnings, never errors.
* After a fatal error nimadm cleans up and prints `Bootlist is set to the boot disk: hdisk0 ...` for the
  ORIGINAL disk; that line is success only for alt_disk, in phase 3, with no error before it.
* nimadm succeeded only when phase 12 printed its `Cleaning up alt_disk_migration on client` line.
* A message code the catalogue does not know is an error when the run did not succeed (a warning in a
  good run, unless it says "error"), and is shown with the lines around it.
* Lines indented under a message (a tab or spaces) belong to it: they are kept with every message.
* A log that ends right after an error message failed on it; a log that just stops is incomplete.
* The cockpit's own per-client log starts with `# <timestamp> cockpit: ...` lines; they are not output.
* The cockpit appends to a client's log, so one file can hold several runs: the last one is diagnosed.

Bounded: a log is read twice, line by line (the values it names first, then the runs), each line
clipped to `catalogue.LINE_LIMIT` characters, and at most `MAX_FINDINGS` errors and warnings are kept
(the rest are counted): memory does not grow with the log, time grows linearly with it.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from cockpit.domain import catalogue
from cockpit.domain.catalogue import Entry, Severity, Step
from cockpit.domain.lines import clean
from cockpit.domain.nimadm import PHASE_BANNER, PHASES, NimadmTracker

Kind = Literal["nimadm", "alt_disk", "unknown"]
PhaseStatus = Literal["ok", "failed", "incomplete"]
Outcome = Literal["succeeded", "failed", "incomplete"]

MAX_FINDINGS = 500
"""Errors (and, separately, warnings) kept per run; more are counted in `omitted`."""
MAX_DETAIL = 20
"""Continuation lines kept under one message."""
AROUND = 2
"""Lines shown before and after a message the catalogue does not know."""

COCKPIT_LINE = re.compile(r"# [0-9][0-9:T.,+Z -]* cockpit: ")
"""A line the cockpit writes into its own logs (`# 2025-11-22 02:31:05 cockpit: on nim01: nimadm ...`)."""

# alt_disk_copy / alt_disk_mksysb output. The nested `## Phase 3 ###` banner inside nimadm phase 11 is
# the same banner; nimadm is recognised first, so there it stays nested.
ALT_BANNER = re.compile(r"#{2,}\s*Phase\s+([1-3])\s*#{3,}\s*$")
BOOTLIST_SET = "Bootlist is set to the boot disk: "
_NIMADM_STARTS = ("Initializing the NIM master.", "Cleaning up alt_disk_migration on the NIM master.")
_ALT_DISK_STARTS = ("Calling mkszfile", "Creating cloned rootvg volume group", "Creating logical volume alt_hd5")
# When an alt_disk log has no phase banners at all, its phases are read from the lines each phase
# prints (IBM: alt_disk_copy phases). Phase 2 prints nothing we can rely on.
_ALT_DISK_PHASE_LINES: tuple[tuple[int, str], ...] = (
    (1, "Calling mkszfile"),
    (1, "Creating cloned rootvg volume group"),
    (1, "Creating logical volume alt_"),
    (3, "Modifying ODM on cloned disk."),
    (3, "Changing logical volume names in volume group descriptor area."),
    (3, "Fixing LV control blocks"),
    (3, "Fixing file system superblocks"),
    (3, BOOTLIST_SET),
)
_NIMADM_START = "Initializing the NIM master."
_CONTEXT_KEYS = frozenset({"client", "spot", "lpp", "hdisk", "master"})
"""Values one line names that hold for the whole log; the others (a `pv`, a `file`) fill only their own fix."""
_SAYS_ERROR = re.compile(r"\berror\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"<(\w+)>")


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
    """Continuation lines printed under the coded line (e.g. the real error under 0042-001)."""
    source: str = ""
    """The catalogue's public sources for this message (keys of SOURCES.md)."""
    wrapper: bool = False
    known: bool = True
    """False for a code the catalogue does not know."""
    context: tuple[str, ...] = ()
    """For an unknown code: the lines before and after it, as they are in the log."""

    @property
    def fatal(self) -> bool:
        return self.severity == "fatal"

    @property
    def explain(self) -> str | None:
        """The command that prints the catalogue's entry for this message."""
        return f"cockpit explain {self.code}" if self.code and self.known else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "line": self.line,
            "line_no": self.line_no,
            "phase": self.phase,
            "fatal": self.fatal,
            "severity": self.severity,
            "meaning": self.meaning,
            "fix": self.fix,
            "commands": [{"on": s.on, "command": s.command} for s in self.commands],
            "detail": list(self.detail),
            "context": list(self.context),
            "source": self.source,
            "explain": self.explain,
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
    omitted: int = 0
    """Errors and warnings beyond MAX_FINDINGS each, counted but not listed."""

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
            "omitted": self.omitted,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


Lines = Callable[[], Iterable[str]]
"""Gives the log's lines from the start each time it is called (the log is read twice)."""


def diagnose(text: str) -> Diagnosis:
    """Diagnose a log held in memory (split on LF only: a CR is part of CRLF or a progress-bar rewrite,
    and `clean` handles both, so line numbers match what `sed -n` shows)."""
    return diagnose_lines(lambda: text.split("\n"))


def diagnose_lines(lines: Lines) -> Diagnosis:
    kind, infer, context = _survey(_numbered(lines))
    run = _Run(kind, infer, context, from_line=1)
    runs = 1
    for no, line in _numbered(lines):
        if COCKPIT_LINE.match(line):
            continue
        if run.restarts_with(line):
            run = _Run(kind, infer, context, from_line=no)
            runs += 1
        run.feed(no, line)
    return run.result(runs)


def _numbered(lines: Lines) -> Iterator[tuple[int, str]]:
    for no, raw in enumerate(lines(), 1):
        yield no, clean(raw[: catalogue.LINE_LIMIT])


def _survey(lines: Iterable[tuple[int, str]]) -> tuple[Kind, bool, dict[str, str]]:
    """First pass: the kind of log, whether its alt_disk phases must be inferred, and the values it names.

    The last mention of a value wins: when a file holds a retry, the retry's values are the ones to fix with.
    """
    nimadm = alt_disk = banners = False
    context: dict[str, str] = {}
    for _, line in lines:
        context.update(catalogue.context_values(line))
        if COCKPIT_LINE.match(line):
            continue
        _, entry = catalogue.lookup(line)
        if entry is not None:
            named = catalogue.values(entry, line)
            context.update({k: v for k, v in named.items() if k in _CONTEXT_KEYS})
        if not nimadm:
            nimadm = bool(PHASE_BANNER.match(line)) or line.startswith(_NIMADM_STARTS) or " nimadm: " in line
        if not banners and line.startswith("##") and ALT_BANNER.match(line):
            alt_disk = banners = True
        if not alt_disk:
            alt_disk = line.startswith(_ALT_DISK_STARTS) or line.startswith(BOOTLIST_SET)
    kind: Kind = "nimadm" if nimadm else "alt_disk" if alt_disk else "unknown"
    return kind, kind == "alt_disk" and not banners, context


def _is_cause(p: _Pending) -> bool:
    return p.entry is None or not p.entry.wrapper


def _fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


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
                return next((n for n, start in _ALT_DISK_PHASE_LINES if line.startswith(start)), None)
        return None

    def feed(self, line: str) -> None:
        if self.kind == "nimadm":
            self.nimadm.feed(line)
            return
        n = self.announced(line)
        if n is not None and (self.alt_phase is None or n >= self.alt_phase):
            self.alt_phase = n
        if self.alt_phase == 3 and line.startswith(BOOTLIST_SET):
            self.alt_done = True


@dataclass
class _Pending:
    """A message being read: its continuation and following lines arrive after it."""

    no: int
    line: str
    phase: int | None
    code: str | None
    entry: Entry | None
    values: dict[str, str]
    before: tuple[str, ...]
    unwrapped: int
    """Lines of the entry's own text still expected unindented (0505-205's second line)."""
    introduces: bool
    """The line ends with a colon: the lines up to the next blank one are what it introduces."""
    detail: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    open: bool = True
    """Still taking continuation lines."""


@dataclass
class _Run:
    kind: Kind
    infer: bool
    context: dict[str, str]
    from_line: int
    reader: _PhaseReader = field(init=False)
    seen: list[int] = field(default_factory=list)
    errors: list[_Pending] = field(default_factory=list)
    warnings: list[_Pending] = field(default_factory=list)
    aborted: _Pending | None = None
    omitted: int = 0
    last: _Pending | None = None
    """The message the last non-blank line belongs to (None: a line of no message came after it)."""
    _recent: deque[str] = field(default_factory=lambda: deque(maxlen=AROUND))
    _awaiting: list[_Pending] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.reader = _PhaseReader(self.kind, self.infer)

    def restarts_with(self, line: str) -> bool:
        """A new run began in the same file: nimadm starting over, or a phase earlier than the current."""
        current = self.reader.phase
        if self.kind == "nimadm" and line == _NIMADM_START:
            return current is not None or bool(self.errors or self.warnings)
        n = self.reader.announced(line)
        return n is not None and current is not None and n < current

    def feed(self, no: int, line: str) -> None:
        if self.last is not None and self.last.open and self._continues(self.last, line):
            if len(self.last.detail) < MAX_DETAIL:
                self.last.detail.append(line.strip())
            self._recent.append(line)
            return
        if self.last is not None:
            self.last.open = False
        self._follow(line)
        if line.strip():
            self.last = None
        self.reader.feed(line)
        phase = self.reader.phase
        if phase is not None and (not self.seen or self.seen[-1] != phase):
            self.seen.append(phase)
        self._message(no, line, phase)
        self._recent.append(line)

    def _follow(self, line: str) -> None:
        """Give `line` to the unknown messages still collecting the lines after them (and their detail)."""
        if not self._awaiting:
            return
        for pending in self._awaiting:
            pending.after.append(line)
        self._awaiting = [p for p in self._awaiting if len(p.after) < AROUND]

    @staticmethod
    def _continues(pending: _Pending, line: str) -> bool:
        if not line.strip() or catalogue.find_code(line):
            return False
        if line[0] in " \t":
            return True
        if pending.unwrapped > 0:
            pending.unwrapped -= 1
            return True
        return pending.introduces

    def _message(self, no: int, line: str, phase: int | None) -> None:
        code, entry = catalogue.lookup(line)
        if entry is None and code is None:
            if self.kind == "nimadm" and self.aborted is None and line == catalogue.ABORTED.prefix and phase != PHASES:
                self.aborted = self._pending(no, line, phase, None, catalogue.ABORTED)
                self.last = self.aborted
            return
        if entry is not None and entry.severity == "info":
            return
        pending = self._pending(no, line, phase, code, entry)
        self.last = pending
        if entry is None:
            self._awaiting.append(pending)
        bucket = self.warnings if entry is not None and entry.severity == "warning" else self.errors
        if len(bucket) < MAX_FINDINGS:
            bucket.append(pending)
        else:
            self.omitted += 1

    def _pending(self, no: int, line: str, phase: int | None, code: str | None, entry: Entry | None) -> _Pending:
        values = catalogue.values(entry, line) if entry is not None else {}
        unwrapped = sum(1 for extra in entry.text.split("\n")[1:] if extra[:1] not in (" ", "\t")) if entry else 0
        introduces = code is not None and line.rstrip().endswith(":")
        return _Pending(no, line, phase, code, entry, values, tuple(self._recent), unwrapped, introduces)

    # -- the end -------------------------------------------------------------------------------------

    def result(self, runs: int) -> Diagnosis:
        known_fatal = [p for p in self.errors if p.entry is not None and p.entry.fatal]
        completed = self.reader.completed and not known_fatal
        # A run that did not succeed makes every message it does not know an error; when the log ends
        # right after an error message, that message is what the run died on.
        failing = not completed
        severities = {id(p): self._severity(p, failing) for p in self.errors}
        ended_on = self.last if self.last is not None and self.last is not self.aborted else None
        died_on = ended_on if failing and ended_on is not None and severities.get(id(ended_on)) == "error" else None
        if died_on is not None:
            severities[id(died_on)] = "fatal"
            if died_on.entry is not None and died_on.entry.wrapper:
                # A wrapper ("Unable to change volume group") says less than the error before it.
                cause = next((p for p in reversed(self.errors[: self.errors.index(died_on)]) if _is_cause(p)), None)
                if cause is not None and severities[id(cause)] == "error":
                    severities[id(cause)] = "fatal"
        if self.aborted is not None and not known_fatal and died_on is None:
            self.errors.append(self.aborted)
            severities[id(self.aborted)] = "fatal"
        found = [self._finding(p, severities[id(p)]) for p in self.errors]
        findings = [f for f in found if f.severity != "warning"]
        fatal = [f for f in findings if f.fatal]
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
        errors = sorted(findings, key=lambda f: (0 if f.fatal and not f.wrapper else 1 if f.fatal else 2, f.line_no))
        stopped = errors[0].phase if fatal else (self.seen[-1] if self.seen else None)
        warnings = tuple(
            sorted(
                [*(self._finding(p, "warning") for p in self.warnings), *(f for f in found if f.severity == "warning")],
                key=lambda f: f.line_no,
            )
        )
        return Diagnosis(
            kind=self.kind,
            phases=tuple(phases),
            outcome=outcome,
            errors=tuple(errors),
            warnings=warnings,
            stopped_in_phase=stopped,
            runs=runs,
            from_line=self.from_line,
            omitted=self.omitted,
        )

    @staticmethod
    def _severity(p: _Pending, failing: bool) -> Severity:
        if p.entry is not None:
            return p.entry.severity
        # Unknown codes: an error unless the run succeeded (then only when the line says so).
        return "error" if failing or _SAYS_ERROR.search(p.line) else "warning"

    def _finding(self, p: _Pending, severity: Severity) -> Finding:
        entry = p.entry
        if entry is None:
            assert p.code is not None
            family = catalogue.FAMILIES.get(p.code[:4], "AIX")
            return Finding(
                code=p.code,
                line=p.line.strip(),
                line_no=p.no,
                phase=p.phase,
                severity=severity,
                meaning=(
                    f"{family} message {p.code}: not in the cockpit's catalogue (cockpit explain --list); "
                    "read it with the lines around it."
                ),
                detail=tuple(p.detail),
                known=False,
                context=(*p.before, *p.after),
            )
        values = {**self.context, **p.values}
        return Finding(
            code=p.code,
            line=p.line.strip(),
            line_no=p.no,
            phase=p.phase,
            severity=severity,
            meaning=entry.meaning,
            fix=_fill(entry.fix, values),
            commands=tuple(Step(s.on, _fill(s.command, values)) for s in entry.steps),
            detail=tuple(p.detail),
            source=", ".join(entry.sources),
            wrapper=entry.wrapper,
        )
