"""The log pane's top line: target, live state and phase, and whether the pane follows the tail."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from cockpit.domain.models import TargetState
from cockpit.ui.bridge import TargetView
from cockpit.ui.present import STATE_LOOKS, format_elapsed, state_text


class LogHeader(Static):
    """One line: ``web02 · ✗ failed · phase 11/12 · 41:07 · 0516-082 ... · FOLLOWING``."""

    DEFAULT_CSS = """
    LogHeader {
        dock: top;
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    """

    def show(self, view: TargetView, now: float, following: bool, waiting: int) -> None:
        state = view.state
        look = STATE_LOOKS[state]
        phase = "phase -" if view.phase is None else f"phase {view.phase}/{view.phases_total}"
        parts: list[Content | str | tuple[str, str]] = [
            (view.name, "bold"),
            " · ",
            (state_text(state), f"${look.color}"),
            " · ",
            phase,
        ]
        elapsed = format_elapsed(view.elapsed(now))
        if elapsed:
            parts += [" · ", elapsed]
        change = view.change
        if change is not None and state is not TargetState.SUCCEEDED:
            why = change.error or change.reason
            if why:
                parts += [" · ", (why, f"${look.color}")]
        parts.append(" · ")
        if following:
            parts.append(("FOLLOWING", "$success"))
        else:
            parts.append((" PAUSED ", "reverse $warning"))
            if waiting:
                parts.append(f" {waiting} new lines waiting")
        self.update(Content.assemble(*parts))

    @property
    def text(self) -> str:
        content = self.content
        return content.plain if isinstance(content, Content) else str(content)
