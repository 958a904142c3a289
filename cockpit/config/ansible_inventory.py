"""An Ansible inventory (INI or YAML) read into hosts, groups and variables, every value with its place.

No Ansible import: the two static formats are simple and documented ("How to build your inventory",
and the ini / yaml inventory plugins of ansible-core). What the cockpit takes from them:

* hosts, with ranges (`lpar[01:08]`, `node[a:c]`, a stride `[01:20:2]`) expanded;
* groups, their `children` and their `vars` (`[group:vars]`, `[group:children]` in INI);
* variables by Ansible's precedence: the group `all`, then the other groups from the outermost
  to the innermost (alphabetical at one depth), then the host's own;
* in INI, a host line's `key=value` values are Python literals where they read as one (`22` is a
  number, `'22'` text), a `:vars` value is the rest of its line as text.

Every host, group and value keeps its FILE:LINE:COL, so what is wrong with a value (`ansible_port=yes`)
is reported where it was written. Pure: text in, `Inventory` out; `InventoryError` for a file that is
not an inventory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cockpit.config.yaml_source import Position

ALL, UNGROUPED = "all", "ungrouped"
GROUP_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")
_RANGE = re.compile(r"\[([^\[\]:]+):([^\[\]:]+)(?::([0-9]+))?\]")
MAX_HOSTS = 100_000
"""Bound on the hosts a range may expand to (`lpar[0:99999999]` is a typo, not a fleet)."""


class InventoryError(ValueError):
    """The inventory cannot be read; carries where (line and column are 1-based)."""

    def __init__(self, at: Position | None, message: str) -> None:
        super().__init__(message)
        self.at = at


@dataclass(frozen=True)
class Value:
    value: Any
    at: Position


@dataclass
class Group:
    name: str
    at: Position
    hosts: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    vars: dict[str, Value] = field(default_factory=dict)


@dataclass
class InventoryHost:
    name: str
    at: Position
    """Where the host is first listed."""
    vars: dict[str, Value] = field(default_factory=dict)


@dataclass
class Inventory:
    file: Path
    hosts: dict[str, InventoryHost] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)

    # -- building (the two readers) -------------------------------------------------------------
    def group(self, name: str, at: Position) -> Group:
        if not GROUP_NAME.fullmatch(name):
            raise InventoryError(
                at, f"{name!r} is not a group name (letters, digits, _ and -; not starting with a digit)"
            )
        found = self.groups.get(name)
        if found is None:
            found = self.groups[name] = Group(name, at)
        return found

    def add_host(self, group: str | None, name: str, at: Position) -> InventoryHost:
        host = self.hosts.get(name)
        if host is None:
            host = self.hosts[name] = InventoryHost(name, at)
        if group is not None:
            members = self.group(group, at).hosts
            if name not in members:
                members.append(name)
        return host

    # -- reading ----------------------------------------------------------------------------------
    def groups_of(self, host: str) -> set[str]:
        """Every group the host is in, directly or through `children` (`all` always)."""
        parents: dict[str, set[str]] = {}
        for g in self.groups.values():
            for child in g.children:
                parents.setdefault(child, set()).add(g.name)
        direct = {g.name for g in self.groups.values() if host in g.hosts}
        found, todo = set(direct), list(direct)
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    todo.append(parent)
        return found | {ALL}

    def variables(self, host: str) -> dict[str, Value]:
        """The host's variables by Ansible's precedence (see the module's docstring)."""
        depth = self._depths()
        mine = self.groups_of(host)
        ordered = sorted((g for g in mine if g != ALL), key=lambda g: (depth.get(g, 1), g))
        merged: dict[str, Value] = {}
        for name in [ALL, *ordered]:
            group = self.groups.get(name)
            if group is not None:
                merged.update(group.vars)
        merged.update(self.hosts[host].vars)
        return merged

    def _depths(self) -> dict[str, int]:
        """Each group's distance from the top (`all` 0, a top-level group 1, its children 2 ...)."""
        depth: dict[str, int] = {ALL: 0}
        children = {g.name: g.children for g in self.groups.values()}
        level = [g for g in self.groups if g != ALL and not any(g in c for c in children.values())]
        level += list(children.get(ALL, ()))
        n = 1
        while level and n <= len(self.groups) + 1:
            nxt = []
            for g in level:
                if depth.get(g, -1) < n:
                    depth[g] = n
                    nxt += children.get(g, [])
            level, n = nxt, n + 1
        return depth


def expand(pattern: str, at: Position) -> list[str]:
    """A host pattern's names: `lpar[01:03]` -> lpar01, lpar02, lpar03 (ranges may repeat)."""
    m = _RANGE.search(pattern)
    if m is None:
        if "[" in pattern or "]" in pattern:
            raise InventoryError(at, f"{pattern!r}: a range is written [START:END] or [START:END:STEP]")
        return [pattern]
    start, end, step_text = m.group(1), m.group(2), m.group(3)
    step = int(step_text) if step_text else 1
    if step < 1:
        raise InventoryError(at, f"{pattern!r}: the step of a range must be at least 1")
    if start.isdigit() and end.isdigit():
        if int(start) > int(end):
            raise InventoryError(at, f"{pattern!r}: the range ends before it starts")
        if (int(end) - int(start)) // step + 1 > MAX_HOSTS:
            raise InventoryError(at, f"{pattern!r}: the range has more than {MAX_HOSTS} hosts")
        width = len(start) if start.startswith("0") else 0
        values = [str(i).zfill(width) for i in range(int(start), int(end) + 1, step)]
    elif len(start) == 1 and len(end) == 1 and start.isalpha() and end.isalpha() and start <= end:
        values = [chr(c) for c in range(ord(start), ord(end) + 1, step)]
    else:
        raise InventoryError(at, f"{pattern!r}: a range goes from a number to a number or a letter to a letter")
    head, tail = pattern[: m.start()], pattern[m.end() :]
    names: list[str] = []
    for v in values:
        names += expand(head + v + tail, at)
        if len(names) > MAX_HOSTS:
            raise InventoryError(at, f"{pattern!r}: the range has more than {MAX_HOSTS} hosts")
    return names


def read_inventory(path: Path) -> Inventory:
    """Read an inventory file: YAML for .yaml / .yml / .json, INI otherwise (as Ansible's plugins)."""
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        from cockpit.config.ansible_yaml import read_yaml_inventory

        return read_yaml_inventory(path)
    from cockpit.config.ansible_ini import read_ini_inventory

    return read_ini_inventory(path)


__all__ = ["ALL", "Group", "Inventory", "InventoryError", "InventoryHost", "Value", "expand", "read_inventory"]
