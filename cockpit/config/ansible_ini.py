"""Ansible's INI inventory format, read line by line with each value's line and column.

    mail.example.com                      # outside any section: an ungrouped host
    [nim_master]
    nim01 ansible_host=192.0.2.10 ansible_user=root
    [aix]
    lpar[01:08].example.com ansible_port=2222
    [aix:vars]
    ansible_user=aixops
    [prod:children]
    aix

A host line is a host pattern, an optional `:PORT`, then `key=value` pairs (quoted with ' or " when a
value holds blanks; `#` starts a comment). Its values are Python literals where they read as one, as
Ansible's ast.literal_eval makes them; a `:vars` line is `key=value` with the rest of the line as text.
Lines starting with # or ; are comments.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from cockpit.config.ansible_inventory import ALL, UNGROUPED, Inventory, InventoryError, Value, expand
from cockpit.config.yaml_source import MAX_BYTES, Position

_SECTION = re.compile(r"^\[([^\]:]+)(?::([a-z]+))?\]\s*(?:[#;].*)?$")
_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PORT = re.compile(r"^(?P<host>[^:\s]+):(?P<port>[0-9]+)$")


def read_ini_inventory(path: Path) -> Inventory:
    text = read_text(path)
    inventory = Inventory(path)
    inventory.group(ALL, Position(1, 1))
    inventory.group(UNGROUPED, Position(1, 1))
    section, kind = UNGROUPED, "hosts"
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        indent = len(line) - len(line.lstrip())
        at = Position(number, indent + 1)
        if stripped.startswith("["):
            m = _SECTION.match(stripped)
            if m is None:
                raise InventoryError(
                    at, f"not a section header: {stripped!r} (expected [group], [group:vars] or [group:children])"
                )
            section, kind = m.group(1).strip(), m.group(2) or "hosts"
            if kind not in ("hosts", "vars", "children"):
                raise InventoryError(at, f"unknown section kind :{kind} (Ansible knows :vars and :children)")
            inventory.group(section, at)
            continue
        if kind == "vars":
            _vars_line(inventory, section, line, number, indent)
        elif kind == "children":
            child = stripped.split()[0]
            inventory.group(child, at)
            parent = inventory.groups[section]
            if child == section:
                raise InventoryError(at, f"group {section!r} cannot be its own child")
            if child not in parent.children:
                parent.children.append(child)
        else:
            _host_line(inventory, section, line, number)
    for name, g in inventory.groups.items():
        for child in g.children:
            if _reaches(inventory, child, name):
                raise InventoryError(g.at, f"groups {name!r} and {child!r} are children of each other")
    return inventory


def _reaches(inventory: Inventory, start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        g = todo.pop()
        if g == goal:
            return True
        if g not in seen:
            seen.add(g)
            todo += inventory.groups[g].children if g in inventory.groups else []
    return False


def _vars_line(inventory: Inventory, section: str, line: str, number: int, indent: int) -> None:
    key, eq, value = line.strip().partition("=")
    key = key.strip()
    at = Position(number, indent + 1)
    if not eq or not _VAR_NAME.fullmatch(key):
        raise InventoryError(at, f"expected name=value in [{section}:vars], got {line.strip()!r}")
    start = line.index("=", indent) + 1
    value_col = start + (len(value) - len(value.lstrip())) + 1
    text = _unquote(value.strip())
    inventory.groups[section].vars[key] = Value(text, Position(number, value_col))


def _host_line(inventory: Inventory, section: str, line: str, number: int) -> None:
    tokens = _tokens(line, number)
    if not tokens:
        return
    (pattern, col), rest = tokens[0], tokens[1:]
    at = Position(number, col)
    port = None
    m = _PORT.match(pattern)
    if m is not None:
        pattern = m["host"]
        port = Value(int(m["port"]), Position(number, col + len(pattern) + 1))
    variables: dict[str, Value] = {}
    for token, tcol in rest:
        key, eq, value = token.partition("=")
        if not eq or not _VAR_NAME.fullmatch(key):
            raise InventoryError(Position(number, tcol), f"expected name=value after the host, got {token!r}")
        variables[key] = Value(_literal(value), Position(number, tcol + len(key) + 1))
    if port is not None and "ansible_port" not in variables:
        variables["ansible_port"] = port
    for name in expand(pattern, at):
        host = inventory.add_host(section, name, at)
        host.vars.update(variables)


def _tokens(line: str, number: int) -> list[tuple[str, int]]:
    """Blank-separated words with their 1-based columns; quotes group, `#` at a word's start ends the line."""
    out: list[tuple[str, int]] = []
    i, n = 0, len(line)
    while i < n:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n or line[i] == "#":
            break
        start, word, quote = i, [], ""
        while i < n and (quote or line[i] not in " \t"):
            c = line[i]
            if quote:
                if c == quote:
                    quote = ""
                elif c == "\\" and quote == '"' and i + 1 < n:
                    i += 1
                    word.append("\\" + line[i])
                    i += 1
                    continue
                word.append(c)
            elif c in "'\"":
                quote = c
                word.append(c)
            else:
                word.append(c)
            i += 1
        if quote:
            raise InventoryError(Position(number, start + 1), "a quote is not closed on this line")
        out.append(("".join(word), start + 1))
    return out


def _literal(text: str) -> Any:
    """A host line's value as Ansible reads it: a Python literal where it is one, else the text."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return _unquote(text)
    return value if isinstance(value, str | int | float | bool) or value is None else text


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def read_text(path: Path) -> str:
    """The file as text, or InventoryError (not a regular file, too large, not UTF-8)."""
    try:
        if not path.is_file():
            raise InventoryError(None, "not a regular file" if path.exists() else "no such file")
        if path.stat().st_size > MAX_BYTES:
            raise InventoryError(None, f"file is too large (more than {MAX_BYTES} bytes)")
        raw = path.read_bytes()
    except OSError as exc:
        raise InventoryError(None, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InventoryError(
            Position(line, column), f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})"
        ) from None
