"""The fleet table's columns: which fit the width, how wide each is, and what each cell says. No Textual.

Host, state, phase and the reason (the last-line column) never go: on a narrow terminal the phase bar
shrinks, then only `11/12` stays, then the ETA column goes, and the reason keeps the rest of the line
(without the `phase 11:` the phase column says already).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cockpit.domain.models import TargetState
from cockpit.ui.bridge import TargetView
from cockpit.ui.present import BAR_CELLS, STATE_LOOKS, format_elapsed, phase_bar, state_text, truncate

STATE_WIDTH = max(len(state_text(s)) for s in TargetState)
ELAPSED_WIDTH = 8
ETA_WIDTH = len("! 00:00:00")
MIN_NAME_WIDTH = 6
MAX_NAME_WIDTH = 32
MIN_LAST_WIDTH = 20
PADDING = 1
"""Blank cells on each side of every cell (as DataTable's cell_padding)."""
SCROLLBAR = 2
"""Room kept for a vertical scrollbar so that a long fleet never scrolls sideways."""

COLUMN_KEYS: tuple[str, ...] = ("target", "state", "phase", "elapsed", "eta", "last")
_LABELS = dict(zip(COLUMN_KEYS, ("target", "state", "phase", "elapsed", "ETA", "last line"), strict=True))

TICKING = (TargetState.RUNNING, TargetState.STALLED)
EXPLAINED = (TargetState.FAILED, TargetState.BLOCKED, TargetState.UNREACHABLE, TargetState.STALLED)
"""States whose last-line column says why (error, reason, silence) in the state's colour."""

# Log lines may carry control characters (a tab, a stray escape); on screen they would move the
# terminal's cursor. One cell each, like Log's replacement.
_CONTROLS = {c: "\ufffd" for c in (*range(0x20), 0x7F)} | {0x09: " "}

Cell = tuple[str, str | None, bool]
"""What a cell shows: plain text, theme variable for its colour (None: default), bold."""

EtaOf = Callable[[str], tuple[str, bool]]
"""A target's ETA as shown (`02:41`, blank when not under way) and whether it misses the window's end."""

# (bar cells, ETA shown, the last-line column's least width for this layout), widest first.
_TIERS = ((BAR_CELLS, True, 40), (6, True, 36), (0, True, 32), (0, False, 0))


@dataclass(frozen=True)
class Layout:
    name: int
    bar: int
    """Cells of the phase bar (0: only `11/12`)."""
    eta: bool
    last: int
    total: int = 12
    """Phases (or steps) a target goes through: the width of `11/12`."""

    @property
    def keys(self) -> tuple[str, ...]:
        return COLUMN_KEYS if self.eta else tuple(k for k in COLUMN_KEYS if k != "eta")

    @property
    def phase(self) -> int:
        return len(phase_bar(self.total, self.total, self.bar))

    @property
    def widths(self) -> tuple[int, ...]:
        middle = (STATE_WIDTH, self.phase, ELAPSED_WIDTH, *((ETA_WIDTH,) if self.eta else ()))
        return (self.name, *middle, self.last)

    @property
    def width(self) -> int:
        return sum(self.widths) + 2 * PADDING * len(self.keys)

    def labels(self, unit: str) -> tuple[str, ...]:
        return tuple(unit if k == "phase" else _LABELS[k] for k in self.keys)


def choose_layout(width: int, names: Iterable[str], *, eta: bool, total: int = 12) -> Layout:
    """The widest layout whose reason column keeps its room in `width` cells."""
    name = min(max([MIN_NAME_WIDTH, *(len(n) for n in names)]), MAX_NAME_WIDTH)
    for bar, with_eta, least in _TIERS:
        shown = with_eta and eta  # without an ETA source the tiers differ by the bar alone
        layout = Layout(name, bar, shown, 0, total)
        last = width - layout.width - SCROLLBAR
        if last >= least:
            return Layout(name, bar, shown, max(last, MIN_LAST_WIDTH), total)
    return Layout(name, 0, False, MIN_LAST_WIDTH, total)


def last_text(view: TargetView, now: float, *, phase_prefix: bool = True) -> str:
    """The last-line column: the last line, or why the target is not simply running."""
    change = view.change
    state = view.state
    if change is None:
        return view.last_line
    if state is TargetState.FAILED:
        if change.error:  # the line that explains it (e.g. 0516-082) and where it happened
            unit = "step" if change.step else "phase"
            return f"{unit} {change.phase}: {change.error}" if change.phase and phase_prefix else change.error
        return change.reason or view.last_line or "failed"
    if state is TargetState.BLOCKED:
        # The engine's error names the gate's reasons ("not started: nimsh.active: ..."); its
        # reason only says who blocked it ("blocked by preflight").
        return change.error or change.reason or view.last_line
    if state in (TargetState.UNREACHABLE, TargetState.ROLLED_BACK):
        return change.reason or change.error or view.last_line
    if state is TargetState.STALLED:
        # How long it has been quiet (ticking) and the last thing it said; the engine's reason
        # is a snapshot of the same silence, shown in the log pane's header.
        silent = view.silent_for(now)
        if silent is None:
            return change.reason or view.last_line
        return f"silent {format_elapsed(silent)} · {view.last_line}"
    if change.step and state is TargetState.RUNNING and not view.last_line:
        return change.step  # a step-by-step runbook: the step under way until it prints
    return view.last_line


def cells(view: TargetView, now: float, layout: Layout, eta_of: EtaOf | None) -> list[Cell]:
    state = view.state
    look = STATE_LOOKS[state]
    bar_color = "foreground-muted" if state is TargetState.PENDING else look.color
    elapsed_color = "warning" if state is TargetState.STALLED else None
    last_color = look.color if state in EXPLAINED else None
    # Without the bar the phase column is narrow and says the phase: the reason need not repeat it.
    said = last_text(view, now, phase_prefix=layout.bar > 0)
    return [
        (truncate(view.name, layout.name), None, True),
        (state_text(state), look.color, state in (TargetState.FAILED, TargetState.STALLED)),
        (phase_bar(view.phase, view.phases_total, layout.bar), bar_color, False),
        (format_elapsed(view.elapsed(now)), elapsed_color, False),
        *([eta_cell(view.name, eta_of)] if layout.eta and eta_of is not None else []),
        (truncate(said.translate(_CONTROLS), layout.last), last_color, False),
    ]


def eta_cell(target: str, eta_of: EtaOf) -> Cell:
    text, late = eta_of(target)
    # Late: the ETA is past the window's end; the `!` says so without colour (NO_COLOR).
    return (f"! {text}", "warning", True) if late and text else (text, None, False)
