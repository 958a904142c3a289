"""How preflight results are written on screen: the matrix model, cell glyphs, fix plans, wording.

Pure Python (no Textual) so it can be tested without an app. A client's findings come from the
domain as one flat list per client, master-side findings included (host == the master's name); the
matrix groups them into one cell per (client, check). Colours are theme variable names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from cockpit.domain.preflight import CHECKS, Decision, Finding, HostVerdict, RemedyCommand, Status, Verdict


class CellStatus(StrEnum):
    """What one (client, check) cell shows: the worst of its findings that still count."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"
    WAIVED = "waived"
    NONE = "none"  # the check said nothing about this client


@dataclass(frozen=True, slots=True)
class CellLook:
    glyph: str
    label: str
    color: str  # a theme variable name, without the "$"


# Single-cell, non-emoji glyphs, so the matrix columns line up in every terminal.
CELL_LOOKS: dict[CellStatus, CellLook] = {
    CellStatus.PASS: CellLook("✓", "pass", "success"),
    CellStatus.WARN: CellLook("!", "warn", "warning"),
    CellStatus.FAIL: CellLook("✗", "fail", "error"),
    CellStatus.ERROR: CellLook("?", "error", "error-lighten-2"),
    CellStatus.WAIVED: CellLook("~", "waived", "foreground-muted"),
    CellStatus.NONE: CellLook("·", "not checked", "foreground-muted"),
}
LEGEND_ORDER = (CellStatus.PASS, CellStatus.WARN, CellStatus.FAIL, CellStatus.ERROR, CellStatus.WAIVED)
VERDICT_COLORS = {Decision.GO: "success", Decision.NO_GO: "error"}

# Short column headers (at most 9 characters) so that a dozen checks fit in 160 columns.
SHORT_NAMES: dict[str, str] = {
    "nim.client_defined": "nim obj",
    "nim.client_master": "niminfo",
    "nimsh.active": "nimsh",
    "nimsh.ports": "ports",
    "oslevel.master_not_below_target": "oslevel",
    "fileset.alt_disk_install": "fileset",
    "disk.target_free": "disk free",
    "disk.target_size": "disk size",
    "rootvg.leftover_alt": "leftover",
    "rootvg.multibos": "multibos",
    "devices.ghost_major": "ghost",
    "cache_vg.space": "cache vg",
}
SHORT_MAX = 9
# The same on two header lines, for a narrow terminal: a column then takes at most 5 cells.
TWO_LINE_NAMES: dict[str, str] = {
    "nim.client_defined": "nim\nobj",
    "nim.client_master": "nim\ninfo",
    "oslevel.master_not_below_target": "os\nlevel",
    "fileset.alt_disk_install": "file\nset",
    "disk.target_free": "disk\nfree",
    "disk.target_size": "disk\nsize",
    "rootvg.leftover_alt": "left\nover",
    "rootvg.multibos": "multi\nbos",
    "cache_vg.space": "cache\nvg",
}

# Cell status ranks: the one shown is the highest-ranked unwaived non-pass finding.
_RANK = {Status.FAIL: 3, Status.ERROR: 2, Status.WARN: 1}
_FROM_STATUS = {Status.FAIL: CellStatus.FAIL, Status.ERROR: CellStatus.ERROR, Status.WARN: CellStatus.WARN}


def short_name(check: str) -> str:
    """``nimsh.active`` -> ``nimsh``; unknown ids: the part after the first dot, cut to fit."""
    known = SHORT_NAMES.get(check)
    if known is not None:
        return known
    tail = check.split(".", 1)[-1].replace("_", " ")
    return tail[:SHORT_MAX]


def two_line_name(check: str) -> str:
    """``disk.target_free`` -> ``disk\\nfree``: the short name on two lines (a one-word name stays whole)."""
    known = TWO_LINE_NAMES.get(check)
    if known is not None:
        return known
    return "\n".join(short_name(check).split(" ", 1))


QUIET = (CellStatus.PASS, CellStatus.NONE, CellStatus.WAIVED)
"""Cells that need no attention."""


def column_order(matrix: PreflightMatrix) -> list[str]:
    """The checks by priority: those with a cell that needs attention first, each group in check order.

    On a narrow terminal the columns that scroll out of view are then the quiet ones.
    """
    loud = [k for k in matrix.checks if any(matrix.status(c, k) not in QUIET for c in matrix.clients)]
    return loud + [k for k in matrix.checks if k not in loud]


