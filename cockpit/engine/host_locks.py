"""One cockpit per target: the locks a run holds on the hosts its targets' steps run on.

Before a target's first step, the run takes the target's lock on every host its steps run on (the
NIM master for nimadm, the target itself for alt_disk, each node of a cluster; the scripts are in
domain/host_lock.py) and checks their process tables for the runbook's `conflicts`. A target whose
lock another cockpit holds, or whose program already runs, is not started: it ends BLOCKED with the
holder in one line. The lock is given back when the target ends (succeeded, failed, blocked); a
target that became unreachable keeps it, as its step may still run there.

A lock whose cockpit is gone is not broken silently: on this machine a dead pid proves it gone, on
another machine only the operator can tell. Either way breaking needs the operator's word (the
TUI's confirmation, or `--break-lock TARGET`) and is journaled with the previous holder. The one
exception is the run's own lock after a crash: `--resume` of the same run on the same machine,
whose previous cockpit's pid is dead, takes its lock back (journaled as adopted).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cockpit.config.models import Config, Host
from cockpit.domain import host_lock as hl
from cockpit.domain.models import TargetState
from cockpit.domain.template import TemplateError
from cockpit.engine.binding import Binding
from cockpit.engine.journal import Journal
from cockpit.transports.base import Transport, TransportError

if TYPE_CHECKING:
    from cockpit.engine.target import TargetRunner

LOCK_TIMEOUT = 60.0
HELD, STALE, FOREIGN, UNKNOWN, BUSY, ERROR, UNREACHABLE = (
    "held",
    "stale",
    "foreign",
    "unknown",
    "busy",
    "error",
    "unreachable",
)
_UNREACHABLE = "host unreachable:"
BREAKABLE = frozenset({STALE, FOREIGN, UNKNOWN})
"""Refusals the operator may override by breaking the lock (a live cockpit here, a running program: never)."""


@dataclass(frozen=True)
class Identity:
    """Who takes the locks: the operator (OS user), this machine, this cockpit's pid."""

    operator: str
    machine: str
    pid: int

    @classmethod
    def here(cls, operator: str) -> Identity:
        return cls(operator, socket.gethostname() or "localhost", os.getpid())


@dataclass(frozen=True)
class Refusal:
    """Why a target was not started: one line for the operator, and what may be done about it."""

    target: str
    host: str
    path: str
    kind: str
    """held | stale | foreign | unknown (no owner file) | busy (its program runs) | error | unreachable"""
    summary: str
    """Who holds the lock where, or what runs there (what a confirmation shows)."""
    holder: hl.Holder | None = None
    hint: str = ""
    """What the operator may do about it, for the one line (`break it with --break-lock ...`)."""

    @property
    def text(self) -> str:
        """The one line: the summary, then the hint."""
        return f"{self.summary}; {self.hint}" if self.hint else self.summary

    @property
    def breakable(self) -> bool:
        return self.kind in BREAKABLE

    @property
    def state(self) -> TargetState:
        """How the target ends: blocked, or unreachable when its host could not be asked."""
        return TargetState.UNREACHABLE if self.kind == UNREACHABLE else TargetState.BLOCKED


