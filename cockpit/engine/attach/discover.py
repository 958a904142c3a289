"""Look for the migrations already running on a config's NIM masters and clients (read-only).

Each master is asked once for its process table and once for NIM's state of all its clients
(`lsnim -t standalone -l`); each client once for its process table. A migration found is matched to
a target of the plan (nimadm's -c names a NIM object: the host whose nim_name it is), and the start
of its current run in its log is found (an earlier run's lines are not this run's), all over
`tail`, grep, head and wc, which AIX has.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cockpit.config.models import Config, Host
from cockpit.domain import attach, names
from cockpit.domain.attach import Found, NimState
from cockpit.transports.base import Transport, TransportError

CLIENTS_AT_ONCE = 16
"""Clients asked at the same time (each one SSH connection for one `ps`)."""
PROBE_TIMEOUT = 60.0
_RUN_START = {
    "nimadm": "^Initializing the NIM master",
    "alt_disk_copy": "^##* *Phase {phase} ###",
    "alt_disk_mksysb": "^##* *Phase {phase} ###",
}


@dataclass(frozen=True)
class Followed:
    """A running migration of a target of the plan, ready to follow."""

    target: str
    found: Found
    offset: int
    """Where its current run begins in its log (bytes)."""
    started_at: float | None
    nim: NimState | None = None


@dataclass
class Discovery:
    followed: list[Followed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What else was seen: NIM busy with no process, a migration of a client not in the plan ..."""
    unreachable: dict[str, str] = field(default_factory=dict)
    looked_at: list[str] = field(default_factory=list)


def run_start_script(found: Found) -> str:
    """Prints the byte offset of the last start of a run in the log (0: none, or no log yet)."""
    pattern = _RUN_START[found.kind].format(phase=found.first_phase)
    log = names.quote(found.log)
    return "\n".join(
        [
            f"n=$(tail -c +1 {log} 2>/dev/null | grep -n -e {names.quote(pattern)} | tail -n 1 | cut -d: -f1)",
            f'if [ -n "$n" ]; then tail -c +1 {log} | head -n $((n - 1)) | wc -c; else echo 0; fi',
        ]
    )


async def discover(
    config: Config,
    transport_for: Callable[[Host], Transport],
    *,
    clock: Callable[[], float] = time.time,
) -> Discovery:
    result = Discovery()
    targets = list(config.targets)
    by_nim = {config.host(t).nim_object: t for t in targets}
    limit = asyncio.Semaphore(CLIENTS_AT_ONCE)
    masters = config.masters
    master_answers = await asyncio.gather(*(_ask_master(h, transport_for) for h in masters))
    client_answers = await asyncio.gather(*(_ask(config.host(t), transport_for, limit) for t in targets))
    nim: dict[str, NimState] = {}
    candidates: list[tuple[str, Found]] = []
    for host, (procs, states, error) in zip(masters, master_answers, strict=True):
        result.looked_at.append(host.name)
        if error:
            result.unreachable[host.name] = error
            continue
        nim.update({by_nim[n]: s for n, s in states.items() if n in by_nim and config.master_of(by_nim[n]) == host})
        for found in attach.find_migrations(procs, host.name, attach.MASTER_KINDS):
            target = by_nim.get(found.client)
            if target is None or config.master_of(target) != host:
                result.notes.append(
                    f"nimadm for {found.client} on {host.name} (pid {found.pid}): not a client of this plan"
                )
                continue
            candidates.append((target, found))
    taken = {t for t, _ in candidates}
    with_nimadm = set(taken)
    for target, (procs, error) in zip(targets, client_answers, strict=True):
        result.looked_at.append(target)
        if error:
            result.unreachable[target] = error
            continue
        for found in attach.find_migrations(procs, target, attach.CLIENT_KINDS):
            if target in with_nimadm:
                continue  # nimadm runs alt_disk_copy on its client in phases 1 and 11: part of it
            if target in taken:
                result.notes.append(f"{found.kind} on {target} (pid {found.pid}): a second one; following the first")
                continue
            taken.add(target)
            candidates.append((target, found))
    now = clock()
    offsets = await asyncio.gather(*(_run_start(config, f, transport_for) for _, f in candidates))
    for (target, found), offset in zip(candidates, offsets, strict=True):
        result.followed.append(Followed(target, found, offset, found.started_at(now), nim.get(target)))
    followed = {f.target for f in result.followed}
    for target, state in nim.items():
        if state.busy and target not in followed:
            master = config.master_of(target)
            result.notes.append(
                f"{target}: NIM on {master.name if master else '?'} says {state.cstate!r} but no nimadm runs there: "
                "a migration that died? (nimadm -C cleans up)"
            )
    order = {t: i for i, t in enumerate(targets)}
    result.followed.sort(key=lambda f: order[f.target])
    return result


async def _ask_master(
    host: Host, transport_for: Callable[[Host], Transport]
) -> tuple[dict[int, attach.Proc], dict[str, NimState], str | None]:
    transport = transport_for(host)
    try:
        ps, lsnim = await asyncio.gather(
            transport.run(attach.PS_COMMAND, timeout=PROBE_TIMEOUT),
            transport.run(attach.LSNIM_COMMAND, timeout=PROBE_TIMEOUT),
        )
    except TransportError as exc:
        return {}, {}, str(exc)
    finally:
        await transport.close()
    if ps.exit_status != 0:
        return {}, {}, f"{host.name}: ps failed: {(ps.stderr or ps.stdout).strip()[:200]}"
    states = attach.parse_lsnim(lsnim.stdout) if lsnim.ok else {}
    return attach.parse_ps(ps.stdout), states, None


async def _ask(
    host: Host, transport_for: Callable[[Host], Transport], limit: asyncio.Semaphore
) -> tuple[dict[int, attach.Proc], str | None]:
    async with limit:
        transport = transport_for(host)
        try:
            ps = await transport.run(attach.PS_COMMAND, timeout=PROBE_TIMEOUT)
        except TransportError as exc:
            return {}, str(exc)
        finally:
            await transport.close()
    if ps.exit_status != 0:
        return {}, f"{host.name}: ps failed: {(ps.stderr or ps.stdout).strip()[:200]}"
    return attach.parse_ps(ps.stdout), None


async def _run_start(config: Config, found: Found, transport_for: Callable[[Host], Transport]) -> int:
    transport = transport_for(config.host(found.host))
    try:
        result = await transport.run(run_start_script(found), timeout=PROBE_TIMEOUT)
    except TransportError:
        return 0  # followed from the log's start: earlier runs show, nothing is lost
    finally:
        await transport.close()
    text = result.stdout.strip()
    return int(text) if text.isdigit() else 0
