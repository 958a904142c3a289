"""The preflight matrix: one row per client, one column per check, a glyph per cell, GO / NO-GO last."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from cockpit.domain.preflight import Decision
from cockpit.ui.preflight_present import CELL_LOOKS, VERDICT_COLORS, CellStatus, PreflightMatrix, short_name
from cockpit.ui.theme_styles import ThemeStyles

CLIENT_COLUMN = "client"
VERDICT_COLUMN = "verdict"
_VERDICT_WIDTH = len("NO-GO")
_MIN_NAME_WIDTH = 6
_MAX_NAME_WIDTH = 32
CHECKING = "…"
_QUIET = (CellStatus.PASS, CellStatus.NONE, CellStatus.WAIVED)


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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, fixed_columns=1, id=id)
        self.matrix: PreflightMatrix | None = None
        self.checking: frozenset[str] = frozenset()
        """Clients being checked again right now: their verdict reads "…" until the answer is in."""
        self._styles: ThemeStyles | None = None

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

    def _draw(self) -> None:
        matrix = self.matrix
        if matrix is None:
            return
        at = self.cursor_key()
        self.clear(columns=True)
        names = [_MIN_NAME_WIDTH, *(len(c) for c in matrix.clients)]
        self.add_column(CLIENT_COLUMN, width=min(max(names), _MAX_NAME_WIDTH), key=CLIENT_COLUMN)
        for check in matrix.checks:
            label = short_name(check)
            self.add_column(label, width=max(len(label), 3), key=check)
        self.add_column(VERDICT_COLUMN, width=_VERDICT_WIDTH + 2, key=VERDICT_COLUMN)
        for client in matrix.clients:
            cells = [Text(client, style="bold", no_wrap=True, end="")]
            for check in matrix.checks:
                cells.append(self._check_cell(matrix, client, check))
            cells.append(self._verdict_cell(matrix, client))
            self.add_row(*cells, key=client)
        self._restore_cursor(at)

    def _check_cell(self, matrix: PreflightMatrix, client: str, check: str) -> Text:
        look = CELL_LOOKS[matrix.status(client, check)]
        width = max(len(short_name(check)), 3)
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
            for check in matrix.checks:
                if matrix.status(client, check) not in _QUIET:
                    self.move_to(client, check)
                    return
        if matrix.checks:
            self.move_to(matrix.clients[0], matrix.checks[0])

    # -- reading back (tests) -----------------------------------------------------------------

    def cell_text(self, client: str, column: str) -> str:
        return self.get_cell(client, column).plain.strip()