def cockpit_alive(pid: int) -> bool:
    """Whether `pid` is a live cockpit on this machine (a pid reused by another program is not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"cockpit" in f.read()
    except OSError:
        return True  # no /proc (macOS, AIX): the pid exists, take it as the cockpit


class TargetLocks:
    """The locks of one run (`run_id`) of `binding`'s targets."""

    def __init__(
        self,
        config: Config,
        binding: Binding,
        journal: Journal,
        run_id: str,
        transport_for: Callable[[Host], Transport],
        identity: Identity,
        *,
        clock: Callable[[], float] = time.time,
        break_locks: Iterable[str] = (),
        alive: Callable[[int], bool] = cockpit_alive,
    ) -> None:
        self.config = config
        self.binding = binding
        self.journal = journal
        self.run_id = run_id
        self.transport_for = transport_for
        self.identity = identity
        self.clock = clock
        self.break_locks = set(break_locks)
        """Targets whose stale or foreign lock the operator said to break (`--break-lock`)."""
        self.alive = alive
        self.refusals: dict[str, Refusal] = {}
        """The last refusal of each target not started for its lock (what the TUI offers to break)."""
        self._held: dict[str, list[tuple[Host, hl.HostLock, hl.Holder]]] = {}

    # -- what is locked where -------------------------------------------------------------------
    def hosts_of(self, target: str) -> list[Host]:
        """The hosts the target's steps run on, in order (each holds one lock for it)."""
        found: dict[str, Host] = {}
        for spec in self.binding.steps(target):
            host = spec.host or self.config.host(target)
            found.setdefault(host.name, host)
        return list(found.values())

    def lock_on(self, host: Host, target: str) -> hl.HostLock:
        return hl.HostLock(host.work_dir, self.config.host(target).nim_object)

    def conflicts_of(self, target: str) -> tuple[tuple[str, ...], ...]:
        try:
            rendered = [self.binding.render(c, target) for c in self.binding.runbook.conflicts]
        except TemplateError:
            return ()
        return tuple(hl.conflicts_of(text) for text in rendered)

    def held(self, target: str) -> bool:
        return target in self._held

    # -- the run's hooks ------------------------------------------------------------------------
    async def admit(self, runners: Mapping[str, TargetRunner], targets: Sequence[str], *, lockstep: bool) -> bool:
        """Before `targets` start: take their locks; True when every one is held.

        A refused target ends BLOCKED (UNREACHABLE when its host could not be asked) with the holder
        in its error line. A cluster (`lockstep`) starts whole or not at all: when one node is
        refused, the others give their locks back and end BLOCKED naming it.
        """
        wanted = [t for t in targets if not runners[t].progress.state.finished]
        if not wanted:
            return True
        refused = await self.take(wanted, ours_running=[t for t in wanted if self._in_flight(t)])
        if not refused:
            return True
        for target, refusal in refused.items():
            runner = runners[target]
            runner.progress.error = refusal.text
            runner.finish(refusal.state, reason="locked" if refusal.kind != BUSY else "already running")
        if lockstep:
            why = "not started: " + "; ".join(f"{t} {r.text}" for t, r in refused.items())
            others = [t for t in wanted if t not in refused]
            await self.release(others)
            for target in others:
                runners[target].progress.error = why
                runners[target].finish(TargetState.BLOCKED, reason="a node of the cluster is locked")
        return False

    def _in_flight(self, target: str) -> bool:
        """A step of this run was launched for `target` and has not finished (a resume re-attaches)."""
        steps = self.journal.target_steps(self.run_id, target)
        return any(r.launched_at is not None and r.finished_at is None for r in steps)

    # -- taking ---------------------------------------------------------------------------------
    async def take(self, targets: Sequence[str], *, ours_running: Iterable[str] = ()) -> dict[str, Refusal]:
        """Take the lock of each of `targets` on each of its hosts; the refused ones, by target.

        One SSH session per host takes all of that host's locks. `ours_running`: targets with a
        step of this run still out there (a resume): their own program is no conflict.
        """
        running = set(ours_running)
        wanted = [t for t in targets if t not in self._held]
        refused: dict[str, Refusal] = {}
        taken: dict[str, list[tuple[Host, hl.HostLock, hl.Holder]]] = {t: [] for t in wanted}
        plan: dict[str, tuple[Host, list[tuple[str, hl.HostLock, hl.Holder, str]]]] = {}
        for target in wanted:
            conflicts = () if target in running else self.conflicts_of(target)
            for host in self.hosts_of(target):
                lock = self.lock_on(host, target)
                holder = self._holder()
                script = lock.take_script(holder, conflicts)
                plan.setdefault(host.name, (host, []))[1].append((target, lock, holder, script))
        answers = await self._ask_all(plan)
        second: dict[str, tuple[Host, list[tuple[str, hl.HostLock, hl.Holder, str]]]] = {}
        for host_name, (host, entries) in plan.items():
            for target, lock, holder, _ in entries:
                answer = answers[host_name].get(target)
                outcome = self._judge(target, host, lock, holder, answer, running)
                if outcome == "taken":
                    taken[target].append((host, lock, holder))
                elif isinstance(outcome, tuple):  # adopt or break: a second round with the old token
                    how, expected = outcome
                    conflicts = () if target in running or how == "adopted" else self.conflicts_of(target)
                    script = lock.break_script(expected, holder, conflicts)
                    second.setdefault(host_name, (host, []))[1].append((target, lock, holder, script))
                    self._note(target, host, lock, how, answer.holder if answer else None)
                elif isinstance(outcome, Refusal):
                    refused.setdefault(target, outcome)
        if second:
            again = await self._ask_all(second)
            for host_name, (host, entries) in second.items():
                for target, lock, holder, _ in entries:
                    answer = again[host_name].get(target)
                    if answer is not None and answer.status == hl.TAKEN:
                        taken[target].append((host, lock, holder))
                    else:
                        refused.setdefault(target, self._refusal(target, host, lock, answer, running))
        for target in wanted:
            if target in refused:
                await self._give_back(target, taken[target])
                self.refusals[target] = refused[target]
                self._event(target, refused[target].host, refused[target].path, "refused", refused[target].holder)
                continue
            self._held[target] = taken[target]
            self.refusals.pop(target, None)
            for host, lock, holder in taken[target]:
                self._event(target, host.name, lock.directory, "taken", holder)
        return refused

    def _judge(
        self,
        target: str,
        host: Host,
        lock: hl.HostLock,
        holder: hl.Holder,
        answer: hl.LockAnswer | None,
        running: set[str],
    ) -> str | tuple[str, str] | Refusal:
        """ "taken", ("adopted" | "broken", old token) for a second round, or the refusal."""
        if answer is not None and answer.status == hl.TAKEN:
            return "taken"
        if answer is None or answer.status != hl.HELD:
            return self._refusal(target, host, lock, answer, running)
        old = answer.holder
        me = self.identity
        ours = old is not None and old.run_id == self.run_id and old.machine == me.machine
        if old is not None and ours and (old.pid == me.pid or not self.alive(old.pid)):
            return ("adopted", old.token)  # this run's own lock: its cockpit crashed, this is its resume
        refusal = self._refusal(target, host, lock, answer, running)
        if refusal.breakable and target in self.break_locks:
            return ("broken", old.token if old is not None else hl.NO_TOKEN)
        return refusal

    def _refusal(
        self, target: str, host: Host, lock: hl.HostLock, answer: hl.LockAnswer | None, running: set[str]
    ) -> Refusal:
        where = f"{host.name}:{lock.directory}"
        if answer is None:
            return Refusal(target, host.name, lock.directory, ERROR, f"cannot take the lock {where}: no answer")
        if answer.status == hl.BUSY:
            shown = answer.processes[0] if answer.processes else "?"
            more = f" and {len(answer.processes) - 1} more" if len(answer.processes) > 1 else ""
            text = f"already running on {host.name}, not started by this cockpit: pid {shown}{more}"
            return Refusal(target, host.name, lock.directory, BUSY, text)
        if answer.status == hl.FAILED:
            kind = UNREACHABLE if answer.detail.startswith(_UNREACHABLE) else ERROR
            return Refusal(target, host.name, lock.directory, kind, f"cannot take the lock {where}: {answer.detail}")
        old = answer.holder
        hint = f"break it with --break-lock {target} (in the cockpit: L on its row)"
        if old is None:
            summary = f"locked at {where} by a cockpit that left no owner file"
            return Refusal(
                target, host.name, lock.directory, UNKNOWN, summary, None, f"if no cockpit runs {target}, {hint}"
            )
        who = f"locked by {old.describe(now=self.clock())} at {where}"
        if old.machine != self.identity.machine:
            summary = f"{who}: a cockpit on another machine"
            return Refusal(target, host.name, lock.directory, FOREIGN, summary, old, f"if it is gone, {hint}")
        if old.pid != self.identity.pid and not self.alive(old.pid):
            summary = f"{who}: that cockpit is gone (no pid {old.pid} here)"
            return Refusal(target, host.name, lock.directory, STALE, summary, old, hint)
        return Refusal(target, host.name, lock.directory, HELD, f"{who}: that cockpit is running", old)

    # -- giving back and breaking ---------------------------------------------------------------
    async def release(self, targets: Iterable[str]) -> None:
        """Give back the locks of `targets` (best effort: a host that cannot be reached keeps it)."""
        for target in list(targets):
            entries = self._held.pop(target, None)
            if entries:
                await self._give_back(target, entries, journal=True)

    async def release_ended(self, targets: Iterable[str], state_of: Callable[[str], TargetState]) -> None:
        """Give back the locks of the targets that ended (an unreachable one keeps its lock: its step
        may still run on its host, and `--resume` takes the lock back)."""
        ended = (TargetState.SUCCEEDED, TargetState.FAILED, TargetState.BLOCKED, TargetState.ROLLED_BACK)
        await self.release([t for t in targets if state_of(t) in ended])

    async def break_lock(self, target: str) -> Refusal | None:
        """The operator confirmed: break the target's stale or foreign lock and take it (journaled)."""
        refusal = self.refusals.get(target)
        if refusal is None:
            raise LookupError(f"{target} is not kept back by a lock")
        if not refusal.breakable:
            raise PermissionError(f"{target}: {refusal.text}")
        self.break_locks.add(target)
        try:
            refused = await self.take([target])
        finally:
            self.break_locks.discard(target)
        return refused.get(target)

    async def _give_back(
        self, target: str, entries: list[tuple[Host, hl.HostLock, hl.Holder]], *, journal: bool = False
    ) -> None:
        for host, lock, holder in entries:
            answer = await self._ask(host, hl.batch([(lock.name, lock.release_script(holder.token))]))
            status = answer.get(lock.name)
            if journal:
                said = status.status if status is not None else "no answer"
                self._event(target, host.name, lock.directory, "released" if said == hl.RELEASED else said, holder)

    # -- talking to hosts -----------------------------------------------------------------------
    async def _ask_all(
        self, plan: dict[str, tuple[Host, list[tuple[str, hl.HostLock, hl.Holder, str]]]]
    ) -> dict[str, dict[str, hl.LockAnswer]]:
        async def one(host: Host, entries: list[tuple[str, hl.HostLock, hl.Holder, str]]) -> dict[str, hl.LockAnswer]:
            answers = await self._ask(host, hl.batch([(lock.name, script) for _, lock, _, script in entries]))
            return {target: answers[lock.name] for target, lock, _, _ in entries if lock.name in answers}

        names = list(plan)
        results = await asyncio.gather(*(one(*plan[name]) for name in names))
        return dict(zip(names, results, strict=True))

    async def _ask(self, host: Host, script: str) -> dict[str, hl.LockAnswer]:
        transport = self.transport_for(host)
        try:
            result = await transport.run(script, timeout=LOCK_TIMEOUT)
        except TransportError as exc:
            why = f"{_UNREACHABLE} {exc}"
            return dict.fromkeys(_section_names(script), hl.LockAnswer(hl.FAILED, detail=why))
        finally:
            with contextlib.suppress(Exception):
                await transport.close()
        answers = hl.parse_batch(result.stdout)
        if result.exit_status != 0 or not answers:
            detail = (result.stderr or result.stdout).strip().splitlines()
            why = detail[-1] if detail else f"exit status {result.exit_status}"
            return dict.fromkeys(_section_names(script), hl.LockAnswer(hl.FAILED, detail=why))
        return answers

    def _holder(self) -> hl.Holder:
        me = self.identity
        return hl.Holder(me.operator, me.machine, self.run_id, me.pid, int(self.clock()), secrets.token_hex(8))

    def _note(self, target: str, host: Host, lock: hl.HostLock, how: str, old: hl.Holder | None) -> None:
        """Journal an adoption (this run's own lock after a crash) or a break (the operator's word)."""
        self._event(target, host.name, lock.directory, how, old)
        if how == "broken":
            held_by = old.describe() if old is not None else "a cockpit that left no owner file"
            detail = f"{host.name}:{lock.directory} held by {held_by}"
            self.journal.record_action(self.run_id, target, "break-lock", detail, self.identity.operator)

    def _event(self, target: str, host: str, path: str, what: str, holder: hl.Holder | None) -> None:
        detail: dict[str, object] = {"host": host, "path": path, "lock": what}
        if holder is not None:
            detail["holder"] = {
                "operator": holder.operator,
                "machine": holder.machine,
                "run": holder.run_id,
                "pid": holder.pid,
                "since": holder.since,
            }
        self.journal.record_event(self.run_id, target, "lock", detail)


def _section_names(script: str) -> list[str]:
    """The lock names of a `batch` script, from its section lines (for a failure that answered none)."""
    names = []
    for line in script.splitlines():
        if line.startswith("echo ") and hl.SECTION in line:
            names.append(line.split(hl.SECTION, 1)[1].strip(" '\""))
    return names
