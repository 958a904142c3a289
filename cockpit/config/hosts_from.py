"""`hosts_from: {ansible: FILE, groups: {...}}`: the config's hosts read from an Ansible inventory.

The inventory's hosts become `hosts` entries before the config is validated, so each of their values
is checked exactly as a config value is (names and addresses reach shells). A problem with one of
them is reported at the inventory's FILE:LINE:COL, with the host and the variable as its key
(`hosts.ini:7:19: lpar05.ansible_port: expected a whole number, got 'twenty'`).

What is read, per host: `ansible_host` (else the inventory name is the address, as Ansible
connects to it), `ansible_port`, `ansible_user`, `ansible_ssh_private_key_file` (relative to the
inventory's directory), `ansible_connection` (ssh or local), and the cockpit's own
`cockpit_nim_name` and `cockpit_work_dir`. Roles come from groups (see HostsFrom.groups).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cockpit.config.ansible_inventory import Inventory, InventoryError, Value, read_inventory
from cockpit.config.models import HostsFrom, Role
from cockpit.config.problems import ConfigError, ConfigProblem, KeyPath
from cockpit.config.yaml_source import MarkedData, Position

DEFAULT_MASTER_GROUP = "nim_master"
"""Without a `groups` mapping, hosts of a group of this name are NIM masters and every other host a client."""

# Host field <- the inventory variables that set it, in order of preference (Ansible's older
# ansible_ssh_* names included).
_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("address", ("ansible_host", "ansible_ssh_host")),
    ("port", ("ansible_port", "ansible_ssh_port")),
    ("user", ("ansible_user", "ansible_ssh_user")),
    ("key", ("ansible_ssh_private_key_file", "ansible_private_key_file")),
    ("transport", ("ansible_connection",)),
    ("nim_name", ("cockpit_nim_name",)),
    ("work_dir", ("cockpit_work_dir",)),
)
_CONNECTIONS = {
    "ssh": "ssh",
    "smart": "ssh",
    "paramiko": "ssh",
    "paramiko_ssh": "ssh",
    "ansible.builtin.ssh": "ssh",
    "local": "local",
    "ansible.builtin.local": "local",
}


@dataclass
class InventoryHosts:
    """The hosts an inventory gives, as `hosts` entries, and where each of their values was written."""

    file: Path
    entries: list[dict[str, Any]] = field(default_factory=list)
    places: list[dict[str, tuple[str, Position]]] = field(default_factory=list)
    """Per entry: Host field -> (inventory variable, its position); "" for the host line itself."""

    def __len__(self) -> int:
        return len(self.entries)

    def problem(self, loc: KeyPath, message: str) -> ConfigProblem | None:
        """The problem at `loc` (a path into the merged `hosts`) when it is about an inventory host."""
        if len(loc) < 2 or loc[0] != "hosts" or not isinstance(loc[1], int) or loc[1] >= len(self.entries):
            return None
        index = loc[1]
        name = str(self.entries[index]["name"])
        places = self.places[index]
        key = loc[2] if len(loc) > 2 and isinstance(loc[2], str) else ""
        variable, at = places.get(key, places[""])
        return ConfigProblem(self.file, at.line, at.column, (name, variable) if variable else (name,), message)

    def config_loc(self, loc: KeyPath) -> KeyPath:
        """A path into the merged `hosts` as the config file writes it (its own hosts come after)."""
        if len(loc) >= 2 and loc[0] == "hosts" and isinstance(loc[1], int):
            return ("hosts", loc[1] - len(self.entries), *loc[2:])
        return loc


def read_hosts_from(config_file: Path, source: MarkedData, hosts_from: HostsFrom) -> InventoryHosts:
    """The inventory's hosts as `hosts` entries; ConfigError for a file that cannot be used."""
    path = hosts_from.ansible.expanduser()
    if not path.is_absolute():
        path = Path(os.path.abspath(config_file)).parent / path
    path = Path(os.path.normpath(path))
    try:
        inventory = read_inventory(path)
    except InventoryError as exc:
        if exc.at is None:  # the file itself: say so at the config's line that names it
            where = source.position_of(("hosts_from", "ansible"))
            raise ConfigError(
                [ConfigProblem(config_file, where.line, where.column, ("hosts_from", "ansible"), f"{path}: {exc}")]
            ) from None
        raise ConfigError([ConfigProblem(path, exc.at.line, exc.at.column, (), str(exc))]) from None
    _check_groups(config_file, source, hosts_from, inventory)
    out = InventoryHosts(path)
    for name, host in inventory.hosts.items():
        role = _role(inventory, name, hosts_from, path, host.at)
        if role is None:
            continue
        entry, places = _entry(name, role, inventory.variables(name), path.parent)
        places[""] = ("", host.at)
        out.entries.append(entry)
        out.places.append(places)
    return out


