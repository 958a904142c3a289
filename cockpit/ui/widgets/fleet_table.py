"""The fleet table: one row per target on Textual's Line API, redrawn only where something changed.

A `ScrollView` whose `render_line` hands out one cached `Strip` per row. A row's strip is rebuilt only
when its cells changed (the bridge says which targets changed; `_cells` vs the shown cells says
whether anything visible did), and only when the row is on screen: an off-screen row is rebuilt when
it scrolls into view. A cursor move restyles the two rows involved. The DataTable this replaces
re-rendered every visible row through Rich on any change (one cell, one elapsed tick, one Down key):
~74 ms a screenful with 200 streaming targets (bench/README.md, bottleneck 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer

from cockpit.ui.bridge import TargetView, UiBridge
from cockpit.ui.fleet_columns import (
    COLUMN_KEYS,
    MAX_NAME_WIDTH,
    TICKING,
    Cell,
    EtaOf,
    Layout,
    cells,
    choose_layout,
)
from cockpit.ui.fleet_groups import FleetGroups, group_key, master_of_key
from cockpit.ui.fleet_view import FleetView
from cockpit.ui.theme_styles import ThemeStyles
from cockpit.ui.widgets.fleet_cursor import FleetCursor
from cockpit.ui.widgets.fleet_strips import header_strip, row_strip, span_strip

REORDER_EVERY = 0.25
"""Seconds between two layouts of the rows when targets move through a filter or a sort."""


@dataclass(slots=True)
class _Row:
    name: str
    cells: list[Cell]
    content: Strip | None = None
    """The cells as segments with their colours, no background; None: rebuild before drawing."""
    line: Strip | None = None
    line_style: Style | None = None
    """`line` is `content` on the row's background `line_style`, cropped to the widget's width."""


class FleetTable(FleetCursor, can_focus=True):
    """Targets in plan order, one line each, below a fixed header line; a row cursor.

    Enter (or a click on the row under the cursor) posts `FleetTable.RowSelected`.
    """

    DEFAULT_CSS = """
    FleetTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        &:focus {
            background-tint: $foreground 5%;
            & > .fleet-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .fleet-table--header {
            text-style: bold;
            color: $foreground;
            background: $boost;
        }
        & > .fleet-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .fleet-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .fleet-table--odd-row {
        }
        & > .fleet-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "fleet-table--header",
        "fleet-table--even-row",
        "fleet-table--odd-row",
        "fleet-table--cursor",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open log"),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First", show=False),
        Binding("end,ctrl+end", "last", "Last", show=False),
    ]

    COLUMN_KEYS: ClassVar[tuple[str, ...]] = COLUMN_KEYS

    class RowSelected(Message):
        """Enter on a row, or a click on the row under the cursor."""

        def __init__(self, table: FleetTable, target: str) -> None:
            super().__init__()
            self.table = table
            self.target = target

        @property
        def control(self) -> FleetTable:
            return self.table

    class CursorMoved(Message):
        """The cursor is on another row (the screen shows that row's whole line)."""

        def __init__(self, table: FleetTable, target: str) -> None:
            super().__init__()
            self.table = table
            self.target = target

        @property
        def control(self) -> FleetTable:
            return self.table

    def __init__(
        self,
        bridge: UiBridge,
        clock: Callable[[], float],
        *,
        id: str | None = None,
        eta_of: EtaOf | None = None,
        unit: str = "phase",
        groups: Mapping[str, str] | None = None,
    ) -> None:
        """`unit`: what the progress column counts, `phase` (nimadm) or `step` (step-by-step runbooks);
        `groups`: each target's NIM master (with several, rows are grouped under a line per master)."""
        # Caches first: Widget.__init__ may already call notify_style_update.
        self._rows: list[_Row] = []
        self._index: dict[str, int] = {}
        self._header: Strip | None = None
        self._row_styles: dict[str, Style] = {}
        super().__init__(id=id)
        self._bridge = bridge
        self._clock = clock
        self._eta_of = eta_of
        self._unit = unit
        self._styles: ThemeStyles | None = None
        self._layout = Layout(0, 0, False, 0)
        self._built = False
        self._cursor = 0
        self.groups = FleetGroups.of(groups)
        self.only: str | None = None
        """The master whose clients alone are shown (None: every master's)."""
        self.view = FleetView()
        """The state filter, text filter and sort (fleet_view.py); the plain view shows all in plan order."""
        self._relevant: dict[str, tuple[object, ...]] = {}
        self._reorder_timer: Timer | None = None

    # -- building --------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self.rebuild()

    def _on_theme_changed(self, _theme: object) -> None:
        # Cell colours are resolved from the theme's variables: every row's segments change.
        self._styles = None
        for row in self._rows:
            row.content = None
            row.line = None
        self._header = None
        self.refresh()

    def notify_style_update(self) -> None:
        # Focus, theme, hover: the backgrounds (widget, zebra, cursor, header) may have changed.
        super().notify_style_update()
        self._row_styles = {}
        self._header = None
        for row in self._rows:
            row.line = None
        self.refresh()

    def _theme_styles(self) -> ThemeStyles:
        if self._styles is None:
            self._styles = ThemeStyles(self.app.get_css_variables())
        return self._styles

    def _choose_layout(self) -> Layout:
        views = self._bridge.views
        total = max([12, *(v.phases_total for v in views.values())])
        width = self.size.width or self.app.size.width
        return choose_layout(width, views.keys(), eta=self._eta_of is not None, total=total)

    @property
    def columns_layout(self) -> Layout:
        """The columns as drawn now (which fit the width, and how wide)."""
        return self._layout

    def rebuild(self) -> None:
        """(Re)build every row from the bridge: on mount, on a resize that changes the widths."""
        self._layout = self._choose_layout()
        if self.groups is not None:
            for view in self._bridge.views.values():
                self.groups.note(view.name, view.state)
        self._arrange(reuse=False)
        self._header = None
        self._built = True

    def _keys(self) -> list[str]:
        """The row keys in display order: the shown targets (fleet_view.py), under their masters' lines."""
        views = self._bridge.views
        names = list(views) if self.view.plain else self.view.order(views)
        self._relevant = {n: self.view.relevant(v) for n, v in views.items()} if not self.view.plain else {}
        return names if self.groups is None else self.groups.rows(names, self.only)

    def _arrange(self, *, reuse: bool) -> None:
        """Lay the rows out in the current order; `reuse`: keep the rows already shown (their cells
        and drawn lines are current: a new order or filter redraws only what moved into view)."""
        now = self._clock()
        views = self._bridge.views
        target = self.target_at_cursor() if self._rows else None
        kept = {row.name: row for row in self._rows} if reuse else {}
        rows = []
        for key in self._keys():
            row = kept.get(key)
            if row is None:
                row = _Row(key, self._cells(views[key], now)) if key in views else self._group_row(key)
            rows.append(row)
        self._rows = rows
        self._index = {row.name: i for i, row in enumerate(rows)}
        self._header = None  # (it says what the view shows)
        self._resize_virtual()
        at = self._index.get(target) if target is not None else None
        self._cursor = at if at is not None else min(self._cursor, max(0, len(rows) - 1))
        if self._is_group(self._cursor):  # never on a master's line
            self._cursor = next((i for i in range(self._cursor, len(rows)) if not self._is_group(i)), 0)
        self.refresh()

    def set_view(self, view: FleetView) -> None:
        """Show the fleet through `view` (a filter, a sort), now; the cursor stays on its target if shown."""
        before = self.target_at_cursor()
        self.view = view
        self._arrange(reuse=True)
        self._scroll_to_cursor()
        after = self.target_at_cursor()
        if after is not None and after != before:
            self.post_message(self.CursorMoved(self, after))

    @property
    def shown(self) -> int:
        """Targets shown (masters' lines not counted)."""
        return sum(1 for row in self._rows if master_of_key(row.name) is None)

    def _reorder_soon(self) -> None:
        """A target moved in or out of the filter, or in the sort: lay the rows out again, at most
        a few times a second (1,000 targets changing phase would otherwise redo it per change)."""
        if self._reorder_timer is None:
            self._reorder_timer = self.set_timer(REORDER_EVERY, self._reorder_due)

    def _reorder_due(self) -> None:
        self._reorder_timer = None
        before = self.target_at_cursor()
        self._arrange(reuse=True)
        # The cursor keeps its target (what a key acts on), and its target stays in sight.
        self._scroll_to_cursor()
        after = self.target_at_cursor()
        if after is not None and after != before:
            self.post_message(self.CursorMoved(self, after))

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(self._layout.width, len(self._rows) + 1)  # + the header line

    def on_resize(self, event: events.Resize) -> None:
        if self._built and self._choose_layout() != self._layout:
            self.rebuild()

    # -- updating --------------------------------------------------------------------------

    def update_targets(self, names: Iterable[str], now: float) -> None:
        """Redraw the rows of `names` whose cells changed (only those on screen are rendered)."""
        if not self._built:
            return  # rebuild() on mount draws everything from the bridge anyway
        names = list(names)
        groups = self.groups
        if not self.view.plain:
            self._update_viewed(names, now)
            return
        if groups is not None and any(
            n not in self._index and groups.master_of.get(n, "") == (self.only or groups.master_of.get(n))
            for n in names
        ):
            self.rebuild()  # targets first seen now (a watched run): each under its master's line
            return
        added = False
        for name in names:
            view = self._bridge.views.get(name)
            if view is None:
                continue
            if groups is not None:
                changed = groups.note(name, view.state)
                if changed is not None:
                    self._update_group(changed)
                if self.only is not None and groups.master_of.get(name) != self.only:
                    continue  # filtered out: its master's line keeps counting it
            index = self._index.get(name)
            if index is None:
                if len(name) > self._layout.name and self._layout.name < MAX_NAME_WIDTH:
                    self.rebuild()
                    return
                self._index[name] = len(self._rows)
                self._rows.append(_Row(name, self._cells(view, now)))
                added = True
                continue
            self._update_row(index, view, now)
        if added:
            self._resize_virtual()
            self.refresh()

    def _update_viewed(self, names: list[str], now: float) -> None:
        """`update_targets` through a filter or a sort: rows redrawn in place; a target that may have
        moved in, out or along lays the rows out again soon."""
        moved = False
        for name in names:
            view = self._bridge.views.get(name)
            if view is None:
                continue
            if self.groups is not None:
                changed = self.groups.note(name, view.state)
                if changed is not None:
                    self._update_group(changed)
            relevant = self.view.relevant(view)
            if self._relevant.get(name) != relevant:
                moved = True
            index = self._index.get(name)
            if index is not None:
                self._update_row(index, view, now)
        if moved:
            self._reorder_soon()

    # -- grouped by master ------------------------------------------------------------------

    def _group_row(self, key: str) -> _Row:
        master = master_of_key(key)
        assert master is not None and self.groups is not None
        return _Row(key, [(self.groups.line(master, alone=self.only is not None), "accent", True)])

    def _update_group(self, master: str) -> None:
        index = self._index.get(group_key(master))
        if index is None or self.groups is None:
            return
        row = self._rows[index]
        group_cells = self._group_row(row.name).cells
        if group_cells != row.cells:
            row.cells, row.content, row.line = group_cells, None, None
            self._refresh_row(index)

    def show_only(self, master: str | None) -> None:
        """Show one master's clients (None: all); the cursor stays on its target when it is shown."""
        if self.groups is None:
            return
        target = self.target_at_cursor()
        self.only = master
        self._arrange(reuse=True)
        index = self._index.get(target) if target is not None else None
        self.move_cursor(row=index if index is not None else 0)
        shown = self.target_at_cursor()
        if shown is not None and shown != target:  # the same row number may hold another target now
            self.post_message(self.CursorMoved(self, shown))

    def _is_group(self, index: int) -> bool:
        return 0 <= index < len(self._rows) and master_of_key(self._rows[index].name) is not None

    def tick(self, now: float) -> None:
        """Advance the elapsed column (and a stalled row's silence) of the targets that tick."""
        if not self._built:
            return
        index = self._index
        for name, view in self._bridge.views.items():
            if view.state in TICKING and name in index:
                self._update_row(index[name], view, now)

    def _update_row(self, index: int, view: TargetView, now: float) -> None:
        row = self._rows[index]
        cells = self._cells(view, now)
        if cells != row.cells:
            row.cells = cells
            row.content = None
            row.line = None
            self._refresh_row(index)

    def _refresh_row(self, index: int) -> None:
        y = index - self.scroll_offset.y + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    # -- rendering ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._header_line(width)
        index = self.scroll_offset.y + y - 1
        if not 0 <= index < len(self._rows):
            return Strip.blank(width, self._row_style("blank"))
        row = self._rows[index]
        if index == self._cursor:
            style = self._row_style("fleet-table--cursor")
        elif index % 2:
            style = self._row_style("fleet-table--odd-row")
        else:
            style = self._row_style("fleet-table--even-row")
        line = row.line
        if line is None or row.line_style is not style or line.cell_length != width:
            content = row.content
            if content is None:
                styles = self._theme_styles()
                content = row.content = (
                    row_strip(row.cells, self._layout.widths, styles)
                    if len(row.cells) > 1
                    else span_strip(row.cells[0], styles)
                )
            if index == self._cursor:
                # As DataTable's row cursor: its colours win over the cells' (readable on any theme;
                # the state words and glyphs still say what the colours would).
                post = self._row_style("fleet-table--cursor", partial=True)
                content = Strip(Segment.apply_style(content, style, post), content.cell_length)
            else:
                content = content.apply_style(style)
            line = row.line = content.crop_extend(0, width, style)
            row.line_style = style
        return line

    def _row_style(self, component: str, *, partial: bool = False) -> Style:
        """The widget's style plus a component's (background, colour), cached until styles change.

        With `partial`, only its foreground and text style (to be laid over the cells' colours).
        """
        key = f"{component}/partial" if partial else component
        style = self._row_styles.get(key)
        if style is None:
            if partial:
                full = self.rich_style + self.get_component_rich_style(component)
                style = Style(color=full.color, bold=full.bold, italic=full.italic, underline=full.underline)
            elif component == "blank":
                style = self.rich_style
            else:
                style = self.rich_style + self.get_component_rich_style(component)
            self._row_styles[key] = style
        return style

    def _header_line(self, width: int) -> Strip:
        header = self._header
        if header is None or header.cell_length != width:
            labels = list(self._layout.labels(self._unit))
            if not self.view.plain:  # on every screen size: the rows shown are not all of them
                labels[-1] = f"{labels[-1]} [{self.view.summary(self.shown, len(self._bridge.views))}]"
            style = self._row_style("fleet-table--header")
            header = self._header = header_strip(labels, self._layout.widths, style, width)
        return header

    # -- cells -------------------------------------------------------------------------------

    def _cells(self, view: TargetView, now: float) -> list[Cell]:
        return cells(view, now, self._layout, self._eta_of)

    def _cursor_moved(self, target: str) -> Message:
        return self.CursorMoved(self, target)

    def _row_selected(self, target: str) -> Message:
        return self.RowSelected(self, target)

    # -- reading back (tests, command palette) -----------------------------------------------

    def cell_text(self, target: str, column: str) -> str:
        """The plain text shown in a cell."""
        return self._rows[self._index[target]].cells[self._layout.keys.index(column)][0]

    def cell_color(self, target: str, column: str) -> str | None:
        """The theme variable a cell's text is coloured with (None: the table's foreground)."""
        return self._rows[self._index[target]].cells[self._layout.keys.index(column)][1]
