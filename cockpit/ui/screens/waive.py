"""Waive a finding for one client, with a reason the journal keeps (who, when, why)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from cockpit.domain.preflight import Finding
from cockpit.ui.preflight_content import join
from cockpit.ui.preflight_present import CELL_LOOKS, cell_status, where


class WaiveScreen(ModalScreen[str | None]):
    """Dismisses with the reason (never blank) to waive, None to leave the finding as it is."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    CSS_PATH = "waive.tcss"

    def __init__(self, check: str, client: str, findings: Sequence[Finding], master: str) -> None:
        super().__init__()
        self.check = check
        self.client = client
        self.findings = tuple(findings)
        self.master = master

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
                f"{self.client} may then start despite this finding. The waiver is journaled with your user, "
                "the SSH key the cockpit used and the reason; it ends with the plan's maintenance window (without "
                "one, after 12 hours) or when revoked (cockpit waivers CONFIG --revoke).",
                id="waive-text",
                markup=False,
            )
            yield Input(
                placeholder="reason (required), e.g. change 4711: ODM cleaned by hand", id="waive-reason", compact=True
            )
            with Horizontal():
                yield Static(Content.styled("enter confirms · esc cancels", "$text-muted"), id="waive-keys")
                yield Button("Cancel", id="waive-cancel", compact=True)
                yield Button("Waive", id="waive-ok", variant="warning", disabled=True, compact=True)

    def on_mount(self) -> None:
        self.query_one("#waive-reason", Input).focus()

    @property
    def reason(self) -> str:
        return self.query_one("#waive-reason", Input).value.strip()

    @on(Input.Changed, "#waive-reason")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#waive-ok", Button).disabled = not self.reason

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

    def _waive(self) -> None:
        if not self.reason:
            self.notify("A waiver needs a reason.", severity="warning")
            return
        self.dismiss(self.reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
