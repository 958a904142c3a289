"""The panel under the preflight matrix: what the highlighted cell (or row) found, scrollable."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static


class FindingDetail(VerticalScroll):
    """Shows one Content; focusable so the keyboard can scroll long evidence (Escape leaves)."""

    DEFAULT_CSS = """
    FindingDetail {
        height: 1fr;
        border-top: solid $primary-muted;
        border-title-color: $primary;
        padding: 0 1;
        background: $surface;
    }
    FindingDetail:focus {
        border-top: solid $primary;
    }
    FindingDetail > Static {
        width: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Held, not queried: the screen may show a cell before this panel has composed.
        self.body = Static(id="detail-body")

    def compose(self) -> ComposeResult:
        yield self.body

    def show(self, title: str, content: Content | str) -> None:
        self.border_title = title
        self.body.update(content)
        self.scroll_home(animate=False)

    @property
    def text(self) -> str:
        content = self.body.content
        return content.plain if isinstance(content, Content) else str(content)
