"""The one confirmation of the cockpit: what will happen where, one answer, and (when it runs here) the outcome.

Every question the cockpit asks before it changes something goes through `ConfirmScreen`: starting the
run, quitting while migrations run, a preflight fix, an operator control (kill, retry, nimadm -C ...),
a rollback step, a cluster back-out. The keys are the same everywhere:

* `y` or `enter` confirms, `n` or `escape` cancels (while a text field has the focus, `y` and `n` are
  typed into it: `enter` and `escape` still answer);
* what destroys data or stops a host's work (an ODM removal, alt_rootvg_op -X, a kill, nimadm -C, a
  reboot or bootlist change ...) asks for the host's name to be typed first, with the same line and
  field in every dialog; nothing runs until the name matches.

An `Ask` with `perform` runs here once confirmed: the dialog cannot be closed while it runs (its answer
is never missed), and then shows what ran and how it ended instead of what would run. Without
`perform` the dialog dismisses with True at once and the caller acts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar, Protocol

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from cockpit.ui.control_actions import Outcome, Param
from cockpit.ui.controls import error_text

Body = Content | str
KEEP_LINES = 2000
"""Progress lines a running action keeps on screen (a back-out prints a few hundred at most)."""


class Report(Protocol):
    """Where a running action says what it is doing, line by line."""

    def pending(self, what: str) -> None:
        """What is under way now ("re-checking lpar03…"), shown last until the next line."""

    def line(self, line: Body) -> None:
        """One more line of what happened."""


Perform = Callable[[str, Report], Awaitable[Outcome]]
"""Runs the confirmed action with the value the operator gave (or ""), reporting as it goes."""


@dataclass(frozen=True)
class Ask:
    """What one confirmation asks.

    `body` says what will happen and where (the exact commands and hosts); `describe(value)` builds it
    from the value of `param` instead, raising ValueError (worded for the operator) while the value is
    not acceptable. `type_name` is the host's name the operator must type when the action destroys
    data; `warning` says what it destroys.
    """

    heading: str
    body: Body = ""
    confirm: str = "Run"
    cancel: str = "Cancel"
    danger: bool = False
    type_name: str | None = None
    type_what: str = "host"
    """Whose name `type_name` is: the host's (a cluster back-out: the runbook's)."""
    warning: str = ""
    param: Param | None = None
    describe: Callable[[str], Body] | None = None
    perform: Perform | None = None
    done: str | None = None
    """The heading once `perform` succeeded (default: ✓ done, and the question)."""
    note: str = ""
    """A muted last line under the body (who the journal records ...)."""


class Stage(Enum):
    CONFIRM = "confirm"
    RUNNING = "running"
    DONE = "done"


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True when confirmed (and, with `perform`, when it succeeded), else False."""

    CSS_PATH = "confirm.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Confirm", show=False),
        # Priority: answered here whatever has the focus (a field's enter, an option list's enter).
        Binding("enter", "enter", "Confirm", show=False, priority=True),
        Binding("n", "cancel", "Cancel", show=False),
        Binding("escape", "cancel", "Cancel", show=False, priority=True),
    ]

    def __init__(self, ask: Ask) -> None:
        super().__init__()
        self.ask = ask
        self.stage = Stage.CONFIRM
        self.outcome: Outcome | None = None
        self.problem: str | None = None
        """Why the value (or the typed name) does not allow running yet, None when it does."""
        self._lines: list[Content] = []
        self._pending: Content | None = None
        # Held, not queried: a running action reports into them from its worker.
        self.heading = Static(ask.heading, id="confirm-heading", markup=False)
        self.body = Static(id="confirm-body-text")
        self.scroll = VerticalScroll(self.body, id="confirm-body")
        self.name_field = (
            Input(placeholder=f"type {ask.type_name}", id="confirm-name", compact=True) if ask.type_name else None
        )
        self.confirm_button = Button(
            ask.confirm, id="confirm-run", variant="error" if ask.danger else "primary", compact=True
        )
        self.cancel_button = Button(ask.cancel, id="confirm-cancel", compact=True)

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        ask = self.ask
        with Vertical(id="confirm-box", classes="-danger" if ask.danger else ""):
            yield self.heading
            param = ask.param
            if param is not None:
                with Horizontal(id="confirm-param"):
                    yield Label(f"{param.label}: ", id="confirm-param-label")
                    if param.choices:
                        options = [Option(label, id=value) for value, label in param.choices]
                        yield OptionList(*options, id="confirm-choice")
                    else:
                        yield Input(param.initial, placeholder=param.placeholder, id="confirm-value", compact=True)
            # Docked at the bottom of the box: the body scrolls, the name field and buttons stay in view.
            with Vertical(id="confirm-foot"):
                if self.name_field is not None:
                    warning = ask.warning or "This destroys data."
                    yield Static(Content.assemble(("⚠ ", "bold $error"), warning), id="confirm-warning")
                    with Horizontal(id="confirm-name-row"):
                        name = (ask.type_name or "", "bold")
                        yield Label(Content.assemble(f"Type the {ask.type_what}'s name, ", name, ", to run it: "))
                        yield self.name_field
                with Horizontal(id="confirm-buttons"):
                    yield Static(id="confirm-keys")
                    yield self.cancel_button
                    yield self.confirm_button
            yield self.scroll

    def on_mount(self) -> None:
        param = self.ask.param
        if param is not None and param.choices:
            choice = self.query_one("#confirm-choice", OptionList)
            values = [value for value, _label in param.choices]
            choice.highlighted = values.index(param.initial) if param.initial in values else 0
            choice.focus()
        elif param is not None:
            self.query_one("#confirm-value", Input).focus()
        elif self.name_field is not None:
            self.name_field.focus()
        else:
            self.confirm_button.focus()
        self._describe()

    # -- the value, the typed name, and what it will do -----------------------------------------

    @property
    def value(self) -> str:
        param = self.ask.param
        if param is None:
            return ""
        if param.choices:
            choice = self.query_one("#confirm-choice", OptionList)
            index = choice.highlighted
            return param.choices[index][0] if index is not None else ""
        return self.query_one("#confirm-value", Input).value

    @property
    def name_typed(self) -> bool:
        field = self.name_field
        return field is None or field.value.strip() == self.ask.type_name

    def _describe(self) -> None:
        ask = self.ask
        body: Body = ask.body
        self.problem = None
        if ask.describe is not None:
            try:
                body = ask.describe(self.value)
            except ValueError as exc:
                self.problem = str(exc)
                body = Content.styled(self.problem, "$error")
        if self.problem is None and not self.name_typed:
            self.problem = f"type {ask.type_name} first, or press escape"
        content = body if isinstance(body, Content) else Content(body)
        if ask.note:
            content = Content.assemble(content, "\n", Content.styled(ask.note, "$text-muted"))
        self.body.update(content)
        self.confirm_button.disabled = self.problem is not None
        self._show_keys()

    def _show_keys(self) -> None:
        """The one line of keys, worded the same in every dialog."""
        keys = self.query_one("#confirm-keys", Static)
        if self.stage is Stage.RUNNING:
            text = "running: the answer shows here"
        elif self.stage is Stage.DONE:
            text = "enter / esc closes"
        elif self._typing:
            text = "enter confirms · esc cancels"
        else:
            text = "y / enter confirms · n / esc cancels"
        keys.update(Content.styled(text, "$text-muted"))

    @property
    def _typing(self) -> bool:
        """A text field takes the keystrokes (y and n are letters of it)."""
        return self.name_field is not None or (self.ask.param is not None and not self.ask.param.choices)

    @on(Input.Changed)
    @on(OptionList.OptionHighlighted, "#confirm-choice")
    def _changed(self) -> None:
        if self.stage is Stage.CONFIRM:
            self._describe()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    @on(OptionList.OptionSelected, "#confirm-choice")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_confirm()

    @on(Button.Pressed, "#confirm-run")
    def _run_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_confirm()

    @on(Button.Pressed, "#confirm-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    # -- answering ---------------------------------------------------------------------------

    def action_enter(self) -> None:
        focused = self.focused
        if isinstance(focused, Button):
            focused.press()
        else:
            self.action_confirm()

    def action_confirm(self) -> None:
        if self.stage is Stage.DONE:
            self.action_cancel()
            return
        if self.stage is not Stage.CONFIRM:
            return
        self._describe()
        if self.problem is not None:
            self.notify(self.problem, severity="warning", markup=False)
            return
        perform = self.ask.perform
        if perform is None:
            self.dismiss(True)
            return
        self.stage = Stage.RUNNING
        for widget in self.query("#confirm-value, #confirm-choice, #confirm-name"):
            widget.disabled = True
        self.confirm_button.display = False
        self.cancel_button.disabled = True
        self.cancel_button.label = "Close"
        self._show_keys()
        self.pending("running…")
        self._perform(perform, self.value)

    def action_cancel(self) -> None:
        if self.stage is Stage.RUNNING:
            self.notify("Wait: it is running, and its answer shows here.", severity="warning")
            return
        self.dismiss(self.outcome is not None and self.outcome.ok)

    @work(exclusive=True, group="confirm", exit_on_error=False)
    async def _perform(self, perform: Perform, value: str) -> None:
        try:
            outcome = await perform(value, self)
        except Exception as exc:  # the engine's refusal (or a failure) is the answer: shown, never swallowed
            outcome = Outcome(False, (error_text(exc),))
        self.finish(outcome)

    # -- reporting (Report) ------------------------------------------------------------------

    def pending(self, what: str) -> None:
        self._pending = Content.styled(what, "$warning")
        self._draw()

    def line(self, line: Body) -> None:
        self._pending = None
        self._lines.append(line if isinstance(line, Content) else Content(line))
        del self._lines[:-KEEP_LINES]
        self._draw()

    def lines(self, lines: Sequence[Body]) -> None:
        for one in lines:
            self.line(one)

    def finish(self, outcome: Outcome) -> None:
        """It ran: say how it ended, above what ran; the dialog may be closed now."""
        self.outcome = outcome
        self.stage = Stage.DONE
        self._pending = None
        for text in outcome.lines:
            self._lines.append(Content.styled(text, "" if outcome.ok else "$error"))
        question = self.ask.heading.rstrip("?")
        if outcome.ok:
            said = self.ask.done or f"Done: {question}"
            self.heading.update(Content.assemble(("✓ ", "bold $success"), (said, "bold")))
        else:
            self.heading.update(Content.assemble(("✗ ", "bold $error"), (f"Not done: {question}", "bold $error")))
        self._draw()
        self.cancel_button.disabled = False
        self.cancel_button.focus()
        self._show_keys()

    def _draw(self) -> None:
        """While and after it runs, the body is what ran and what came back (no longer what would run)."""
        shown = self._lines if self._pending is None else [*self._lines, self._pending]
        self.body.update(Content("\n").join(shown))
        self.scroll.scroll_end(animate=False)

    # -- reading back (tests) ----------------------------------------------------------------

    @property
    def body_text(self) -> str:
        content = self.body.content
        return content.plain if isinstance(content, Content) else str(content)

    @property
    def heading_text(self) -> str:
        content = self.heading.content
        return content.plain if isinstance(content, Content) else str(content)
