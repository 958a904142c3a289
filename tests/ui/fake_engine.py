"""A scripted stand-in for the engine: same contract (run(sink) -> returns when the run ends).

Like the real engine it appends each line to the target's log file *before* emitting it, numbers
lines with LogLines.first_seq, and emits TargetChanged with started_at / finished_at. Tests drive
it either through a script coroutine (with named checkpoints) or directly from the test body,
which runs on the same event loop as the app.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from cockpit.domain.events import EventSink, LogLines, RunFinished, RunStarted, TargetChanged
from cockpit.domain.models import TargetState


class FakeClock:
    """A clock the test moves by hand, so elapsed times (and snapshots) are fixed."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


Script = Callable[["ScriptedEngine"], Awaitable[None]]


class ScriptedEngine:
    def __init__(
        self,
        log_dir: Path,
        clock: FakeClock,
        script: Script | None = None,
        run_id: str = "r-0001",
    ) -> None:
        self.log_dir = log_dir
        self.clock = clock
        self.script = script
        self.run_id = run_id
        self.sink: EventSink | None = None
        self.started = asyncio.Event()
        self.done = asyncio.Event()
        self._reached: dict[str, asyncio.Event] = {}
        self._released: dict[str, asyncio.Event] = {}
        self._written: dict[str, list[str]] = {}
        self._emitted: dict[str, int] = {}
        self._started_at: dict[str, float] = {}
        self._phase: dict[str, int | None] = {}
        self._last_output: dict[str, float] = {}

    # -- the contract ------------------------------------------------------------------------

    async def run(self, sink: EventSink) -> str:
        self.sink = sink
        self.started.set()
        if self.script is not None:
            await self.script(self)
        else:
            await self.done.wait()
        return "done"

    def log_path(self, target: str) -> Path:
        return self.log_dir / f"{target}.log"

    # -- checkpoints ---------------------------------------------------------------------------

    async def checkpoint(self, name: str) -> None:
        """Pause the script here until the test calls release(name)."""
        self._event(self._reached, name).set()
        await self._event(self._released, name).wait()

    async def reached(self, name: str, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._event(self._reached, name).wait(), timeout)

    def release(self, name: str) -> None:
        self._event(self._released, name).set()

    @staticmethod
    def _event(table: dict[str, asyncio.Event], name: str) -> asyncio.Event:
        return table.setdefault(name, asyncio.Event())

    # -- emitting --------------------------------------------------------------------------------

    def emit_event(self, event: object) -> None:
        assert self.sink is not None, "run() has not been called yet"
        self.sink.emit(event)  # type: ignore[arg-type]

    def start_run(self, targets: Sequence[str], runbook: str = "nimadm") -> None:
        self.emit_event(RunStarted(self.run_id, runbook, tuple(targets), self.clock()))

    def finish_run(self, succeeded: Sequence[str], failed: Sequence[str]) -> None:
        self.emit_event(RunFinished(self.run_id, tuple(succeeded), tuple(failed), self.clock()))

    def change(
        self,
        target: str,
        state: TargetState,
        phase: int | None = None,
        *,
        error: str | None = None,
        reason: str | None = None,
        exit_status: int | None = None,
    ) -> None:
        now = self.clock()
        if state in (TargetState.RUNNING, TargetState.STALLED):
            self._started_at.setdefault(target, now)
        if phase is not None:
            self._phase[target] = phase
        self.emit_event(
            TargetChanged(
                target=target,
                state=state,
                phase=self._phase.get(target),
                phases_total=12,
                at=now,
                started_at=self._started_at.get(target),
                finished_at=now if state.finished and target in self._started_at else None,
                error=error,
                exit_status=exit_status,
                reason=reason,
                last_output_at=self._last_output.get(target),
            )
        )

    def write_file(self, target: str, lines: Sequence[str]) -> None:
        """Append lines to the log file without emitting them yet (the engine's write-ahead)."""
        with self.log_path(target).open("a", encoding="utf-8") as f:
            f.writelines(line + "\n" for line in lines)
        self._written.setdefault(target, []).extend(lines)

    def emit_written(self, target: str, batch: int | None = None) -> None:
        """Emit the lines written to the file but not emitted yet, as LogLines of `batch` lines."""
        written = self._written.get(target, [])
        start = self._emitted.get(target, 0)
        step = batch or max(1, len(written) - start)
        if start < len(written):
            self._last_output[target] = self.clock()
        for first in range(start, len(written), step):
            chunk = tuple(written[first : first + step])
            self.emit_event(LogLines(target, chunk, first))
        self._emitted[target] = len(written)

    def log(self, target: str, lines: Sequence[str], batch: int | None = None) -> None:
        """What the engine does with a chunk read from a host: file first, then the event."""
        self.write_file(target, lines)
        self.emit_written(target, batch)

    def lines_of(self, target: str) -> list[str]:
        """Every line written for `target`, in order (the expected content of its log)."""
        return list(self._written.get(target, []))
