"""Fileset listings in colon format (as IBM's Ansible collection for AIX parses them), and fileset levels.

Three commands print a fileset per line with the fileset in field 2 and its level in field 3:

    lslpp -lcq <fileset>      /usr/lib/objrepos:bos.alt_disk_install.rte:7.2.5.101::COMMITTED:F:...
    lslpp -Lc (nim showres on a SPOT)    #Package Name:Fileset:Level:State:...   (header starts with #)
                                         bos.alt_disk_install:bos.alt_disk_install.rte:7.2.5.101: : :C:F:...
    installp -L (nim showres on an lpp_source)   bos.alt_disk_install:bos.alt_disk_install.rte:7.2.5.101::I:T:...

A fileset that is not installed gives no record and, from lslpp, the line
`lslpp: Fileset bos.alt_disk_install.rte not installed.` (prefixed `/usr/bin/lslpp:` through NIM).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cockpit.domain.preflight.parsers.common import ParseError, lines

_LEVEL = re.compile(r"^[0-9]+(\.[0-9]+){1,3}$")
_NOT_INSTALLED = re.compile(r"Fileset\s+(\S+)\s+not\s+installed", re.IGNORECASE)
_BROKEN = {"BROKEN", "B"}


@dataclass(frozen=True)
class FilesetRecord:
    fileset: str
    level: str
    state: str | None
    line: str

    @property
    def broken(self) -> bool:
        return (self.state or "").upper() in _BROKEN


def level_key(level: str) -> tuple[int, ...]:
    """`7.2.5.101` -> (7, 2, 5, 101), padded to four parts so `7.2.5` == `7.2.5.0`."""
    if not _LEVEL.fullmatch(level):
        raise ParseError(f"{level!r} is not a fileset level (V.R.M.F)")
    parts = [int(p) for p in level.split(".")]
    return tuple(parts + [0] * (4 - len(parts)))


def parse_fileset_listing(text: str, fileset: str) -> list[FilesetRecord]:
    """Every record of `fileset` in a colon listing (any of the three layouts), in output order."""
    records = []
    for line in lines(text):
        if not line or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split(":")]
        if len(fields) < 3 or fields[1] != fileset or not _LEVEL.fullmatch(fields[2]):
            continue
        if fields[0].startswith("/"):  # lslpp -lc: Path:Fileset:Level:PTF Id:State:...
            state = fields[4] if len(fields) > 4 else None
        else:  # lslpp -Lc: Package:Fileset:Level:State:...; installp -L has no state there
            state = fields[3] if len(fields) > 3 else None
        records.append(FilesetRecord(fileset, fields[2], state or None, line.strip()))
    return records


def highest_level(records: list[FilesetRecord]) -> str | None:
    if not records:
        return None
    return max((r.level for r in records), key=level_key)


def not_installed_line(text: str, fileset: str) -> str | None:
    """The `... Fileset X not installed.` line if lslpp printed it."""
    for line in lines(text):
        m = _NOT_INSTALLED.search(line)
        if m and m.group(1) == fileset:
            return line.strip()
    return None
