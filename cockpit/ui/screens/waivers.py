"""The waivers in force, from the preflight screen (`W`): who gave each, with which key, until when, why;
`enter` revokes the selected one after the app's confirmation (the same as `cockpit waivers --revoke`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cockpit.domain.preflight.waiving import stamp, waiver_label
from cockpit.domain.printable import printable
from cockpit.ui.screens.confirm import Ask, ConfirmScreen

if TYPE_CHECKING:
    from cockpit.engine.journal import WaiverRecord

Revoke = Callable[["WaiverRecord"], None]
"""Revokes a waiver the operator confirmed (journaled by the caller, with who did it)."""


def waiver_line(w: WaiverRecord) -> Content:
    return Content.assemble(
        (waiver_label(w.check, w.host), "bold"),
        (f"  until {stamp(w.expires_at)}", "$warning"),
        f"  by {printable(w.operator)}",
        (f" ({w.key})" if w.key else "", "$text-muted"),
        f"  {printable(w.reason)}",
    )


def revoke_ask(w: WaiverRecord) -> Ask:
    where = "every host" if w.host is None else w.host
    again = (
        "the hosts it covered are no-go again while their findings are there"
        if w.host is None
        else f"{w.host} is no-go again while the finding is there"
    )
    body = Content("\n").join(
        [
            waiver_line(w),
            Content(f"given {stamp(w.at)}"),
            Content(""),
            Content(
                f"The gate no longer honours it: {again} (the matrix says so at once). The revocation is "
                "journaled with your name."
            ),
        ]
    )
    return Ask(f"Revoke the waiver of {w.check} on {where}?", body, confirm="Revoke")


class WaiversScreen(ModalScreen[None]):
    """The waivers in force; `enter` asks to revoke the highlighted one, `escape` closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("r", "revoke", "Revoke"),
    ]

    CSS_PATH = "waivers.tcss"

    def __init__(self, in_force: Callable[[], Sequence[WaiverRecord]], revoke: Revoke) -> None:
        super().__init__()
        self._in_force = in_force
        self._revoke = revoke
        self.records: list[WaiverRecord] = []
        self.options = OptionList(id="waivers-list")
        self.empty = Static("No waiver is in force.", id="waivers-empty")

    def compose(self) -> ComposeResult:
        with Vertical(id="waivers-box"):
            yield Static("Waivers in force", id="waivers-heading")
            yield self.options
            yield self.empty
            yield Static(
                Content.styled("enter / r revokes the selected waiver (asks first) · esc closes", "$text-muted"),
                id="waivers-keys",
            )

    def on_mount(self) -> None:
        self.reload()
        self.options.focus()

    def reload(self) -> None:
        self.records = list(self._in_force())
        self.options.clear_options()
        self.options.add_options([Option(waiver_line(w), id=str(w.id)) for w in self.records])
        self.options.display = bool(self.records)
        self.empty.display = not self.records
        if self.records:
            self.options.highlighted = 0

    @property
    def selected(self) -> WaiverRecord | None:
        index = self.options.highlighted
        return self.records[index] if index is not None and 0 <= index < len(self.records) else None

    @on(OptionList.OptionSelected, "#waivers-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_revoke()

    def action_revoke(self) -> None:
        waiver = self.selected
        if waiver is None:
            self.notify("No waiver is in force.", severity="warning")
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._revoke(waiver)
                self.reload()

        self.app.push_screen(ConfirmScreen(revoke_ask(waiver)), answered)

    def action_close(self) -> None:
        self.dismiss(None)
