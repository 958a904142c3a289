"""Confirm one operator action, run it, and show what came back (or the engine's refusal).

The modal shows exactly what will happen and where (the commands and the host, from the
ControlAction), with the one value the action needs (a phase, a reason, minutes) above it; the lines
follow the value as it is typed, and Run stays disabled while the value is not acceptable. Nothing
runs before Run (or `y`). While the engine works the modal cannot be closed, so its answer is never
missed; it dismisses with True when the action succeeded.
"""

from __future__ import annotations

from enum import Enum
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from cockpit.ui.control_actions import ControlAction, Outcome
from cockpit.ui.controls import error_text


class ControlStage(Enum):
    CONFIRM = "confirm"
    RUNNING = "running"
    DONE = "done"


class ControlScreen(ModalScreen[bool]):
    """Dismisses with True when the action ran and succeeded, False otherwise (cancelled, refused, failed)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel / Close"),
        Binding("y", "run", "Run", show=False),
    ]

    DEFAULT_CSS = """
    ControlScreen {
        align: center middle;
    }
    ControlScreen > #control-box {
        width: 90%;
        max-width: 150;
        height: auto;
        max-height: 90%;
        padding: 1 2;
        border: thick $warning;
        background: $surface;
    }
    ControlScreen #control-box.-danger {
        border: thick $error;
    }
    ControlScreen #control-heading {
        text-style: bold;
        margin-bottom: 1;
    }
    ControlScreen #control-value, ControlScreen #control-choice {
        margin-bottom: 1;
    }
    ControlScreen #control-plan {
        margin: 0 0 1 0;
    }
    ControlScreen #control-outcome {
        height: auto;
        max-height: 20;
        border-top: solid $primary-muted;
        display: none;
    }
    ControlScreen #control-outcome.-shown {
        display: block;
    }
    ControlScreen Horizontal {
        height: auto;
        align-horizontal: right;
    }
    ControlScreen Button {
        margin-left: 2;
    }
    """

    def __init__(self, action: ControlAction, operator: str) -> None:
        super().__init__()
        self.action = action
        self.operator = operator
        self.stage = ControlStage.CONFIRM
        self.outcome: Outcome | None = None
        self._problem: str | None = None
        self.plan = Static(id="control-plan", markup=False)
        self.outcome_view = Static(id="control-outcome", markup=False)

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        action = self.action
        with Vertical(id="control-box", classes="-danger" if action.danger else ""):
            yield Static(action.heading, id="control-heading", markup=False)
            param = action.param
            if param is not None:
                yield Label(param.label)
                if param.choices:
                    with RadioSet(id="control-choice"):
                        for value, label in param.choices:
                            yield RadioButton(label, value=value == param.initial, name=value)
                else:
                    yield Input(param.initial, placeholder=param.placeholder, id="control-value")
            yield self.plan
            yield self.outcome_view
            with Horizontal():
                yield Button("Cancel (esc)", id="control-cancel")
                typed = param is not None and not param.choices  # `y` would go into the Input
                label = f"{action.run_label} ({'enter' if typed else 'y'})"
                yield Button(label, id="control-run", variant="error" if action.danger else "warning")

    def on_mount(self) -> None:
        self._describe()
        param = self.action.param
        if param is None:
            self.query_one("#control-cancel", Button).focus()
        elif param.choices:
            self.query_one("#control-choice", RadioSet).focus()
        else:
            self.query_one("#control-value", Input).focus()

    # -- the value and what it will do ---------------------------------------------------------

    @property
    def value(self) -> str:
        param = self.action.param
        if param is None:
            return ""
        if param.choices:
            pressed = self.query_one("#control-choice", RadioSet).pressed_button
            return (pressed.name or "") if pressed is not None else ""
        return self.query_one("#control-value", Input).value

    def _describe(self) -> None:
        try:
            lines = self.action.describe(self.value)
        except ValueError as exc:
            self._problem = str(exc)
            self.plan.update(Content.styled(self._problem, "$error"))
        else:
            self._problem = None
            body = Content("This will happen:\n" + "\n".join(lines))
            note = Content.styled(f"\nThe engine journals it as done by {self.operator}.", "$text-muted")
            self.plan.update(Content.assemble(body, note))
        self.query_one("#control-run", Button).disabled = self._problem is not None

    @property
    def plan_text(self) -> str:
        content = self.plan.content
        return content.plain if isinstance(content, Content) else str(content)

    @on(Input.Changed, "#control-value")
    @on(RadioSet.Changed, "#control-choice")
    def _value_changed(self) -> None:
        if self.stage is ControlStage.CONFIRM:
            self._describe()

    @on(Input.Submitted, "#control-value")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    @on(Button.Pressed, "#control-run")
    def _run_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_run()

    @on(Button.Pressed, "#control-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    # -- running -----------------------------------------------------------------------------

    def action_run(self) -> None:
        if self.stage is not ControlStage.CONFIRM:
            return
        self._describe()
        if self._problem is not None:
            self.notify(self._problem, severity="warning", markup=False)
            return
        self.stage = ControlStage.RUNNING
        for widget in self.query("#control-value, #control-choice"):
            widget.disabled = True
        self.query_one("#control-run", Button).display = False
        cancel = self.query_one("#control-cancel", Button)
        cancel.disabled = True
        cancel.label = "Close (esc)"
        self._show(Content.styled("running…", "$warning"))
        self._perform(self.value)

    @work(exclusive=True, group="control", exit_on_error=False)
    async def _perform(self, value: str) -> None:
        try:
            outcome = await self.action.perform(value)
        except Exception as exc:  # the engine's refusal (or a failure) is the answer: show it, never swallow it
            outcome = Outcome(False, (error_text(exc),))
        self._finish(outcome)

    def _finish(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.stage = ControlStage.DONE
        mark = ("✓ done", "bold $success") if outcome.ok else ("✗ not done", "bold $error")
        body = "\n".join(outcome.lines)
        self._show(Content.assemble(mark, "\n", Content.styled(body, "" if outcome.ok else "$error")))
        cancel = self.query_one("#control-cancel", Button)
        cancel.disabled = False
        cancel.focus()

    def _show(self, content: Content) -> None:
        self.outcome_view.add_class("-shown")
        self.outcome_view.update(content)

    @property
    def outcome_text(self) -> str:
        content = self.outcome_view.content
        return content.plain if isinstance(content, Content) else str(content)

    def action_close(self) -> None:
        if self.stage is ControlStage.RUNNING:
            self.notify("The engine is working on it: its answer shows here.", severity="warning")
            return
        self.dismiss(self.outcome is not None and self.outcome.ok)
