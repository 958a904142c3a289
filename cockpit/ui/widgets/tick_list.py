"""A SelectionList whose boxes read without colour: `[x]` ticked, `[ ]` not (NO_COLOR, a mono console)."""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList

T = TypeVar("T")

TICKED = "x"


class TickList(SelectionList[T]):
    """Textual draws every box as ▐X▌ and tells ticked from unticked by colour alone; here the glyph says it."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        segments = list(line)
        index = self.scroll_offset.y + y
        if len(segments) < 3 or not 0 <= index < self.option_count:
            return line
        ticked = self.get_option_at_index(index).value in self.selected
        left, inner, right = segments[:3]
        boxed = [
            Segment("[", left.style),
            Segment(TICKED if ticked else " ", inner.style),
            Segment("]", right.style),
        ]
        return Strip([*boxed, *segments[3:]], line.cell_length)
