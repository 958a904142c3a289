"""The log pane's top line: target, live state and phase, why it stopped, and whether the pane follows the tail.

At any width the target, its state, its phase and FOLLOWING / PAUSED stay; the elapsed time goes first
and the reason, last on the line, is cut at its end (the log below says it in full).
"""

from __future__ import annotations

from textual.content import Content

from cockpit.domain.models import TargetState
from cockpit.ui.bridge import TargetView
from cockpit.ui.fit import Piece
from cockpit.ui.present import STATE_LOOKS, format_elapsed, state_text
from cockpit.ui.widgets.priority_line import PriorityLine


class LogHeader(PriorityLine):
    """One line: ``web02 · ✗ failed · phase 11/12 · 41:07 · 0516-082 ...      FOLLOWING``."""

    DEFAULT_CSS = """
    LogHeader {
        dock: top;
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    """

    def show_view(self, view: TargetView, now: float, following: bool, waiting: int) -> None:
        state = view.state
        look = STATE_LOOKS[state]
        phase = "-" if view.phase is None else f"{view.phase}/{view.phases_total}"
        left: list[Piece[Content]] = [
            Piece(Content.styled(view.name, "bold")),
            Piece(Content.styled(state_text(state), f"${look.color}")),
            Piece(Content(f"phase {phase}")),
        ]
        elapsed = format_elapsed(view.elapsed(now))
        if elapsed:
            left.append(Piece(Content(elapsed), 3))
        change = view.change
        if change is not None and state is not TargetState.SUCCEEDED:
            why = change.error or change.reason
            if why:
                left.append(Piece(Content.styled(why, f"${look.color}")))
        if following:
            right = [Piece(Content.styled("FOLLOWING", "$success"))]
        else:
            right = [Piece(Content.styled(" PAUSED ", "reverse $warning"))]
            if waiting:
                right.append(Piece(Content(f"{waiting} new lines waiting"), 0, Content(f"+{waiting}")))
        self.show(left, right)
