"""The rollback wizard's `d`: the host's disks from lspv, what each holds, and whether it boots the old system."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cockpit.domain.preflight.parsers.lvm import PhysicalVolume
from cockpit.domain.rollback import Assessment, check_target_disk


class ChooseDisk(ModalScreen[str | None]):
    """Dismisses with the disk picked (enter), None on escape; the wizard then reads the host again."""

    CSS_PATH = "choose_disk.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,n", "cancel", "Cancel")]

    def __init__(self, assessment: Assessment) -> None:
        super().__init__()
        self.assessment = assessment
        self.disks = [d.name for d in assessment.state.disks]

    def compose(self) -> ComposeResult:
        a = self.assessment
        with Vertical(id="disk-box"):
            yield Static(
                Content.assemble(
                    (f"Which disk should {a.host} boot to go back?", "bold"),
                    "\n",
                    (
                        "The wizard reads the host again and checks the disk; a disk without the previous "
                        "system is refused with the reason.",
                        "$text-muted",
                    ),
                )
            )
            yield OptionList(*(self._option(d) for d in a.state.disks), id="disk-list")
            yield Static(Content.styled("enter: pick · esc: cancel", "$text-muted"), id="disk-keys")

    def _option(self, disk: PhysicalVolume) -> Option:
        # A host refused as a whole knows no previous system to check against: the wizard decides on the pick.
        known = self.assessment.old_disk is not None
        why = check_target_disk(self.assessment, disk.name) if known else None
        if not known:
            verdict = ("", "")
        elif why is not None:
            verdict = (f"refused: {why}", "$error")
        else:
            verdict = ("boots the previous system", "$success")
        prompt = Content.assemble((f"{disk.name:<8}", "bold"), f" {disk.vg or 'None':<16} ", verdict)
        return Option(prompt, id=disk.name)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#disk-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
