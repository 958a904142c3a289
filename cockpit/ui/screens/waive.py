"""Waive a finding, with a reason the journal keeps (who, with which SSH key, when, why, until when).

A waiver covers the one client under the cursor. Ticking "every host" asks for a waiver of the check on
every host instead; the preflight screen then puts that to the app's confirmation dialog before
anything is journaled (a waiver of every host is never implied).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from cockpit.domain.preflight import Finding
from cockpit.ui.preflight_content import join
from cockpit.ui.preflight_present import CELL_LOOKS, cell_status, where


class ScopeBox(Checkbox, inherit_bindings=False):
    """Toggled with space only: enter on it answers the dialog, as everywhere in it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("space", "toggle_button", "Toggle", show=False)]


@dataclass(frozen=True)
class WaiveAnswer:
    reason: str
    every_host: bool
    """The operator asked for every host: still to be confirmed."""


class WaiveScreen(ModalScreen[WaiveAnswer | None]):
    """Dismisses with the reason (never blank) and the scope asked for, None to leave the finding as it is."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "waive", "Waive", show=False),  # from the scope box (the field and buttons have theirs)
    ]

    CSS_PATH = "waive.tcss"

    def __init__(self, check: str, client: str, findings: Sequence[Finding], master: str, *, terms: str) -> None:
        """`terms`: when the waiver would end and who is recorded, as the rules say it (one sentence)."""
        super().__init__()
        self.check = check
        self.client = client
        self.findings = tuple(findings)
        self.master = master
        self.terms = terms

    def compose(self) -> ComposeResult:
        lines = []
        for f in self.findings:
            look = CELL_LOOKS[cell_status((f,))]
            lines.append(
                Content.assemble(
                    (f"{look.glyph} {look.label}", f"bold ${look.color}"),
                    f" {f.severity.value} on {where(f.host, self.client, self.master)}: {f.summary}",
                )
            )
        with Vertical(id="waive-box"):
            yield Static(f"Waive {self.check} for {self.client}", id="waive-heading", markup=False)
            with VerticalScroll(id="waive-findings"):
                yield Static(join(lines))
            yield Static(
                f"{self.client} may then start despite this finding. {self.terms} An error (a check that could "
                "not run) is never waived.",
                id="waive-text",
                markup=False,
            )
            yield Input(
                placeholder="reason (required), e.g. change 4711: ODM cleaned by hand", id="waive-reason", compact=True
            )
            yield ScopeBox(f"every host, not only {self.client} (asks to confirm)", id="waive-every-host", compact=True)
            with Horizontal():
                yield Static(
                    Content.styled("enter confirms · tab, space: every host · esc cancels", "$text-muted"),
                    id="waive-keys",
                )
                yield Button("Cancel", id="waive-cancel", compact=True)
                yield Button("Waive", id="waive-ok", variant="warning", disabled=True, compact=True)

    def on_mount(self) -> None:
        self.query_one("#waive-reason", Input).focus()

    @property
    def reason(self) -> str:
        return self.query_one("#waive-reason", Input).value.strip()

    @property
    def every_host(self) -> bool:
        return self.query_one("#waive-every-host", Checkbox).value

    @on(Input.Changed, "#waive-reason")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#waive-ok", Button).disabled = not self.reason

    @on(Checkbox.Changed, "#waive-every-host")
    def _scope(self, event: Checkbox.Changed) -> None:
        self.query_one("#waive-heading", Static).update(
            f"Waive {self.check} on every host" if event.value else f"Waive {self.check} for {self.client}"
        )

    @on(Input.Submitted, "#waive-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._waive()

    @on(Button.Pressed, "#waive-ok")
    def _ok(self, event: Button.Pressed) -> None:
        event.stop()
        self._waive()

    @on(Button.Pressed, "#waive-cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_waive(self) -> None:
        self._waive()

    def _waive(self) -> None:
        if not self.reason:
            self.notify("A waiver needs a reason.", severity="warning")
            return
        self.dismiss(WaiveAnswer(self.reason, self.every_host))

    def action_cancel(self) -> None:
        self.dismiss(None)
