"""Nothing changes a host under a running migration: the locks a run takes on a target
(engine/host_locks.py) are read before a rollback or a preflight fix acts, and a held one refuses it
with its holder.

A migration that is still running (here or from another cockpit, on this machine or another) holds
the target's lock on the hosts its steps run on: the NIM master for nimadm, the target itself for the
alt-disk runbooks. Setting the bootlist or removing altinst_rootvg under a running nimadm would break
the migration and leave the host on neither system. A lock whose cockpit is gone is refused too: its
migration may still run on the host (steps outlive their cockpit); the operator looks, then breaks it.
While it changes a host the rollback holds the same locks (RollbackLocks), so no migration starts under it.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Awaitable, Callable

from cockpit.config.models import Config, Host
from cockpit.domain import host_lock as hl
from cockpit.engine.host_locks import Identity
from cockpit.transports.base import CommandResult, TransportError

RunOn = Callable[[str, str], Awaitable[CommandResult]]
"""Run a command on a host of the config (by name): the wizard's own sessions."""


def lock_hosts(config: Config, target: str) -> list[Host]:
    """Where a migration of `target` keeps its lock: its NIM master (if the plan has one) and itself."""
    hosts: list[Host] = []
    master = config.master_of(target) if target in config.targets else None
    if master is not None:
        hosts.append(master)
    hosts.append(config.host(target))
    return hosts


def held_text(target: str, where: str, answer: hl.LockAnswer, now: float) -> str:
    """The one line for a held lock: whose migration, where, who holds it since when."""
    who = answer.holder.describe(now=now) if answer.holder is not None else "its taker wrote no owner"
    return f"a migration holds {target}'s lock at {where}: {who}"


def rollback_hint(target: str) -> str:
    """What the operator may do about a held lock before a rollback."""
    return (
        f"roll back after it ends (a lock whose cockpit is gone: `cockpit run CONFIG --break-lock {target}`"
        " once nothing runs)"
    )


class RollbackLocks:
    """The migration locks a rollback holds while it changes a host, so that no migration of that
    target starts under it (another cockpit then ends it BLOCKED naming this rollback's run).

    Taken at the first step that changes the host (a look takes nothing), given back when the wizard
    closes. A rollback that dies keeps them: as for a crashed run, the operator breaks them on purpose.
    """

    def __init__(self, config: Config, run_on: RunOn, operator: str, run_id: str, clock: Callable[[], float]) -> None:
        self.config = config
        self.run_on = run_on
        self.operator = operator
        self.run_id = run_id
        self.clock = clock
        self._held: dict[str, list[tuple[str, hl.HostLock, hl.Holder]]] = {}

    async def take(self, target: str) -> str | None:
        """Hold `target`'s migration locks; why not (one line) when another holds one of them."""
        if target in self._held:
            return None
        taken: list[tuple[str, hl.HostLock, hl.Holder]] = []
        name = self.config.host(target).nim_object
        for host in lock_hosts(self.config, target):
            lock = hl.HostLock(host.work_dir, name)
            me = Identity.here(self.operator)
            holder = hl.Holder(me.operator, me.machine, self.run_id, me.pid, int(self.clock()), secrets.token_hex(8))
            try:
                answer = hl.parse_answer((await self.run_on(host.name, lock.take_script(holder))).stdout)
            except TransportError as exc:
                answer = hl.LockAnswer(hl.FAILED, detail=str(exc))
            if answer.status != hl.TAKEN:
                await self._give_back(taken)
                where = f"{host.name}:{lock.directory}"
                if answer.status == hl.HELD:
                    return held_text(target, where, answer, self.clock())
                return f"{target}'s lock at {where} could not be taken: {answer.detail or answer.status}"
            taken.append((host.name, lock, holder))
        self._held[target] = taken
        return None

    async def release_all(self) -> None:
        """Give every lock back (best effort: a host that cannot be reached keeps it)."""
        held, self._held = self._held, {}
        for taken in held.values():
            await self._give_back(taken)

    async def _give_back(self, taken: list[tuple[str, hl.HostLock, hl.Holder]]) -> None:
        for host_name, lock, holder in taken:
            with contextlib.suppress(TransportError):
                await self.run_on(host_name, lock.release_script(holder.token))


def affected_targets(config: Config, host: str) -> list[str]:
    """The targets whose migration a command on `host` touches: the host itself when it is a target,
    and every client of it when it is a NIM master."""
    found = [host] if host in config.targets else []
    found += [t for t in config.targets if t != host and (m := config.master_of(t)) is not None and m.name == host]
    return found


async def migrations_holding(config: Config, run_on: RunOn, hosts: list[str], *, now: float) -> str | None:
    """Why a change on `hosts` must wait: the first migration lock held for a target they touch (read
    in one session per lock host), or None. An unreadable lock host is a refusal too: it cannot be told."""
    wanted: dict[str, dict[str, str]] = {}  # lock host -> {lock name: target}
    for host in hosts:
        for target in affected_targets(config, host):
            for lock_host in lock_hosts(config, target):
                wanted.setdefault(lock_host.name, {})[config.host(target).nim_object] = target
    for lock_host_name, names in wanted.items():
        lock_host = config.host(lock_host_name)
        scripts = [(name, hl.HostLock(lock_host.work_dir, name).read_script()) for name in sorted(names)]
        try:
            answers = hl.parse_batch((await run_on(lock_host_name, hl.batch(scripts))).stdout)
        except TransportError as exc:
            if lock_host_name in hosts:
                continue  # the change's own host is unreachable: it fails on its own, with that error
            return f"the migration locks on {lock_host_name} could not be read ({exc})"
        for name in sorted(names):
            answer = answers.get(name)
            if answer is not None and answer.status == hl.HELD:
                where = f"{lock_host_name}:{hl.HostLock(lock_host.work_dir, name).directory}"
                return held_text(names[name], where, answer, now)
    return None
