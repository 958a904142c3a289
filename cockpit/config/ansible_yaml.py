"""Ansible's YAML inventory format, read with the config's positioned YAML reader.

    all:
      children:
        nim_master:
          hosts:
            nim01: {ansible_host: 192.0.2.10}
        aix:
          hosts:
            lpar[01:08].example.com:
          vars:
            ansible_user: aixops

The top level maps group names (usually just `all`) to groups; a group has `hosts` (host pattern ->
its variables, or nothing), `vars` and `children` (group name -> group). Anything else in a group is
refused with its position, as the config's own keys are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cockpit.config.ansible_inventory import ALL, UNGROUPED, Inventory, InventoryError, Value, expand
from cockpit.config.problems import ConfigError
from cockpit.config.yaml_source import MarkedData, Position, read_marked_yaml

_GROUP_KEYS = ("hosts", "vars", "children")
KeyPath = tuple[str | int, ...]


def read_yaml_inventory(path: Path) -> Inventory:
    try:
        source = read_marked_yaml(path, expected="a mapping of groups (all: {hosts: ..., children: ...})")
    except ConfigError as exc:
        problem = exc.problems[0]
        at = Position(problem.line, problem.column or 1) if problem.line is not None else None
        message = problem.message
        raise InventoryError(at, message) from None
    inventory = Inventory(path)
    inventory.group(ALL, Position(1, 1))
    inventory.group(UNGROUPED, Position(1, 1))
    reader = _Reader(inventory, source)
    for name, body in source.data.items():
        reader.group(name, body, (name,))
    return inventory


class _Reader:
    def __init__(self, inventory: Inventory, source: MarkedData) -> None:
        self.inventory = inventory
        self.source = source
        self._depth = 0

    def at(self, path: KeyPath) -> Position:
        return self.source.value_positions.get(path) or self.source.position_of(path)

    def key_at(self, path: KeyPath) -> Position:
        return self.source.key_positions.get(path) or self.at(path)

    def group(self, name: str, body: Any, path: KeyPath) -> None:
        self._depth += 1
        if self._depth > 64:
            raise InventoryError(self.key_at(path), "groups nested too deeply")
        self.inventory.group(name, self.key_at(path))
        if body is None:
            self._depth -= 1
            return
        if not isinstance(body, dict):
            raise InventoryError(self.at(path), f"group {name!r} must be a mapping with hosts, vars or children")
        for key, value in body.items():
            where = (*path, key)
            if key not in _GROUP_KEYS:
                raise InventoryError(
                    self.key_at(where), f"unknown key {key!r} in group {name!r} (allowed: hosts, vars, children)"
                )
            if value is None:
                continue
            if not isinstance(value, dict):
                raise InventoryError(self.at(where), f"{name}.{key} must be a mapping")
            if key == "hosts":
                self._hosts(name, value, where)
            elif key == "vars":
                self.inventory.groups[name].vars.update(self._vars(value, where))
            else:
                for child, child_body in value.items():
                    if child == name:
                        raise InventoryError(self.key_at((*where, child)), f"group {name!r} cannot be its own child")
                    self.group(child, child_body, (*where, child))
                    if child not in self.inventory.groups[name].children:
                        self.inventory.groups[name].children.append(child)
        self._depth -= 1

    def _hosts(self, group: str, hosts: dict[str, Any], path: KeyPath) -> None:
        for pattern, variables in hosts.items():
            where = (*path, pattern)
            at = self.key_at(where)
            if variables is not None and not isinstance(variables, dict):
                raise InventoryError(self.at(where), f"host {pattern!r}: its variables must be a mapping (or nothing)")
            values = self._vars(variables or {}, where)
            for name in expand(pattern, at):
                self.inventory.add_host(group, name, at).vars.update(values)

    def _vars(self, variables: dict[str, Any], path: KeyPath) -> dict[str, Value]:
        return {key: Value(value, self.at((*path, key))) for key, value in variables.items()}
