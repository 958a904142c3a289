"""The troubleshoot screen's top lines: the target's state, why it is there, and which step is on the master."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from cockpit.domain import catalogue
from cockpit.domain.models import TargetState
from cockpit.ui.bridge import TargetView
from cockpit.ui.fit import Piece
from cockpit.ui.present import STATE_LOOKS, format_elapsed, state_text
from cockpit.ui.widgets.priority_line import PriorityLine

_ACTIVE = (TargetState.RUNNING, TargetState.STALLED)


class TroubleHeader(Vertical):
    """Three lines (the reason may take two on a narrow terminal)::

    lpar01 · ◐ stalled · phase 3/12 · 02:13 · silent 00:45
    stalled: silent for 45s in phase 3 (expected ...)
    step lpar01.nimadm · /var/tmp/cockpit/RUN/lpar01.nimadm on nim01

    When the error is an AIX message the catalogue knows, the second line ends with the command that
    explains it (`cockpit explain 0516-404`).
    """

    DEFAULT_CSS = """
    TroubleHeader {
        dock: top;
        height: auto;
        background: $panel;
        padding: 0 1;
    }
    TroubleHeader > #trouble-why {
        max-height: 2;
    }
    TroubleHeader > #trouble-where {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        # Held, not queried: the app's flush may reach this header before it has composed.
        self.first = PriorityLine()
        self.why = Static(id="trouble-why", markup=False)
        self.where = Static(id="trouble-where", markup=False)

    def compose(self) -> ComposeResult:
        yield self.first
        yield self.why
        yield self.where

    def show(self, view: TargetView, now: float, step: str) -> None:
        state = view.state
        look = STATE_LOOKS[state]
        phase = "-" if view.phase is None else f"{view.phase}/{view.phases_total}"
        first: list[Piece[Content]] = [
            Piece(Content.styled(view.name, "bold")),
            Piece(Content.styled(state_text(state), f"bold ${look.color}")),
            Piece(Content(f"phase {phase}")),
        ]
        elapsed = format_elapsed(view.elapsed(now))
        if elapsed:
            first.append(Piece(Content(elapsed), 3))
        silent = view.silent_for(now) if state in _ACTIVE else None
        if silent is not None:
            style = "$warning" if state is TargetState.STALLED else ""
            first.append(Piece(Content.styled(f"silent {format_elapsed(silent)}", style), 1))
        self.first.show(first)
        change = view.change
        why = [part for part in (change.reason, change.error) if part] if change is not None else []
        pointer = explain_pointer(change.error if change is not None else None)
        if pointer:
            why.append(pointer)
        quiet = "no error and no stall so far" if state in _ACTIVE else "no error recorded"
        self.why.update(Content.styled(" · ".join(why) or quiet, f"${look.color}" if why else "$text-muted"))
        self.where.update(Content.styled(step, "$text-muted"))

    @property
    def text(self) -> str:
        lines = [self.first.text, _plain(self.why), _plain(self.where)]
        return "\n".join(lines)


def explain_pointer(error: str | None) -> str | None:
    """`cockpit explain CODE` for an error line that carries a message code the catalogue knows."""
    if not error:
        return None
    code, entry = catalogue.lookup(error)
    return f"cockpit explain {code}" if code and entry is not None else None


def _plain(widget: Static) -> str:
    content = widget.content
    return content.plain if isinstance(content, Content) else str(content)
