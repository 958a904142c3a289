"""The fleet screen's top line: run title and status on the left, state counts on the right.

It shortens by priority (cockpit/ui/fit.py) when the terminal is narrow: the title goes first, then the
run id, then the concurrency's wording; the window's countdown, the READ-ONLY and paused badges and the
counts are always there (the counts as glyphs when room is short).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content

from cockpit.domain.models import TargetState
from cockpit.ui.fit import Piece
from cockpit.ui.present import STATE_LOOKS, summary_counts
from cockpit.ui.widgets.priority_line import PriorityLine


def summary_content(states: Iterable[TargetState]) -> Content:
    """``running 4 · pending 2 · ok 1 · failed 1``, each count in its state's theme colour."""
    parts: list[Content | str] = []
    for state, count in summary_counts(states):
        if parts:
            parts.append(" · ")
        look = STATE_LOOKS[state]
        parts.append(Content.styled(f"{look.short} {count}", f"${look.color}"))
    return Content.assemble(*parts) if parts else Content("no targets")


def glyph_content(states: Iterable[TargetState]) -> Content:
    parts: list[Content | str] = []
    for state, count in summary_counts(states):
        if parts:
            parts.append(" ")
        look = STATE_LOOKS[state]
        parts.append(Content.styled(f"{look.glyph}{count}", f"${look.color}"))
    return Content.assemble(*parts) if parts else Content("no targets")


class RunHeader(PriorityLine):
    """Title, run, status, window, gate on the left; the fleet summary on the right."""

    DEFAULT_CSS = """
    RunHeader {
        dock: top;
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    """

    def show_run(
        self,
        title: str,
        status: str,
        states: Iterable[TargetState],
        *,
        run: tuple[str, str] | None = None,
        window: tuple[str, str] | None = None,
        gate: list[Piece[Content]] | None = None,
    ) -> None:
        """`run`: (run id, runbook); `window`: the countdown, long and short; `gate`: the start gate's pieces."""
        states = list(states)
        left: list[Piece[Content]] = [Piece(Content.styled(title, "bold $primary"), 6)]
        if run is not None:
            run_id, runbook = run
            left.append(Piece(Content(f"run {run_id} ({runbook})"), 5, Content(f"run {run_id}")))
        if status:
            left.append(Piece(Content.styled(status, "bold"), 1))
        if window is not None:
            left.append(Piece(Content(window[0]), 0, Content(window[1])))
        left += gate or []
        right = [Piece(summary_content(states), 0, glyph_content(states))]
        self.show(left, right)

    @property
    def summary_text(self) -> str:
        return self.right_text

    @property
    def title_text(self) -> str:
        return self.left_text
