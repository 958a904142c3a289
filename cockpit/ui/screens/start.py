"""Confirm the start of the migration run: which clients nimadm will migrate, which stay blocked and why."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from cockpit.domain.window import Window, clock_time
from cockpit.ui.preflight_content import join


class StartScreen(ModalScreen[bool]):
    """Dismisses with True to start, False to stay on the preflight."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Start", show=False),
        Binding("n,escape", "answer(False)", "Cancel", show=False),
    ]

    DEFAULT_CSS = """
    StartScreen {
        align: center middle;
    }
    StartScreen > #start-box {
        width: 90%;
        max-width: 120;
        height: auto;
        max-height: 90%;
        padding: 1 2;
        border: thick $primary;
        background: $surface;
    }
    StartScreen #start-heading {
        text-style: bold;
        margin-bottom: 1;
    }
    StartScreen #start-plan {
        height: auto;
        max-height: 20;
    }
    StartScreen Horizontal {
        height: auto;
        align-horizontal: right;
        margin-top: 1;
    }
    StartScreen Button {
        margin-left: 2;
    }
    """

    def __init__(
        self, master: str, go: Sequence[str], blocked: Mapping[str, Sequence[str]], *, window: Window | None = None
    ) -> None:
        """`blocked`: client -> why it will not start, one line per blocking finding."""
        super().__init__()
        self.window = window
        self.master = master
        self.go = tuple(go)
        self.blocked = {client: tuple(reasons) for client, reasons in blocked.items()}

    def compose(self) -> ComposeResult:
        lines = [
            Content.assemble(
                f"nimadm runs on {self.master} for {len(self.go)} client(s): ", (", ".join(self.go), "bold $success")
            )
        ]
        if self.window is not None:
            now = time.time()
            note = f"Window: {self.window.countdown(now)}."
            if not self.window.past_cutoff(now):
                note += f" A client not started by {clock_time(self.window.last_start)} is not started."
            lines.append(Content.styled(note, "$warning" if self.window.past_cutoff(now) else "$text-muted"))
        if self.blocked:
            lines += [Content(""), Content.styled(f"Not started ({len(self.blocked)}), blocked by preflight:", "bold")]
            for client, reasons in self.blocked.items():
                lines.append(Content.assemble("  ", ("■ ", "$accent"), (client, "bold")))
                lines += [Content(f"      {why}") for why in reasons]
        with Vertical(id="start-box"):
            yield Static("Start the migration run?", id="start-heading", markup=False)
            with VerticalScroll(id="start-plan"):
                yield Static(join(lines))
            with Horizontal():
                yield Button("Cancel (n)", id="start-cancel")
                yield Button("Start (y)", id="start-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#start-cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "start-ok")

    def action_answer(self, start: bool) -> None:
        self.dismiss(start)
