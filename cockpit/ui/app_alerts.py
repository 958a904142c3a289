"""The app's side of the alerts (bell, desktop notification, notify commands): the mute key, the
palette's toggles, a notifier's trouble shown once, the last notifications sent before quitting."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.screen import Screen

from cockpit.ui.alerts import RunAlerts, toggle_commands
from cockpit.ui.screens.fleet import FleetScreen


class AlertActions(App[None]):
    """Mixed into CockpitApp, which makes `alerts` on mount (None without alerts or read-only)."""

    alerts: RunAlerts | None
    _leaving: bool
    _fleet: FleetScreen

    def _alert_trouble(self, text: str) -> None:
        """A notify command failed, hung or was flooded (each said once), or the last ones are sent."""
        self.notify(text, title="Notifications", severity="warning", timeout=30, markup=False)

    async def _send_last_alerts(self) -> None:
        """Before quitting: the notifications still queued get their time (a second `q` stops them)."""
        alerts = self.alerts
        if alerts is None:
            return
        if self._leaving or not alerts.busy:
            await alerts.aclose(0)
            return
        self._leaving = True
        self._fleet.set_status("sending the last notifications (q again: quit now)")
        await alerts.aclose()

    async def on_unmount(self) -> None:
        # Whatever way the app ends, no notify command outlives it (each runs in a session of its own).
        if self.alerts is not None:
            await self.alerts.aclose(0)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.alerts is not None and not self.is_web:
            for title, help_text, toggle in toggle_commands(self.alerts.switches, self._tell_toggle):
                yield SystemCommand(title, help_text, toggle)

    def action_mute_alerts(self) -> None:
        """Silence the terminal's alerts (bell and desktop notification) or let them ring again."""
        if self.alerts is None:
            return
        muted = self.alerts.switches.toggle_mute()
        self._tell_toggle("Alerts muted: no bell, no desktop notification (m: on again)" if muted else "Alerts on")

    def _tell_toggle(self, text: str) -> None:
        self.notify(text, title="Alerts", timeout=5, markup=False)
