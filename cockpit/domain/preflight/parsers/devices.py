"""Special files in `ls -al /dev` and ODM stanzas of `odmget`.

    crw-rw----    1 root     system       43,  0 Nov 20 10:00 hdisk9

Character and block special files show `major, minor` where a regular file shows its size. The
name is the last word (the date has a different shape in other locales, device names no blanks).

    CuDvDr:
            resource = "devno"
            value1 = "43"
            value2 = "0"
            value3 = "hdisk9"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cockpit.domain.preflight.parsers.common import lines

_SPECIAL = re.compile(r"^([bc])\S*\s+[0-9]+\s+\S+\s+\S+\s+([0-9]+),\s*([0-9]+)\s+(.*\S)\s*$")
_STANZA_HEAD = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):\s*$")
_ATTRIBUTE = re.compile(r'^\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"?(.*?)"?\s*$')


@dataclass(frozen=True)
class SpecialFile:
    kind: str
    """`c` character or `b` block."""
    major: int
    minor: int
    name: str
    line: str


def parse_ls_dev(text: str) -> list[SpecialFile]:
    files = []
    for line in lines(text):
        m = _SPECIAL.match(line)
        if m:
            kind, major, minor, rest = m.groups()
            files.append(SpecialFile(kind, int(major), int(minor), rest.split()[-1], line.strip()))
    return files


@dataclass(frozen=True)
class OdmStanza:
    object_class: str
    attributes: dict[str, str] = field(default_factory=dict)
    text: str = ""


def parse_odmget(text: str) -> list[OdmStanza]:
    stanzas: list[OdmStanza] = []
    current: tuple[str, dict[str, str], list[str]] | None = None
    for line in lines(text):
        if m := _STANZA_HEAD.match(line):
            if current:
                stanzas.append(OdmStanza(current[0], current[1], "\n".join(current[2])))
            current = (m.group(1), {}, [line])
        elif current and (m := _ATTRIBUTE.match(line)):
            current[1][m.group(1)] = m.group(2)
            current[2].append(line)
    if current:
        stanzas.append(OdmStanza(current[0], current[1], "\n".join(current[2])))
    return stanzas
