"""What a preflight check asks a host, what it got back, and what it concluded.

A check never runs anything: it names `Probe`s (a role and an exact command line), whoever runs them
hands back `ProbeResult`s, and the check turns those into `Finding`s. Findings carry their evidence
(the command and the part of its output that matters) and a remediation an operator can read and,
where one exists, run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

Role = Literal["master", "client"]
"""Where a probe runs: the NIM master of the client, or the client itself."""

ROLES: tuple[Role, ...] = ("master", "client")


class Severity(StrEnum):
    """How bad a failed check is. Inhibitor: nimadm will fail; high: the run or its rollback is at risk."""

    INHIBITOR = "inhibitor"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def blocks(self) -> bool:
        """A failure of this severity makes the host no-go (unless waived)."""
        return self in (Severity.INHIBITOR, Severity.HIGH)


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"  # worth reading, never blocks
    FAIL = "fail"  # the condition the check looks for is there
    ERROR = "error"  # the check could not decide: a probe did not run or printed something unreadable


@dataclass(frozen=True)
class Probe:
    """One command a check needs, on one role. `key` identifies it in the results mapping.

    The key is derived from role and command so that two checks asking the same thing share one
    result, and whoever runs the probes can deduplicate by (host, command).
    """

    on: Role
    command: str

    @property
    def key(self) -> str:
        return f"{self.on}:{self.command}"


@dataclass(frozen=True)
class ProbeResult:
    """What running a probe gave. `exit_status is None` means it could not be run at all."""

    probe: Probe
    exit_status: int | None
    stdout: str = ""
    stderr: str = ""
    error: str | None = None
    """Why the command could not run (connection refused, timeout ...) when exit_status is None."""

    @property
    def output(self) -> str:
        """stdout then stderr, as an operator would have seen them in a terminal."""
        if self.stdout and self.stderr:
            return self.stdout.rstrip("\n") + "\n" + self.stderr
        return self.stdout or self.stderr


@dataclass(frozen=True)
class Evidence:
    """The command a finding rests on and the part of its output that shows the problem."""

    host: str
    command: str
    output: str
    exit_status: int | None

    def to_json(self) -> dict[str, Any]:
        return {"host": self.host, "command": self.command, "output": self.output, "exit_status": self.exit_status}


@dataclass(frozen=True)
class RemedyCommand:
    """One command line of a fix and the host it must run on (a host name, not a role)."""

    host: str
    command: str

    def to_json(self) -> dict[str, str]:
        return {"host": self.host, "command": self.command}


@dataclass(frozen=True)
class Remediation:
    """How to fix a finding: always a hint; commands where a fix is known and safe to spell out.

    `saves_first` are commands that only save state (ODM entries, file lists) and must run before
    `commands`; `destructive` marks fixes that delete something and need an operator's confirmation.
    """

    hint: str = ""
    commands: tuple[RemedyCommand, ...] = ()
    destructive: bool = False
    saves_first: tuple[RemedyCommand, ...] = ()

    @property
    def ordered(self) -> tuple[RemedyCommand, ...]:
        """Every command in the order to run them: the saves, then the fix."""
        return self.saves_first + self.commands

    def to_json(self) -> dict[str, Any]:
        return {
            "hint": self.hint,
            "commands": [c.to_json() for c in self.ordered],
            "destructive": self.destructive,
            "saves_first": [c.to_json() for c in self.saves_first],
        }


NO_REMEDIATION = Remediation()


@dataclass(frozen=True)
class Waiver:
    """An operator's decision to go despite a finding, for one host until it expires.

    `host=None` waives the check on every host: given only when the operator asked for it and
    confirmed it (cockpit.domain.preflight.waiving). A waiver never covers an `error` finding: that
    check could not run, so there is no finding to accept, only a host nobody has judged (re-check
    it, or start without the gate, which is journaled as such).
    """

    check: str
    reason: str
    host: str | None = None
    by: str | None = None
    """The OS user who gave it."""
    key: str | None = None
    """SHA256 fingerprint of the SSH key the cockpit used when it was given (None: not known)."""
    given_at: float | None = None
    expires_at: float | None = None
    """Epoch seconds after which it no longer counts (None: a waiver not from the journal, e.g. a test)."""

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError(f"a waiver of {self.check} needs a reason")

    def covers(self, finding: Finding, target: str | None = None) -> bool:
        """True for the finding's check on the finding's host or on the client it is listed under."""
        if self.check != finding.check or finding.status is Status.ERROR:
            return False
        return self.host is None or self.host in (finding.host, target)

    def in_force(self, now: float) -> bool:
        return self.expires_at is None or now < self.expires_at

    def to_json(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "by": self.by,
            "host": self.host,
            "key": self.key,
            "expires_at": _iso(self.expires_at),
        }


def _iso(at: float | None) -> str | None:
    return None if at is None else datetime.fromtimestamp(at).astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class Finding:
    """One conclusion of one check about one host."""

    check: str
    host: str
    """Where the condition is: the master's name for a master-side problem, else the client's."""
    status: Status
    severity: Severity
    summary: str
    meaning: str = ""
    evidence: tuple[Evidence, ...] = ()
    remediation: Remediation = field(default=NO_REMEDIATION)
    waiver: Waiver | None = None

    @property
    def blocking(self) -> bool:
        """No-go unless waived: any error (the host could not be judged), or a failed inhibitor/high."""
        if self.waiver is not None:
            return False
        if self.status is Status.ERROR:
            return True
        return self.status is Status.FAIL and self.severity.blocks

    def waived(self, waiver: Waiver) -> Finding:
        return replace(self, waiver=waiver)

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "host": self.host,
            "status": self.status.value,
            "severity": self.severity.value,
            "summary": self.summary,
            "meaning": self.meaning,
            "evidence": [e.to_json() for e in self.evidence],
            "remediation": self.remediation.to_json(),
            "waiver": self.waiver.to_json() if self.waiver else None,
        }
