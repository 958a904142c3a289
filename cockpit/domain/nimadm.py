"""Reading a nimadm run as it streams: phase banners, errors, the outcome.

Each phase starts with `Executing nimadm phase N.`; a fatal error prints `0505-187 nimadm: Error ...`
(or a pre-check 0505-204/205) followed by `Cleaning up` lines and a `Bootlist is set ...` line that
points back at the ORIGINAL disk - so that line is never read as success (public runs: the Qiita
article and Chris Gibson's multibos post in SOURCES.md). 0505-161 and the phase-5 noise lines occur in
good runs and are warnings only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cockpit.domain import catalogue

PHASES = 12
PHASE_BANNER = re.compile(r"^Executing nimadm phase (\d{1,2})\.$")
MESSAGE_CODE = catalogue.CODE

# Codes that mean the run failed when they appear (the exit status confirms it), and the codes and
# lines seen in successful runs: one table for the live tracker and `cockpit diagnose` (catalogue.py).
FATAL_CODES = catalogue.fatal_codes()
BENIGN_CODES = catalogue.benign_codes()
BENIGN_LINES = catalogue.benign_prefixes()
"""Starts of the uncoded lines of good runs: one `startswith` per line, on the event loop that also
draws the screen (bench/README.md, bottleneck 3)."""
# The line that best explains a failure: a root cause beats the generic wrappers (0505-187, 0042-001).
_WRAPPERS = catalogue.wrapper_codes()


@dataclass
class NimadmTracker:
    """Feed lines in order; read `phase`, `error_line` and `warnings` at any time."""

    phase: int | None = None
    """The phase whose banner was seen last (None before phase 1)."""
    completed_phase_12: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    """Fatal message code -> first line carrying it."""
    warnings: list[str] = field(default_factory=list)
    failed_in_phase: int | None = None

    def feed(self, line: str) -> bool:
        """Consume one line; True when the phase changed."""
        if line.startswith("Executing"):
            m = PHASE_BANNER.match(line)
            if m:
                n = int(m.group(1))
                if 1 <= n <= PHASES:
                    self.phase = n
                    return True
                return False
        code = _code(line) if "-" in line else None  # every message code has a dash: most lines have none
        if code in FATAL_CODES:
            self.errors.setdefault(code, line.strip())
            if self.failed_in_phase is None:
                self.failed_in_phase = self.phase
        elif code in BENIGN_CODES or (code is None and line.startswith(BENIGN_LINES)):
            self.warnings.append(line.strip())
        if self.phase == PHASES and line.startswith("Cleaning up alt_disk_migration on client"):
            self.completed_phase_12 = True
        return False

    @property
    def done(self) -> bool:
        """Phase 12 finished (whether the run succeeded also needs no fatal code: `succeeded`)."""
        return self.completed_phase_12

    @property
    def error_line(self) -> str | None:
        """The first root cause seen, else the first wrapper (0505-187 says less than what came before it)."""
        causes = [line for code, line in self.errors.items() if code not in _WRAPPERS]
        return next(iter(causes or self.errors.values()), None)

    def succeeded(self, exit_status: int) -> bool:
        """Success needs all three: exit 0, the phase-12 cleanup reached, and no fatal code."""
        return exit_status == 0 and self.completed_phase_12 and not self.errors


def _code(line: str) -> str | None:
    m = catalogue.find_code(line)
    return m.group(1) if m else None
