"""References between the sections of a config: host names unique, the plan's masters and targets
are hosts of the right role, each target planned once, jump hosts that exist and make no loop.

Each check raises CrossRefError with the key path of the offending value (relative to the config),
which the loader turns into FILE:LINE:COL (the config's or, for a host read from an inventory, the
inventory's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cockpit.config.models import NimadmPlan, Role
from cockpit.config.problems import CrossRefError

if TYPE_CHECKING:
    from cockpit.config.models import Config, Host


def check_references(config: Config) -> None:
    """Host names are unique, the plan's masters are nim_masters, each target a client, planned once."""
    seen: set[str] = set()
    for i, h in enumerate(config.hosts):
        if h.name in seen:
            raise CrossRefError(("hosts", i, "name"), f"duplicate host name {h.name!r}")
        seen.add(h.name)
    by_name = {h.name: h for h in config.hosts}
    plan = config.plan
    if isinstance(plan, NimadmPlan) and plan.masters:
        _check_masters(plan, by_name)
    elif plan.master is not None:
        _check_master(plan.master, ("plan", "master"), by_name)
    if isinstance(plan, NimadmPlan):
        places = [((*("plan", *g.where), j, "host"), c.host) for g in plan.groups for j, c in enumerate(g.clients)]
        noun = "client"
    else:
        places = [(("plan", "targets", i, "host"), t.host) for i, t in enumerate(plan.targets)]
        noun = "target"
    planned: set[str] = set()
    hosts = "hosts or the inventory" if config.hosts_from is not None else "hosts"
    for where, name in places:
        host = by_name.get(name)
        if host is None:
            raise CrossRefError(where, f"no host named {name!r} in {hosts}")
        if host.role is not Role.CLIENT:
            raise CrossRefError(where, f"host {name!r} does not have role client")
        if name in planned:
            raise CrossRefError(where, f"{noun} {name!r} is planned twice")
        planned.add(name)


def _check_masters(plan: NimadmPlan, by_name: dict[str, Host]) -> None:
    named: set[str] = set()
    for i, m in enumerate(plan.masters):
        where = ("plan", "masters", i, "host")
        _check_master(m.host, where, by_name)
        if m.host in named:
            raise CrossRefError(where, f"master {m.host!r} is listed twice: give it all its clients in one entry")
        named.add(m.host)


def _check_master(name: str, where: tuple[str | int, ...], by_name: dict[str, Host]) -> None:
    master = by_name.get(name)
    if master is None:
        raise CrossRefError(where, f"no host named {name!r} in hosts")
    if master.role is not Role.NIM_MASTER:
        raise CrossRefError(where, f"host {master.name!r} does not have role nim_master")


def check_jumps(config: Config) -> None:
    """A proxy_jump that names a host names an ssh host of `hosts`, and jump hosts make no loop."""
    by_name = {h.name: h for h in config.hosts}
    for i, h in enumerate(config.hosts):
        jump = h.proxy_jump
        if jump is None or jump == "none" or "@" in jump or ":" in jump:
            continue
        where = ("hosts", i, "proxy_jump")
        target = by_name.get(jump)
        if target is None:
            raise CrossRefError(
                where, f"no host named {jump!r} in hosts (a jump host outside them: user@host or host:port)"
            )
        if target.transport != "ssh":
            raise CrossRefError(
                where, f"host {jump!r} is reached with transport {target.transport}, not ssh: it cannot be a jump host"
            )
        seen = [h.name]
        while target is not None:
            if target.name in seen:
                raise CrossRefError(where, "jump hosts make a loop: " + " -> ".join([*seen, target.name]))
            seen.append(target.name)
            nxt = target.proxy_jump
            target = by_name.get(nxt) if nxt and nxt != "none" and "@" not in nxt and ":" not in nxt else None
