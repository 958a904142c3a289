"""What every check is, and the plumbing that turns a probe that did not work into an `error` finding."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping
from typing import ClassVar, TypeVar

from cockpit.domain.preflight.context import ClientContext
from cockpit.domain.preflight.models import (
    NO_REMEDIATION,
    Evidence,
    Finding,
    Probe,
    ProbeResult,
    Remediation,
    Severity,
    Status,
)
from cockpit.domain.preflight.parsers.common import ParseError, first_line, lines

T = TypeVar("T")

# Exit statuses of a shell that could not start the command at all.
_NOT_RUNNABLE = {126: "is not executable (exit status 126)", 127: "was not found (exit status 127)"}


class Undecidable(Exception):
    """A probe's answer is missing or unreadable: the check reports `error` for that host."""

    def __init__(self, host: str, command: str, reason: str, evidence: Evidence | None = None) -> None:
        super().__init__(f"`{command}` on {host} {reason}")
        self.host = host
        self.command = command
        self.reason = reason
        self.evidence = evidence


class View:
    """One client's probe results as a check reads them: raising Undecidable where they cannot be used."""

    def __init__(self, ctx: ClientContext, results: Mapping[str, ProbeResult]) -> None:
        self.ctx = ctx
        self.results = results

    def host(self, probe: Probe) -> str:
        return self.ctx.host_for(probe.on)

    def peek(self, probe: Probe) -> ProbeResult | None:
        """The result if the command ran (whatever its exit status), else None. Never raises."""
        result = self.results.get(probe.key)
        if result is None or result.exit_status is None or result.exit_status in _NOT_RUNNABLE:
            return None
        return result

    def get(self, probe: Probe, accept: Collection[int] | None = (0,)) -> ProbeResult:
        """The result of a probe that ran and ended with an accepted exit status (None: any)."""
        host = self.host(probe)
        result = self.results.get(probe.key)
        if result is None:
            raise Undecidable(host, probe.command, "was not run")
        if result.exit_status is None:
            raise Undecidable(
                host, probe.command, f"could not be run: {result.error or 'no reason given'}", self.evidence(result)
            )
        if result.exit_status in _NOT_RUNNABLE:
            raise Undecidable(host, probe.command, _NOT_RUNNABLE[result.exit_status], self.evidence(result))
        if accept is not None and result.exit_status not in accept:
            said = first_line(result.stderr) or first_line(result.stdout) or "no output"
            raise Undecidable(
                host, probe.command, f"ended with exit status {result.exit_status}: {said}", self.evidence(result)
            )
        return result

    def parse(self, result: ProbeResult, parser: Callable[[str], T], text: str | None = None) -> T:
        """parser(output); a ParseError becomes Undecidable naming the host and command."""
        try:
            return parser(result.output if text is None else text)
        except ParseError as e:
            raise Undecidable(
                self.host(result.probe),
                result.probe.command,
                f"printed something unexpected: {e}",
                self.evidence(result),
            ) from e

    def evidence(self, result: ProbeResult, output: str | None = None) -> Evidence:
        """Evidence of a result; `output` replaces the full output with the lines that matter."""
        return Evidence(
            self.host(result.probe),
            result.probe.command,
            result.output if output is None else output,
            result.exit_status,
        )

    def excerpt(self, result: ProbeResult, keep: Callable[[str], bool], none: str) -> Evidence:
        """Evidence made of the output lines `keep` accepts (big outputs: ls -al /dev, showres)."""
        kept = [line for line in lines(result.output) if line.strip() and keep(line)]
        total = sum(1 for line in lines(result.output) if line.strip())
        text = "\n".join(kept) if kept else none
        return self.evidence(result, f"{text}\n({len(kept)} of {total} lines shown)")


class Check(ABC):
    """One preflight check: what it asks (probes, follow-ups), and what the answers mean (evaluate)."""

    id: ClassVar[str]
    severity: ClassVar[Severity]
    title: ClassVar[str]
    meaning: ClassVar[str]
    """What it is, why it bites: one paragraph an operator reads next to the finding."""

    @abstractmethod
    def probes(self, ctx: ClientContext) -> list[Probe]:
        """First-round probes."""

    def followups(self, ctx: ClientContext, results: Mapping[str, ProbeResult]) -> list[Probe]:
        """Probes whose command needs a value from a first-round result; [] when none or not yet known."""
        return []

    def evaluate(self, ctx: ClientContext, results: Mapping[str, ProbeResult]) -> list[Finding]:
        return self.judge(ctx, View(ctx, results))

    @abstractmethod
    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        """Findings from the results; helpers: view.get / view.parse, self.guarded, self.finding."""

    # --- helpers for subclasses -----------------------------------------------------------------

    def finding(
        self,
        host: str,
        status: Status,
        summary: str,
        evidence: tuple[Evidence, ...] | list[Evidence] = (),
        remediation: Remediation = NO_REMEDIATION,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            check=self.id,
            host=host,
            status=status,
            severity=severity or self.severity,
            summary=summary,
            meaning=self.meaning,
            evidence=tuple(evidence),
            remediation=remediation,
        )

    def guarded(self, part: Callable[[], list[Finding]]) -> list[Finding]:
        """Run one part of a check (one host, one resource); an Undecidable becomes an `error` finding."""
        try:
            return part()
        except Undecidable as e:
            return [self.error(e)]

    def error(self, e: Undecidable) -> Finding:
        hint = (
            f"The check could not decide: make `{e.command}` work on {e.host} (reachability, PATH, root "
            "authority) and run the preflight again."
        )
        if "0042-207" in e.reason or (e.evidence and "0042-207" in e.evidence.output):
            hint = (
                "The NIM resource is busy with another operation (0042-207 m_showres): run the preflight "
                "again in a few seconds; IBM's own tooling retries up to 10 times."
            )
        return self.finding(
            e.host,
            Status.ERROR,
            f"{self.title}: `{e.command}` on {e.host} {e.reason}",
            (e.evidence,) if e.evidence else (),
            Remediation(hint),
        )
