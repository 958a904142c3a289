"""The cockpit's own storage during a run: when the journal or a log file can no longer be written.

Why: with the disk full, a journal write raised inside the engine and the target it was about ended
FAILED "internal error" while its nimadm went on and succeeded. A host must never look failed
because the cockpit's disk did. So once a run has started, a failed write of the journal or of a
log is recorded here, told once per file as a CockpitNotice (the headless line, the TUI's
notification), and the run goes on following its hosts; at its end the command says what the
record misses and exits 2 (an environment fault). Before the run starts nothing is tolerated: a
journal that cannot take the run's first rows refuses the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cockpit.domain.events import CockpitNotice, EventSink


@dataclass
class StorageHealth:
    clock: Callable[[], float] = time.time
    tolerate: bool = False
    """Set once the run has started: from then on a failed write is told, not raised."""
    sink: EventSink | None = None
    failures: dict[str, tuple[float, str]] = field(default_factory=dict)
    """path -> (when it first failed, why), in order."""

    def watch(self, sink: EventSink) -> None:
        """The run has started: tell failures to `sink` and tolerate them from now on."""
        self.sink, self.tolerate = sink, True

    def failed(self, path: str, why: str, consequence: str) -> None:
        """Record that writing `path` failed (`why`: the OS's words); tell it the first time."""
        if path in self.failures:
            return
        now = self.clock()
        self.failures[path] = (now, why)
        if self.sink is not None:
            stamp = time.strftime("%H:%M:%S", time.localtime(now))
            self.sink.emit(CockpitNotice(f"cannot write {path} ({why}) since {stamp}: {consequence}", now))

    def summary(self) -> str | None:
        """One line for the end of the run, or None when every write succeeded."""
        if not self.failures:
            return None
        (path, (at, why)), more = next(iter(self.failures.items())), len(self.failures) - 1
        stamp = time.strftime("%H:%M:%S", time.localtime(at))
        others = f" (and {more} more file{'s' if more > 1 else ''})" if more else ""
        return (
            f"{path}: {why} since {stamp}{others}: the hosts were followed to the end, but this run's "
            "journal and logs miss what came after (each step's full output stays in its directory on its host)"
        )
