"""Stand-ins for the SSH side of the engine, for the UI and memory benches (no simulator, no network).

Two ways to put a fleet's nimadm output into a sink, both with the real text of a nimadm run
(bench/_nimadm_text.py, repeated when a target needs more lines than one run prints):

  EventFeed   builds the engine's events directly: LogLines batches (first_seq numbered like the
              engine's) and a TargetChanged when a phase banner goes by. Costs the loop almost
              nothing itself, so a lag measured with it is the UI's (bridge + widgets).
  EngineFeed  hands raw bytes to the engine's own per-target code: TargetRunner._chunk, i.e.
              LogStore.append (the log file on disk) + LineSplitter + NimadmTracker + the journal's
              byte-offset update + the sink. This is exactly what StepFollower.follow calls for each
              chunk an SSH read returns; only the SSH read itself is missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from _nimadm_text import nimadm_lines

from cockpit.domain.events import EventSink, LogLines, RunStarted, TargetChanged
from cockpit.domain.models import TargetProgress, TargetState
from cockpit.domain.nimadm import PHASE_BANNER
from cockpit.domain.remote_step import RemoteStep
from cockpit.engine.journal import Journal
from cockpit.engine.logstore import LogStore
from cockpit.engine.target import StepSpec, TargetRunner

RUN_ID = "bench-run"


class _Text:
    """One run's lines, shared by every target (each target reads it at its own position)."""

    def __init__(self, installp_lines: int) -> None:
        self.lines = nimadm_lines("lpar01", installp_lines)
        self.data = [(line + "\n").encode() for line in self.lines]
        self.phase_at = [int(m.group(1)) if (m := PHASE_BANNER.match(x)) else 0 for x in self.lines]


class EventFeed:
    """LogLines / TargetChanged events for `targets`, as the engine would emit them."""

    def __init__(self, targets: list[str], sink: EventSink, installp_lines: int, clock: Callable[[], float]) -> None:
        self.targets = targets
        self.sink = sink
        self.clock = clock
        self.text = _Text(installp_lines)
        self.pos = dict.fromkeys(targets, 0)
        self.seq = dict.fromkeys(targets, 0)
        self.phase: dict[str, int | None] = dict.fromkeys(targets)
        self.started = clock()
        self.lines_out = 0

    def start(self) -> None:
        self.sink.emit(RunStarted(RUN_ID, "nimadm", tuple(self.targets), self.clock()))
        for t in self.targets:
            self._changed(t)

    def _changed(self, target: str, reason: str | None = None) -> None:
        now = self.clock()
        self.sink.emit(
            TargetChanged(
                target,
                TargetState.RUNNING,
                self.phase[target],
                12,
                now,
                started_at=self.started,
                last_output_at=now,
                reason=reason,
            )
        )

    def announce(self, target: str, reason: str) -> None:
        """A TargetChanged without a phase change (a note, a stall flag going on or off)."""
        self._changed(target, reason)

    def feed(self, target: str, count: int) -> None:
        """The next `count` lines of `target` as one LogLines (one SSH chunk's worth)."""
        lines = self.text.lines
        pos = self.pos[target]
        out: list[str] = []
        new_phase = None
        while count > 0:
            end = min(len(lines), pos + count)
            out += lines[pos:end]
            for p in self.text.phase_at[pos:end]:
                if p:
                    new_phase = p
            count -= end - pos
            pos = end % len(lines)
        self.pos[target] = pos
        self.sink.emit(LogLines(target, tuple(out), self.seq[target]))
        self.seq[target] += len(out)
        self.lines_out += len(out)
        if new_phase is not None and new_phase != self.phase[target]:
            self.phase[target] = new_phase
            self._changed(target)


class EngineFeed:
    """Raw output bytes through the engine's TargetRunner._chunk for every target."""

    def __init__(
        self, targets: list[str], sink: EventSink, installp_lines: int, directory: Path, clock: Callable[[], float]
    ) -> None:
        self.targets = targets
        self.text = _Text(installp_lines)
        self.logs = LogStore(directory / "logs")
        self.journal = Journal(directory / "journal.sqlite")
        self.journal.start_run(RUN_ID, "nimadm", "<bench>")
        self.runners: dict[str, TargetRunner] = {}
        self.pos = dict.fromkeys(targets, 0)
        self.lines_out = 0
        self.bytes_out = 0
        for t in targets:
            remote = RemoteStep.under("/var/tmp/cockpit", RUN_ID, f"{t}.nimadm")
            spec = StepSpec(t, "nimadm", "nimadm -c " + t, remote)
            self.journal.plan_step(RUN_ID, t, spec.name, "nim01", spec.command, remote.directory)
            progress = TargetProgress(t)
            progress.state, progress.started_at = TargetState.RUNNING, clock()
            runner = TargetRunner(progress, sink, self.logs, self.journal, RUN_ID, clock)
            runner.current = spec
            self.runners[t] = runner
        self.sink = sink
        self.clock = clock

    def start(self) -> None:
        self.sink.emit(RunStarted(RUN_ID, "nimadm", tuple(self.targets), self.clock()))
        for runner in self.runners.values():
            runner.announce()

    def announce(self, target: str, reason: str) -> None:
        self.runners[target].announce(reason)

    def feed(self, target: str, count: int) -> None:
        """The next `count` lines of `target` as one chunk of bytes (as one SSH read returns it)."""
        data = self.text.data
        pos = self.pos[target]
        parts: list[bytes] = []
        while count > 0:
            end = min(len(data), pos + count)
            parts += data[pos:end]
            count -= end - pos
            pos = end % len(data)
        self.pos[target] = pos
        chunk = b"".join(parts)
        self.runners[target]._chunk(chunk)
        self.lines_out += len(parts)
        self.bytes_out += len(chunk)

    def close(self) -> None:
        self.logs.close()
        self.journal.close()


def monotonic() -> float:
    return time.monotonic()
