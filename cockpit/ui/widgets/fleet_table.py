"""The fleet table: one row per target, redrawn only where the bridge says something changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from cockpit.domain.models import TargetState
from cockpit.ui.bridge import TargetView, UiBridge
from cockpit.ui.present import STATE_LOOKS, format_elapsed, phase_bar, state_text, truncate
from cockpit.ui.theme_styles import ThemeStyles

# Fixed column widths; the name column fits the names and the last-line column takes the rest.
_STATE_WIDTH = max(len(state_text(s)) for s in TargetState)
_PHASE_WIDTH = len(phase_bar(12, 12))
_ELAPSED_WIDTH = 8
_MIN_NAME_WIDTH = 6
_MAX_NAME_WIDTH = 32
_MIN_LAST_WIDTH = 20

_TICKING = (TargetState.RUNNING, TargetState.STALLED)
_EXPLAINED = (TargetState.FAILED, TargetState.BLOCKED, TargetState.UNREACHABLE, TargetState.STALLED)
"""States whose last-line column says why (error, reason, silence) in the state's colour."""

Cell = tuple[str, str | None, bool]
"""What a cell shows: plain text, theme variable for its colour (None: default), bold."""


class FleetTable(DataTable[Text]):
    """DataTable of targets keyed by target name; cells are built from the bridge's views."""

    DEFAULT_CSS = """
    FleetTable {
        height: 1fr;
        border: none;
    }
    """

    # Same action as DataTable's own Enter binding, but shown in the footer.
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select_cursor", "Open log")]

    COLUMN_KEYS: ClassVar[tuple[str, ...]] = ("target", "state", "phase", "elapsed", "last")

    def __init__(self, bridge: UiBridge, clock: Callable[[], float], *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self._bridge = bridge
        self._clock = clock
        self._shown: dict[str, list[Cell]] = {}
        self._styles: ThemeStyles | None = None
        self._name_width = 0
        self._last_width = 0
        self._built = False

    # -- building --------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self.rebuild()

    def _on_theme_changed(self, _theme: object) -> None:
        self._styles = None
        self.rebuild()

    def _theme_styles(self) -> ThemeStyles:
        if self._styles is None:
            self._styles = ThemeStyles(self.app.get_css_variables())
        return self._styles

    def _widths(self) -> tuple[int, int]:
        names = self._bridge.views.keys()
        name_width = max([_MIN_NAME_WIDTH, *(len(n) for n in names)])
        name_width = min(name_width, _MAX_NAME_WIDTH)
        available = self.size.width or self.app.size.width
        fixed = name_width + _STATE_WIDTH + _PHASE_WIDTH + _ELAPSED_WIDTH
        padding = 2 * self.cell_padding * len(self.COLUMN_KEYS)
        scrollbar = 2  # keep room for a vertical scrollbar so a long fleet never scrolls sideways
        return name_width, max(_MIN_LAST_WIDTH, available - fixed - padding - scrollbar)

    def rebuild(self) -> None:
        """(Re)create columns and rows: on mount, on resize, on a theme change."""
        now = self._clock()
        cursor_row = self.cursor_row
        self._name_width, self._last_width = self._widths()
        self.clear(columns=True)
        widths = (self._name_width, _STATE_WIDTH, _PHASE_WIDTH, _ELAPSED_WIDTH, self._last_width)
        labels = ("target", "state", "phase", "elapsed", "last line")
        for key, label, width in zip(self.COLUMN_KEYS, labels, widths, strict=True):
            self.add_column(label, width=width, key=key)
        self._shown.clear()
        for view in self._bridge.views.values():
            cells = self._cells(view, now)
            self._shown[view.name] = cells
            self.add_row(*(self._render(c) for c in cells), key=view.name)
        if self.row_count:
            self.move_cursor(row=min(cursor_row, self.row_count - 1), animate=False)
        self._built = True

    def on_resize(self, event: events.Resize) -> None:
        if self._built and self._widths() != (self._name_width, self._last_width):
            self.rebuild()

    # -- updating --------------------------------------------------------------------------

    def update_targets(self, names: Iterable[str], now: float) -> None:
        """Redraw the cells of `names` that changed (call inside App.batch_update)."""
        if not self._built:
            return  # rebuild() on mount draws everything from the bridge anyway
        for name in names:
            view = self._bridge.views.get(name)
            if view is None:
                continue
            if name not in self._shown:
                if len(name) > self._name_width and self._name_width < _MAX_NAME_WIDTH:
                    self.rebuild()
                    return
                cells = self._shown[name] = self._cells(view, now)
                self.add_row(*(self._render(c) for c in cells), key=name)
                continue
            self._update_row(view, now)

    def tick(self, now: float) -> None:
        """Advance the elapsed column of the targets that are running."""
        if not self._built:
            return
        for name, view in self._bridge.views.items():
            if view.state in _TICKING and name in self._shown:
                self._update_row(view, now)

    def _update_row(self, view: TargetView, now: float) -> None:
        shown = self._shown[view.name]
        cells = self._cells(view, now)
        for index, (old, new) in enumerate(zip(shown, cells, strict=True)):
            if old != new:
                self.update_cell(view.name, self.COLUMN_KEYS[index], self._render(new))
        self._shown[view.name] = cells

    @staticmethod
    def _last_text(view: TargetView, now: float) -> str:
        """The last-line column: the last line, or why the target is not simply running."""
        change = view.change
        state = view.state
        if change is None:
            return view.last_line
        if state is TargetState.FAILED:
            if change.error:  # the line that explains it (e.g. 0516-082) and where it happened
                return f"phase {change.phase}: {change.error}" if change.phase else change.error
            return change.reason or view.last_line or "failed"
        if state is TargetState.BLOCKED:
            # The engine's error names the gate's reasons ("not started: nimsh.active: ..."); its
            # reason only says who blocked it ("blocked by preflight").
            return change.error or change.reason or view.last_line
        if state is TargetState.UNREACHABLE:
            return change.reason or change.error or view.last_line
        if state is TargetState.STALLED:
            # How long it has been quiet (ticking) and the last thing it said; the engine's reason
            # is a snapshot of the same silence, shown in the log pane's header.
            silent = view.silent_for(now)
            if silent is None:
                return change.reason or view.last_line
            return f"silent {format_elapsed(silent)} · {view.last_line}"
        return view.last_line

    def _render(self, cell: Cell) -> Text:
        # Text, never str: a str cell would be parsed as markup, and log lines contain brackets.
        text, color, bold = cell
        if color is None:
            return Text(text, style="bold" if bold else "", no_wrap=True, end="")
        return Text(text, style=self._theme_styles().style(color, bold), no_wrap=True, end="")

    def _cells(self, view: TargetView, now: float) -> list[Cell]:
        state = view.state
        look = STATE_LOOKS[state]
        bar_color = "foreground-muted" if state is TargetState.PENDING else look.color
        elapsed_color = "warning" if state is TargetState.STALLED else None
        last_color = look.color if state in _EXPLAINED else None
        last: Cell = (truncate(self._last_text(view, now), self._last_width), last_color, False)
        return [
            (truncate(view.name, self._name_width), None, True),
            (state_text(state), look.color, state in (TargetState.FAILED, TargetState.STALLED)),
            (phase_bar(view.phase, view.phases_total), bar_color, False),
            (format_elapsed(view.elapsed(now)), elapsed_color, False),
            last,
        ]

    # -- reading back (tests, command palette) -----------------------------------------------

    def cell_text(self, target: str, column: str) -> str:
        """The plain text shown in a cell."""
        return self.get_cell(target, column).plain

    def target_at_cursor(self) -> str | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value
