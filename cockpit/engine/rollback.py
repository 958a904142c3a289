"""Guided rollback of migrated clients: read where a host stands, run the confirmed steps, prove it is back.

The UI (step by step, each step confirmed) and `cockpit rollback` (all steps confirmed with --yes)
drive the same wizard. Once the operator confirms an action (`confirm()`, or a step that changes the
host), every assessment, step, reboot and verification goes into the journal as a run of its own
(runbook "rollback", kind rollback), what was read before it included; the migration run whose
recorded level the rollback went back to gets an action pointing at it. Only looking (reading the
hosts, showing the plan, even running the steps that only read) writes nothing: a look at a rollback
is not a rollback, and must not become the latest run of the record.

A reboot drops the SSH connection: that is expected. The wizard then reconnects with backoff until the
host answers again with the SAME host key (a changed key is refused as always) or the
time is up. It never reboots a host whose bootlist does not start with the previous system's boot disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cockpit.config.models import Config, Host
from cockpit.domain import rollback as rb
from cockpit.domain.printable import printable
from cockpit.domain.rollback import Assessment, HostState, RollbackStep, StepKind, Verification
from cockpit.engine.journal import ROLLBACK, FactRecord, Journal
from cockpit.engine.migration_locks import RollbackLocks, migrations_holding, rollback_hint
from cockpit.engine.reboot_wait import (
    REBOOT_TIMEOUT,
    SHUTDOWN_GRACE,
    Backoff,
    RebootOutcome,
    close_quietly,
    start_shutdown,
)
from cockpit.engine.rolled_back import migration_run_of
from cockpit.engine.rolled_back import record as record_rolled_back
from cockpit.engine.run import LEVEL_BEFORE, new_run_id
from cockpit.transports.base import CommandResult, HostKeyError, Transport, TransportError

RUNBOOK = "rollback"
COMMAND_TIMEOUT = 120.0


class RollbackError(Exception):
    """The wizard cannot do what was asked (unknown host, nothing assessed, host unreachable): one line."""


@dataclass(frozen=True)
class StepOutcome:
    step: RollbackStep
    ok: bool
    detail: str
    """One line: what happened, or why it is not what the step promised."""
    exit_status: int | None = None
    output: str = ""


class RollbackWizard:
    def __init__(
        self,
        config: Config,
        transport_for: Callable[[Host], Transport],
        journal: Journal,
        operator: str,
        *,
        config_key: str = "<memory>",
        run_id: str | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        reboot_timeout: float = REBOOT_TIMEOUT,
        backoff: Backoff | None = None,
        on_rolled_back: Callable[[str, str, str], None] | None = None,
    ) -> None:
        """`on_rolled_back(host, migration_run_id, reason)` says a host was verified back (the cockpit
        driving that run announces it); without it the migration run's journal is told directly."""
        self.config = config
        self.transport_for = transport_for
        self.journal = journal
        self.operator = operator
        self.config_key = config_key
        self.run_id = run_id or f"rollback-{new_run_id(clock)}"
        self.clock = clock
        self.monotonic = monotonic
        self.sleep = sleep
        self.reboot_timeout = reboot_timeout
        self.backoff = backoff or Backoff()
        self.assessments: dict[str, Assessment] = {}
        self.records: dict[str, FactRecord | None] = {}
        self.rebooted: set[str] = set()
        self._transports: dict[str, Transport] = {}
        self._started = False
        self._finished = False
        self._executed: set[str] = set()
        self._on_rolled_back = on_rolled_back
        self._rolled_back: set[str] = set()
        self._pending: list[Callable[[], None]] = []
        """Journal writes of what was read and planned, held until the operator confirms an action."""
        self._looked_at: float | None = None
        """When the first of them happened: the run began then, though it is journaled later."""
        self.locks = RollbackLocks(config, self._run, operator, self.run_id, clock)
        """The target's migration locks, held from its first change until `close()`."""

    # -- journal ------------------------------------------------------------------------------------
    @property
    def journaled(self) -> bool:
        """The run is in the journal: the operator confirmed an action."""
        return self._started

    def confirm(self) -> None:
        """The operator confirmed an action: the run is journaled from here, what was read before included."""
        self._begin()

    def _begin(self) -> None:
        if not self._started:
            self._started = True
            self.journal.start_run(self.run_id, RUNBOOK, self.config_key, kind=ROLLBACK, at=self._looked_at)
            pending, self._pending = self._pending, []
            for write in pending:
                write()

    def _write(self, write: Callable[[], None]) -> None:
        """A journal write now if the run is journaled, else when (if ever) the operator confirms one."""
        if self._started:
            write()
        else:
            self._looked_at = self._looked_at or self.clock()
            self._pending.append(write)

    def _event(self, host: str, kind: str, detail: dict[str, object]) -> None:
        self._write(functools.partial(self.journal.record_event, self.run_id, host, kind, detail, at=self.clock()))

    def _act(self, host: str, action: str, detail: str) -> None:
        self._write(
            functools.partial(
                self.journal.record_action, self.run_id, host, action, detail, self.operator, at=self.clock()
            )
        )

    def finish(self, outcome: str) -> None:
        """End the journal's run (`verified`, `failed`, `refused`, `proposed`); the migration run of each host
        a step was run on gets an action pointing at it."""
        if self._finished or not self._started:
            return
        self._finished = True
        self.journal.finish_run(self.run_id, outcome)
        for host, record in self.records.items():
            if record is not None and host in self._executed:
                self.journal.record_action(
                    record.run_id, host, "rollback", f"rollback run {self.run_id}: {outcome}", self.operator
                )

    # -- hosts ------------------------------------------------------------------------------------------
    def host(self, name: str) -> Host:
        try:
            return self.config.host(name)
        except KeyError:
            known = ", ".join(h.name for h in self.config.hosts)
            raise RollbackError(f"{name} is not a host of this config (hosts: {known})") from None

    def _transport(self, host: str) -> Transport:
        if host not in self._transports:
            self._transports[host] = self.transport_for(self.host(host))
        return self._transports[host]

    async def _drop(self, host: str) -> None:
        transport = self._transports.pop(host, None)
        if transport is not None:
            with contextlib.suppress(Exception):
                await transport.close()

    async def _run(self, host: str, command: str, timeout: float = COMMAND_TIMEOUT) -> CommandResult:
        try:
            return await self._transport(host).run(command, timeout=timeout)
        except TransportError:
            await self._drop(host)
            raise

    async def close(self) -> None:
        await self.locks.release_all()
        for host in list(self._transports):
            await self._drop(host)

    # -- reading the host ---------------------------------------------------------------------------------
    async def read_state(self, host: str) -> HostState:
        """lspv, bootlist -m normal -o, oslevel -s, bootinfo -b (and alt_rootvg_op -q for multi-disk root VGs)."""
        keys = list(rb.READ_COMMANDS)
        results = await asyncio.gather(*(self._run(host, rb.READ_COMMANDS[k]) for k in keys))
        out = dict(zip(keys, (_printable(r) for r in results), strict=True))
        for key in ("lspv", "bootlist", "oslevel"):
            r = out[key]
            if not r.ok:
                said = (r.stderr or r.stdout).strip().splitlines()
                raise rb.StateError(f"{host}: {r.command}: exit {r.exit_status}: {said[0] if said else ''}".rstrip())
        answers = {}
        for vg, disk in rb.multi_disk_root_vgs(out["lspv"].stdout).items():
            answer = _printable(await self._run(host, rb.boot_disk_query(disk)))
            if answer.ok:
                answers[vg] = answer.stdout
        return rb.read_state(
            host,
            lspv=out["lspv"].stdout,
            bootlist=out["bootlist"].stdout,
            oslevel=out["oslevel"].stdout,
            bootinfo=out["bootinfo"].stdout if out["bootinfo"].ok else "",
            boot_disk_answers=answers,
        )

    def recorded_level(self, host: str) -> FactRecord | None:
        """The `oslevel -s` journaled before the host's most recent migration, if any."""
        return self.journal.fact(host, LEVEL_BEFORE)

    def planned_disks(self, host: str) -> tuple[str, ...]:
        if host not in self.config.targets:
            return ()
        return tuple((self.config.plan.target_values(host).get("disk") or "").split())

    async def assess(self, host: str, disk: str | None = None) -> Assessment:
        """Read the host and work out where it stands; `disk` is the operator's own target (checked)."""
        self.host(host)
        record = self.records[host] = self.recorded_level(host)
        state = await self.read_state(host)
        assessment = rb.assess(state, record.value if record else None, disk, self.planned_disks(host))
        busy = await migrations_holding(self.config, self._run, [host], now=self.clock())
        if busy is not None:
            assessment = rb.refuse(assessment, f"{busy}; {rollback_hint(host)}")
        self.assessments[host] = assessment
        self._event(
            host,
            "rollback-assessed",
            {
                "situation": assessment.situation.value,
                "summary": assessment.summary,
                "old_disk": assessment.old_disk,
                "level": state.level,
                "recorded_level": record.value if record else None,
                "recorded_in": record.run_id if record else None,
                "bootlist": [str(e) for e in state.bootlist],
                "booted_from": state.booted_from,
                "lspv": [d.line for d in state.disks],
                "reasons": list(assessment.reasons),
            },
        )
        if assessment.refused:
            self._act(host, "rollback-refused", assessment.reason)
        return assessment

    def _assessment(self, host: str) -> Assessment:
        if host not in self.assessments:
            raise RollbackError(f"{host} has not been assessed")
        return self.assessments[host]

    # -- the plan -----------------------------------------------------------------------------------------
    def plan(self, host: str, reboot: bool) -> list[RollbackStep]:
        """The steps for the assessed host (the offered clean-up last); each is put in the journal."""
        steps = rb.plan(self._assessment(host), reboot)
        self._journal_steps(steps)
        return steps

    async def cleanup_plan(self, host: str) -> list[RollbackStep]:
        """The clean-up of the migrated system as the host shows it now (re-read, never predicted)."""
        assessment = self._assessment(host)
        steps = rb.cleanup_steps(await self.read_state(host), assessment.new_disks)
        self._journal_steps(steps)
        return steps

    def _journal_steps(self, steps: list[RollbackStep]) -> None:
        for s in steps:
            state = "offered" if s.optional else "planned"
            self._write(
                functools.partial(self.journal.plan_step, self.run_id, s.host, s.id, s.host, s.command, "", state)
            )
            self._write(
                functools.partial(self.journal.update_step, self.run_id, s.host, s.id, command=s.command, state=state)
            )

    # -- doing it -----------------------------------------------------------------------------------------
    async def execute(self, step: RollbackStep) -> StepOutcome:
        """Run one step the operator confirmed; the outcome is journaled (a reboot waits for the host)."""
        assessment = self._assessment(step.host)
        if assessment.refused:
            raise RollbackError(f"{step.host}: refused: {assessment.reason}")
        if step.changes_host:
            self._begin()  # the operator confirmed it (the caller asked): journaled before it runs
            busy = await self.locks.take(step.host)
            if busy is not None:  # a migration started since the assessment: it wins, nothing is changed
                self._act(step.host, "rollback-refused", f"{step.command}: {busy}")
                return StepOutcome(step, False, f"not run: {busy}")
        self._executed.add(step.host)
        self._write(
            functools.partial(self.journal.plan_step, self.run_id, step.host, step.id, step.host, step.command, "")
        )
        self._write(
            functools.partial(
                self.journal.update_step, self.run_id, step.host, step.id, state="running", started_at=self.clock()
            )
        )
        if step.kind is StepKind.REBOOT:
            outcome = await self._reboot_step(step)
        elif step.kind is StepKind.CLEANUP and (why := await self._cleanup_refusal(step)):
            self._act(step.host, "rollback-refused", f"{step.command}: {why}")
            outcome = StepOutcome(step, False, f"not run: {why}")
        else:
            outcome = await self._command_step(step)
        self._write(
            functools.partial(
                self.journal.update_step,
                self.run_id,
                step.host,
                step.id,
                state="succeeded" if outcome.ok else "failed",
                finished_at=self.clock(),
                exit_status=outcome.exit_status,
                error=None if outcome.ok else outcome.detail,
            )
        )
        self._act(
            step.host, f"rollback:{step.id}", f"{step.command} -> {'ok' if outcome.ok else 'FAILED'}: {outcome.detail}"
        )
        return outcome

    async def _command_step(self, step: RollbackStep) -> StepOutcome:
        try:
            result = await self._run(step.host, step.command)
        except TransportError as exc:
            return StepOutcome(step, False, str(exc))
        result = _printable(result)
        why = rb.judge(step, result.exit_status, result.stdout, result.stderr)
        text = (result.stdout + result.stderr).strip()
        detail = why or (text.splitlines()[0] if text else f"exit status {result.exit_status}")
        return StepOutcome(step, why is None, detail, result.exit_status, text)

    async def _cleanup_refusal(self, step: RollbackStep) -> str | None:
        """A clean-up runs only as the host shows it now: on the migrated disks, once they are not running."""
        try:
            state = await self.read_state(step.host)
        except (TransportError, rb.StateError) as exc:
            return str(exc)
        return rb.check_cleanup(state, self._assessment(step.host).new_disks, step)

    async def _reboot_step(self, step: RollbackStep) -> StepOutcome:
        # Never reboot into something that would not boot the previous system. Read it again now.
        try:
            state = await self.read_state(step.host)
        except (TransportError, rb.StateError) as exc:
            return StepOutcome(step, False, f"not rebooted: the bootlist could not be checked: {exc}")
        why = rb.check_bootlist(self._assessment(step.host), state.bootlist)
        if why is not None:
            self._act(step.host, "rollback-refused", f"reboot: {why}")
            return StepOutcome(step, False, f"not rebooted: {why}")
        outcome = await self.reboot_and_wait(step.host, self.reboot_timeout, self.backoff)
        return StepOutcome(step, outcome.ok, outcome.detail)

    async def reboot_and_wait(
        self, host: str, timeout: float | None = None, backoff: Backoff | None = None
    ) -> RebootOutcome:
        """`shutdown -Fr`, then reconnect with backoff until the host answers with the same host key.

        The connection dropping (or refusing) is how a reboot looks from here; a host that answers
        before it was seen going down is still the system that was told to reboot, so it does not
        count. A shutdown that ended with an error while the host kept answering did not happen.
        """
        backoff = backoff or self.backoff
        timeout = self.reboot_timeout if timeout is None else timeout
        self._begin()  # a reboot is an action: journaled before the host goes down
        started = self.monotonic()
        try:
            went_down, status, said = await self._shutdown(host)
        except TransportError as exc:
            await self._drop(host)
            return self._rebooted(host, RebootOutcome(False, f"not rebooted: {exc}", self.monotonic() - started, 0))
        await self._drop(host)
        refused_after = started + min(timeout, SHUTDOWN_GRACE) if status not in (None, 0) else None
        attempts = 0
        for delay in backoff.delays():
            left = started + timeout - self.monotonic()
            if left <= 0:
                break
            await self.sleep(min(delay, left))
            attempts += 1
            transport = self.transport_for(self.host(host))
            try:
                await transport.connect()
                await transport.run("true", timeout=COMMAND_TIMEOUT)
            except HostKeyError as exc:
                await close_quietly(transport)
                took = self.monotonic() - started
                return self._rebooted(host, RebootOutcome(False, f"refused after the reboot: {exc}", took, attempts))
            except TransportError:
                went_down = True
                await close_quietly(transport)
                continue
            if not went_down:
                await close_quietly(transport)  # still up on the system that was told to reboot
                if refused_after is not None and self.monotonic() >= refused_after:
                    took = self.monotonic() - started
                    detail = (
                        f"shutdown -Fr ended with exit {status} ({said or 'no message'}) and the host kept answering"
                    )
                    return self._rebooted(host, RebootOutcome(False, detail, took, attempts))
                continue
            self._transports[host] = transport
            took = self.monotonic() - started
            tries = f"{attempts} attempt" + ("s" if attempts != 1 else "")
            detail = f"went down and answered again after {took:.1f}s ({tries}, same host key)"
            self.rebooted.add(host)
            return self._rebooted(host, RebootOutcome(True, detail, took, attempts))
        took = self.monotonic() - started
        what = "did not answer again" if went_down else "was never seen going down"
        return self._rebooted(host, RebootOutcome(False, f"{host} {what} within {timeout:g}s", took, attempts))

    async def _shutdown(self, host: str) -> tuple[bool, int | None, str]:
        return await start_shutdown(self._transport(host))

    def _rebooted(self, host: str, outcome: RebootOutcome) -> RebootOutcome:
        self._event(
            host,
            "rollback-reboot",
            {"ok": outcome.ok, "detail": outcome.detail, "took": round(outcome.took, 3), "attempts": outcome.attempts},
        )
        return outcome

    # -- proving it ---------------------------------------------------------------------------------------
    async def verify(self, host: str) -> Verification:
        """Bootlist first entry == the old disk; once the host runs the old system, its level and rootvg too."""
        before = self._assessment(host)
        if before.refused:
            raise RollbackError(f"{host}: refused: {before.reason}")
        verification = rb.verify(before, await self.read_state(host), rebooted=host in self.rebooted)
        self._event(
            host,
            "rollback-verified",
            {
                "ok": verification.ok,
                "pending_reboot": verification.pending_reboot,
                "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in verification.checks],
                "notes": list(verification.notes),
            },
        )
        if verification.ok:
            # Like every write of the wizard: not from a look, only once the operator confirmed an action.
            self._write(functools.partial(self._mark_rolled_back, host))
        return verification

    def _mark_rolled_back(self, host: str) -> None:
        """The host's migration run records it as rolled back (the fleet and the report show it)."""
        if host in self._rolled_back:
            return
        record = self.records.get(host)
        run_id = record.run_id if record is not None else migration_run_of(self.journal, host, config=self.config_key)
        if run_id is None:
            return  # not migrated by the cockpit with this journal: no run to tell
        self._rolled_back.add(host)
        reason = f"rollback run {self.run_id}: verified back on {self._assessment(host).old_disk}"
        if self._on_rolled_back is not None:
            self._on_rolled_back(host, run_id, reason)
        else:
            record_rolled_back(self.journal, run_id, host, reason)


def _printable(result: CommandResult) -> CommandResult:
    """What the host printed, made printable once: it reaches the screen, the headless lines and the journal."""
    out, err = (printable(text, multiline=True) for text in (result.stdout, result.stderr))
    return CommandResult(result.command, result.exit_status, out, err)


__all__ = ["REBOOT_TIMEOUT", "Backoff", "RebootOutcome", "RollbackError", "RollbackWizard", "StepOutcome"]
