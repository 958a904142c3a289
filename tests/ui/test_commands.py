"""The command palette (Ctrl+P) opens any host's log or troubleshoot screen and toggles follow."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from cockpit.ui.screens.log import LogScreen
from cockpit.ui.screens.troubleshoot import TroubleshootScreen
from tests.ui.canned_controls import CannedControls
from tests.ui.conftest import SIZE, MakeApp, wait_until
from tests.ui.scenarios import DB, HOSTS, WEB, three_hosts


async def run_command(pilot: Pilot[None], query: str, expected_prompt: str) -> None:
    """Open the palette, type `query`, wait for `expected_prompt` to be the top hit, run it."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*query)

    def top_hit_is_expected() -> bool:
        commands = app.screen.query_one(CommandList)
        option = commands.highlighted_option
        return option is not None and str(option.prompt).startswith(expected_prompt)

    await wait_until(pilot, top_hit_is_expected)
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette))


async def test_palette_opens_a_hosts_log(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, three_hosts)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await run_command(pilot, WEB, f"Open log: {WEB}")
        await wait_until(pilot, lambda: isinstance(app.screen, LogScreen))
        assert isinstance(app.screen, LogScreen) and app.screen.target == WEB


async def test_palette_toggles_follow_in_a_log_pane(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, three_hosts)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        app.open_log(WEB)
        await wait_until(pilot, lambda: isinstance(app.screen, LogScreen))
        screen = app.screen
        assert isinstance(screen, LogScreen) and screen.following
        await run_command(pilot, "pause", "Pause/Resume")
        assert not screen.following
        assert "PAUSED" in screen.header.text


async def test_palette_and_the_log_pane_open_a_hosts_troubleshoot_screen(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, three_hosts, controls=CannedControls(HOSTS))
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await run_command(pilot, f"troubleshoot {WEB}", f"Troubleshoot: {WEB}")
        await wait_until(pilot, lambda: isinstance(app.screen, TroubleshootScreen))
        assert isinstance(app.screen, TroubleshootScreen) and app.screen.target == WEB
        await pilot.press("escape")
        app.open_log(WEB)
        await wait_until(pilot, lambda: isinstance(app.screen, LogScreen))
        log_pane = app.screen
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TroubleshootScreen))
        await pilot.press("escape")
        assert app.screen is log_pane  # back where it was opened from

        # Another host's log from a troubleshoot screen over a log pane replaces that pane: one feed.
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TroubleshootScreen))
        await run_command(pilot, f"open log {DB}", f"Open log: {DB}")
        await wait_until(pilot, lambda: isinstance(app.screen, LogScreen) and app.screen.target == DB)
        assert [type(s).__name__ for s in app.screen_stack] == ["FleetScreen", "LogScreen"]
