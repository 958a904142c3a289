"""LVM probes: `lspv`, `lsvg <vg>`, `lsvg -l <vg>`, `bootinfo -s <disk>`, `lvlstmajor`.

Layouts (as IBM's Ansible collection for AIX parses them, and its lsvg samples):

    lspv:       hdisk0          00f6a07c1dc6aaaa                    rootvg          active
                hdisk2          00f6a07c1dc6f18a                    altinst_rootvg          (no state)
    lsvg vg:    two columns; `TOTAL PPs: 639 (40896 megabytes)`, `FREE PPs: ...`, `USED PPs: ...`
    lsvg -l vg: LV NAME  TYPE  LPs  PPs  PVs  LV STATE  MOUNT POINT, one LV per row
    lvlstmajor: free major numbers, `0..9,11,13,14,17..42,44...` (`a..b` range, `N...` N and up)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cockpit.domain.preflight.parsers.common import ParseError, lines, number

FREE_VG_WORDS = {"none", "-"}
_LSPV = re.compile(r"^(hdisk\S+)\s+(\S+)\s+(\S+)\s*(\S*)")


@dataclass(frozen=True)
class PhysicalVolume:
    name: str
    pvid: str
    vg: str | None
    """None when the disk is in no volume group (lspv prints `None`)."""
    state: str | None
    line: str


def parse_lspv(text: str) -> list[PhysicalVolume]:
    pvs = []
    for line in lines(text):
        m = _LSPV.match(line.strip())
        if m:
            name, pvid, vg, state = m.groups()
            pvs.append(
                PhysicalVolume(name, pvid, None if vg.lower() in FREE_VG_WORDS else vg, state or None, line.strip())
            )
    if not pvs:
        raise ParseError("no hdisk row in this lspv output")
    return pvs


# `639 (40896 megabytes)`: PPs, then their size in brackets (the unit word is localised).
_PPS = re.compile(r"([0-9]+)\s+\(\s*([0-9]+(?:[.,][0-9]+)?)\s+[^\s)]+\s*\)")
_LABELLED = {
    label: re.compile(label + r":\s*" + _PPS.pattern, re.IGNORECASE) for label in ("TOTAL PPs", "FREE PPs", "USED PPs")
}
_PP_SIZE = re.compile(r"PP SIZE:\s*([0-9]+(?:[.,][0-9]+)?)", re.IGNORECASE)


@dataclass(frozen=True)
class VgSize:
    pp_size_mb: float
    total_pps: int
    free_pps: int
    used_pps: int
    total_mb: float
    free_mb: float
    used_mb: float


def parse_lsvg(text: str) -> VgSize:
    """Sizes from `lsvg <vg>`, by label when the labels are English, else by position.

    Without labels the three `N (M unit)` values appear, reading row by row, as TOTAL, FREE, USED
    (right-hand column of rows 3-5); that reading is accepted only if TOTAL = FREE + USED.
    """
    body = "\n".join(lines(text))
    labelled = [rx.search(body) for rx in _LABELLED.values()]
    found = [m for m in labelled if m is not None]
    if len(found) == 3:
        total, free, used = ((int(m.group(1)), number(m.group(2))) for m in found)
    else:
        values = [(int(m.group(1)), number(m.group(2))) for m in _PPS.finditer(body)]
        if len(values) < 3 or values[0][0] != values[1][0] + values[2][0]:
            raise ParseError("no TOTAL/FREE/USED PPs in this lsvg output")
        total, free, used = values[:3]
    size = _PP_SIZE.search(body)
    if size:
        pp_size = number(size.group(1))
    elif total[0]:
        pp_size = total[1] / total[0]
    else:
        raise ParseError("no PP size in this lsvg output")
    return VgSize(pp_size, total[0], free[0], used[0], total[1], free[1], used[1])


@dataclass(frozen=True)
class LogicalVolume:
    name: str
    type: str
    lps: int
    pps: int
    pvs: int
    state: str
    mount: str
    line: str


def parse_lsvg_lvs(text: str) -> list[LogicalVolume]:
    """Rows of `lsvg -l <vg>`: the ones whose 3rd to 5th words are counts (skips `rootvg:` and header)."""
    lvs = []
    for line in lines(text):
        words = line.split()
        if len(words) < 6 or not all(w.isdigit() for w in words[2:5]):
            continue
        lvs.append(
            LogicalVolume(
                words[0],
                words[1],
                int(words[2]),
                int(words[3]),
                int(words[4]),
                words[5],
                " ".join(words[6:]),
                line.strip(),
            )
        )
    if not lvs:
        raise ParseError("no logical volume row in this lsvg -l output")
    return lvs


def parse_bootinfo_size(text: str) -> int | None:
    """`bootinfo -s hdiskN` prints the size in MB; None when it printed no number (or 0: no disk)."""
    for line in lines(text):
        if line.strip():
            try:
                mb = int(number(line.strip()))
            except ParseError:
                return None
            return mb or None
    return None


@dataclass(frozen=True)
class FreeMajors:
    """The major numbers lvlstmajor says are free."""

    numbers: frozenset[int]
    from_: int | None
    """`N...`: N and every number above it are free."""

    def __contains__(self, major: object) -> bool:
        return isinstance(major, int) and (major in self.numbers or (self.from_ is not None and major >= self.from_))

    @property
    def lowest(self) -> int | None:
        candidates = list(self.numbers) + ([self.from_] if self.from_ is not None else [])
        return min(candidates) if candidates else None


_SINGLE = re.compile(r"^[0-9]+$")
_RANGE = re.compile(r"^([0-9]+)\.\.([0-9]+)$")
_OPEN = re.compile(r"^([0-9]+)\.\.\.$")


def parse_lvlstmajor(text: str) -> FreeMajors:
    """`43,45..50,60...` -> {43, 45..50} and 60 upwards. lvlstmajor.c prints exactly this one line."""
    numbers: set[int] = set()
    from_: int | None = None
    tokens = [t for t in re.split(r"[,\s]+", "\n".join(lines(text))) if t]
    if not tokens:
        raise ParseError("lvlstmajor printed nothing")
    for token in tokens:
        if _SINGLE.fullmatch(token):
            numbers.add(int(token))
        elif m := _RANGE.fullmatch(token):
            low, high = int(m.group(1)), int(m.group(2))
            if high < low:
                raise ParseError(f"lvlstmajor range {token!r} runs backwards")
            numbers.update(range(low, high + 1))
        elif m := _OPEN.fullmatch(token):
            from_ = int(m.group(1)) if from_ is None else min(from_, int(m.group(1)))
        else:
            raise ParseError(f"{token!r} is not a major number, range or `N...` in lvlstmajor output")
    return FreeMajors(frozenset(numbers), from_)
