"""The catalogue of AIX messages a migration meets: looked up by code, explained by `cockpit explain`.

Data, not code branches: the entries live in `cockpit/domain/messages/` (one module per family), each
with its text, severity, meaning, fix and public sources (SOURCES.md). `diagnose`, the live
`NimadmTracker` and `cockpit explain` all read them through this module.

Every pattern here runs on one line at a time, on at most `LINE_LIMIT` characters of it, and none
has a wildcard repeat before more pattern (`.*x`): each search is linear in the line, so a log is
read in time linear in its size whatever its lines hold (tests/unit/test_diagnose_bounds.py).
"""

from __future__ import annotations

import re
from itertools import pairwise

from cockpit.domain.messages import altdisk, boot, lvm, nim, simulated, system, uncoded
from cockpit.domain.messages.model import FAMILIES, Entry, Severity, Step, TextStatus
from cockpit.domain.messages.sources import SOURCES, Source

__all__ = [
    "ABORTED",
    "BY_CODE",
    "CODE",
    "ENTRIES",
    "FAMILIES",
    "LINE_LIMIT",
    "SIMULATED",
    "SOURCES",
    "Entry",
    "Severity",
    "Source",
    "Step",
    "TextStatus",
    "explain",
    "lookup",
]

LINE_LIMIT = 4096
"""Characters of a line that are read; AIX messages are far shorter, a longer line is not one of them."""

CODE = re.compile(r"\b([01]\d{3}-\d{3,4})\b")
"""An AIX message code: 4-digit component, dash, 3 (sometimes 4: 0516-1396) digits."""

ENTRIES: tuple[Entry, ...] = (
    *altdisk.ENTRIES,
    *boot.ENTRIES,
    *lvm.ENTRIES,
    *nim.ENTRIES,
    *system.ENTRIES,
    *uncoded.ENTRIES,
)
"""The real messages (simulator-only ones are in SIMULATED)."""
SIMULATED: tuple[Entry, ...] = simulated.ENTRIES
ABORTED = uncoded.ABORTED

BY_CODE: dict[str, Entry] = {e.code: e for e in ENTRIES if e.code is not None}
SIMULATED_BY_CODE: dict[str, Entry] = {e.code: e for e in SIMULATED if e.code is not None}
UNCODED: tuple[Entry, ...] = tuple(e for e in ENTRIES if e.code is None)
_UNCODED_PREFIXES = tuple(e.prefix for e in UNCODED)


def find_code(line: str) -> re.Match[str] | None:
    return CODE.search(line, 0, LINE_LIMIT) if "-" in line else None


def lookup(line: str) -> tuple[str | None, Entry | None]:
    """The message code on `line` (if any) and the catalogue entry that explains the line (if any)."""
    m = find_code(line)
    if m:
        code = m.group(1)
        if simulated.MARKER in line and code in SIMULATED_BY_CODE:
            return code, SIMULATED_BY_CODE[code]
        return code, BY_CODE.get(code)
    if line.startswith(_UNCODED_PREFIXES):
        return None, next(e for e in UNCODED if line.startswith(e.prefix))
    return None, None


def values(entry: Entry, line: str) -> dict[str, str]:
    """The named values (`spot`, `pv` ...) the entry's pattern reads off `line`, at the code's position."""
    if entry.values is None or entry.code is None:
        return {}
    at = line.find(entry.code, 0, LINE_LIMIT)
    m = entry.values.match(line, max(at, 0), LINE_LIMIT)
    return {k: v for k, v in m.groupdict().items() if v} if m else {}


def explain(code: str) -> list[Entry]:
    """The entries for `code`: the real message first, then the simulator's own (if it prints the code)."""
    return [e for e in (BY_CODE.get(code), SIMULATED_BY_CODE.get(code)) if e is not None]


def fatal_codes() -> frozenset[str]:
    return frozenset(code for code, e in BY_CODE.items() if e.fatal)


def benign_codes() -> frozenset[str]:
    return frozenset(code for code, e in BY_CODE.items() if e.severity == "warning")


def benign_prefixes() -> tuple[str, ...]:
    """Starts of the uncoded lines of good runs (phase-5 noise)."""
    return tuple(e.prefix for e in UNCODED if e.severity == "warning")


def wrapper_codes() -> frozenset[str]:
    return frozenset(code for code, e in BY_CODE.items() if e.wrapper)


# --- values a log names, to fill the fix commands' <placeholders> ---------------------------------------

_CONTEXT_PREFIXES: tuple[tuple[str, str, str], ...] = (
    ("client", "Initializing NIM client ", "."),
    ("client", "Exporting alt_inst filesystems from client ", ""),
    ("client", "Cleaning up alt_disk_migration on client ", "."),
    ("master", "to NIM master ", ":"),
    ("hdisk", "Writing boot image to client's alternate boot disk ", "."),
)
"""(key, line start, trailing punctuation): the value is the rest of the line, one word."""
_CONTEXT_STARTS = tuple(start for _, start, _ in _CONTEXT_PREFIXES)

NIMADM_FLAGS: dict[str, str] = {"-c": "client", "-s": "spot", "-l": "lpp", "-d": "hdisk"}
"""Flags of an echoed `nimadm` command line that name a context value."""


def context_values(line: str) -> dict[str, str]:
    """Values this line names: client, master, target disk, and the flags of a nimadm / alt_disk_copy line.

    Plain string work, no regex: a line of any length costs one pass over its first LINE_LIMIT characters.
    """
    line = line[:LINE_LIMIT]
    found: dict[str, str] = {}
    for key, start, end in _CONTEXT_PREFIXES if line.startswith(_CONTEXT_STARTS) else ():
        if line.startswith(start):
            rest = line[len(start) :].strip()
            if rest and " " not in rest:
                found[key] = rest.removesuffix(end) if end else rest
    if "nimadm" in line or "alt_disk_copy" in line:
        found.update(_command_flags(line))
    return found


def _command_flags(line: str) -> dict[str, str]:
    words = line.replace('"', " ").replace("'", " ").split()
    for i, word in enumerate(words):
        name = word.rsplit("/", 1)[-1]
        if name in ("nimadm", "alt_disk_copy"):
            flags = NIMADM_FLAGS if name == "nimadm" else {"-d": "hdisk"}
            args = words[i + 1 :]
            return {flags[f]: v for f, v in pairwise(args) if f in flags and not v.startswith("-")}
    return {}


NIMADM_PHASES: dict[int, str] = {
    1: "client: alt_disk_copy -P1 clones rootvg to altinst_rootvg",
    2: "client: NFS-exports /alt_inst to the master",
    3: "master: NFS-mounts the client's /alt_inst",
    4: "master: pre-migration script",
    5: "master: saves config, restores BOS, merges config",
    6: "master: installp migrates the software",
    7: "master: post-migration script",
    8: "master: bosboot onto the client's alternate disk",
    9: "master: unmounts the client's file systems",
    10: "client: unexports /alt_inst",
    11: "client: alt_disk_copy -P3 renames LVs, varies off, sets the bootlist",
    12: "master and client: cleanup",
}
"""One line per nimadm phase (IBM: Installing alternate disk migration, the 12 phases)."""

ALT_DISK_PHASES: dict[int, str] = {
    1: "creates altinst_rootvg and its alt_ LVs, copies rootvg / restores the mksysb",
    2: "customization script, updates, resolv.conf, NIM client files",
    3: "unmounts, renames LVs back, varies off, sets the bootlist",
}
"""The three alt_disk phases (IBM: alt_disk_copy command, -P)."""
