"""`oslevel -s` levels (VVRR-TL-SP-YYWW, e.g. 7200-05-06-2320) and their order."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cockpit.domain.preflight.parsers.common import ParseError, lines
from cockpit.domain.preflight.parsers.lpp import level_key

_OSLEVEL = re.compile(r"^([0-9])([0-9])00-([0-9]{2})(?:-([0-9]{2})(?:-([0-9]{4}))?)?$")


@dataclass(frozen=True)
class OsLevel:
    """A level as far as it is known: a plan may say 7200-05 or 7200-05-06; a fileset gives V.R.TL."""

    version: int
    release: int
    tl: int
    sp: int | None = None
    build: int | None = None

    @property
    def parts(self) -> tuple[int, ...]:
        known = [self.version, self.release, self.tl]
        for p in (self.sp, self.build):
            if p is None:
                break
            known.append(p)
        return tuple(known)

    def at_least(self, other: OsLevel) -> bool:
        """self >= other, comparing only as many parts as both know (7200-05-06 >= 7200-05)."""
        n = min(len(self.parts), len(other.parts))
        return self.parts[:n] >= other.parts[:n]

    def __str__(self) -> str:
        text = f"{self.version}{self.release}00-{self.tl:02d}"
        if self.sp is not None:
            text += f"-{self.sp:02d}"
            if self.build is not None:
                text += f"-{self.build:04d}"
        return text


def parse_oslevel(text: str) -> OsLevel:
    """The level in `oslevel -s` output or in a plan (`7200-05-06`)."""
    for line in lines(text):
        m = _OSLEVEL.fullmatch(line.strip())
        if m:
            v, r, tl, sp, build = m.groups()
            return OsLevel(int(v), int(r), int(tl), int(sp) if sp else None, int(build) if build else None)
    raise ParseError(f"no oslevel -s level (VVRR-TL-SP-YYWW) in {text.strip()[:80]!r}")


def from_fileset_level(level: str) -> OsLevel:
    """`7.2.5.101` (bos.rte of a 7.2 TL5 lpp_source) -> 7200-05: V.R.M of a base fileset is the TL."""
    v, r, m, _ = level_key(level)
    return OsLevel(v, r, m)
