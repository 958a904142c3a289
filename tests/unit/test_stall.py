"""Stall rules: silence past the phase's threshold, or a phase far past its typical duration."""

from cockpit.domain.stall import NIMADM_TIMING, PhaseTiming, format_duration, stall_reason, timing_for


def test_silence_past_threshold_is_stalled_with_how_long() -> None:
    t = PhaseTiming(expected=60, silence=300)
    reason = stall_reason(phase=3, phase_started_at=0, last_output_at=10, now=10 + 301, timing=t)
    assert reason == "silent for 5m01s in phase 3 (threshold 5m00s)"


def test_output_within_threshold_is_alive() -> None:
    t = PhaseTiming(expected=60, silence=300)
    assert stall_reason(phase=3, phase_started_at=0, last_output_at=100, now=120, timing=t) is None


def test_phase_running_four_times_its_typical_duration_is_stalled_even_when_printing() -> None:
    t = PhaseTiming(expected=60, silence=300)
    reason = stall_reason(phase=5, phase_started_at=0, last_output_at=239, now=240, timing=t)
    assert reason == "phase 5 running 4m00s, 4x its typical 1m00s"


def test_time_scale_and_overrides_apply() -> None:
    assert timing_for(6, scale=0.01).silence == NIMADM_TIMING[6].silence * 0.01
    assert timing_for(3, overrides={3: PhaseTiming(120, 600)}) == PhaseTiming(120, 600)
    assert timing_for(None) == NIMADM_TIMING[None]


def test_phase_6_tolerates_longer_silence_than_phase_3() -> None:
    # installp is quiet for minutes; a hung NFS mount in phase 3 must be noticed much sooner.
    assert NIMADM_TIMING[6].silence > NIMADM_TIMING[3].silence


def test_format_duration() -> None:
    assert [format_duration(s) for s in (0, 59.6, 61, 3600 + 125)] == ["0s", "1m00s", "1m01s", "1h02m"]


def test_the_nimadm_model_adds_up_to_the_public_figures() -> None:
    from cockpit.domain import stall

    total = sum(t.expected for t in stall.NIMADM_TIMING.values())
    assert abs(total - stall.PUBLIC_RUN) <= 10 * stall.MINUTE  # about one hour per client
    assert stall.NIMADM_TIMING[6].expected == stall.PUBLIC_INSTALL_PHASE  # installp about 30 minutes
    # No phase is let run past IBM's own 4-hour limit for a whole nimadm before it counts as stalled.
    assert all(t.expected * stall.OVERRUN_FACTOR <= stall.PUBLIC_TIMEOUT for t in stall.NIMADM_TIMING.values())
