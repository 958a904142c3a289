"""The maintenance window's countdown and the fleet's ETAs (cockpit/domain/window.py), on a fixed clock."""

from __future__ import annotations

from cockpit.domain.events import TargetChanged
from cockpit.domain.models import TargetState
from cockpit.domain.window import FleetEta, Window, misses

RUNNING, OK = TargetState.RUNNING, TargetState.SUCCEEDED
T0 = 1_000_000.0


def change(target: str, phase: int | None, at: float, state: TargetState = RUNNING) -> TargetChanged:
    return TargetChanged(target, state, phase, 3, at, started_at=T0)


def test_the_countdown_reads_as_an_operator_says_it() -> None:
    w = Window(start=T0, end=T0 + 6 * 3600, cutoff=T0 + 4 * 3600)
    assert w.countdown(T0 - 720) == "window opens in 12m00s"
    assert w.countdown(T0 + 3600) == "5h00m left · cutoff in 3h00m"
    assert w.countdown(T0 + 5 * 3600) == "1h00m left · past the cutoff: no new host starts"
    assert w.countdown(T0 + 6 * 3600 + 300) == "window closed 5m00s ago"
    assert not w.past_cutoff(T0 + 4 * 3600 - 1) and w.past_cutoff(T0 + 4 * 3600)
    assert Window(T0, T0 + 60).last_start == T0 + 60  # no cutoff: the end


def test_eta_is_the_remaining_phases_at_their_expected_durations() -> None:
    eta = FleetEta(lambda phase: 600.0, total=3)  # three 10-minute phases
    eta.feed(change("lpar01", 1, T0))
    assert eta.eta("lpar01", T0 + 120) == T0 + 1800  # 8 min left of phase 1, then 2 x 10
    assert eta.eta("lpar02", T0) is None  # never heard of: not under way
    eta.feed(change("lpar01", None, T0 + 1800, OK))
    assert eta.eta("lpar01", T0 + 1800) is None  # finished


def test_what_the_fleet_did_refines_the_runbooks_figures() -> None:
    eta = FleetEta(lambda phase: 600.0, total=3)
    eta.feed(change("lpar01", 1, T0))
    assert eta.expected(1) == 600  # nothing observed yet: the runbook's figure
    eta.feed(change("lpar01", 2, T0 + 1800))  # phase 1 took 30 minutes, not 10
    assert eta.expected(1) == (600 + 1800) / 2  # the runbook's figure counts as one observation
    eta.feed(change("lpar02", 1, T0 + 1800))
    assert eta.eta("lpar02", T0 + 1800) == T0 + 1800 + 1200 + 600 + 600


def test_a_slow_host_is_expected_to_stay_slow_and_misses_the_end() -> None:
    eta = FleetEta(lambda phase: 600.0, total=3)
    window = Window(start=T0, end=T0 + 3600)
    for host in ("fast", "slow"):
        eta.feed(change(host, 1, T0))
    eta.feed(change("fast", 2, T0 + 600))
    eta.feed(change("slow", 2, T0 + 1500))  # 25 minutes for a phase the fleet does in about 10
    now = T0 + 1500
    fast, slow = eta.eta("fast", now), eta.eta("slow", now)
    assert fast is not None and not misses(fast, window)
    assert slow is not None and misses(slow, window)
    assert slow - now > 2 * (1800 - 600)  # its own pace (x2.5, capped) applies to what is left


def test_phases_seen_together_in_one_chunk_teach_nothing() -> None:
    eta = FleetEta(lambda phase: 60.0, total=12)
    eta.feed(change("lpar01", 2, T0))
    eta.feed(change("lpar01", 5, T0 + 30))  # phases 3 and 4 flashed by between two looks
    assert eta.observed == {}
