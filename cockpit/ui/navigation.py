"""Where the operator goes from the fleet: a host's log, its troubleshoot screen, the way back, the palette.

The part of CockpitApp (cockpit/ui/app.py) that opens screens for a host: one log pane streams at a
time, one troubleshoot screen, one rollback wizard; a cluster runbook's `b` is its back-out. The palette
offers every key of the screen beneath (cockpit/ui/palette.py) and what has no key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen

from cockpit.domain.models import TargetState
from cockpit.ui.asks import RunBackout, backout_ask
from cockpit.ui.bridge import UiBridge
from cockpit.ui.controls import RunControls
from cockpit.ui.palette import key_commands
from cockpit.ui.present import phase_bar, state_text
from cockpit.ui.screens.confirm import ConfirmScreen
from cockpit.ui.screens.fleet import READ_ONLY_REFUSAL, FleetScreen
from cockpit.ui.screens.log import LogScreen
from cockpit.ui.screens.rollback import RollbackScreen, RollbackService
from cockpit.ui.screens.troubleshoot import TroubleshootScreen

BUSY = (TargetState.RUNNING, TargetState.STALLED, TargetState.PENDING)
"""States of a target whose migration runs or waits to."""


@dataclass(frozen=True)
class Backout:
    """A cluster runbook's way back, for `b`: its name, the plan as confirmed, and how to run it."""

    runbook: str
    plan: Sequence[str]
    run: RunBackout


