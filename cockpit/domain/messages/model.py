"""What one catalogue entry says about an AIX message: its text, how bad it is, what to do, where it is from.

Pure data: no I/O. The family modules beside this one hold the entries; `catalogue.py` indexes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["fatal", "error", "warning", "info"]
"""fatal: the operation (and the run) failed; error: a problem with a fix, not by itself the end of the
run; warning: seen in good runs, worth a look; info: not a problem (never reported by `diagnose`)."""

TextStatus = Literal["exact", "partial", "simulated"]
"""exact: as a public source printed it (values as `<name>`); partial: only the part a source showed,
or the gist of the code where no source printed the words; simulated: the cockpit simulator's own
message, printed where no real AIX text is known (never seen on a real host)."""

Host = Literal["master", "client", "host"]
"""Where a fix command runs: the NIM master, the NIM client, or the host that printed the message."""


@dataclass(frozen=True)
class Step:
    """One command of a fix, and where it runs."""

    on: Host
    command: str


@dataclass(frozen=True)
class Entry:
    code: str | None
    """`0516-404`; None for the known lines that carry no code (phase-5 noise)."""
    text: str
    """The message as printed, `<name>` where a value varies; further lines are its continuation."""
    text_status: TextStatus
    severity: Severity
    meaning: str
    """What the message means in a migration."""
    fix: str
    steps: tuple[Step, ...]
    sources: tuple[str, ...]
    """Keys of `sources.SOURCES`: where anyone can read the message and what it means."""
    when: str = ""
    """Where the severity depends on context: when the message is harmless and when it is not."""
    values: re.Pattern[str] | None = None
    """Matched at the code's position (never searched) to read named values (`spot`, `pv` ...) off the line."""
    prefix: str = ""
    """For an entry without a code: the start of the line that identifies it."""
    wrapper: bool = False
    """A generic line printed after the real cause (0505-187, 0042-001): listed after root causes."""

    @property
    def fatal(self) -> bool:
        return self.severity == "fatal"

    @property
    def simulated(self) -> bool:
        return self.text_status == "simulated"

    @property
    def continuation(self) -> int:
        """How many lines AIX prints after the coded line as part of the same message."""
        return self.text.count("\n")

    @property
    def family(self) -> str:
        return FAMILIES.get(self.code[:4], "AIX") if self.code else "uncoded line"


FAMILIES: dict[str, str] = {
    "0042": "NIM",
    "0301": "bosboot",
    "0503": "installp / geninstall",
    "0505": "nimadm / alt_disk",
    "0506": "mount / umount",
    "0509": "loader",
    "0511": "backup / restore",
    "0512": "mksysb / savevg",
    "0513": "SRC (subsystems)",
    "0514": "devices / bootlist",
    "0516": "LVM",
    "0518": "ODM",
    "0565": "multibos",
    "0645": "emgr (interim fixes)",
    "0652": "file commands",
    "0653": "file commands",
    "1430": "Live Update",
}
"""Component prefix -> family, also to describe a code the catalogue does not know."""


def value_pattern(pattern: str) -> re.Pattern[str]:
    """A `values` pattern. It is only ever `match`ed at the position of the code on one clipped line."""
    return re.compile(pattern)
