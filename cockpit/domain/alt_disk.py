"""Reading an alt_disk_copy / alt_disk_mksysb log as it grows: its three phases, errors, the end.

Phases are announced by `## Phase N ###` banners (AIX prints them for each phase run); a log
without banners moves on the lines each phase prints. The run succeeded when phase 3 set the
bootlist with no fatal message before it (the rule `cockpit diagnose` applies to a saved log).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cockpit.domain import catalogue

PHASES = 3
BANNER = re.compile(r"^#{2,}\s*Phase\s+([1-3])\s*#{3,}\s*$")
BOOTLIST_SET = re.compile(r"^Bootlist is set to the boot disk: (\S+)")
_PHASE_LINES = (
    (1, re.compile(r"^Calling mkszfile")),
    (1, re.compile(r"^Creating cloned rootvg volume group")),
    (3, re.compile(r"^Modifying ODM on cloned disk\.")),
    (3, re.compile(r"^Fixing LV control blocks")),
)
FATAL_CODES = catalogue.fatal_codes()


@dataclass
class AltDiskTracker:
    """Feed lines in order; read `phase`, `done`, `error_line` at any time (as NimadmTracker)."""

    phase: int | None = None
    done: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    failed_in_phase: int | None = None

    def feed(self, line: str) -> bool:
        """Consume one line; True when the phase changed."""
        m = BANNER.match(line)
        n = int(m.group(1)) if m else next((p for p, r in _PHASE_LINES if r.match(line)), None)
        changed = n is not None and n != self.phase and (self.phase is None or n > self.phase)
        if changed:
            self.phase = n
        m = catalogue.CODE.search(line) if "-" in line else None
        if m is not None and m.group(1) in FATAL_CODES:
            self.errors.setdefault(m.group(1), line.strip())
            if self.failed_in_phase is None:
                self.failed_in_phase = self.phase
        if self.phase == PHASES and BOOTLIST_SET.match(line) and not self.errors:
            self.done = True
        return changed

    @property
    def error_line(self) -> str | None:
        return next(iter(self.errors.values()), None)