def cell_status(findings: Sequence[Finding]) -> CellStatus:
    if not findings:
        return CellStatus.NONE
    open_ = [f for f in findings if f.status is not Status.PASS and f.waiver is None]
    if open_:
        return _FROM_STATUS[max(open_, key=lambda f: _RANK[f.status]).status]
    if any(f.waiver is not None for f in findings):
        return CellStatus.WAIVED
    return CellStatus.PASS


def ordered_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings that need reading first: unwaived non-pass (worst first), waived, then passes."""

    def key(f: Finding) -> tuple[int, int]:
        if f.status is Status.PASS:
            return (2, 0)
        if f.waiver is not None:
            return (1, 0)
        return (0, -_RANK[f.status])

    return sorted(findings, key=key)


def where(host: str, client: str, master: str) -> str:
    """``lpar03``, or ``nim01 (the NIM master)`` for a master-side finding shown in a client's row."""
    if host == client:
        return host
    if host == master:
        return f"{host} (the NIM master)"
    return host


@dataclass(frozen=True)
class PreflightMatrix:
    """A report as the screen draws it: rows (clients), columns (check ids), cells, verdicts."""

    clients: tuple[str, ...]
    checks: tuple[str, ...]
    cells: Mapping[tuple[str, str], tuple[Finding, ...]]
    verdict: Verdict

    @classmethod
    def build(cls, findings: Mapping[str, Sequence[Finding]], verdict: Verdict) -> PreflightMatrix:
        order = {check: i for i, check in enumerate(CHECKS)}
        seen: dict[str, None] = {}
        cells: dict[tuple[str, str], list[Finding]] = {}
        for client, fs in findings.items():
            for f in fs:
                seen.setdefault(f.check)
                cells.setdefault((client, f.check), [])
        # Waivers are attached by the verdict: take the findings from there when it has the client.
        hosts = {hv.host: hv for hv in verdict.hosts}
        for client, fs in findings.items():
            for f in hosts[client].findings if client in hosts else fs:
                cells[(client, f.check)].append(f)
        checks = sorted(seen, key=lambda c: (order.get(c, len(order)), c))
        return cls(
            clients=tuple(findings),
            checks=tuple(checks),
            cells={k: tuple(v) for k, v in cells.items()},
            verdict=verdict,
        )

    def findings(self, client: str, check: str) -> tuple[Finding, ...]:
        return self.cells.get((client, check), ())

    def status(self, client: str, check: str) -> CellStatus:
        return cell_status(self.findings(client, check))

    def host_verdict(self, client: str) -> HostVerdict | None:
        for hv in self.verdict.hosts:
            if hv.host == client:
                return hv
        return None

    def decision(self, client: str) -> Decision:
        hv = self.host_verdict(client)
        return hv.decision if hv is not None else Decision.NO_GO

    def counts(self) -> Counter[CellStatus]:
        return Counter(self.status(c, k) for c in self.clients for k in self.checks)

    def go_clients(self) -> list[str]:
        return [c for c in self.clients if self.decision(c) is Decision.GO]

    def clients_with(self, check: str, host: str) -> list[str]:
        """Clients whose row holds a non-pass finding of `check` on `host` (a master problem: several)."""
        return [
            c
            for c in self.clients
            if any(f.host == host and f.status is not Status.PASS for f in self.findings(c, check))
        ]


@dataclass(frozen=True, slots=True)
class FixStep:
    """One command of a fix as the confirmation shows it."""

    command: RemedyCommand
    finding: Finding
    saves: bool
    """Only saves state (ODM entries it will delete ...) before the fix proper."""
    destructive: bool
    """Part of a fix that deletes something."""

    @property
    def line(self) -> str:
        return f"[{self.command.host}] {self.command.command}"


def fixable(findings: Iterable[Finding]) -> list[Finding]:
    """Non-passing findings that come with commands to run."""
    return [f for f in ordered_findings(findings) if f.status is not Status.PASS and f.remediation.ordered]


def fix_steps(findings: Iterable[Finding]) -> list[FixStep]:
    """Every command the fix of `findings` runs, in order (each finding's saves first)."""
    steps: list[FixStep] = []
    for f in findings:
        r = f.remediation
        steps += [FixStep(c, f, saves=True, destructive=False) for c in r.saves_first]
        steps += [FixStep(c, f, saves=False, destructive=r.destructive) for c in r.commands]
    return steps


def output_text(stdout: str, stderr: str) -> str:
    """stdout then stderr, as a terminal would have shown them."""
    if stdout and stderr:
        return stdout.rstrip("\n") + "\n" + stderr
    return stdout or stderr
