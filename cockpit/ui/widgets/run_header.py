"""The fleet screen's top line: run title and status on the left, state counts on the right."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from cockpit.domain.models import TargetState
from cockpit.ui.present import STATE_LOOKS, summary_counts


def summary_content(states: Iterable[TargetState]) -> Content:
    """``running 4 · pending 2 · ok 1 · failed 1``, each count in its state's theme colour."""
    parts: list[Content | str] = []
    for state, count in summary_counts(states):
        if parts:
            parts.append(" · ")
        look = STATE_LOOKS[state]
        parts.append(Content.styled(f"{look.short} {count}", f"${look.color}"))
    return Content.assemble(*parts) if parts else Content("no targets")


class RunHeader(Horizontal):
    """Title, run status (and the start gate, with controls) and the fleet summary."""

    DEFAULT_CSS = """
    RunHeader {
        dock: top;
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    RunHeader #run-title {
        width: 1fr;
        text-style: bold;
    }
    RunHeader #run-summary {
        width: auto;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        # Held, not queried: the engine may report before this header has composed.
        self._title = Static(id="run-title")
        self._summary = Static(id="run-summary")

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._summary

    def show(self, title: str, status: str, states: Iterable[TargetState], gate: Content | None = None) -> None:
        """`gate`: the start gate's state (concurrency, paused), after the status."""
        heading = Content.assemble((title, "$primary"), " · ", status) if status else Content(title)
        if gate is not None:
            heading = Content.assemble(heading, " · ", gate)
        self._title.update(heading)
        self._summary.update(summary_content(states))

    @property
    def summary_text(self) -> str:
        return self._plain(self._summary)

    @property
    def title_text(self) -> str:
        return self._plain(self._title)

    @staticmethod
    def _plain(widget: Static) -> str:
        content = widget.content
        return content.plain if isinstance(content, Content) else str(content)