class Navigation(App[None]):
    """The screens a host opens; CockpitApp sets the attributes below in its constructor."""

    bridge: UiBridge
    clock: Callable[[], float]
    read_only: bool
    term_sent: set[str]
    _fleet: FleetScreen
    _log_path: Callable[[str], Path]
    _log_max_lines: int
    _controls: RunControls | None
    _rollback: Callable[[], RollbackService] | None
    _backout: Backout | None
    _report: Callable[[str], Path] | None

    @property
    def run_active(self) -> bool:
        """True while the engine worker has not ended (CockpitApp knows its worker)."""
        raise NotImplementedError

    def _log_screen(self) -> LogScreen | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, LogScreen):
                return screen
        return None

    def _troubleshoot_screen(self) -> TroubleshootScreen | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, TroubleshootScreen):
                return screen
        return None

    # -- navigation ----------------------------------------------------------------------------

    def target_names(self) -> list[str]:
        return list(self.bridge.views)

    def describe_target(self, target: str) -> str:
        view = self.bridge.views.get(target)
        if view is None:
            return ""
        return f"{state_text(view.state)} · phase {phase_bar(view.phase, view.phases_total)}"

    def open_log(self, target: str) -> None:
        """Show `target`'s log pane, replacing an open one (one pane streams at a time)."""
        if target not in self.bridge.views:
            self.notify(f"No target named {target!r}", severity="warning")
            return
        current = self._log_screen()
        if current is not None:
            # Back down to the open pane (closing troubleshoot screens above it): a second pane
            # would take the live feed from the first one.
            while self.screen is not current and isinstance(self.screen, TroubleshootScreen):
                self.pop_screen()
        screen = LogScreen(
            self.bridge,
            target,
            self._log_path,
            self.clock,
            self._log_max_lines,
            open_troubleshoot=self.open_troubleshoot if self._controls is not None else None,
        )
        if current is not None and current is self.screen:
            if current.target != target:
                self.switch_screen(screen)
            return
        self.push_screen(screen)

    @property
    def can_troubleshoot(self) -> bool:
        return self._controls is not None

    def open_troubleshoot(self, target: str) -> None:
        """Show `target`'s troubleshoot screen (over the fleet or its log pane), replacing an open one."""
        controls = self._controls
        if self.read_only:
            self.notify(READ_ONLY_REFUSAL, title="Read-only", severity="warning", markup=False)
            return
        if controls is None:
            self.notify("Troubleshooting needs the engine's controls (cockpit run).", severity="warning")
            return
        if target not in self.bridge.views:
            self.notify(f"No target named {target!r}", severity="warning")
            return
        screen = TroubleshootScreen(
            self.bridge,
            target,
            controls,
            self._log_path,
            self.clock,
            run_open=lambda: self.run_active,
            term_sent=self.term_sent,
        )
        current = self.screen
        if isinstance(current, TroubleshootScreen):
            if current.target != target:
                self.switch_screen(screen)
            return
        self.push_screen(screen)

    # -- rollback ------------------------------------------------------------------------------

    @property
    def can_rollback(self) -> bool:
        return self._rollback is not None

    def _rollback_screen(self) -> RollbackScreen | None:
        return next((s for s in reversed(self.screen_stack) if isinstance(s, RollbackScreen)), None)

    def rollback_refusal(self, target: str) -> str | None:
        """Why `target` must not be rolled back now (its migration runs or waits to), else None."""
        view = self.bridge.views.get(target)
        if view is None or view.state not in BUSY:
            return None
        if view.state is TargetState.PENDING and not self.run_active:
            return None  # no run will start it
        return f"{target} is {view.state.value}: stop its migration (t, then kill / abort) before rolling back"

    def rollback_offered(self, target: str) -> str | None:
        """Why `Roll back` is not offered for `target` (it never started, or it is rolled back
        already), else None. The wizard may still tick any host (an earlier run's, say)."""
        view = self.bridge.views.get(target)
        if view is None or view.change is None or view.change.started_at is None:
            return f"{target} never started in this run: nothing to roll back"
        if view.state is TargetState.ROLLED_BACK:
            return f"{target} is rolled back already ({view.change.reason or 'see its log'})"
        return None

    def action_rollback(self) -> None:
        if self._backout is not None and not self.read_only:
            self.open_backout()
            return
        screen = self.screen
        if isinstance(screen, LogScreen | TroubleshootScreen):
            target: str | None = screen.target
        else:
            target = self._fleet.table.target_at_cursor()
        if target is not None and not self.read_only and self._rollback is not None:
            why = self.rollback_offered(target)
            if why is not None:
                self.notify(why, title="Not offered", severity="warning", markup=False)
                return
        self.open_rollback([target] if target else [])

    def open_backout(self) -> None:
        """A cluster runbook goes back with its back-out steps on every node (no disk to boot)."""
        assert self._backout is not None
        offered = [t for t in self.target_names() if self.rollback_offered(t) is None]
        if not offered:
            rolled = any(self.bridge.views[t].state is TargetState.ROLLED_BACK for t in self.target_names())
            nothing = "every node is rolled back already" if rolled else "no node started in this run"
            self.notify(f"Nothing to back out: {nothing}.", title="Not offered", severity="warning", markup=False)
            return
        for target in self.target_names():
            busy = self.rollback_refusal(target)
            if busy is not None:
                self.notify(busy, title="Not now", severity="warning", markup=False)
                return
        if any(isinstance(s, ConfirmScreen) for s in self.screen_stack):
            return
        backout = self._backout
        self.push_screen(ConfirmScreen(backout_ask(backout.runbook, backout.plan, backout.run)))

    def open_rollback(self, targets: Sequence[str]) -> None:
        """The rollback wizard with `targets` ticked (every target of the fleet may be ticked there)."""
        factory = self._rollback
        if self.read_only:
            self.notify(READ_ONLY_REFUSAL, title="Read-only", severity="warning", markup=False)
            return
        if factory is None:
            self.notify("The rollback wizard needs the engine (cockpit run / demo).", severity="warning")
            return
        if self._rollback_screen() is not None:
            self.notify("The rollback wizard is open already.", severity="warning")
            return
        for target in targets:
            why = self.rollback_refusal(target)
            if why is not None:
                self.notify(why, title="Not now", severity="warning", markup=False)
                return
        self.push_screen(RollbackScreen(factory, targets, self.target_names(), busy=self.rollback_refusal))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from key_commands(self, screen)
        if self._rollback is not None and not isinstance(screen, RollbackScreen):
            yield SystemCommand(
                "Roll back hosts…", "The rollback wizard; tick the hosts to roll back", partial(self.open_rollback, [])
            )
        started = self.bridge.run_started
        if self._report is not None and started is not None:
            yield SystemCommand(
                "Save the run's report",
                f"The record of run {started.run_id} (cockpit report) as a Markdown file",
                partial(self.save_report, started.run_id),
            )

    @work(group="report", exit_on_error=False)
    async def save_report(self, run_id: str) -> None:
        """Write the run's report (from the journal, read-only) and say where it is."""
        assert self._report is not None
        try:
            path = await asyncio.to_thread(self._report, run_id)
        except Exception as exc:  # told, never a crash of the cockpit
            self.notify(f"{type(exc).__name__}: {exc}", title="No report", severity="error", markup=False)
            return
        self.notify(str(path), title="Report saved", timeout=20, markup=False)
