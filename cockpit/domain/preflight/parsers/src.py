"""`lssrc -s <subsystem>`.

    Subsystem         Group            PID          Status
     nimsh            nimclient        5571004      active
     nimsh            nimclient                     inoperative

The row is found by its first word (the subsystem name), not by the header. The status word is
localised on some hosts, so a row is also taken as running when it carries a PID: SRC shows a PID
only for a subsystem that has a process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cockpit.domain.preflight.parsers.common import lines

NOT_ON_FILE = "0513-085"  # `0513-085 The nimsh Subsystem is not on file.`
_NOT_RUNNING_WORDS = {"inoperative", "stopping", "stopped"}
_PID = re.compile(r"^[0-9]+$")


@dataclass(frozen=True)
class SrcStatus:
    subsystem: str
    group: str | None
    pid: int | None
    status: str
    line: str

    @property
    def active(self) -> bool:
        word = self.status.lower()
        if word == "active":
            return True
        if word in _NOT_RUNNING_WORDS:
            return False
        return self.pid is not None


def parse_lssrc(text: str, subsystem: str) -> SrcStatus | None:
    """The subsystem's row, or None when lssrc printed none (e.g. 0513-085, not defined)."""
    for line in lines(text):
        words = line.split()
        if not words or words[0] != subsystem or len(words) < 2:
            continue
        middle, status = words[1:-1], words[-1]
        pid = next((int(w) for w in middle if _PID.fullmatch(w)), None)
        group = next((w for w in middle if not _PID.fullmatch(w)), None)
        if _PID.fullmatch(status):  # a row cut after the PID: running, status unknown
            pid, status = int(status), ""
        return SrcStatus(subsystem, group, pid, status, line.strip())
    return None
