"""One target's step: stream a command, keep its log, read its progress, announce its state."""

from __future__ import annotations

import time
from collections.abc import Callable

from cockpit.domain.events import EventSink, LogLines, TargetChanged
from cockpit.domain.lines import LineSplitter
from cockpit.domain.models import TargetProgress, TargetState
from cockpit.domain.nimadm import NimadmTracker
from cockpit.engine.logstore import LogStore
from cockpit.transports.base import ConnectionLost, Transport, TransportError


class TargetRunner:
    """Runs the nimadm step of one client on the NIM master and keeps `progress` current."""

    def __init__(
        self,
        progress: TargetProgress,
        sink: EventSink,
        logs: LogStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.progress = progress
        self.sink = sink
        self.logs = logs
        self.clock = clock
        self._seq = 0

    def announce(self, reason: str | None = None) -> None:
        p = self.progress
        self.sink.emit(
            TargetChanged(
                target=p.name,
                state=p.state,
                phase=p.phase,
                phases_total=p.phases_total,
                at=self.clock(),
                started_at=p.started_at,
                finished_at=p.finished_at,
                error=p.error,
                exit_status=p.exit_status,
                reason=reason,
            )
        )

    def finish(self, state: TargetState, reason: str | None = None) -> None:
        p = self.progress
        p.state = state
        p.finished_at = self.clock()
        self.announce(reason)

    async def run(self, transport: Transport, command: str) -> None:
        p = self.progress
        tracker = NimadmTracker()
        try:
            await transport.connect()
        except TransportError as exc:
            p.error = str(exc)
            self.finish(TargetState.UNREACHABLE, reason=str(exc))
            return
        p.state = TargetState.RUNNING
        p.started_at = self.clock()
        self._header(transport, command)
        self.announce()
        try:
            step = await transport.start(command)
            splitter = LineSplitter()
            async for chunk in step.chunks():
                self.logs.append(p.name, chunk)
                self._lines(splitter.feed(chunk), tracker)
            self._lines(splitter.flush(), tracker)
            status = await step.wait()
        except ConnectionLost as exc:
            where = f" in phase {p.phase}" if p.phase else ""
            p.error = f"connection to the NIM master lost{where}: the migration may still be running there"
            self.finish(TargetState.UNREACHABLE, reason=str(exc))
            return
        except TransportError as exc:
            p.error = str(exc)
            self.finish(TargetState.UNREACHABLE, reason=str(exc))
            return
        finally:
            self.logs.close(p.name)
        p.exit_status = status
        p.warnings = tracker.warnings
        if tracker.succeeded(status):
            self.finish(TargetState.SUCCEEDED)
            return
        p.error = tracker.error_line or f"nimadm exited with status {status}"
        where = (
            f"phase {tracker.failed_in_phase or p.phase}"
            if (tracker.failed_in_phase or p.phase)
            else "pre-checks"
        )
        self.finish(TargetState.FAILED, reason=f"failed in {where}")

    def _header(self, transport: Transport, command: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.clock()))
        line = f"# {stamp} cockpit: on {transport.name}: {command}\n"
        self.logs.append(self.progress.name, line.encode())

    def _lines(self, lines: list[str], tracker: NimadmTracker) -> None:
        if not lines:
            return
        p = self.progress
        phase_before = p.phase
        for line in lines:
            tracker.feed(line)
        p.phase = tracker.phase
        for line in reversed(lines):
            if line.strip():
                p.last_line = line
                break
        self.sink.emit(LogLines(p.name, tuple(lines), self._seq))
        self._seq += len(lines)
        if p.phase != phase_before:
            self.announce()
