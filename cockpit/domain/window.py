"""The maintenance window: its countdown, each host's ETA, who will miss the end, and the cutoff.

A window has a start, an end and a cutoff after which no new host starts (a host started at 03:55
in a window ending at 04:00 would still be migrating when the business comes back). A host's ETA is
its remaining phases (or steps) at their expected durations, the one under way counted from when it
began; each expected duration is the runbook's typical one refined by what this fleet has already
done: a phase that took 12 minutes on the hosts that finished it is expected to take about that on
the others (the runbook's figure counts as one more observation, so one odd host does not swing it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cockpit.domain.events import TargetChanged
from cockpit.domain.models import TargetState
from cockpit.domain.stall import format_duration


@dataclass(frozen=True)
class Window:
    start: float
    """Epoch seconds."""
    end: float
    cutoff: float | None = None
    """No host starts after this (None: the end)."""

    @property
    def last_start(self) -> float:
        return self.cutoff if self.cutoff is not None else self.end

    def past_cutoff(self, now: float) -> bool:
        return now >= self.last_start

    def countdown(self, now: float) -> str:
        """`window opens in 12m00s`, `2h14m left · cutoff in 1h14m`, `20m00s left · past the cutoff: no new
        host starts`, `window closed 5m00s ago`."""
        if now < self.start:
            return f"window opens in {format_duration(self.start - now)}"
        if now >= self.end:
            return f"window closed {format_duration(now - self.end)} ago"
        left = f"{format_duration(self.end - now)} left"
        if self.cutoff is None:
            return left
        if now >= self.cutoff:
            return f"{left} · past the cutoff: no new host starts"
        return f"{left} · cutoff in {format_duration(self.cutoff - now)}"


@dataclass
class _Track:
    phase: int | None = None
    since: float | None = None
    """When the current phase began (the first event that showed it)."""
    actual: float = 0.0
    """Seconds this target took for the phases it finished ..."""
    expected: float = 0.0
    """... and what the fleet expected of them: their ratio is the target's own pace."""

    @property
    def pace(self) -> float:
        # A host that took twice as long so far (a busy VIOS, a slow disk) will likely go on so.
        if self.expected <= 0:
            return 1.0
        return min(max(self.actual / self.expected, 0.5), 5.0)


@dataclass
class FleetEta:
    """ETAs from the event stream: feed it every TargetChanged, ask `eta(target, now)`.

    `typical(phase)` is the runbook's expected duration of a phase (or step), in seconds, scaled like
    the plan's clock; `total` how many phases (or steps) a target goes through.
    """

    typical: Callable[[int], float]
    total: int
    observed: dict[int, list[float]] = field(default_factory=dict)
    tracks: dict[str, _Track] = field(default_factory=dict)
    states: dict[str, TargetChanged] = field(default_factory=dict)
    _expected: dict[int, float] = field(default_factory=dict, repr=False)

    def feed(self, event: TargetChanged) -> None:
        track = self.tracks.setdefault(event.target, _Track())
        phase = event.phase
        if phase != track.phase:
            # Learn only from a clean step to the next phase: phases skipped in one chunk share the span.
            stepped = track.phase is not None and phase is not None and phase == track.phase + 1
            if stepped and track.phase is not None and track.since is not None:
                took = max(0.0, event.at - track.since)
                track.expected += self.expected(track.phase)
                track.actual += took
                self._learn(track.phase, took)
            track.phase, track.since = phase, event.at
        previous = self.states.get(event.target)
        ended_now = event.state is TargetState.SUCCEEDED and (previous is None or not previous.state.finished)
        if ended_now and track.phase is not None and track.since is not None:
            self._learn(track.phase, max(0.0, event.at - track.since))
        self.states[event.target] = event

    def _learn(self, phase: int, took: float) -> None:
        self.observed.setdefault(phase, []).append(took)
        self._expected.pop(phase, None)

    def expected(self, phase: int) -> float:
        """The runbook's figure, refined by the fleet: the mean of it and every observed duration.

        Kept until the phase is observed again: the fleet table asks for every running row's ETA
        several times a second, each summing the phases left.
        """
        cached = self._expected.get(phase)
        if cached is None:
            seen = self.observed.get(phase, [])
            cached = self._expected[phase] = (self.typical(phase) + sum(seen)) / (1 + len(seen))
        return cached

    def remaining(self, target: str, now: float) -> float | None:
        """Seconds until `target` is done, or None when it is not under way (pending, finished)."""
        change = self.states.get(target)
        if change is None or change.state not in (TargetState.RUNNING, TargetState.STALLED):
            return None
        track = self.tracks.get(target, _Track())
        pace = track.pace
        current = track.phase or 1
        in_phase = now - track.since if track.since is not None and track.phase is not None else 0.0
        left = max(self.expected(current) * pace - in_phase, 0.0)
        return left + pace * sum(self.expected(p) for p in range(current + 1, self.total + 1))

    def full(self) -> float:
        """Seconds a target that has not started is expected to take."""
        return sum(self.expected(p) for p in range(1, self.total + 1))

    def eta(self, target: str, now: float) -> float | None:
        left = self.remaining(target, now)
        return None if left is None else now + left


def clock_time(epoch: float) -> str:
    """`02:30` on this machine's clock (`02:30:15` when the seconds matter: a compressed demo window)."""
    local = time.localtime(epoch)
    return time.strftime("%H:%M" if local.tm_sec == 0 else "%H:%M:%S", local)


def misses(eta: float | None, window: Window | None) -> bool:
    """True when the ETA is past the window's end."""
    return eta is not None and window is not None and eta > window.end


__all__ = ["FleetEta", "Window", "clock_time", "misses"]
