"""Which commands to run where, in rounds, and the findings once they have run. Pure: no I/O.

Whoever runs the probes (the engine over SSH, a test with canned outputs) drives a session:

    session = PreflightSession(contexts)
    while batch := session.pending():          # round 1, then the follow-ups that need its answers
        for hc in batch:                       # run them concurrently, each (host, command) once
            session.record(hc.host, hc.command, exit_status, stdout, stderr)  # or exit_status=None, error=...
    verdict = session.verdict(waivers)

Every pending command must be recorded, also when it could not run (`exit_status=None`, `error=` the
reason): that is what turns into an `error` finding instead of a silent pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cockpit.domain.preflight.checks import ALL_CHECKS, Check
from cockpit.domain.preflight.context import ClientContext
from cockpit.domain.preflight.models import Finding, Probe, ProbeResult, Waiver
from cockpit.domain.preflight.verdict import Verdict, evaluate_fleet

# Two rounds are all the checks need (lvlstmajor -> odmget); one spare.
MAX_ROUNDS = 3


def plan_probes(ctx: ClientContext, checks: Iterable[Check] = ALL_CHECKS) -> list[Probe]:
    """First-round probes of one client, without duplicates, in check order."""
    return _unique(p for c in checks for p in c.probes(ctx))


def plan_followups(
    ctx: ClientContext, results: Mapping[str, ProbeResult], checks: Iterable[Check] = ALL_CHECKS
) -> list[Probe]:
    return _unique(p for c in checks for p in c.followups(ctx, results))


def run_checks(
    ctx: ClientContext, results: Mapping[str, ProbeResult], checks: Iterable[Check] = ALL_CHECKS
) -> list[Finding]:
    """Every check's findings for one client (master-side findings name the master as host)."""
    return [f for c in checks for f in c.evaluate(ctx, results)]


def _unique(probes: Iterable[Probe]) -> list[Probe]:
    return list(dict.fromkeys(probes))


@dataclass(frozen=True)
class HostCommand:
    """One command to run on one host; several clients' probes can share it (the master's)."""

    host: str
    command: str


@dataclass(frozen=True)
class _Output:
    exit_status: int | None
    stdout: str
    stderr: str
    error: str | None


class PreflightSession:
    """The probes of a whole fleet, deduplicated by (host, command), and what they answered."""

    def __init__(self, contexts: Sequence[ClientContext], checks: Sequence[Check] = ALL_CHECKS) -> None:
        clients = [c.client for c in contexts]
        if len(set(clients)) != len(clients):
            raise ValueError(f"a client appears twice in the preflight: {clients}")
        self.contexts = tuple(contexts)
        self.checks = tuple(checks)
        self.rounds = 0
        self._outputs: dict[HostCommand, _Output] = {}

    def pending(self) -> list[HostCommand]:
        """Commands to run now: first round, then follow-ups; [] when everything is in."""
        if self.rounds >= MAX_ROUNDS:
            return []
        wanted: dict[HostCommand, None] = {}
        for ctx in self.contexts:
            results = self.results_for(ctx)
            for probe in plan_probes(ctx, self.checks) + plan_followups(ctx, results, self.checks):
                hc = HostCommand(ctx.host_for(probe.on), probe.command)
                if hc not in self._outputs:
                    wanted[hc] = None
        if wanted:
            self.rounds += 1
        return list(wanted)

    def record(
        self,
        host: str,
        command: str,
        exit_status: int | None,
        stdout: str = "",
        stderr: str = "",
        error: str | None = None,
    ) -> None:
        self._outputs[HostCommand(host, command)] = _Output(exit_status, stdout, stderr, error)

    def results_for(self, ctx: ClientContext) -> dict[str, ProbeResult]:
        """The recorded answers to one client's probes (first round and follow-ups), by probe key."""
        results = self._collect(ctx, plan_probes(ctx, self.checks), {})
        return self._collect(ctx, plan_followups(ctx, results, self.checks), results)

    def _collect(
        self, ctx: ClientContext, probes: Iterable[Probe], into: dict[str, ProbeResult]
    ) -> dict[str, ProbeResult]:
        for probe in probes:
            out = self._outputs.get(HostCommand(ctx.host_for(probe.on), probe.command))
            if out is not None:
                into[probe.key] = ProbeResult(probe, out.exit_status, out.stdout, out.stderr, out.error)
        return into

    def findings(self) -> dict[str, list[Finding]]:
        """Findings per client, in the order the contexts were given."""
        return {ctx.client: run_checks(ctx, self.results_for(ctx), self.checks) for ctx in self.contexts}

    def verdict(self, waivers: Iterable[Waiver] = ()) -> Verdict:
        return evaluate_fleet(self.findings(), waivers)
