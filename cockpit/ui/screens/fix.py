"""Confirm a preflight fix, then show what each command did and what the re-check found.

The modal lists every command with the host it runs on, in order, marking the ones that only save
state first and the destructive ones. A destructive fix runs only after the operator types `yes`;
any other fix after the Run button (or `y`). Nothing runs before that. The screen below runs the
fix and reports into this modal (show_outcomes, show_note, finish); the modal cannot be closed
while commands are running, so their outcome is never missed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from cockpit.ui.preflight_content import join, outcome_lines, step_lines
from cockpit.ui.preflight_present import FixStep

if TYPE_CHECKING:
    from cockpit.engine.preflight import FixOutcome

CONFIRM_WORD = "yes"


class FixStage(Enum):
    CONFIRM = "confirm"
    RUNNING = "running"
    DONE = "done"


class FixScreen(ModalScreen[None]):
    """`on_confirm` is called once, when the operator has confirmed; the caller then runs the fix."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel / Close"),
        Binding("y", "run", "Run", show=False),
    ]

    DEFAULT_CSS = """
    FixScreen {
        align: center middle;
    }
    FixScreen > #fix-box {
        width: 90%;
        max-width: 140;
        height: auto;
        max-height: 90%;
        padding: 1 2;
        border: thick $warning;
        background: $surface;
    }
    FixScreen #fix-box.-destructive {
        border: thick $error;
    }
    FixScreen #fix-heading {
        text-style: bold;
        margin-bottom: 1;
    }
    FixScreen #fix-steps {
        margin: 0 0 1 2;
    }
    FixScreen #fix-warning {
        color: $error;
        margin-bottom: 1;
    }
    FixScreen #fix-results {
        height: auto;
        max-height: 24;
        border-top: solid $primary-muted;
        display: none;
    }
    FixScreen #fix-results.-shown {
        display: block;
    }
    FixScreen #fix-confirm {
        margin-bottom: 1;
    }
    FixScreen Horizontal {
        height: auto;
        align-horizontal: right;
    }
    FixScreen Button {
        margin-left: 2;
    }
    """

    def __init__(self, subject: str, steps: Sequence[FixStep], on_confirm: Callable[[], None]) -> None:
        """`subject` names the fix: "the fix for nimsh.active on lpar03"."""
        super().__init__()
        self.subject = subject
        self.heading = f"Apply {subject}?"
        self.steps = tuple(steps)
        self.destructive = any(s.destructive for s in steps)
        self.stage = FixStage.CONFIRM
        self._on_confirm = on_confirm
        self._results: list[Content] = []
        self._pending: Content | None = None
        """What is under way ("running…", "re-checking lpar03…"), shown last until the next report."""
        # Held, not queried: the screen below reports into them from its worker.
        self.results_body = Static(id="fix-results-body")
        self.results = VerticalScroll(self.results_body, id="fix-results")

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="fix-box", classes="-destructive" if self.destructive else ""):
            yield Static(self.heading, id="fix-heading", markup=False)
            yield Static("These commands will run, in this order, each on the host in brackets:", markup=False)
            yield Static(join(step_lines(self.steps)), id="fix-steps")
            if self.destructive:
                yield Static(
                    "This fix deletes something on the host. The commands under 'saves first' keep a copy of "
                    f"what it deletes and run before it. Type {CONFIRM_WORD} and press Enter to run it.",
                    id="fix-warning",
                    markup=False,
                )
                yield Input(placeholder=f"type {CONFIRM_WORD} to run", id="fix-confirm")
            yield self.results
            with Horizontal():
                yield Button("Cancel (esc)", id="fix-cancel")
                run_label = "Run" if self.destructive else "Run (y)"
                yield Button(run_label, id="fix-run", variant="error" if self.destructive else "warning")

    def on_mount(self) -> None:
        if self.destructive:
            self.query_one("#fix-run", Button).disabled = True
            self.query_one("#fix-confirm", Input).focus()
        else:
            self.query_one("#fix-cancel", Button).focus()

    # -- confirming --------------------------------------------------------------------------

    @property
    def confirmed_text(self) -> bool:
        if not self.destructive:
            return True
        return self.query_one("#fix-confirm", Input).value.strip() == CONFIRM_WORD

    @on(Input.Changed, "#fix-confirm")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#fix-run", Button).disabled = not self.confirmed_text

    @on(Input.Submitted, "#fix-confirm")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.confirmed_text:
            self.action_run()
        else:
            self.notify(f"Type {CONFIRM_WORD} to run this fix, or press Escape.", severity="warning")

    @on(Button.Pressed, "#fix-run")
    def _run_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_run()

    @on(Button.Pressed, "#fix-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def action_run(self) -> None:
        if self.stage is not FixStage.CONFIRM or not self.confirmed_text:
            return
        self.stage = FixStage.RUNNING
        self.query_one("#fix-run", Button).display = False
        cancel = self.query_one("#fix-cancel", Button)
        cancel.disabled = True
        cancel.label = "Close (esc)"
        if self.destructive:
            self.query_one("#fix-confirm", Input).disabled = True
        self.show_pending("running…")
        self._on_confirm()

    def action_close(self) -> None:
        if self.stage is FixStage.RUNNING:
            self.notify("The fix is running: its outcome shows here when it ends.", severity="warning")
            return
        self.dismiss(None)

    # -- reporting (called by the screen that runs the fix) -------------------------------------

    def show_outcomes(self, outcomes: Sequence[FixOutcome], not_run: Sequence[FixStep] = ()) -> None:
        self._pending = None
        self._results += outcome_lines(outcomes, not_run)
        self._draw()

    def show_note(self, line: Content | str) -> None:
        self._pending = None
        self._results.append(line if isinstance(line, Content) else Content(line))
        self._draw()

    def show_pending(self, what: str) -> None:
        self._pending = Content.styled(what, "$warning")
        self._draw()

    def finish(self, ok: bool) -> None:
        """The fix and its re-check are over: say how it went; the operator may close the modal."""
        self.stage = FixStage.DONE
        if ok:
            heading = Content.assemble(("✓ ", "bold $success"), f"Applied {self.subject}.")
        else:
            said = f"{self.subject[:1].upper()}{self.subject[1:]} did not complete."
            heading = Content.assemble(("✗ ", "bold $error"), (said, "bold $error"))
        self.query_one("#fix-heading", Static).update(heading)
        self._pending = None
        self._draw()
        cancel = self.query_one("#fix-cancel", Button)
        cancel.disabled = False
        cancel.focus()

    def _draw(self) -> None:
        self.results.add_class("-shown")
        lines = self._results if self._pending is None else [*self._results, self._pending]
        self.results_body.update(join(lines))
        self.results.scroll_end(animate=False)

    @property
    def results_text(self) -> str:
        lines = self._results if self._pending is None else [*self._results, self._pending]
        return "\n".join(line.plain for line in lines)
