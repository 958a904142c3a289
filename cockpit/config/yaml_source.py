"""Read a YAML file into plain Python data, remembering where every key and value was written.

pyyaml's `compose` keeps a start mark (line, column) on every node; `safe_load` throws them away. We
compose, then build the dicts/lists/scalars ourselves and record `key path -> position` for each
mapping key and each value, so a validation error on `plan.clients[1].disk` can name its line.

While building we also reject what YAML would accept silently but a config must not contain:
duplicate keys (pyyaml keeps the last one), non-text keys, exotic tags, recursive aliases, and alias
bombs. Every failure is a ConfigError with one positioned problem; nothing else escapes.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from cockpit.config.problems import ConfigError, ConfigProblem, KeyPath

MAX_BYTES = 4 * 1024 * 1024
"""A config is a few kilobytes; refusing huge files keeps a wrong path (a log, a disk image) cheap."""
MAX_NODES = 200_000
"""Bound on values built, so a few nested aliases ("billion laughs") cannot exhaust memory."""

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Position:
    line: int
    """1-based."""
    column: int
    """1-based, in characters."""


@dataclass
class MarkedData:
    """The document as plain Python, plus where each key and value starts in the file."""

    data: dict[str, Any]
    value_positions: dict[KeyPath, Position] = field(default_factory=dict)
    key_positions: dict[KeyPath, Position] = field(default_factory=dict)

    def position_of(self, path: KeyPath) -> Position:
        """Position of the value at `path`, or of its deepest ancestor that is in the file."""
        for depth in range(len(path), -1, -1):
            found = self.value_positions.get(path[:depth])
            if found is not None:
                return found
        return Position(1, 1)


_CONFIG_EXPECTED = "a mapping with hosts: and plan:"
_CONFIG_SHAPE = "a mapping (key: value lines with hosts: and plan:)"


def read_marked_yaml(path: Path, expected: str = _CONFIG_EXPECTED) -> MarkedData:
    """Parse `path` (one YAML document whose top level is a mapping) or raise ConfigError.

    `expected` says in the messages what the top level should be (a config, an inventory ...).
    """
    text = _read_text(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise _error(path, _syntax_position(exc), (), _syntax_message(exc)) from None
    except yaml.reader.ReaderError as exc:
        # Raised for characters YAML forbids (NUL, most C0 controls); `position` indexes `text`.
        where = _position_in_text(text, exc.position)
        message = f"invalid YAML: character #x{exc.character:04x} is not allowed in a YAML file"
        raise _error(path, where, (), message) from None
    except yaml.YAMLError as exc:
        raise _error(path, None, (), f"invalid YAML: {exc}") from None
    except RecursionError:
        raise _error(path, None, (), "invalid YAML: nested too deeply") from None
    if root is None or (isinstance(root, ScalarNode) and root.tag == "tag:yaml.org,2002:null"):
        raise _error(path, Position(1, 1), (), f"the file is empty; expected {expected}")
    if not isinstance(root, MappingNode):
        found = "a list" if isinstance(root, SequenceNode) else f"the single value {root.value!r}"
        shape = _CONFIG_SHAPE if expected == _CONFIG_EXPECTED else expected
        message = f"the top level must be {shape}, found {found}"
        raise _error(path, _position(root), (), message)
    builder = _Builder(path)
    try:
        data = builder.build(root, ())
    except RecursionError:
        raise _error(path, _position(root), (), "invalid YAML: nested too deeply") from None
    return MarkedData(data, builder.value_positions, builder.key_positions)


def _read_text(path: Path) -> str:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # Reading a FIFO or device could block forever or never end.
            raise _error(path, None, (), "not a regular file")
        if info.st_size > MAX_BYTES:
            raise _error(path, None, (), f"file is too large ({info.st_size} bytes; at most {MAX_BYTES})")
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _error(path, None, (), f"cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise _error(path, None, (), f"file is too large (more than {MAX_BYTES} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        message = f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        raise _error(path, Position(line, column), (), message) from None
    return text.removeprefix("\ufeff")  # a UTF-8 byte order mark is allowed and means nothing


class _Builder:
    """Turns composed nodes into dicts, lists and scalars while recording positions."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.value_positions: dict[KeyPath, Position] = {}
        self.key_positions: dict[KeyPath, Position] = {}
        self._constructor = SafeConstructor()
        self._open: set[int] = set()  # collections being built, to detect an alias to an ancestor
        self._count = 0

    def build(self, node: Node, path: KeyPath) -> Any:
        self._count += 1
        if self._count > MAX_NODES:
            raise self._fail(node, path, f"too many values (more than {MAX_NODES}; aliases?)")
        self.value_positions[path] = _position(node)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in self._open:
            raise self._fail(node, path, "an alias refers to a mapping or list that contains it")
        self._open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                self._expect_tag(node, _MAP_TAG, path)
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                self._expect_tag(node, _SEQ_TAG, path)
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))
        raise self._fail(node, path, f"unexpected YAML node {type(node).__name__}")

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        # Merge keys (`<<: *defaults`) first: explicit keys override merged ones, and building them
        # last makes their positions the ones recorded.
        merges = [(k, v) for k, v in node.value if k.tag == _MERGE_TAG]
        if len(merges) > 1:
            raise self._fail(merges[1][0], path, "duplicate merge key '<<'")
        for _key_node, value_node in merges:
            result.update(self._merged(value_node, path))
        self.value_positions[path] = _position(node)
        first_seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self._key(key_node, path)
            here = _position(key_node)
            if key in first_seen:
                first = first_seen[key]
                message = f"duplicate key {key!r} (first given at line {first.line}, column {first.column})"
                raise _error(self.file, here, (*path, key), message)
            first_seen[key] = here
            self.key_positions[(*path, key)] = here
            result[key] = self.build(value_node, (*path, key))
        return result

    def _merged(self, node: Node, path: KeyPath) -> dict[str, Any]:
        """The keys a `<<:` value brings: one mapping, or a list of them where earlier ones win."""
        sources = node.value if isinstance(node, SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in reversed(sources):
            if not isinstance(source, MappingNode):
                raise self._fail(source, path, "a merge key '<<' needs a mapping or a list of mappings")
            merged.update(self.build(source, path))
        return merged

    def _key(self, node: Node, path: KeyPath) -> str:
        if not isinstance(node, ScalarNode):
            raise self._fail(node, path, "a mapping key must be plain text, not a list or mapping")
        # The key as written: `on:` stays "on" instead of YAML 1.1's boolean True.
        return str(node.value)

    def _scalar(self, node: ScalarNode, path: KeyPath) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            raise self._fail(node, path, _short_tags(str(exc.problem or exc))) from None
        except Exception:
            # pyyaml raises ValueError/AttributeError for a malformed explicitly tagged scalar (`!!int x`).
            message = f"{node.value!r} cannot be read as {_short_tags(node.tag)}"
            raise self._fail(node, path, message) from None

    def _fail(self, node: Node, path: KeyPath, message: str) -> ConfigError:
        return _error(self.file, _position(node), path, message)

    def _expect_tag(self, node: Node, tag: str, path: KeyPath) -> None:
        if node.tag != tag:
            raise self._fail(node, path, f"unsupported YAML tag {_short_tags(node.tag)}")


def _short_tags(text: str) -> str:
    """Spell standard tags as they are written in a file: tag:yaml.org,2002:int -> !!int."""
    return text.replace("tag:yaml.org,2002:", "!!")


def _syntax_position(exc: yaml.MarkedYAMLError) -> Position | None:
    mark = exc.problem_mark or exc.context_mark
    return None if mark is None else Position(mark.line + 1, mark.column + 1)


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "syntax error"
    context = exc.context
    if not context:
        return f"invalid YAML: {problem}"
    if problem.startswith("but "):  # pyyaml splits "expected X" / "but found Y" across the two
        return f"invalid YAML: {context}, {problem}"
    mark = exc.context_mark
    where = "" if mark is None else f" started at line {mark.line + 1}, column {mark.column + 1}"
    return f"invalid YAML: {problem} ({context}{where})"


def _position(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _position_in_text(text: str, index: int) -> Position:
    line_start = text.rfind("\n", 0, index) + 1
    return Position(text.count("\n", 0, index) + 1, index - line_start + 1)


def _error(file: Path, where: Position | None, path: KeyPath, message: str) -> ConfigError:
    line, column = (None, None) if where is None else (where.line, where.column)
    return ConfigError([ConfigProblem(file, line, column, path, message)])


__all__ = ["MAX_BYTES", "MAX_NODES", "MarkedData", "Position", "read_marked_yaml"]
