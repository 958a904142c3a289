"""An ssh config that Includes itself, found before anything reads it for real.

Why: asyncssh follows `Include` without a depth limit, so a file that includes itself (directly or
through others) ended in RecursionError and "internal error". OpenSSH refuses it too ("Too many
recursive configuration includes"). This walks the Include lines the way asyncssh resolves them
(`~` expanded, a relative pattern taken from ~/.ssh, glob patterns, `Include=FILE` and several
files on one line) and names the file and line that closes the loop. Every Include counts, inside
a Host or Match block or not: a loop in a block that matches no host today matches one tomorrow.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

MAX_DEPTH = 16
"""OpenSSH's limit on nested Includes (READCONF_MAX_DEPTH)."""


def include_loop(files: Sequence[Path]) -> str | None:
    """`FILE:LINE: Include ... loops back to FILE (a -> b -> a)` for the first loop found, else None."""
    for file in files:
        try:
            start = file.expanduser().resolve()
        except (OSError, RuntimeError):
            continue
        found = _walk(start, [start])
        if found is not None:
            return found
    return None


def _walk(path: Path, chain: list[Path]) -> str | None:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return None  # unreadable: asyncssh says so in its own words when it reads it
    for number, line in enumerate(lines, start=1):
        for target in _included(line):
            where = f"{path}:{number}"
            if target in chain:
                loop = " -> ".join(str(p) for p in [*chain[chain.index(target) :], target])
                return f"{where}: Include makes a loop ({loop}): ssh would read these files forever"
            if len(chain) >= MAX_DEPTH:
                return f"{where}: Include nests deeper than {MAX_DEPTH} files (ssh refuses that too)"
            found = _walk(target, [*chain, target])
            if found is not None:
                return found
    return None


def _included(line: str) -> list[Path]:
    """The files an `Include` line names (none for any other line)."""
    text = line.strip()
    if not text or text.startswith("#"):
        return []
    try:
        words = shlex.split(text)
    except ValueError:
        return []
    if not words:
        return []
    first, _, glued = words[0].partition("=")
    if first.lower() != "include":
        return []
    patterns = ([glued] if glued else []) + [w.lstrip("=") for w in words[1:] if w.lstrip("=")]
    found: list[Path] = []
    for pattern in patterns:
        try:
            path = Path(pattern).expanduser()
        except RuntimeError:
            continue
        if path.anchor:
            base, rest = Path(path.anchor), str(Path(*path.parts[1:]))
        else:
            try:
                base, rest = Path("~", ".ssh").expanduser(), pattern
            except RuntimeError:
                continue
        try:
            found += sorted(p.resolve() for p in base.glob(rest) if p.is_file())
        except (OSError, ValueError):
            continue
    return found
