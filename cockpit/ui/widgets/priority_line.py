"""One header line that shortens by priority: pieces on the left, a summary on the right, never run together.

The screens hand over ranked pieces (cockpit/ui/fit.py); the line fits them to its own width each time it
is drawn, so a resize shortens or restores it without the screen doing anything. Left and right keep at
least GAP cells between them.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widget import Widget

from cockpit.ui.fit import Piece, fit

GAP = 2
SEPARATOR = " · "


def _length(content: Content) -> int:
    return content.cell_length


class PriorityLine(Widget):
    DEFAULT_CSS = """
    PriorityLine {
        height: 1;
        width: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._left: list[Piece[Content]] = []
        self._right: list[Piece[Content]] = []

    def show(self, left: Sequence[Piece[Content]], right: Sequence[Piece[Content]] = ()) -> None:
        self._left = list(left)
        self._right = list(right)
        self.refresh()

    def fitted(self, width: int) -> tuple[Content, Content]:
        """(left, right) as drawn in `width` cells."""
        shown: list[Content] = fit(self._right, width // 2, _length, separator=len(SEPARATOR))
        right = Content(SEPARATOR).join(shown)
        reserve = right.cell_length + GAP if right.cell_length else 0
        shown = fit(self._left, width, _length, separator=len(SEPARATOR), reserve=reserve)
        left = Content(SEPARATOR).join(shown)
        return left, right

    def render(self) -> Content:
        width = self.content_region.width or self.app.size.width
        left, right = self.fitted(width)
        room = width - right.cell_length
        if left.cell_length > room - (GAP if right.cell_length else 0):
            left = left.truncate(max(room - GAP, 0), ellipsis=True) if right.cell_length else left
        pad = max(width - left.cell_length - right.cell_length, 0)
        return Content.assemble(left, " " * pad, right)

    @property
    def text(self) -> str:
        """The whole line as last given, unfitted (tests read what it says, not how it was cut)."""
        left = Content(SEPARATOR).join([p.text for p in self._left])
        right = Content(SEPARATOR).join([p.text for p in self._right])
        return f"{left.plain}  {right.plain}".strip()

    @property
    def left_text(self) -> str:
        return Content(SEPARATOR).join([p.text for p in self._left]).plain

    @property
    def right_text(self) -> str:
        return Content(SEPARATOR).join([p.text for p in self._right]).plain
