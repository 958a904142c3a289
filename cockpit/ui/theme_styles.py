"""Rich styles resolved from the active Textual theme's variables.

DataTable cells are Rich renderables, which cannot name `$success`; this resolves a theme variable
to a concrete colour so that cells still take their colours from the theme, never from literals.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from textual.color import Color, ColorParseError


class ThemeStyles:
    """Style lookups by theme variable name ("success", "error", ...), cached per theme."""

    def __init__(self, variables: Mapping[str, str]) -> None:
        self._variables = variables
        self._cache: dict[tuple[str, bool], Style] = {}

    def color(self, name: str) -> Color:
        background = self._parse(self._variables.get("background", "")) or Color(0, 0, 0)
        color = self._parse(self._variables.get(name, "")) or self._parse(self._variables.get("foreground", ""))
        if color is None:
            return Color(255, 255, 255)
        # Muted variables carry an alpha channel: blend it as Textual would over the background.
        return background + color if color.a < 1 else color

    def style(self, name: str, bold: bool = False) -> Style:
        key = (name, bold)
        style = self._cache.get(key)
        if style is None:
            style = self._cache[key] = Style(color=self.color(name).rich_color, bold=bold or None)
        return style

    @staticmethod
    def _parse(value: str) -> Color | None:
        try:
            return Color.parse(value)
        except ColorParseError:
            return None
