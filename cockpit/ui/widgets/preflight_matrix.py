"""The preflight matrix: one row per client, its GO / NO-GO next to it, then one column per check.

The client and its verdict are fixed columns: however the matrix scrolls sideways, a NO-GO reads as
NO-GO. The checks with a cell that needs attention come first; on a narrow terminal the headers take two
lines, and what still does not fit scrolls sideways, with the count of columns out of view shown by the
screen (`hidden_columns`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from cockpit.domain.preflight import Decision
from cockpit.ui.preflight_present import (
    CELL_LOOKS,
    QUIET,
    VERDICT_COLORS,
    PreflightMatrix,
    column_order,
    short_name,
    two_line_name,
)
from cockpit.ui.theme_styles import ThemeStyles

CLIENT_COLUMN = "client"
VERDICT_COLUMN = "verdict"
_VERDICT_WIDTH = len("NO-GO")
_MIN_NAME_WIDTH = 6
_MAX_NAME_WIDTH = 32
CHECKING = "…"
_SCROLLBAR = 2


class PreflightMatrixTable(DataTable[Text]):
    """Cells keyed by (client, check id); the cursor moves cell by cell."""

    DEFAULT_CSS = """
    PreflightMatrixTable {
        height: auto;
        max-height: 60%;
        border: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select_cursor", "Detail")]

    class ColumnsMoved(Message):
        """The columns in view changed (a sideways scroll, a resize, a new answer)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, fixed_columns=2, id=id)
        self.matrix: PreflightMatrix | None = None
        self.checking: frozenset[str] = frozenset()
        """Clients being checked again right now: their verdict reads "…" until the answer is in."""
        self._styles: ThemeStyles | None = None
        self.order: list[str] = []
        """The checks' columns, left to right."""
        self.two_lines = False
        """The headers are on two lines (the one-line ones did not fit)."""

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._on_theme_changed)

    def _on_theme_changed(self, _theme: object) -> None:
        self._styles = None
        self._draw()

    def _theme_styles(self) -> ThemeStyles:
        if self._styles is None:
            self._styles = ThemeStyles(self.app.get_css_variables())
        return self._styles

    def show(self, matrix: PreflightMatrix, checking: Collection[str] = ()) -> None:
        """Draw `matrix`, keeping the cursor on the same (client, check) where it still exists."""
        self.matrix = matrix
        self.checking = frozenset(checking)
        self._draw()

    def mark_checking(self, clients: Collection[str]) -> None:
        self.checking = frozenset(clients)
        matrix = self.matrix
        if matrix is None:
            return
        for client in matrix.clients:
            self.update_cell(client, VERDICT_COLUMN, self._verdict_cell(matrix, client))

    def _name_width(self, matrix: PreflightMatrix) -> int:
        return min(max([_MIN_NAME_WIDTH, *(len(c) for c in matrix.clients)]), _MAX_NAME_WIDTH)

    def _wants_two_lines(self, matrix: PreflightMatrix) -> bool:
        """One-line headers unless they make the matrix wider than the widget."""
        pad = 2 * self.cell_padding
        one_line = sum(max(len(short_name(k)), 3) + pad for k in matrix.checks)
        width = self._name_width(matrix) + pad + _VERDICT_WIDTH + 2 + pad + one_line
        available = (self.size.width or self.app.size.width) - _SCROLLBAR
        return width > available

    @staticmethod
    def _label(check: str, two_lines: bool) -> str:
        return two_line_name(check) if two_lines else short_name(check)

    @staticmethod
    def _label_width(label: str) -> int:
        return max(3, *(len(line) for line in label.split("\n")))

    def _draw(self) -> None:
        matrix = self.matrix
        if matrix is None:
            return
        at = self.cursor_key()
        self.clear(columns=True)
        self.two_lines = self._wants_two_lines(matrix)
        self.header_height = 2 if self.two_lines else 1
        self.order = column_order(matrix)
        self.add_column(CLIENT_COLUMN, width=self._name_width(matrix), key=CLIENT_COLUMN)
        self.add_column(VERDICT_COLUMN, width=_VERDICT_WIDTH + 2, key=VERDICT_COLUMN)
        for check in self.order:
            label = self._label(check, self.two_lines)
            self.add_column(label, width=self._label_width(label), key=check)
        for client in matrix.clients:
            cells = [Text(client, style="bold", no_wrap=True, end=""), self._verdict_cell(matrix, client)]
            for check in self.order:
                cells.append(self._check_cell(matrix, client, check))
            self.add_row(*cells, key=client)
        self._restore_cursor(at)
        self.post_message(self.ColumnsMoved())

    def on_resize(self) -> None:
        if self.matrix is not None and self._wants_two_lines(self.matrix) != self.two_lines:
            self._draw()
        self.post_message(self.ColumnsMoved())

    def watch_scroll_x(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_x(old_value, new_value)
        if round(old_value) != round(new_value):
            self.post_message(self.ColumnsMoved())

    def hidden_columns(self) -> tuple[list[str], list[str]]:
        """The checks whose column is (partly) out of view: (on the left, on the right)."""
        if not self.order or not self.columns:
            return [], []
        fixed = sum(self.columns[ColumnKey(key)].get_render_width(self) for key in (CLIENT_COLUMN, VERDICT_COLUMN))
        view = self.scrollable_content_region.width - fixed
        scroll = round(self.scroll_x)
        left: list[str] = []
        right: list[str] = []
        x = 0
        for check in self.order:
            width = self.columns[ColumnKey(check)].get_render_width(self)
            if x < scroll:
                left.append(check)
            elif x + width - scroll > view:
                right.append(check)
            x += width
        return left, right

    def _check_cell(self, matrix: PreflightMatrix, client: str, check: str) -> Text:
        look = CELL_LOOKS[matrix.status(client, check)]
        width = self._label_width(self._label(check, self.two_lines))
        glyph = look.glyph.center(width).rstrip()
        return Text(glyph, style=self._theme_styles().style(look.color, bold=True), no_wrap=True, end="")

    def _verdict_cell(self, matrix: PreflightMatrix, client: str) -> Text:
        if client in self.checking:
            return Text(CHECKING, style=self._theme_styles().style("foreground-muted"), end="")
        decision = matrix.decision(client)
        label = "GO" if decision is Decision.GO else "NO-GO"
        return Text(label, style=self._theme_styles().style(VERDICT_COLORS[decision], bold=True), end="")

    # -- the cursor -------------------------------------------------------------------------

    def cursor_key(self) -> tuple[str, str] | None:
        """(client, column key) under the cursor; the column key is a check id, "client" or "verdict"."""
        if not self.row_count or not self.columns:
            return None
        row, column = self.coordinate_to_cell_key(self.cursor_coordinate)
        if row.value is None or column.value is None:
            return None
        return row.value, column.value

    def move_to(self, client: str, column: str) -> None:
        self.move_cursor(row=self.get_row_index(client), column=self.get_column_index(column), animate=False)

    def _restore_cursor(self, at: tuple[str, str] | None) -> None:
        matrix = self.matrix
        if matrix is None or not matrix.clients:
            return
        if (
            at is not None
            and at[0] in matrix.clients
            and (at[1] in matrix.checks or at[1] in (CLIENT_COLUMN, VERDICT_COLUMN))
        ):
            self.move_to(*at)
            return
        # First look: on the first cell that needs attention, else the first check.
        for client in matrix.clients:
            for check in self.order:
                if matrix.status(client, check) not in QUIET:
                    self.move_to(client, check)
                    return
        if self.order:
            self.move_to(matrix.clients[0], self.order[0])

    # -- reading back (tests) -----------------------------------------------------------------

    def cell_text(self, client: str, column: str) -> str:
        return self.get_cell(client, column).plain.strip()
