"""`lsnim -l <object>` stanzas and the client's `/etc/niminfo`.

    adachi-AIX7:
       class          = machines
       Cstate         = ready for a NIM operation

`0042-053 lsnim: there is no NIM object named "quimby07"` when the object does not exist.
/etc/niminfo is a ksh fragment: `export NIM_MASTER_HOSTNAME=adachi-nim`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cockpit.domain.preflight.parsers.common import lines

NO_SUCH_OBJECT = "0042-053"
_HEAD = re.compile(r"^(\S+):\s*$")
_ATTR = re.compile(r"^\s+(\S+)\s*=\s*(.*?)\s*$")
_EXPORT = re.compile(r"""^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=(?:"([^"]*)"|'([^']*)'|(\S*))""")


@dataclass(frozen=True)
class NimObject:
    name: str
    attributes: dict[str, str] = field(default_factory=dict)


def parse_lsnim(text: str) -> NimObject | None:
    """The first object stanza, or None when there is none (0042-053 and friends)."""
    obj: NimObject | None = None
    for line in lines(text):
        if obj is None:
            if m := _HEAD.match(line):
                obj = NimObject(m.group(1))
        elif m := _ATTR.match(line):
            obj.attributes.setdefault(m.group(1), m.group(2))
        elif line.strip():
            break  # the next object's stanza
    return obj


def no_such_object_line(text: str) -> str | None:
    for line in lines(text):
        if NO_SUCH_OBJECT in line:
            return line.strip()
    return None


def parse_niminfo(text: str) -> dict[str, str]:
    values = {}
    for line in lines(text):
        if line.lstrip().startswith("#"):
            continue
        if m := _EXPORT.match(line):
            values[m.group(1)] = next(g for g in m.groups()[1:] if g is not None)
    return values
