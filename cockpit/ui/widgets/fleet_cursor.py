"""The fleet table's cursor and keys: a row cursor that never rests on a master's line, paging,
clicks. A mixin of FleetTable (widgets/fleet_table.py), which holds the rows and draws them."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.message import Message
from textual.scroll_view import ScrollView


class FleetCursor(ScrollView):
    """What FleetTable's cursor needs of it, and the cursor itself."""

    _rows: list[Any]  # (FleetTable's rows: each has a `name`)
    _index: dict[str, int]
    _cursor: int

    def _is_group(self, index: int) -> bool:
        raise NotImplementedError

    def _refresh_row(self, index: int) -> None:
        raise NotImplementedError

    def target_at_cursor(self) -> str | None:
        if not self._rows or self._is_group(self._cursor):
            return None
        return str(self._rows[self._cursor].name)

    def _cursor_moved(self, target: str) -> Message:
        raise NotImplementedError

    def _row_selected(self, target: str) -> Message:
        raise NotImplementedError

    # -- cursor and keys ---------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    def get_row_index(self, target: str) -> int:
        """The row of `target` (KeyError if it has none)."""
        return self._index[target]

    def move_cursor(self, *, row: int, scroll: bool = True) -> None:
        """Put the cursor on `row` (clamped) and, with `scroll`, scroll it into view."""
        if not self._rows:
            return
        row = min(max(row, 0), len(self._rows) - 1)
        if self._is_group(row):  # a master's line: on to the nearest client, the way the cursor went
            step = -1 if row < self._cursor and row > 0 else 1
            while self._is_group(row) and 0 <= row + step < len(self._rows):
                row += step
            if self._is_group(row):
                row = next((i for i in range(len(self._rows)) if not self._is_group(i)), row)
        old, self._cursor = self._cursor, row
        if old != row:
            self._refresh_row(old)
            self._refresh_row(row)
            self.post_message(self._cursor_moved(self._rows[row].name))
        if scroll:
            self._scroll_to_cursor()

    def _page_height(self) -> int:
        """Rows visible below the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        page = self._page_height()
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self._cursor + 1)

    def action_page_up(self) -> None:
        page = self._page_height()
        self.scroll_to(y=self.scroll_y - page, animate=False)
        self.move_cursor(row=self._cursor - page)

    def action_page_down(self) -> None:
        page = self._page_height()
        self.scroll_to(y=self.scroll_y + page, animate=False)
        self.move_cursor(row=self._cursor + page)

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        target = self.target_at_cursor()
        if target is not None:
            self.post_message(self._row_selected(target))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return  # the header, or the scrollbar
        index = round(self.scroll_y) + offset.y - 1
        if not 0 <= index < len(self._rows):
            return
        event.stop()
        if index == self._cursor:
            self.action_select_cursor()
        else:
            self.move_cursor(row=index)
