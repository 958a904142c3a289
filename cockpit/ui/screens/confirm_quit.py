"""Asks before quitting while a run is still going, and says what quitting leaves behind."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

QUIT_WARNING = (
    "The migration is still running.\n\n"
    "Quitting closes the cockpit only: nimadm keeps running on the NIM master, "
    "and nobody will be watching it or its log here. "
    "Quit anyway?"
)


def quit_warning(resume_command: str | None = None, waiting: int = 0) -> str:
    """What quitting leaves behind; with `resume_command`, how to come back to it.

    `waiting`: clients not started yet (they start only once someone re-attaches).
    """
    if resume_command is None:
        return QUIT_WARNING
    unstarted = f" {waiting} client(s) not started yet stay unstarted." if waiting else ""
    return (
        "Migrations are still running.\n\n"
        "Quitting closes the cockpit only: the migrations keep running on the NIM master, "
        f"and nobody will be watching them here.{unstarted}\n\n"
        f"{resume_command} re-attaches to them{' (and starts the waiting ones)' if waiting else ''}.\n\n"
        "Quit anyway?"
    )


class ConfirmQuitScreen(ModalScreen[bool]):
    """Dismisses with True to quit, False to stay."""

    def __init__(self, text: str = QUIT_WARNING) -> None:
        super().__init__()
        self.text = text

    BINDINGS = [
        Binding("y", "answer(True)", "Quit", show=False),
        Binding("n,escape", "answer(False)", "Stay", show=False),
    ]

    DEFAULT_CSS = """
    ConfirmQuitScreen {
        align: center middle;
    }
    ConfirmQuitScreen > Vertical {
        width: 64;
        height: auto;
        padding: 1 2;
        border: thick $warning;
        background: $surface;
    }
    ConfirmQuitScreen #quit-text {
        margin-bottom: 1;
    }
    ConfirmQuitScreen Horizontal {
        height: auto;
        align-horizontal: right;
    }
    ConfirmQuitScreen Button {
        margin-left: 2;
    }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.text, id="quit-text", markup=False)
            with Horizontal():
                yield Button("Stay (n)", id="stay", variant="primary")
                yield Button("Quit, leave it running (y)", id="quit", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "quit")

    def action_answer(self, quit_app: bool) -> None:
        self.dismiss(quit_app)
