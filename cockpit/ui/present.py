"""How a target's state is written on screen: glyphs, labels, phase bars, durations, summaries.

Pure Python (no Textual) so the wording can be tested without an app. Colours are named by theme
variable (``"success"``, ``"error"`` ...) and resolved by the widgets against the active theme.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from cockpit.domain.models import TargetState
from cockpit.domain.stall import format_duration
from cockpit.domain.window import Window


@dataclass(frozen=True, slots=True)
class StateLook:
    glyph: str
    label: str
    short: str  # the word used in the fleet summary
    color: str  # a theme variable name, without the "$"


# Glyphs are single-cell, non-emoji code points so column widths hold in every terminal.
STATE_LOOKS: dict[TargetState, StateLook] = {
    TargetState.PENDING: StateLook("○", "pending", "pending", "foreground-muted"),
    TargetState.RUNNING: StateLook("▶", "running", "running", "primary"),
    TargetState.STALLED: StateLook("◐", "stalled", "stalled", "warning"),
    TargetState.SUCCEEDED: StateLook("✓", "succeeded", "ok", "success"),
    TargetState.FAILED: StateLook("✗", "failed", "failed", "error"),
    TargetState.BLOCKED: StateLook("■", "blocked", "blocked", "accent"),
    TargetState.UNREACHABLE: StateLook("◌", "unreachable", "unreachable", "error"),
    TargetState.ROLLED_BACK: StateLook("↺", "rolled back", "rolled back", "foreground"),
}

# Summary order: what needs attention reads first after what is moving.
SUMMARY_ORDER: tuple[TargetState, ...] = (
    TargetState.RUNNING,
    TargetState.STALLED,
    TargetState.PENDING,
    TargetState.SUCCEEDED,
    TargetState.FAILED,
    TargetState.BLOCKED,
    TargetState.UNREACHABLE,
    TargetState.ROLLED_BACK,
)

BAR_CELLS = 12
BAR_FULL = "█"
BAR_EMPTY = "░"


def state_text(state: TargetState) -> str:
    look = STATE_LOOKS[state]
    return f"{look.glyph} {look.label}"


def phase_bar(phase: int | None, total: int, cells: int = BAR_CELLS) -> str:
    """`` 6/12 ██████░░░░░░``: the phase reached and a bar scaled to `cells` characters."""
    total = max(total, 1)
    reached = 0 if phase is None else min(max(phase, 0), total)
    filled = round(reached * max(cells, 0) / total)
    digits = len(str(total))
    shown = "-" if phase is None else str(reached)
    if cells <= 0:
        return f"{shown:>{digits}}/{total}"
    return f"{shown:>{digits}}/{total} {BAR_FULL * filled}{BAR_EMPTY * (cells - filled)}"


def format_elapsed(seconds: float | None) -> str:
    """``mm:ss`` under an hour, ``h:mm:ss`` beyond (a nimadm run takes about an hour)."""
    if seconds is None:
        return ""
    whole = int(max(seconds, 0.0))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def truncate(text: str, width: int) -> str:
    """Cut `text` to `width` characters, marking the cut with an ellipsis."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: width - 1] + "…"


def is_noise(line: str) -> bool:
    """Blank lines and rule lines (``+-----+``, ``## ...###``) say nothing in a one-line preview."""
    stripped = line.strip()
    return not stripped or not stripped.strip("+-=#* ")


def summary_counts(states: Iterable[TargetState]) -> list[tuple[TargetState, int]]:
    """Non-zero counts per state, in SUMMARY_ORDER."""
    counts = Counter(states)
    return [(state, counts[state]) for state in SUMMARY_ORDER if counts[state]]


def summary_text(states: Iterable[TargetState]) -> str:
    """``running 4 · pending 2 · ok 1 · failed 1``."""
    return " · ".join(f"{STATE_LOOKS[s].short} {n}" for s, n in summary_counts(states))


def countdown_short(window: Window, now: float) -> str:
    """The window's countdown in fewer cells: ``6m13s left · cut 5m08s``, ``20m00s left · no starts``."""
    if now < window.start:
        return f"opens in {format_duration(window.start - now)}"
    if now >= window.end:
        return f"closed {format_duration(now - window.end)} ago"
    left = f"{format_duration(window.end - now)} left"
    if window.cutoff is None:
        return left
    if now >= window.cutoff:
        return f"{left} · no starts"
    return f"{left} · cut {format_duration(window.cutoff - now)}"
