"""Run the preflight probes on every host at once and hand the answers to the domain's checks.

Each host gets one connection; a round's probes of one host run in one SSH session, one after the
other (domain/preflight/batch.py), in batches of at most BATCH_SIZE with up to PER_HOST_SESSIONS of
them at once (a real sshd allows 10 sessions per connection by default): the NIM master answers one
`lsnim -l` per client. A host that cannot be reached answers every probe with that reason, so its
checks say `error` with the cause instead of the whole preflight failing. Progress (probes answered,
hosts done) goes to an optional callback as the answers come in.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cockpit.config.models import Config, Host, NimadmPlan
from cockpit.domain.preflight import (
    ALL_CHECKS,
    Check,
    ClientContext,
    Finding,
    HostCommand,
    PreflightSession,
    Verdict,
    Waiver,
    evaluate_fleet,
)
from cockpit.domain.preflight.batch import batch_script, parse_batch
from cockpit.domain.preflight.models import RemedyCommand
from cockpit.domain.preflight.waiving import WaiverRequest
from cockpit.domain.printable import printable
from cockpit.engine.binding import Binding
from cockpit.engine.migration_locks import migrations_holding
from cockpit.transports.base import CommandResult, Transport, TransportError, client_key_of

if TYPE_CHECKING:
    from cockpit.engine.journal import WaiverRecord

PROBE_TIMEOUT = 120.0
"""Seconds a batch of probes may take (a probe that hangs fails its batch's rest with the reason)."""
PER_HOST_SESSIONS = 4
BATCH_SIZE = 32


@dataclass(frozen=True)
class PreflightProgress:
    """How far a preflight is: probes answered of those planned so far (follow-up rounds add some),
    and hosts with nothing left to answer."""

    probes_done: int
    probes_planned: int
    hosts_done: int
    hosts_total: int
    round: int

    def line(self) -> str:
        return (
            f"{self.probes_done:,}/{self.probes_planned:,} probes, "
            f"{self.hosts_done:,}/{self.hosts_total:,} hosts answered (round {self.round})"
        )


ProgressCallback = Callable[[PreflightProgress], None]


def contexts_for(config: Config, clients: Iterable[str] | None = None) -> list[ClientContext]:
    wanted = set(clients) if clients is not None else None
    plan = config.plan
    if not isinstance(plan, NimadmPlan):  # `cockpit check` refuses such a plan before it gets here
        raise ValueError(f"the preflight checks are those of a nimadm plan, not of runbook {plan.runbook}")
    binding = Binding(config, "preflight")
    return [
        ClientContext(
            client=c.host,
            master=plan.group_of(c.host).master,
            lpp_source=plan.lpp_source_for(c),
            spot=plan.spot_for(c),
            target_level=plan.target_level_for(c),
            disks=tuple(c.disks),
            nim_name=config.host(c.host).nim_object,
            cache_vg=plan.cache_vg_for(c),
            cleanup=_cleanup(binding, c.host),
        )
        for c in plan.all_clients
        if wanted is None or c.host in wanted
    ]


def _cleanup(binding: Binding, target: str) -> str:
    """The clean-up line of the runbook's first step for `target` (nimadm: `nimadm -C -c ... -s ...`)."""
    undo = binding.undo(target, binding.runbook.steps[0].id)
    return undo.command if undo is not None else ""


@dataclass
class PreflightReport:
    session: PreflightSession
    findings: dict[str, list[Finding]]
    verdict: Verdict
    started_at: float
    finished_at: float
    commands_run: int
    unreachable: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    """host -> SHA256 fingerprint of the SSH key the host accepted (hosts reached over SSH)."""

    def blocking(self, client: str) -> list[str]:
        """`check: summary` of each unwaived blocking finding of a client (empty when go)."""
        return list(self.verdict.host(client).reasons)

    def key_for(self, host: str | None) -> str | None:
        """The SSH key the cockpit used on `host` (None: every host); when it did not reach that host,
        the key it used on all the others if that was one key; None when nothing tells."""
        if host is not None and host in self.keys:
            return self.keys[host]
        used = sorted(set(self.keys.values()))
        if host is None and used:
            return ", ".join(used)
        return used[0] if len(used) == 1 else None


class PreflightRunner:
    def __init__(
        self,
        config: Config,
        transport_for: Callable[[Host], Transport],
        *,
        checks: Sequence[Check] = ALL_CHECKS,
        clock: Callable[[], float] = time.time,
        timeout: float = PROBE_TIMEOUT,
    ) -> None:
        self.config = config
        self.transport_for = transport_for
        self.checks = checks
        self.clock = clock
        self.timeout = timeout

    async def run(
        self,
        clients: Iterable[str] | None = None,
        waivers: Iterable[Waiver] = (),
        on_progress: ProgressCallback | None = None,
    ) -> PreflightReport:
        started = self.clock()
        contexts = contexts_for(self.config, clients)
        session = PreflightSession(contexts, self.checks)
        hosts = {h for ctx in contexts for h in (ctx.client, ctx.master)}
        pool = _Connections(self.config, self.transport_for)
        tally = _Tally(len(hosts), on_progress)
        try:
            while batch := session.pending():
                tally.next_round(batch)
                by_host: dict[str, list[HostCommand]] = {}
                for hc in batch:
                    by_host.setdefault(hc.host, []).append(hc)

                async def one_host(host: str, commands: list[HostCommand]) -> None:
                    async for hc, result, error in pool.run_all(host, commands, self.timeout):
                        # What a host printed is made printable here, once: it reaches summaries, the
                        # evidence on screen, the JSON and the journal from here.
                        if result is None:
                            session.record(hc.host, hc.command, None, error=printable(error or "no answer"))
                        else:
                            out, err = (printable(t, multiline=True) for t in (result.stdout, result.stderr))
                            session.record(hc.host, hc.command, result.exit_status, out, err)
                        tally.answered(hc)

                await asyncio.gather(*(one_host(h, cs) for h, cs in by_host.items()))
        finally:
            await pool.close()
        waivers = list(waivers)
        return PreflightReport(
            session=session,
            findings=session.findings(),
            verdict=session.verdict(waivers),
            started_at=started,
            finished_at=self.clock(),
            commands_run=tally.done,
            unreachable=dict(pool.unreachable),
            keys=dict(pool.keys),
        )


class _Tally:
    """Counts answers for the progress callback (at most one call per batch of answers)."""

    def __init__(self, hosts: int, callback: ProgressCallback | None) -> None:
        self.hosts = hosts
        self.callback = callback
        self.done = 0
        self.planned = 0
        self.round = 0
        self._left: dict[str, int] = {}
        self._busy = 0  # hosts with a command not answered yet

    def next_round(self, batch: Sequence[HostCommand]) -> None:
        self.round += 1
        self.planned += len(batch)
        for hc in batch:
            left = self._left.get(hc.host, 0)
            self._busy += left == 0
            self._left[hc.host] = left + 1
        self._report()

    def answered(self, hc: HostCommand) -> None:
        self.done += 1
        self._left[hc.host] -= 1
        self._busy -= self._left[hc.host] == 0
        self._report()

    def _report(self) -> None:
        if self.callback is not None:
            self.callback(PreflightProgress(self.done, self.planned, self.hosts - self._busy, self.hosts, self.round))


class _Connections:
    """One transport per host, opened on first use; a failed connect is remembered, not retried."""

    def __init__(self, config: Config, transport_for: Callable[[Host], Transport]) -> None:
        self.config = config
        self.transport_for = transport_for
        self._transports: dict[str, Transport] = {}
        self._ready: dict[str, asyncio.Task[None]] = {}
        self._limits: dict[str, asyncio.Semaphore] = {}
        self.unreachable: dict[str, str] = {}
        self.keys: dict[str, str] = {}
        """host -> fingerprint of the client key it accepted."""

    async def _transport(self, host: str) -> Transport:
        if host not in self._ready:
            transport = self._transports[host] = self.transport_for(self.config.host(host))
            self._limits[host] = asyncio.Semaphore(PER_HOST_SESSIONS)
            self._ready[host] = asyncio.ensure_future(transport.connect())
        await asyncio.shield(self._ready[host])
        transport = self._transports[host]
        if host not in self.keys and (key := client_key_of(transport)) is not None:
            self.keys[host] = key
        return transport

    async def run(self, hc: HostCommand, timeout: float) -> tuple[CommandResult | None, str | None]:
        """One command in a session of its own (a fix's command: its exact status and output)."""
        if hc.host in self.unreachable:
            return None, self.unreachable[hc.host]
        try:
            transport = await self._transport(hc.host)
            async with self._limits[hc.host]:
                return await transport.run(hc.command, timeout=timeout), None
        except TransportError as exc:
            self._note_unreachable(hc.host, exc)
            return None, str(exc)

    async def run_all(
        self, host: str, commands: Sequence[HostCommand], timeout: float
    ) -> AsyncIterator[tuple[HostCommand, CommandResult | None, str | None]]:
        """Every command of `host`, in batches of one session each; yields each answer as it comes."""
        chunks = [list(commands[i : i + BATCH_SIZE]) for i in range(0, len(commands), BATCH_SIZE)]
        queue: asyncio.Queue[list[tuple[HostCommand, CommandResult | None, str | None]]] = asyncio.Queue()

        async def one(chunk: list[HostCommand]) -> None:
            await queue.put(await self._batch(host, chunk, timeout))

        tasks = [asyncio.ensure_future(one(chunk)) for chunk in chunks]
        try:
            for _ in chunks:
                for answer in await queue.get():
                    yield answer
        finally:
            for task in tasks:
                task.cancel()

    async def _batch(
        self, host: str, chunk: list[HostCommand], timeout: float
    ) -> list[tuple[HostCommand, CommandResult | None, str | None]]:
        if host in self.unreachable:
            return [(hc, None, self.unreachable[host]) for hc in chunk]
        nonce = secrets.token_hex(8)
        try:
            transport = await self._transport(host)
            async with self._limits[host]:
                result = await transport.run(batch_script([hc.command for hc in chunk], nonce), timeout=timeout)
        except TransportError as exc:
            self._note_unreachable(host, exc)
            return [(hc, None, str(exc)) for hc in chunk]
        answers = parse_batch(len(chunk), nonce, result.stdout, result.stderr)
        cut = f"the session ended before this probe did (exit status {result.exit_status})"
        return [
            (hc, CommandResult(hc.command, a.exit_status, a.stdout, a.stderr), None) if a else (hc, None, cut)
            for hc, a in zip(chunk, answers, strict=True)
        ]

    def _note_unreachable(self, host: str, exc: TransportError) -> None:
        if not self._ready[host].done() or self._ready[host].exception() is not None:
            self.unreachable[host] = str(exc)

    async def close(self) -> None:
        for transport in self._transports.values():
            await transport.close()


@dataclass(frozen=True)
class FixOutcome:
    command: RemedyCommand
    result: CommandResult | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.ok


async def apply_fix(
    config: Config, transport_for: Callable[[Host], Transport], commands: Sequence[RemedyCommand]
) -> list[FixOutcome]:
    """Run a remediation's commands in order, stopping at the first that fails (never half-blind)."""
    pool = _Connections(config, transport_for)
    outcomes: list[FixOutcome] = []
    try:
        # Never under a running migration (here or another cockpit's): a fix changes what it runs on.
        busy = await migrations_holding(config, _run_or_raise(pool), [c.host for c in commands], now=time.time())
        if busy is not None:
            return [FixOutcome(commands[0], None, busy)]  # shown as "could not run: <why>"
        for cmd in commands:
            result, error = await pool.run(HostCommand(cmd.host, cmd.command), PROBE_TIMEOUT)
            outcome = FixOutcome(cmd, result, error)
            outcomes.append(outcome)
            if not outcome.ok:
                break
    finally:
        await pool.close()
    return outcomes


def _run_or_raise(pool: _Connections) -> Callable[[str, str], Awaitable[CommandResult]]:
    async def run_on(host: str, command: str) -> CommandResult:
        result, error = await pool.run(HostCommand(host, command), PROBE_TIMEOUT)
        if result is None:
            raise TransportError(error or f"{host}: no answer")
        return result

    return run_on


class PreflightService:
    """What the cockpit (TUI or headless) may do about preflight: check, fix, waive; all journaled."""

    def __init__(self, config: Config, transport_for: Callable[[Host], Transport], *, operator: str) -> None:
        from cockpit.engine.journal import Journal
        from cockpit.engine.waivers import Waivers

        self.config = config
        self.transport_for = transport_for
        self.operator = operator
        self.journal = Journal(config.state_dir / "journal.sqlite")
        self.book = Waivers(config, self.journal)
        self.last: PreflightReport | None = None

    def waivers(self) -> list[Waiver]:
        """The waivers in force now (an expired or revoked one no longer counts)."""
        return self.book.in_force()

    async def check(
        self, clients: Iterable[str] | None = None, on_progress: ProgressCallback | None = None
    ) -> PreflightReport:
        report = await PreflightRunner(self.config, self.transport_for).run(clients, self.waivers(), on_progress)
        if clients is not None and self.last is not None:
            report = _merge(self.last, report, self.waivers())
        self.last = report
        self.journal.record_action(
            None, None, "preflight", f"{report.verdict.decision.value}: {report.commands_run} probes", self.operator
        )
        return report

    async def apply_fix(self, finding: Finding) -> list[FixOutcome]:
        """Run the finding's remediation (saves first). The caller has shown and confirmed the commands."""
        commands = finding.remediation.ordered
        if not commands:
            raise ValueError(f"{finding.check} on {finding.host} has no fix commands")
        outcomes = await apply_fix(self.config, self.transport_for, commands)
        for o in outcomes:
            status = "ok" if o.ok else f"failed: {o.error or (o.result.exit_status if o.result else '?')}"
            self.journal.record_action(
                None, o.command.host, "apply-fix", f"{o.command.command} -> {status}", self.operator
            )
        return outcomes

    def waive(self, asked: WaiverRequest, *, every_host_confirmed: bool = False) -> Waiver:
        """Journal a waiver the operator asked for (and, for every host, confirmed); it ends with the
        plan's window, or after the default lifetime. The key is the one the last check used."""
        from cockpit.engine.waivers import as_waiver

        key = self.last.key_for(asked.host) if self.last is not None else None
        record = self.book.give(asked, by=self.operator, key=key, every_host_confirmed=every_host_confirmed)
        return as_waiver(record)

    def waivers_in_force(self) -> list[WaiverRecord]:
        """The journal's rows of the waivers in force now (who, key, until when), oldest first."""
        return self.journal.waivers()

    def revoke(self, waiver_id: int) -> bool:
        """Revoke one waiver the operator confirmed (journaled with who); False when it was not in force."""
        return self.book.revoke_id(waiver_id, by=self.operator)

    def blocked(self, report: PreflightReport | None = None) -> dict[str, str]:
        """target -> why it must not start (its unwaived blocking findings), from the latest report."""
        report = report or self.last
        if report is None:
            return {}
        verdict = evaluate_fleet(report.findings, self.waivers())
        return {hv.host: "; ".join(hv.reasons) for hv in verdict.hosts if hv.reasons}

    def close(self) -> None:
        self.journal.close()


def _merge(previous: PreflightReport, fresh: PreflightReport, waivers: Sequence[Waiver]) -> PreflightReport:
    """A re-check of some clients replaces their findings and keeps the others'."""
    findings = dict(previous.findings)
    findings.update(fresh.findings)
    return PreflightReport(
        session=fresh.session,
        findings=findings,
        verdict=evaluate_fleet(findings, waivers),
        started_at=fresh.started_at,
        finished_at=fresh.finished_at,
        commands_run=fresh.commands_run,
        unreachable=fresh.unreachable,
        keys={**previous.keys, **fresh.keys},
    )
