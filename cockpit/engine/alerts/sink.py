"""AlertSink: the consumer of an engine event stream that calls a person when one is needed.

Plug it into any stream (the run's, next to the cockpit's bridge or the headless printer; a re-attached
run's): it decides with cockpit/domain/alerts.py, journals each alert, rings the terminal and queues
the notify commands. `emit` does no I/O of its own beyond the journal and a few bytes to the terminal,
never waits and never raises, as an EventSink must.

Alerts are delivered on the next turn of the event loop, not inside `emit`: the engine stops every
waiting target at the cutoff in one synchronous sweep, and those alerts are then one notification.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from cockpit.domain.alert_env import alert_env
from cockpit.domain.alerts import Alert, AlertDecider, coalesce
from cockpit.domain.events import Event, RunStarted
from cockpit.engine.alert_journal import AlertJournal
from cockpit.engine.alerts.commands import NotifyCommands, Report
from cockpit.engine.alerts.terminal import AlertSwitches, TerminalAlerter

CLOSE_MARGIN = 5.0
"""Seconds beyond the longest command timeout that closing waits for the last notifications."""


class AlertSink:
    def __init__(
        self,
        terminal: TerminalAlerter,
        commands: NotifyCommands,
        *,
        journal: AlertJournal | None,
        report: Report,
        host_of: Callable[[str], str | None] | None = None,
        config: str | None = None,
    ) -> None:
        self.terminal = terminal
        self.commands = commands
        self.told: list[Alert] = []
        """Every alert delivered, in order."""
        self._journal = journal
        self._report = report
        self._host_of = host_of
        self._config = config
        self._decider = AlertDecider()
        self._pending: list[Alert] = []
        self._scheduled = False
        self._failed = False

    @property
    def switches(self) -> AlertSwitches:
        """The terminal's alerts as they are now (the operator's toggles change them)."""
        return self.terminal.switches

    @property
    def busy(self) -> int:
        """Notifications queued or being sent by the notify commands."""
        return self.commands.busy

    def emit(self, event: Event) -> None:
        try:
            if isinstance(event, RunStarted) and self._journal is not None:
                # A resumed run re-announces what ended before the restart: told then, not again.
                self._decider.remember(self._journal.told(event.run_id))
            alerts = self._decider.feed(event)
            if alerts:
                self._pending += alerts
                self._schedule()
        except Exception as exc:  # an EventSink never raises into the engine
            self._trouble(exc)

    def flush(self) -> None:
        """Deliver what is pending now (the stream ended, or there is no event loop)."""
        self._scheduled = False
        batch, self._pending = coalesce(self._pending), []
        for alert in batch:
            try:
                self._deliver(alert)
            except Exception as exc:
                self._trouble(exc)

    async def aclose(self, wait: float | None = None) -> None:
        """Deliver what is pending and give the notify commands still running or queued up to `wait`
        seconds (default: the longest command timeout and a margin) before stopping them."""
        self.flush()
        if wait is None:
            wait = self.commands.longest_timeout + CLOSE_MARGIN
        busy = self.commands.busy
        if busy and wait > 1:
            self._report(f"waiting up to {wait:.0f}s for {busy} notification(s) to be sent")
        await self.commands.aclose(wait)

    def _schedule(self) -> None:
        if self._scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()  # no loop (a synchronous consumer): at once
            return
        self._scheduled = True
        loop.call_soon(self.flush)

    def _deliver(self, alert: Alert) -> None:
        alert_id = None
        if self._journal is not None:
            alert_id = self._journal.record(alert.run_id, alert.at, alert.kind.value, alert.targets, alert.summary)
        self.told.append(alert)
        for channel, outcome in self.terminal.deliver(alert):
            if self._journal is not None and alert_id is not None:
                self._journal.delivery(alert_id, channel, outcome)
        host = self._host_of(alert.target) if self._host_of is not None and alert.target else None
        self.commands.offer(alert, alert_id, alert_env(alert, host=host, config=self._config))

    def _trouble(self, exc: Exception) -> None:
        if not self._failed:
            self._failed = True
            self._report(f"alerts: {type(exc).__name__}: {exc} (the run goes on; alerts may be missing)")


__all__ = ["AlertSink"]
