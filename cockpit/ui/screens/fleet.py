"""The fleet screen: the run header, one table row per target, the key bindings.

With the engine's controls it also steers the fleet: pause or resume new starts, change the
concurrency, abort the selected host, break the lock of a cockpit that is gone (`L`; each journaled by
the engine), and opens a host's troubleshoot screen (`t`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from cockpit.domain.window import FleetEta, Window, clock_time, misses
from cockpit.ui.asks import control_ask
from cockpit.ui.bridge import Changes, UiBridge
from cockpit.ui.control_actions import ControlAction, ControlActions, refusal
from cockpit.ui.controls import RunControls, error_text
from cockpit.ui.fit import Piece
from cockpit.ui.fleet_columns import EXPLAINED, last_text
from cockpit.ui.fleet_view import FleetView
from cockpit.ui.present import STATE_LOOKS, countdown_short, state_text
from cockpit.ui.screens.confirm import ConfirmScreen
from cockpit.ui.widgets.fleet_table import FleetTable
from cockpit.ui.widgets.key_footer import KeyFooter
from cockpit.ui.widgets.run_header import RunHeader

_FLEET_ACTIONS = ("troubleshoot", "toggle_starts", "concurrency", "abort", "break_lock")
READ_ONLY_REFUSAL = (
    "Read-only: this cockpit watches the run from its journal; actions that change a host are disabled "
    "(steer the run from the cockpit that runs it)."
)


class FleetScreen(Screen[None]):
    """Overview of every target. Enter (or a click on the highlighted row) opens its log."""

    CSS_PATH = "fleet.tcss"

    FOOTER_ORDER: ClassVar[tuple[str, ...]] = (
        "select_cursor",
        "troubleshoot",
        "rollback",
        "quit",
        "start_run",
        "abort",
        "toggle_starts",
        "concurrency",
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "troubleshoot", "Troubleshoot"),
        Binding("p", "toggle_starts", "Pause/resume starts"),
        Binding("c", "concurrency", "Concurrency"),
        Binding("a", "abort", "Abort host"),
        Binding("g", "next_master", "Master group"),
        Binding("L", "break_lock", "Break lock"),
        Binding("f", "next_states", "Filter state"),
        Binding("slash", "find", "Find text"),
        Binding("o", "next_sort", "Sort"),
    ]

    def __init__(
        self,
        bridge: UiBridge,
        clock: Callable[[], float],
        open_log: Callable[[str], None],
        title: str,
        *,
        controls: RunControls | None = None,
        open_troubleshoot: Callable[[str], None] | None = None,
        read_only: bool = False,
        window: Window | None = None,
        eta: FleetEta | None = None,
        wall_clock: Callable[[], float] = time.time,
        groups: Mapping[str, str] | None = None,
    ) -> None:
        """`window` and `eta`: the run's window and ETA model when there are no controls (a cockpit
        watching the run computes them from the journal as the driving one does). `wall_clock`: the
        engine's clock (epoch seconds), what ETAs and the window's countdown are read on.
        `groups`: each target's NIM master; with several the rows are grouped by master (`g` filters)."""
        super().__init__()
        self.read_only = read_only
        """Watching a run (cockpit watch / replay): the fleet's keys are not offered (nor refused, if called)."""
        self._bridge = bridge
        self._clock = clock
        self._wall_clock = wall_clock
        self._open_log = open_log
        self._open_troubleshoot = open_troubleshoot
        self._controls = controls
        self._title = title
        self._status = "starting"
        self._stale_states: set[str] = set()
        self._stale_lines: set[str] = set()
        self._header_stale = False
        # Held, not queried: the app's flush and the engine worker may call in before compose.
        self.header = RunHeader()
        self._window = controls.window if controls is not None else window
        self._eta = controls.eta if controls is not None else eta
        self.selected = Static(id="fleet-selected", markup=False)
        """The cursor row's whole line: its reason or last line is never cut here (a narrow terminal cuts the row)."""
        self.find = Input(
            placeholder="find: a name, an error, a last line (enter keeps it, escape clears)", id="fleet-find"
        )
        self.table = FleetTable(
            bridge,
            clock,
            id="fleet",
            eta_of=self._eta_of if self._eta is not None else None,
            unit=controls.retry_unit if controls is not None else "phase",
            groups=groups,
        )

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.table
        yield self.find
        yield self.selected
        yield KeyFooter()

    def on_mount(self) -> None:
        self.find.display = False  # until `/`
        self._show_header()
        self._show_selected()

    def on_screen_resume(self) -> None:
        # Back from a log pane: draw everything that changed meanwhile right away.
        self.apply(Changes(), self._clock(), tick=True, lines=True, visible=True)

    def set_status(self, status: str) -> None:
        """The run's status as the app sees it ("running", "finished", "engine error" ...)."""
        self._status = status
        self._show_header()

    @property
    def status(self) -> str:
        return self._status

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
        cursor = table.target_at_cursor()
        if cursor is not None and (cursor in changes.targets or cursor in changes.lines or tick):
            self._show_selected()
        # The gate's count and the window's countdown move on their own.
        if self._header_stale or (tick and (self._controls is not None or self._window is not None)):
            self._show_header()
            self._header_stale = False

    def _show_header(self) -> None:
        started = self._bridge.run_started
        run = (started.run_id, started.runbook) if started is not None else None
        window = None
        if self._window is not None:
            now = self._wall_clock()
            window = (self._window.countdown(now), countdown_short(self._window, now))
        self.header.show_run(
            self._title, self._status, self._bridge.states(), run=run, window=window, gate=self._gate()
        )

    def _eta_of(self, target: str) -> tuple[str, bool]:
        """The target's ETA on this machine's clock (the engine's, not the UI's monotonic one)."""
        assert self._eta is not None
        eta = self._eta.eta(target, self._wall_clock())
        if eta is None:
            return "", False
        return clock_time(eta), misses(eta, self._window)

    def _gate(self) -> list[Piece[Content]]:
        """The start gate's state: READ-ONLY, paused (never dropped), the master shown alone, the
        concurrency (shortened, then dropped)."""
        # The master shown alone: its line says so too, where a narrow screen still shows it.
        only = [Piece(Content(f"master {self.table.only} only (g)"), 2)] if self.table.only is not None else []
        only += self._viewed()
        if self.read_only:
            return [Piece(Content.styled(" READ-ONLY ", "bold reverse $warning")), *only]
        if self._controls is None:
            return only
        gate = self._controls.gate
        pieces = []
        if gate.paused:
            pieces.append(Piece(Content.styled(" starts paused ", "bold reverse $warning")))
        pieces += only
        if self._controls.run_kind == "attach":
            followed = len(self._controls.runners)
            pieces.append(Piece(Content(f"attached: {followed} followed"), 3, Content(f"attached {followed}")))
        if len(gate.gates) > 1:  # one limit per NIM master: `nim01 2/3 · nim02 1/2` (running/limit)
            each = " · ".join(f"{name} {g.running}/{g.limit}" for name, g in gate.gates.items())
            short = " ".join(f"{g.running}/{g.limit}" for g in gate.gates.values())
            pieces.append(Piece(Content(f"running/concurrency {each}"), 4, Content(f"conc {short}")))
            return pieces
        long = Content(f"concurrency {gate.limit} ({gate.running} running)")
        pieces.append(Piece(long, 4, Content(f"conc {gate.limit}")))
        return pieces

    @on(FleetTable.CursorMoved, "#fleet")
    def _show_selected(self) -> None:
        target = self.table.target_at_cursor()
        view = self._bridge.views.get(target) if target is not None else None
        if view is None:
            self.selected.update("")
            return
        look = STATE_LOOKS[view.state]
        said = last_text(view, self._clock()) or "-"
        color = f"${look.color}" if view.state in EXPLAINED else ""
        self.selected.update(
            Content.assemble(
                (view.name, "bold"), " · ", (state_text(view.state), f"${look.color}"), " · ", (said, color)
            )
        )

    @on(FleetTable.RowSelected, "#fleet")
    def _row_selected(self, event: FleetTable.RowSelected) -> None:
        event.stop()
        self._open_log(event.target)

    # -- fleet controls --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_master":  # only with several masters to choose from
            return self.table.groups is not None
        if action in _FLEET_ACTIONS:
            # Hidden without the engine's controls, and so in a read-only cockpit: only what works is shown.
            return self._controls is not None and not self.read_only
        return True

    def refuse_read_only(self) -> bool:
        """True (and the operator told why) when this cockpit only watches."""
        if self.read_only:
            self.notify(READ_ONLY_REFUSAL, title="Read-only", severity="warning", markup=False)
        return self.read_only

    def action_next_master(self) -> None:
        """Show the next master's clients alone (all of them again after the last)."""
        groups = self.table.groups
        if groups is None:
            return
        only = groups.next_filter(self.table.only)
        self.table.show_only(only)
        self._show_header()
        shown = f"{only}'s {groups.sizes[only]} clients" if only is not None else "every master's clients"
        self.notify(f"Showing {shown} (g: next master).", timeout=3)

    # -- what the fleet shows: a state filter, a text, a sort (fleet_view.py) ------------------------

    def _viewed(self) -> list[Piece[Content]]:
        """The filter and sort in force, for the header: `needs attention · "lpar1" · 37/1000 · problems first`."""
        view = self.table.view
        if view.plain:
            return []
        parts = []
        if view.states is not None:
            parts.append(view.state_label)
        if view.text:
            parts.append(f"“{view.text}”")
        parts.append(f"{self.table.shown}/{len(self._bridge.views)}")
        if view.sort != "plan":
            parts.append(f"sorted: {view.sort_label}")
        text = " · ".join(parts)
        short = f" {self.table.shown}/{len(self._bridge.views)} shown "
        return [Piece(Content.styled(f" {text} ", "bold $accent"), 1, Content.styled(short, "bold $accent"))]

    def _set_view(self, view: FleetView, said: str) -> None:
        self.table.set_view(view)
        self._show_header()
        self._show_selected()
        self.notify(said, timeout=3)

    def action_next_states(self) -> None:
        view = self.table.view.next_states()
        self._set_view(view, f"Showing {view.state_label} (f: next).")

    def action_next_sort(self) -> None:
        view = self.table.view.next_sort()
        self._set_view(view, f"Sorted by {view.sort_label} (o: next).")

    def action_find(self) -> None:
        self.find.display = True
        self.find.focus()

    @on(Input.Changed, "#fleet-find")
    def _find_changed(self, event: Input.Changed) -> None:
        self.table.set_view(self.table.view.with_text(event.value))
        self._show_header()
        self._show_selected()

    @on(Input.Submitted, "#fleet-find")
    def _find_kept(self) -> None:
        self.table.focus()
        if not self.find.value:
            self.find.display = False

    def key_escape(self) -> None:
        if self.find.has_focus or self.table.view.text:
            self.find.value = ""  # (Changed: the text filter goes)
            self.find.display = False
            self.table.focus()

    def action_troubleshoot(self) -> None:
        if self.refuse_read_only():
            return
        target = self.table.target_at_cursor()
        if target is not None and self._open_troubleshoot is not None:
            self._open_troubleshoot(target)

    def action_toggle_starts(self) -> None:
        if not self.refuse_read_only():
            self._toggle_starts()

    @work(exclusive=True, group="fleet-starts", exit_on_error=False)
    async def _toggle_starts(self) -> None:
        controls = self._controls
        if controls is None:
            return
        try:
            if controls.gate.paused:
                await controls.resume_starts()
                self.notify("New starts resumed.")
            else:
                await controls.pause_starts()
                self.notify("New starts paused: running clients go on; waiting ones wait.", severity="warning")
        except Exception as exc:
            self.notify(error_text(exc), title="Not done", severity="error", markup=False)
        self._show_header()

    def action_concurrency(self) -> None:
        if not self.refuse_read_only() and self._controls is not None:
            # With several NIM masters, the concurrency of the highlighted client's master.
            self._confirm(ControlActions(self._controls).concurrency(self.table.target_at_cursor()))

    def action_abort(self) -> None:
        if self.refuse_read_only():
            return
        controls = self._controls
        target = self.table.target_at_cursor()
        if controls is None or target is None:
            return
        view = self._bridge.views[target]
        why = refusal("abort", target, view.state)
        if why is not None:
            self.notify(why, title="Not now", severity="warning", markup=False)
            return
        self._confirm(ControlActions(controls).build("abort", target))

    def action_break_lock(self) -> None:
        """A target another cockpit's lock kept back: break it once its cockpit is gone (confirmed)."""
        if self.refuse_read_only():
            return
        controls = self._controls
        target = self.table.target_at_cursor()
        if controls is None or target is None:
            return
        refusal = controls.lock_refusal(target)
        if refusal is None or not refusal.breakable:
            why = refusal.text if refusal is not None else f"{target} is not kept back by a lock"
            self.notify(why, title="Not now", severity="warning", markup=False)
            return
        self._confirm(ControlActions(controls).break_lock(target))

    def _confirm(self, action: ControlAction) -> None:
        assert self._controls is not None
        ask = control_ask(action, self._controls.operator)
        self.app.push_screen(ConfirmScreen(ask), lambda _ok: self._show_header())
