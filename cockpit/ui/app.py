"""CockpitApp: the Textual entry point. Runs the engine in one async worker and redraws on a timer.

Data flow: the engine emits into a UiBridge (plain Python, no widget work, no messages); every
`flush_interval` seconds `flush()` takes what changed and redraws it inside one batch_update: the
open log pane's waiting lines and rows whose state changed on every tick; rows that only printed and
the elapsed column a few times a second (see flush).
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.console import RenderableType
from textual import work
from textual.app import App, ScreenStackError
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from cockpit.domain.events import EventSink, FanOutSink
from cockpit.domain.models import TargetState
from cockpit.domain.window import FleetEta, Window
from cockpit.ui import stop_signals
from cockpit.ui.alerts import AlertsFactory, RunAlerts, TextualTerminal
from cockpit.ui.app_alerts import AlertActions
from cockpit.ui.asks import quit_ask
from cockpit.ui.bridge import DEFAULT_TAIL_LINES, STALL_PREFIX, UiBridge
from cockpit.ui.commands import TargetLogCommands, TargetRollbackCommands, TargetTroubleshootCommands
from cockpit.ui.controls import RunControls
from cockpit.ui.navigation import BUSY, Backout, Navigation
from cockpit.ui.screens.confirm import ConfirmScreen
from cockpit.ui.screens.fleet import FleetScreen
from cockpit.ui.screens.log import DEFAULT_MAX_LINES, LogScreen
from cockpit.ui.screens.preflight import PreflightScreen
from cockpit.ui.screens.rollback import RollbackService
from cockpit.ui.screens.troubleshoot import TroubleshootScreen
from cockpit.ui.themes import ThemeCommands, install_themes

if TYPE_CHECKING:
    from cockpit.domain.events import TargetChanged
    from cockpit.engine.preflight import PreflightService

RunEngine = Callable[..., Awaitable[object]]
"""`run(sink)` or `run(sink, blocked)`: starts the migration, emits its events into the sink, returns
when the run ends. `blocked` (target -> why) are the clients the preflight gate keeps from starting;
it is passed only when the app has a preflight service (RunbookRun.run accepts both forms)."""

DEFAULT_FLUSH_INTERVAL = 0.05
LINE_REFRESH_EVERY = 4
"""Fleet rows that only printed lines are redrawn on every 4th flush (5 times a second)."""
DEFAULT_RESUME_COMMAND = "cockpit run CONFIG --resume"


class CockpitApp(AlertActions, Navigation):
    """Fleet overview plus per-target log panes for one migration run.

    Args:
        run: starts the migration, emits its events into the sink it is given (on this app's event
            loop; it runs in the "engine" worker), returns when the run ends.
        targets: client names in plan order, one fleet row each (targets first seen in events are
            appended).
        log_path: the plain-text log file of a target, written by the engine before it emits the
            matching LogLines.
        title: shown in the fleet header.
        autostart: start `run` on mount; otherwise the operator presses `s`.
        clock: the UI's clock. Elapsed and silence are taken from the events' own timestamps
            (`at - started_at`) plus the time since the event arrived on this clock, so the engine
            may use wall-clock time while the UI uses a monotonic (or, in tests, frozen) clock.
        log_max_lines: lines a log pane holds (and the most that wait for a paused pane).
        tail_lines: recent lines kept in memory per target (fallback for an unreadable log file).
        flush_interval: seconds between redraws.
        freeze_gc: call gc.freeze() once the first frame is up. Measured with 200 streaming
            targets, gen-2 collections over Textual's long-lived objects doubled some repaints
            (max loop lag ~65 ms, ~33 ms frozen). Process-wide, so for the `cockpit` process
            only, not for test sessions that start many apps.
        preflight: with a service the app opens on the preflight screen and checks every host;
            the run starts only from there (after a confirmation), with the gate's `blocked`
            clients, and `autostart` is ignored. Without one the app opens on the fleet.
        controls: the engine's operator controls (RunbookRun): troubleshoot screens (`t`), fleet
            controls. The run is then expected to stay open after its last step (RunbookRun.run
            with keep_open) so a failed client can still be retried; quitting calls
            `controls.close()`, and the status follows the targets rather than the worker's end.
        resume_command: what the quit confirmation tells to re-attach to the migrations left running.
        rollback: makes the engine's RollbackWizard (one per wizard screen, one journal run each): the
            rollback wizard (`b` on a host, or the command palette). Without it there is no wizard.
        theme: the colour theme to start with (a YAML theme or a Textual one); None: Textual's default.
        theme_dirs: directories of the operator's YAML themes (None: ~/.config/migration-cockpit/themes);
            the built-in ones (cockpit/themes/) are always loaded. See cockpit/ui/themes.py.
        report: writes the record of a run (by its id) to a file and returns its path: the palette's
            "Save the run's report".
        window, eta: the run's maintenance window and ETA model when there are no controls (`cockpit
            watch` builds them from the config and the journal, as the driving cockpit has them).
        wall_clock: the engine's clock (epoch seconds): events are stamped on it, ETAs and the window's
            countdown are read on it (None: time.time, or `clock` when a clock is given).
        alerts: makes the run's alerts (the engine's AlertSink) once the app is up: they ring this
            terminal (not a browser tab's), tell their troubles in a toast, hear the run's events
            with the fleet, and get their last notifications out when the app quits. The palette
            turns the bell, the desktop notification and each kind of alert off and on.
        groups: each target's NIM master: with several, the fleet groups its rows by master and `g`
            shows one master's clients at a time.
    """

    CSS_PATH = "cockpit.tcss"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = App.COMMANDS | {
        TargetLogCommands,
        TargetTroubleshootCommands,
        TargetRollbackCommands,
        ThemeCommands,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("s", "start_run", "Start run"),
        Binding("b", "rollback", "Roll back"),
        Binding("m", "mute_alerts", "Mute / unmute alerts"),
    ]

    def __init__(
        self,
        run: RunEngine,
        targets: Sequence[str],
        log_path: Callable[[str], Path],
        title: str = "Migration Cockpit",
        autostart: bool = True,
        *,
        clock: Callable[[], float] = time.monotonic,
        log_max_lines: int = DEFAULT_MAX_LINES,
        tail_lines: int = DEFAULT_TAIL_LINES,
        flush_interval: float = DEFAULT_FLUSH_INTERVAL,
        freeze_gc: bool = False,
        preflight: PreflightService | None = None,
        controls: RunControls | None = None,
        resume_command: str = DEFAULT_RESUME_COMMAND,
        rollback: Callable[[], RollbackService] | None = None,
        backout: Backout | None = None,
        theme: str | None = None,
        theme_dirs: Sequence[Path] | None = None,
        read_only: bool = False,
        report: Callable[[str], Path] | None = None,
        window: Window | None = None,
        eta: FleetEta | None = None,
        wall_clock: Callable[[], float] | None = None,
        alerts: AlertsFactory | None = None,
        groups: Mapping[str, str] | None = None,
        stop_signals: bool = False,
    ) -> None:
        super().__init__()
        self._stop_signals = stop_signals
        self.stopped_by: int | None = None
        """The signal (SIGTERM) that closed the app, with `stop_signals` (the `cockpit` process)."""
        self.read_only = read_only
        """Watching a run another process drives, or replaying one (`run` is then the journal observer):
        every action that changes a host is refused with READ_ONLY_REFUSAL, whatever else is passed."""
        if read_only:
            controls, rollback, preflight, backout = None, None, None, None
        self._backout = backout
        self._report = report
        # The YAML themes (built in, then the operator's); `theme` (--theme) must name one of them
        # or a Textual theme, else UnknownTheme. Files that cannot be used are told on mount.
        themes = install_themes(self, theme_dirs, theme)
        self.theme_sources = themes.sources
        self._theme_errors = themes.errors
        self.title = title
        self.clock = clock
        # A clock given for the UI (a test's) is the engine's too, unless a wall clock is given.
        wall = wall_clock if wall_clock is not None else (time.time if clock is time.monotonic else clock)
        self.wall_clock = wall
        self.bridge = UiBridge(
            targets, clock=clock, wall_clock=wall, tail_lines=tail_lines, pending_limit=log_max_lines
        )
        self._run = run
        self._log_path = log_path
        self._autostart = autostart
        self._log_max_lines = log_max_lines
        self._flush_interval = flush_interval
        self._freeze_gc = freeze_gc
        self._engine: Worker[object] | None = None
        self._last_second: int | None = None
        self._flushes = 0
        self._controls = controls
        self._alerts_factory = None if read_only else alerts
        self.alerts: RunAlerts | None = None
        """The run's alerts (made on mount), None without them."""
        self._leaving = False
        self._resume_command = resume_command
        self._rollback = rollback
        self.term_sent: set[str] = set()
        """Targets sent SIGTERM from a troubleshoot screen (SIGKILL is offered for those)."""
        self._fleet = FleetScreen(
            self.bridge,
            clock,
            self.open_log,
            title,
            controls=controls,
            open_troubleshoot=self.open_troubleshoot,
            read_only=read_only,
            window=window,
            eta=eta,
            wall_clock=wall,
            groups=groups,
        )
        if read_only:
            self.sub_title = "READ-ONLY"
        self._blocked: dict[str, str] | None = None
        self._preflight: PreflightScreen | None = None
        if preflight is not None:
            self._preflight = PreflightScreen(preflight, title, self.start_gated_run, wall_clock=wall)

    # -- lifecycle ---------------------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        return self._fleet

    @property
    def fleet(self) -> FleetScreen:
        """The fleet screen (the base of the screen stack, never popped)."""
        return self._fleet

    @property
    def controls(self) -> RunControls | None:
        return self._controls

    @property
    def preflight(self) -> PreflightScreen | None:
        """The preflight screen (when the app has a service), whether or not it is showing."""
        return self._preflight

    def on_mount(self) -> None:
        if self._alerts_factory is not None:
            terminal = None if self.is_web else TextualTerminal(self)
            self.alerts = self._alerts_factory(report=self._alert_trouble, terminal=terminal)
        if self._stop_signals:
            stop_signals.catch(self._stop_by_signal)
        self.set_interval(self._flush_interval, self._on_flush_timer, name="flush")
        if self._preflight is not None:
            self._fleet.set_status("waiting for the preflight")
            self.push_screen(self._preflight)
        elif self._autostart:
            self.start_run()
        else:
            self._fleet.set_status("not started (press s)")
        for error in self._theme_errors:
            self.notify(error, title="Theme file skipped", severity="warning", timeout=20, markup=False)

    def _stop_by_signal(self, signum: int) -> None:
        self.stopped_by = signum
        self.exit(return_code=128 + signum)

    def on_ready(self) -> None:
        if self._freeze_gc:
            gc.freeze()

    def start_run(self, blocked: Mapping[str, str] | None = None) -> Worker[object]:
        """Start the engine (again). `exclusive` cancels a previous run's worker first.

        `blocked` (target -> why) goes to the engine as the preflight gate; None calls `run(sink)`.
        """
        self._blocked = dict(blocked) if blocked is not None else None
        self._fleet.set_status("running")
        self._engine = self._run_engine()
        self.refresh_bindings()
        return self._engine

    def start_gated_run(self, blocked: Mapping[str, str]) -> None:
        """From the preflight screen: back to the fleet, and start with the gate's decision."""
        while self.screen is not self._fleet and len(self.screen_stack) > 1:
            self.pop_screen()
        self.start_run(blocked)

    @work(exclusive=True, group="engine", exit_on_error=False, name="engine")
    async def _run_engine(self) -> object:
        sink: EventSink = self.bridge if self.alerts is None else FanOutSink(self.bridge, self.alerts)
        if self._blocked is None:
            return await self._run(sink)
        return await self._run(sink, self._blocked)

    @property
    def run_active(self) -> bool:
        """True while the engine worker has not ended."""
        engine = self._engine
        return engine is not None and engine.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "engine" or worker is not self._engine:
            return
        # The engine may end while the app is closing (its screens already gone): nothing to show then.
        with contextlib.suppress(ScreenStackError):
            self._show_engine_end(event)

    def _show_engine_end(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR:
            error = worker.error
            self._fleet.set_status("engine error")
            self.notify(
                f"{type(error).__name__}: {error}",
                title="The engine stopped with an error",
                severity="error",
                timeout=30,
            )
        elif event.state is WorkerState.SUCCESS:
            self._fleet.set_status(self._finished_status())
        elif event.state is WorkerState.CANCELLED:
            self._fleet.set_status("cancelled")
        else:
            return
        self.flush()  # show the final states now rather than on the next tick
        self.refresh_bindings()

    def _finished_status(self) -> str:
        finished = self.bridge.run_finished
        if finished is None or finished.ok:
            return "finished"
        # RunFinished counts a client the gate kept back as not succeeded: say which is which.
        views = self.bridge.views
        blocked = sum(1 for t in finished.failed if t in views and views[t].state is TargetState.BLOCKED)
        parts = [f"{len(finished.failed) - blocked} failed"] if len(finished.failed) > blocked else []
        parts += [f"{blocked} blocked"] if blocked else []
        return f"finished, {', '.join(parts)}"

    @property
    def migrations_running(self) -> bool:
        """True while quitting would leave something running or waiting to start."""
        if not self.run_active or self.read_only:
            return False  # a watcher leaves nothing behind: the run is another process's
        if self._controls is None:
            return True  # the run ends when its last step does
        return any(view.state in BUSY for view in self.bridge.views.values())

    def _follow_open_run(self) -> None:
        """With controls the run stays open after its last step: the status follows the targets.

        "finished" once nothing runs or waits and the engine has said RunFinished (it says so
        again each time it goes idle, e.g. after a retry); "running" again when a retry starts.
        """
        open_run = self._controls is not None or self.read_only  # a watched run may be kept open too
        if not open_run or not self.run_active or self.bridge.run_started is None:
            return
        busy = any(view.state in BUSY for view in self.bridge.views.values())
        idle = self.bridge.run_finished is not None and not busy
        status = self._finished_status() if idle else "running"
        if status != self._fleet.status:
            self._fleet.set_status(status)
            self.refresh_bindings()

    # -- redraw --------------------------------------------------------------------------------

    def flush(self, *, full: bool = True) -> None:
        """Redraw what the bridge marked since the last flush, in one batch.

        Every flush writes the open log pane's waiting lines and redraws rows whose state
        changed. A `full` flush (every LINE_REFRESH_EVERY-th timer tick, and any direct call) also
        redraws rows that only printed lines and advances elapsed times: a DataTable repaint
        costs the loop about 25 ms for a screenful of rows, so it is kept to a few a second.
        """
        now = self.clock()
        tick = False
        if full:
            second = int(now)
            tick = second != self._last_second
            self._last_second = second
        changes = self.bridge.take_changes()
        self._report_emit_errors()
        log_screen = self._log_screen()
        trouble = self._troubleshoot_screen()
        with self.batch_update():
            covered = log_screen is not None or trouble is not None
            self._fleet.apply(changes, now, tick=tick, lines=full, visible=not covered)
            if log_screen is not None:
                log_screen.pump(changes, now, tick)
            if trouble is not None:
                trouble.pump(changes, now, tick)
        if changes.run or changes.targets:
            self._follow_open_run()
        for stall in changes.stalled:
            self._tell_stall(stall)
        for notice in changes.notices:  # a target kept back by a lock, the cockpit's own disk full ...
            self.notify(notice.text, title=notice.title, severity=notice.severity, timeout=30, markup=False)

    def _on_flush_timer(self) -> None:
        self._flushes += 1
        self.flush(full=self._flushes % LINE_REFRESH_EVERY == 0)

    def _tell_stall(self, change: TargetChanged) -> None:
        """A target turned stalled: say so once, and where to look (the row shows it too)."""
        how = " Press t on its row to troubleshoot." if self._controls is not None else ""
        said = (change.reason or "").removeprefix(STALL_PREFIX).strip()
        self.notify(
            f"{said[:1].upper()}{said[1:]}.{how}",
            title=f"{change.target} stalled",
            severity="warning",
            timeout=20,
            markup=False,
        )

    def _report_emit_errors(self) -> None:
        errors = self.bridge.errors
        if errors.count > errors.reported:
            self.notify(
                f"{errors.count - errors.reported} event(s) could not be shown: {errors.last}",
                severity="warning",
            )
            errors.reported = errors.count

    # -- actions -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "mute_alerts":
            return self.alerts is not None and not self.is_web
        if action == "start_run":
            return self._engine is None
        if action == "rollback" and self.read_only:
            return False  # a read-only cockpit offers only what works there
        if action == "rollback":  # from the fleet, a log or a troubleshoot screen (not over a modal)
            possible = self._rollback is not None or self._backout is not None
            return possible and isinstance(self.screen, FleetScreen | LogScreen | TroubleshootScreen)
        return True

    def action_start_run(self) -> None:
        if self._preflight is not None:
            # Never around the gate: the preflight screen confirms and passes `blocked`.
            if self._engine is None:
                self._preflight.action_start()
            return
        if not self.run_active:
            self.start_run()

    async def action_quit(self) -> None:
        rollback = self._rollback_screen()
        if rollback is not None and rollback.busy:
            self.notify("Wait: a rollback step is running (its answer shows on the wizard).", severity="warning")
            return
        if rollback is not None:
            await rollback.close_service()
        preflight = self._preflight
        if preflight is not None and preflight.fixing:
            # Quitting would cancel the fix between two of its commands (say after odmdelete,
            # before savebase): let it finish; it stops at its first failing command anyway.
            self.notify(f"Wait: {preflight.busy}", severity="warning")
            return
        if self._leaving and self.alerts is not None:
            self.exit()  # `q` again while the last notifications go out: on_unmount stops them
            return
        if not self.migrations_running:
            await self._send_last_alerts()
            self.exit()
            return

        async def leave() -> None:
            await self._send_last_alerts()
            self.exit()

        def answered(quit_app: bool | None) -> None:
            if quit_app:
                self.call_later(leave)

        waiting = sum(1 for view in self.bridge.views.values() if view.state is TargetState.PENDING)
        ask = quit_ask(self._resume_command if self._controls is not None else None, waiting)
        self.push_screen(ConfirmScreen(ask), answered)

    def exit(self, result: None = None, return_code: int = 0, message: RenderableType | None = None) -> None:
        # An open run (keep_open) ends once nothing runs; what still runs is left on the master.
        if self._controls is not None:
            self._controls.close()
        super().exit(result, return_code, message)
