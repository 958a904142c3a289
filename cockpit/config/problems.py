"""What a bad config file produces: a list of one-line problems, each pointing at a file position."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

KeyPath = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(text: str) -> str:
    """Collapse any control characters (newlines included) so a message can never span lines."""
    return _CONTROL.sub(" ", text).strip()


def format_key_path(path: KeyPath) -> str:
    """("plan", "clients", 1, "disk") -> "plan.clients[1].disk"; odd keys are quoted."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = part if _PLAIN_KEY.fullmatch(part) else repr(part)
            out += f".{name}" if out else name
    return out


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a config file. `line` and `column` are 1-based; None when the file has no
    position to blame (it could not be read at all)."""

    file: Path
    line: int | None
    column: int | None
    key_path: KeyPath
    message: str

    @property
    def key(self) -> str:
        return format_key_path(self.key_path)

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}:{self.column if self.column is not None else 1}"
        parts = [where, self.key, self.message] if self.key_path else [where, self.message]
        return one_line(": ".join(parts))


class CrossRefError(ValueError):
    """A reference between sections is wrong; carries the location of the offending key.

    Raised inside a model validator, so pydantic reports it at the model's location; the loader adds
    `loc` (relative to that model) to point at the key itself.
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


class ConfigError(Exception):
    """The config file cannot be used; `problems` says where and why (at least one)."""

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems: list[ConfigProblem] = list(problems)
        if not self.problems:
            raise ValueError("ConfigError needs at least one problem")
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
