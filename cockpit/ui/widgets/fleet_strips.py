"""A fleet row's cells as a strip of segments in their colours (no background: the table lays its
row's background over it), for the fleet table's rows and its masters' lines; its header line."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from cockpit.ui.fleet_columns import PADDING, Cell
from cockpit.ui.theme_styles import ThemeStyles

_PLAIN = Style()
_BOLD = Style(bold=True)


def _style(color: str | None, bold: bool, styles: ThemeStyles) -> Style:
    return (_BOLD if bold else _PLAIN) if color is None else styles.style(color, bold)


def row_strip(cells: Sequence[Cell], widths: Sequence[int], styles: ThemeStyles) -> Strip:
    """A target's row: each cell padded and cut to its column's width."""
    pad = " " * PADDING
    segments = []
    total = 0
    for (text, color, bold), width in zip(cells, widths, strict=True):
        segments.append(Segment(f"{pad}{set_cell_size(text, width)}{pad}", _style(color, bold, styles)))
        total += width + 2 * PADDING
    return Strip(segments, total)


def span_strip(cell: Cell, styles: ThemeStyles) -> Strip:
    """A master's line: one cell across the columns, in its colour."""
    text, color, bold = cell
    pad = " " * PADDING
    return Strip([Segment(f"{pad}{text}", _style(color, bold, styles))], len(text) + PADDING)


def header_strip(labels: Sequence[str], widths: Sequence[int], style: Style, width: int) -> Strip:
    """The columns' names over their columns, on the header's style across the widget's `width`."""
    pad = " " * PADDING
    text = "".join(f"{pad}{set_cell_size(label, w)}{pad}" for label, w in zip(labels, widths, strict=True))
    return Strip([Segment(text, style)]).crop_extend(0, width, style)
