"""The maintenance window during a run: targets whose ETA passes its end are flagged, and past its
cutoff no target that never started starts."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from cockpit.config.models import Config
from cockpit.domain.events import CUTOFF_PASSED, Event, TargetChanged, eta_past_end
from cockpit.domain.models import TargetState
from cockpit.domain.window import FleetEta, Window, clock_time, misses
from cockpit.engine.journal import Journal
from cockpit.engine.run.context import RunContext


def window_of(config: Config) -> Window | None:
    """The plan's window in epoch seconds (None: the plan has none)."""
    w = config.plan.window
    if w is None:
        return None
    return Window(w.epoch(w.start), w.epoch(w.end), w.epoch(w.cutoff) if w.cutoff is not None else None)


class EtaSink:
    """Feeds the run's TargetChanged events to its ETA model."""

    def __init__(self, eta: FleetEta) -> None:
        self._eta = eta

    def emit(self, event: Event) -> None:
        # Only targets that go through the run's phases: an alt_disk_copy followed by attach in a
        # nimadm run has 3, not 12, and nimadm's phase table would give it a wrong ETA.
        if isinstance(event, TargetChanged) and event.phases_total == self._eta.total:
            self._eta.feed(event)


def feed_history(eta: FleetEta, journal: Journal, run_id: str, total: int) -> None:
    """A resumed run's ETAs start from what the run did before (as a watcher's do): every state
    change the journal kept, in order."""
    for e in journal.events_after(run_id):
        if e.kind != "state" or not e.target:
            continue
        phase = e.detail.get("phase")
        state = TargetState(e.detail.get("state", TargetState.PENDING.value))
        eta.feed(TargetChanged(e.target, state, phase if isinstance(phase, int) else None, total, e.at))


class WindowWatch:
    def __init__(self, context: RunContext, window: Window | None, eta: FleetEta) -> None:
        self._run = context
        self.window = window
        self.eta = eta
        """ETAs from this run's events (the UI and the watch read it)."""
        self.flagged: set[str] = set()
        """Targets already announced as missing the window's end."""

    def cut_off(self, target: str) -> bool:
        """Past the window's cutoff a target that never started does not start; True when so."""
        run = self._run
        if self.window is None or not self.window.past_cutoff(run.clock()):
            return False
        runner = run.runners[target]
        when = clock_time(self.window.last_start)
        runner.progress.error = f"not started: the window's cutoff ({when}) has passed"
        runner.finish(TargetState.BLOCKED, reason=CUTOFF_PASSED)
        run.journal.record_event(run.run_id, target, "cutoff", {"cutoff": self.window.last_start})
        return True

    @contextlib.asynccontextmanager
    async def watching(self) -> AsyncIterator[None]:
        """Watch the window (when the plan has one) while the body runs."""
        task = asyncio.create_task(self._watch(self.window), name="window") if self.window else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _watch(self, window: Window) -> None:
        """Flag targets whose ETA passes the window's end (once each), and at the cutoff stop every
        target still waiting for a slot: the operator sees it at once, not when a slot frees up."""
        run = self._run
        cut = False
        while True:
            now = run.clock()
            for target, runner in run.runners.items():
                eta = self.eta.eta(target, now)
                if target not in self.flagged and misses(eta, window):
                    self.flagged.add(target)
                    end, at = clock_time(window.end), clock_time(eta or now)
                    run.journal.record_event(run.run_id, target, "eta-past-window", {"eta": eta, "end": window.end})
                    runner.announce(eta_past_end(at, end))
            if not cut and window.past_cutoff(now):
                cut = True
                run.act(None, "cutoff", "the window's cutoff passed: no new host starts")
                for target, runner in run.runners.items():
                    if runner.progress.state is TargetState.PENDING and not run.launched(target) and not run.lockstep:
                        self.cut_off(target)
            await asyncio.sleep(1.0 if window.end - now > 60 else 0.2)
