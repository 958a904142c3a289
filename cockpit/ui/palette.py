"""The command palette's own entries: every key the screen beneath offers, and what has no key.

Whatever a key does on a screen, the palette (ctrl+p) does too: the entries are made from the screen's
active bindings, so a key that is hidden (a read-only cockpit, an action that does not fit) is not
offered either, and a key left out of a narrow footer is still one search away. What has no key of its
own (the rollback wizard with no host ticked, saving the run's report) is added by the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.dom import DOMNode
from textual.screen import Screen

_OWN = ("quit", "command_palette", "app.quit", "app.command_palette")
"""Offered by Textual's own entries already (Quit runs the app's action_quit: it still asks first)."""


def _offered(node: DOMNode, screen: Screen[Any], show: bool) -> bool:
    """A shown key, or a hidden one of the screen itself (probes, actions); never a widget's cursor keys."""
    return show or node is screen


def key_commands(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """One entry per action the screen's keys offer now (enabled ones), titled by the key's description."""
    seen: set[tuple[int, str]] = set()
    for node, binding, enabled, _tooltip in screen.active_bindings.values():
        if not enabled or not binding.description or binding.action in _OWN:
            continue
        if not _offered(node, screen, binding.show):
            continue
        ident = (id(node), binding.action)
        if ident in seen:
            continue
        seen.add(ident)
        title = binding.description[:1].upper() + binding.description[1:]
        key = app.get_key_display(binding)
        yield SystemCommand(title, f"key {key}", partial(app.run_action, binding.action, node))