def _check_groups(config_file: Path, source: MarkedData, hosts_from: HostsFrom, inventory: Inventory) -> None:
    for group in hosts_from.groups or {}:
        if group not in inventory.groups:
            where = source.key_positions.get(("hosts_from", "groups", group)) or source.position_of(("hosts_from",))
            known = ", ".join(g for g in inventory.groups if g not in ("all", "ungrouped")) or "none"
            message = f"no group {group!r} in {inventory.file} (its groups: {known})"
            raise ConfigError(
                [ConfigProblem(config_file, where.line, where.column, ("hosts_from", "groups", group), message)]
            )


def _role(inventory: Inventory, host: str, hosts_from: HostsFrom, file: Path, at: Position) -> Role | None:
    groups = inventory.groups_of(host)
    if hosts_from.groups is None:
        return Role.NIM_MASTER if DEFAULT_MASTER_GROUP in groups else Role.CLIENT
    roles = {g: r for g, r in hosts_from.groups.items() if g in groups}
    if not roles:
        return None
    if len(set(roles.values())) > 1:
        named = ", ".join(f"{g} ({r.value})" for g, r in sorted(roles.items()))
        raise ConfigError(
            [ConfigProblem(file, at.line, at.column, (host,), f"host {host!r} is in groups {named}: one role per host")]
        )
    return next(iter(roles.values()))


def _entry(
    name: str, role: Role, variables: dict[str, Value], base: Path
) -> tuple[dict[str, Any], dict[str, tuple[str, Position]]]:
    entry: dict[str, Any] = {"name": name, "role": role.value, "address": name}
    places: dict[str, tuple[str, Position]] = {}
    for field_name, sources in _FIELDS:
        found = next(((v, variables[v]) for v in sources if v in variables), None)
        if found is None:
            continue
        variable, value = found
        places[field_name] = (variable, value.at)
        entry[field_name] = _field_value(field_name, value.value, base)
    return entry, places


def _field_value(field_name: str, value: Any, base: Path) -> Any:
    if field_name == "key" and isinstance(value, str):
        path = Path(value).expanduser()
        return str(path if path.is_absolute() else Path(os.path.normpath(base / path)))
    if field_name == "transport" and isinstance(value, str):
        # Unknown connection plugins (winrm, docker ...) stay as written: the model refuses them there.
        return _CONNECTIONS.get(value, value)
    return value


def merge_host_problems(problems: list[ConfigProblem], file: Path) -> list[ConfigProblem]:
    """One line for one mistake: a group variable or a host range shared by many hosts is wrong for
    each of them at the same place; say it once, naming the hosts."""
    merged: dict[tuple[object, ...], tuple[ConfigProblem, list[str]]] = {}
    out: list[ConfigProblem] = []
    for p in problems:
        if p.file != file or not p.key_path:
            out.append(p)
            continue
        key = (p.line, p.column, p.key_path[1:], p.message)
        if key in merged:
            merged[key][1].append(str(p.key_path[0]))
            continue
        merged[key] = (p, [])
        out.append(p)
    for first, others in merged.values():
        if others:
            shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
            out[out.index(first)] = ConfigProblem(
                first.file, first.line, first.column, first.key_path, f"{first.message} (also for {shown})"
            )
    return out


def hosts_from_of(config_file: Path, source: MarkedData) -> HostsFrom | None:
    """The config's `hosts_from`, validated on its own (its problems at the config's positions)."""
    raw = source.data.get("hosts_from")
    if raw is None:
        return None
    from cockpit.config.loader import validate_part

    return validate_part(config_file, source, "hosts_from", HostsFrom)
