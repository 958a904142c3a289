"""From findings to go / no-go, per host and for the whole fleet.

Rules (documented in the report): a host is no-go when it has an unwaived finding that is an
`error` (a probe could not run or be read: the host could not be judged) or a `fail` of severity
inhibitor or high. `warn` never blocks, nor does a failed medium/low/info check. A waiver (check,
optional host, reason) turns a blocking finding into a non-blocking one and stays in the finding.
The fleet is go only when every host is go (`cockpit check` exits 0 on go, 1 on no-go); the
per-host verdicts tell the engine which hosts may still run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cockpit.domain.preflight.models import Finding, Status, Waiver


class Decision(StrEnum):
    GO = "go"
    NO_GO = "no-go"


@dataclass(frozen=True)
class HostVerdict:
    host: str
    """The migration target (client) the findings were gathered for."""
    findings: tuple[Finding, ...]

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)

    @property
    def decision(self) -> Decision:
        return Decision.NO_GO if self.blocking else Decision.GO

    @property
    def reasons(self) -> list[str]:
        """One line per blocking finding: `check: summary`."""
        return [f"{f.check}: {f.summary}" for f in self.blocking]

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "verdict": self.decision.value,
            "blocking": self.reasons,
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass(frozen=True)
class Verdict:
    hosts: tuple[HostVerdict, ...]

    @property
    def decision(self) -> Decision:
        return Decision.NO_GO if any(h.decision is Decision.NO_GO for h in self.hosts) else Decision.GO

    def host(self, name: str) -> HostVerdict:
        for h in self.hosts:
            if h.host == name:
                return h
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.decision.value, "hosts": [h.to_json() for h in self.hosts]}


def apply_waivers(target: str, findings: Iterable[Finding], waivers: Iterable[Waiver]) -> tuple[Finding, ...]:
    """Attach the first matching waiver to each non-passing finding listed under `target`."""
    waivers = list(waivers)
    out = []
    for f in findings:
        if f.status is not Status.PASS and f.waiver is None:
            w = next((w for w in waivers if w.covers(f, target)), None)
            f = f.waived(w) if w else f
        out.append(f)
    return tuple(out)


def host_verdict(target: str, findings: Iterable[Finding], waivers: Iterable[Waiver] = ()) -> HostVerdict:
    return HostVerdict(target, apply_waivers(target, findings, waivers))


def evaluate_fleet(findings: Mapping[str, Sequence[Finding]], waivers: Iterable[Waiver] = ()) -> Verdict:
    """One verdict per target (in the mapping's order) and the fleet's."""
    waivers = list(waivers)
    return Verdict(tuple(host_verdict(target, fs, waivers) for target, fs in findings.items()))
