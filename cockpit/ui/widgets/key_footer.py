"""The footer of every screen: its keys by priority, whole keys only, compact on a narrow terminal.

Textual's Footer lists the keys in binding order (the focused widget's, the screen's, then the app's
`q` and `b`) and cuts whatever passes the right edge, mid-key. Here a screen names its most important
actions first (`FOOTER_ORDER`); the keys that do not fit are left out whole, and the command palette
(ctrl+p, always shown) offers every one of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

COMPACT_BELOW = 120
"""Terminal width under which the keys lose their padding."""
_PALETTE_ROOM = 14
"""Cells the palette key takes on the right (`^p palette` and its separator)."""


def key_width(key: FooterKey, compact: bool) -> int:
    """Cells a key takes: the key, a space, its description, then the margin (padding when not compact)."""
    if not key.description:
        return len(key.key_display) + 1
    return len(key.key_display) + len(key.description) + (2 if compact else 4)


class KeyFooter(Footer):
    """A Footer whose keys come in the screen's FOOTER_ORDER and are dropped whole when they do not fit."""

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        palette = [k for k in keys if isinstance(k, FooterKey) and k.has_class("-command-palette")]
        others = [k for k in keys if k not in palette]
        width = self.app.size.width
        compact = width < COMPACT_BELOW
        self.compact = compact
        room = width - (_PALETTE_ROOM if palette else 0)
        for key in self._ordered(others):
            if not isinstance(key, FooterKey):
                continue
            room -= key_width(key, compact)
            if room < 0:
                break
            yield key
        yield from palette

    def _ordered(self, keys: Iterable[Widget]) -> list[Widget]:
        order: tuple[str, ...] = getattr(self.screen, "FOOTER_ORDER", ())
        rank = {action: i for i, action in enumerate(order)}
        listed = list(keys)
        return sorted(listed, key=lambda k: (rank.get(getattr(k, "action", ""), len(rank)), listed.index(k)))

    async def on_resize(self) -> None:
        await self.recompose()
