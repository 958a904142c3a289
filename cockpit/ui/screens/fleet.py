"""The fleet screen: the run header, one table row per target, the key bindings."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from cockpit.ui.bridge import Changes, UiBridge
from cockpit.ui.widgets.fleet_table import FleetTable
from cockpit.ui.widgets.run_header import RunHeader


class FleetScreen(Screen[None]):
    """Overview of every target. Enter (or a click on the highlighted row) opens its log."""

    def __init__(
        self,
        bridge: UiBridge,
        clock: Callable[[], float],
        open_log: Callable[[str], None],
        title: str,
    ) -> None:
        super().__init__()
        self._bridge = bridge
        self._clock = clock
        self._open_log = open_log
        self._title = title
        self._status = "starting"
        self._stale_states: set[str] = set()
        self._stale_lines: set[str] = set()
        self._header_stale = False
        # Held, not queried: the app's flush and the engine worker may call in before compose.
        self.header = RunHeader()
        self.table = FleetTable(bridge, clock, id="fleet")

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.table
        yield Footer()

    def on_mount(self) -> None:
        self._show_header()

    def on_screen_resume(self) -> None:
        # Back from a log pane: draw everything that changed meanwhile right away.
        self.apply(Changes(), self._clock(), tick=True, lines=True, visible=True)

    def set_status(self, status: str) -> None:
        """The run's status as the app sees it ("running", "finished", "engine error" ...)."""
        self._status = status
        self._show_header()

    def apply(self, changes: Changes, now: float, *, tick: bool, lines: bool, visible: bool) -> None:
        """Take `changes` in; redraw what is due if the screen is `visible`.

        State changes are drawn on every flush. Rows that only printed lines are drawn when
        `lines` is set (the app does so a few times a second: nobody reads 200 last lines at
        20 Hz, and each cell update costs the loop). While a log pane covers this screen nothing
        is drawn; the marks wait and are drawn when the screen shows again.
        """
        self._stale_states.update(changes.added)
        self._stale_states.update(changes.targets)
        self._stale_lines.update(changes.lines)
        self._header_stale = self._header_stale or bool(changes.targets or changes.added or changes.run)
        if not visible:
            return
        table = self.table
        if self._stale_states:
            table.update_targets(self._stale_states, now)
            self._stale_lines.difference_update(self._stale_states)
            self._stale_states = set()
        if lines and self._stale_lines:
            table.update_targets(self._stale_lines, now)
            self._stale_lines = set()
        if tick:
            table.tick(now)
        if self._header_stale:
            self._show_header()
            self._header_stale = False

    def _show_header(self) -> None:
        started = self._bridge.run_started
        status = self._status
        if started is not None:
            status = f"run {started.run_id} ({started.runbook}) · {status}"
        self.header.show(self._title, status, self._bridge.states())

    @on(DataTable.RowSelected, "#fleet")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self._open_log(event.row_key.value)
