"""When is a silent step stuck? Expected durations and silence thresholds per nimadm phase.

The model starts from public figures (SOURCES.md, "nimadm durations"): a nimadm migration takes about
one hour per client, its installation phase (6, installp) about 30 minutes (the rhdisk0 nimadm notes:
"Typically, it takes ~1 hour per client. The installation phase is ~30 minutes."), and IBM's own Ansible
role for nimadm (IBM/ansible-power-aix roles/nim_alt_disk_migration) waits up to 4 hours for one. How the
rest of the hour splits across the other phases, and the silence thresholds, are the cockpit's estimates,
tuned so that a phase known to print nothing for long stretches (phase 1's rootvg copy, phase 6's
installp) is not flagged early, while an NFS mount in phase 3 that hangs is flagged within minutes.
Every value can be overridden in the plan, and all are multiplied by the plan's time scale (the
simulator compresses an hour into seconds); during a run the fleet's own pace refines them (window.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MINUTE = 60.0


@dataclass(frozen=True)
class PhaseTiming:
    expected: float
    """Typical duration of the phase, seconds."""
    silence: float
    """No output for this long means stalled, seconds."""
    limit: float | None = None
    """Running this long means stalled even while it prints (default: OVERRUN_FACTOR x expected)."""


# Key None = before phase 1 (initialisation and eligibility checks).
NIMADM_TIMING: Mapping[int | None, PhaseTiming] = {
    None: PhaseTiming(1 * MINUTE, 5 * MINUTE),
    1: PhaseTiming(8 * MINUTE, 20 * MINUTE),
    2: PhaseTiming(1 * MINUTE, 5 * MINUTE),
    3: PhaseTiming(1 * MINUTE, 5 * MINUTE),
    4: PhaseTiming(0.2 * MINUTE, 5 * MINUTE),
    5: PhaseTiming(6 * MINUTE, 15 * MINUTE),
    6: PhaseTiming(30 * MINUTE, 20 * MINUTE),
    7: PhaseTiming(0.2 * MINUTE, 5 * MINUTE),
    8: PhaseTiming(2 * MINUTE, 10 * MINUTE),
    9: PhaseTiming(0.5 * MINUTE, 5 * MINUTE),
    10: PhaseTiming(0.5 * MINUTE, 5 * MINUTE),
    11: PhaseTiming(4 * MINUTE, 10 * MINUTE),
    12: PhaseTiming(1 * MINUTE, 5 * MINUTE),
}
OVERRUN_FACTOR = 4.0
"""A phase running this many times its expected duration is stalled even if it still prints."""

PUBLIC_RUN = 60 * MINUTE
"""About one hour per client (rhdisk0 nimadm notes): the phases above add up to it."""
PUBLIC_INSTALL_PHASE = 30 * MINUTE
"""The installation phase (6) takes about 30 minutes (same source)."""
PUBLIC_TIMEOUT = 4 * 60 * MINUTE
"""IBM's Ansible role gives one nimadm 4 hours before it gives up (nim_alt_disk_migration vars/main.yml)."""


def timing_for(
    phase: int | None,
    *,
    scale: float = 1.0,
    overrides: Mapping[int, PhaseTiming] | None = None,
) -> PhaseTiming:
    base = (overrides or {}).get(phase) if phase is not None else None
    base = base or NIMADM_TIMING.get(phase) or NIMADM_TIMING[None]
    return PhaseTiming(base.expected * scale, base.silence * scale)


def stall_reason(
    *,
    phase: int | None,
    phase_started_at: float,
    last_output_at: float,
    now: float,
    timing: PhaseTiming,
    where: str | None = None,
) -> str | None:
    """Why the step is stalled, or None while it looks alive. `where` names the step (default: the phase)."""
    where = where or (f"phase {phase}" if phase else "initialisation")
    silent = now - last_output_at
    if silent >= timing.silence:
        return f"silent for {format_duration(silent)} in {where} (threshold {format_duration(timing.silence)})"
    running = now - phase_started_at
    if timing.limit is not None:
        if running >= timing.limit:
            return f"{where} running {format_duration(running)}, past its timeout of {format_duration(timing.limit)}"
        return None
    if running >= timing.expected * OVERRUN_FACTOR:
        return (
            f"{where} running {format_duration(running)}, {running / timing.expected:.0f}x its typical "
            f"{format_duration(timing.expected)}"
        )
    return None


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}h{m:02d}m"
    if m:
        return f"{m}m{s:02d}s"
    return f"{s}s"
