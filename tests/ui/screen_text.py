"""The terminal sizes the cockpit is pictured at, and what a screen shows as plain text (for assertions)."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

SIZES: dict[str, tuple[int, int]] = {"80x24": (80, 24), "120x40": (120, 40), "200x60": (200, 60)}
"""A serial or HMC console, a laptop's half screen, a large monitor."""


def screen_lines(app: App[object]) -> list[str]:
    """Every line of the screen as a person reads it (what the compositor would draw now)."""
    # Private, but the only way to read the whole composed screen (modals over screens) as text.
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip) for strip in strips]


async def steady_cursors(pilot: Pilot[None]) -> None:
    """Stop the text fields' cursors blinking: a picture taken mid-blink would differ from run to run."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()
