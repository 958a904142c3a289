"""When a step's output reached each of its bytes, as the step's host tells it.

The step's wrapper (domain/remote_step.py) keeps a `timing` file in the step directory: the epoch
second the step started, a sample `mark BYTES SECONDS` of the output's size every few seconds while
it runs, and the second it ended. A cockpit that follows the step live dates what it reads by its
own clock; one that comes back to it (`--resume` after a crash, a re-attach) reads a backlog of
output that was written while nobody watched, and dates it from these samples instead: a nimadm
phase banner read an hour late is dated when the host wrote it, to within one sample. The reader
adds the host's clock and the output's size at the moment it read (`now BYTES SECONDS`), so the
host's seconds are moved onto the cockpit's clock (a host whose clock is off by minutes still gives
the right durations and order).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property

from cockpit.domain.names import quote

EPOCH = (
    "cockpit_now() { t=$(date +%s 2>/dev/null); case $t in '' | *[!0-9]*) t=$(perl -e 'print time' 2>/dev/null);;"
    " esac; case $t in '' | *[!0-9]*) t=$(awk 'BEGIN { srand(); print srand() }');; esac; echo \"$t\"; }"
)
"""A shell function printing the epoch second: `date +%s` where date has it (not a POSIX field
descriptor, absent from older AIX), else perl's `time` (perl is part of AIX's base system), else
awk's `srand()`, whose previous seed is the time of day (POSIX; mawk, busybox awk)."""


@dataclass(frozen=True)
class HostTimes:
    """A step's `timing` file, on the cockpit's clock."""

    start: float | None = None
    end: float | None = None
    marks: tuple[tuple[int, float], ...] = ()
    """(bytes of output, when it had that many), in the order taken (sizes never shrink)."""
    skew: float = 0.0
    """Seconds to add to a host time to get the cockpit's (the cockpit's clock minus the host's)."""

    @classmethod
    def parse(cls, text: str, cockpit_now: float) -> HostTimes:
        """Read the file as `read_script` prints it; `cockpit_now` is the cockpit's clock when it read it."""
        start = end = host_now = None
        marks: list[tuple[int, float]] = []
        for line in text.splitlines():
            word, *rest = line.split() or [""]
            numbers = [int(x) for x in rest if x.isdigit()]
            if len(numbers) != len(rest):
                continue  # a line cut by a crash of the writer, or not ours
            if word == "start" and len(numbers) == 1:
                start = numbers[0]
            elif word == "end" and len(numbers) == 1:
                end = numbers[0]
            elif word in ("mark", "now") and len(numbers) == 2:
                if not marks or (numbers[0] >= marks[-1][0] and numbers[1] >= marks[-1][1]):
                    marks.append((numbers[0], float(numbers[1])))
                if word == "now":
                    host_now = numbers[1]
        skew = cockpit_now - host_now if host_now is not None else 0.0
        if start is not None:
            marks.insert(0, (0, float(start)))
        moved = tuple((size, t + skew) for size, t in marks)
        return cls(
            start=start + skew if start is not None else None,
            end=end + skew if end is not None else None,
            marks=moved,
            skew=skew,
        )

    @cached_property
    def _sizes(self) -> list[int]:
        return [size for size, _ in self.marks]

    def at(self, position: int) -> float | None:
        """When the output first had `position` bytes (on the cockpit's clock), or None when no sample
        reaches it. Between the last sample below and the first at or above, linearly: the bytes were
        written somewhere in between, so the estimate is off by at most one sampling interval."""
        if not self.marks:
            return None
        hi = bisect.bisect_left(self._sizes, position)
        if hi >= len(self.marks):
            return None
        size_hi, t_hi = self.marks[hi]
        if hi == 0 or size_hi == position:
            return t_hi
        size_lo, t_lo = self.marks[hi - 1]
        return t_lo + (t_hi - t_lo) * (position - size_lo) / (size_hi - size_lo)


def read_script(directory: str) -> str:
    """Print the step's `timing` file, then `now BYTES SECONDS`: its output's size and the host's clock now."""
    d = quote(directory)
    return "\n".join(
        [
            EPOCH,
            f"[ -f {d}/timing ] && cat {d}/timing",
            f"s=0; [ -f {d}/out ] && s=$(wc -c < {d}/out)",
            'echo "now $((s + 0)) $(cockpit_now)"',
        ]
    )


__all__ = ["EPOCH", "HostTimes", "read_script"]
