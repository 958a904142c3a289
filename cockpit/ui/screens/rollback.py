"""The rollback wizard: where each chosen host stands, the exact steps back, each confirmed, and the proof.

The walk itself (reading, steps, verification, clean-up) is cockpit/ui/rollback_walk.py; what a host's
pane says is rollback_view.py. This screen wires the keys: the list of hosts on the left (space ticks a
host, which reads it; the highlighted one is shown), `n` runs the next step (every step that changes
the host first asks, with the command, the host, and the host's name to type), `d` names another disk
to boot (the wizard checks it; a disk without the previous system is refused with the reason), `r`
reads the host again, `s` skips the offered reboot. A reboot waits for the host to come back (reconnect
with backoff, same host key, a timeout) and the pane counts the wait. Once a step that
changes a host is confirmed, the wizard journals every assessment, step, reboot and verification as a
run of its own (runbook "rollback", kind rollback); leaving the screen ends that run. Only looking
writes nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static
from textual.widgets.selection_list import Selection

from cockpit.ui.rollback_walk import HostWalk, RollbackService, RollbackWalker, Stage
from cockpit.ui.screens.choose_disk import ChooseDisk
from cockpit.ui.screens.confirm import ConfirmScreen
from cockpit.ui.screens.rollback_view import counts_text, host_prompt, render_walk, step_ask
from cockpit.ui.widgets.key_footer import KeyFooter
from cockpit.ui.widgets.tick_list import TickList

__all__ = ["RollbackScreen", "RollbackService", "Stage"]

NARROW = 110
"""Below this width the host list goes above the host's pane instead of beside it."""


class RollbackScreen(Screen[None]):
    """The rollback wizard for `hosts` (ticked), any of `choices` may be ticked too.

    `make_service()` gives the engine's wizard (one per screen: one journal run). `busy(host)` says why a
    host must not be rolled back now (its migration is running), or None.
    """

    CSS_PATH = "rollback.tcss"
    FOOTER_ORDER: ClassVar[tuple[str, ...]] = ("back", "next_step", "choose_disk", "reread", "quit")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("n", "next_step", "Next step"),
        Binding("d", "choose_disk", "Other disk"),
        Binding("r", "reread", "Re-read host"),
        Binding("s", "skip_reboot", "Skip reboot", show=False),
    ]

    def __init__(
        self,
        make_service: Callable[[], RollbackService],
        hosts: Sequence[str],
        choices: Sequence[str],
        *,
        busy: Callable[[str], str | None] = lambda _host: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.service = make_service()
        self._clock = clock
        self.walker = RollbackWalker(
            self.service, spawn=self._spawn, changed=self._show, failed=self._tell_failure, busy=busy, clock=clock
        )
        self.choices = list(dict.fromkeys([*hosts, *choices]))
        self._initial = list(dict.fromkeys(hosts))
        self._shown: str | None = self._initial[0] if self._initial else None
        self.head = Static(id="rb-head")
        self.host_list: TickList[str] = TickList(
            *(Selection(h, h, h in self._initial, id=h) for h in self.choices), id="rb-hosts"
        )
        self.detail = Static(id="rb-detail-body", markup=False)
        self.closed = asyncio.Event()
        """Set once the journal run is ended (closing the screen ends it)."""

    def compose(self) -> ComposeResult:
        yield self.head
        with Horizontal(id="rb-body"):
            yield self.host_list
            with VerticalScroll(id="rb-detail"):
                yield self.detail
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < NARROW, "-narrow")
        self.host_list.border_title = "hosts (space ticks)"
        self.query_one("#rb-detail").border_title = "rollback"
        if self._shown is not None:
            self.host_list.highlighted = self.choices.index(self._shown)
        self.host_list.focus()
        for host in self._initial:
            self.walker.start(host)
        self._ticker = self.set_interval(0.5, self._tick)
        self._show()

    def on_resize(self) -> None:
        # Narrow: the host list above the host's pane, which then has the whole width.
        self.set_class(self.size.width < NARROW, "-narrow")
        self._show()  # the detail's layout follows its width

    # -- hosts -----------------------------------------------------------------------------------

    @property
    def walks(self) -> dict[str, HostWalk]:
        return self.walker.walks

    @property
    def busy(self) -> bool:
        return self.walker.busy is not None

    @property
    def shown(self) -> HostWalk | None:
        return self.walks.get(self._shown) if self._shown is not None else None

    def _spawn(self, work: Coroutine[Any, Any, None], host: str) -> None:
        self.run_worker(work, group=f"rb-{host}", exit_on_error=False)

    def _tell_failure(self, message: str) -> None:
        self.notify(message, title="Step failed", severity="error", markup=False)

    @on(TickList.SelectionHighlighted, "#rb-hosts")
    def _highlighted(self, event: TickList.SelectionHighlighted[str]) -> None:
        self._shown = event.selection.value
        self._show()

    @on(TickList.SelectionToggled, "#rb-hosts")
    def _toggled(self, event: TickList.SelectionToggled[str]) -> None:
        host = event.selection.value
        self._shown = host
        if host in self.host_list.selected and host not in self.walks:
            self.walker.start(host)
        self._show()

    # -- keys ---------------------------------------------------------------------------------------

    def action_next_step(self) -> None:
        walk = self.shown
        if walk is None:
            self.notify("Tick a host first (space).", severity="warning")
            return
        if walk.busy is not None:
            self.notify(f"Wait: {walk.busy}", severity="warning", markup=False)
            return
        step = walk.next_step()
        if step is None:
            if walk.stage is Stage.VERIFIED:
                self.walker.read_for_cleanup(walk)
                return
            self.notify(walk.why_no_step(), severity="warning", markup=False)
            return
        if not step.changes_host:
            self.walker.run(walk, step)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.walker.run(walk, step)

        self.app.push_screen(ConfirmScreen(step_ask(walk, step, self.service)), answered)

    def action_skip_reboot(self) -> None:
        walk = self.shown
        if walk is not None:
            self.walker.skip_reboot(walk)

    def action_reread(self) -> None:
        walk = self.shown
        if walk is None or walk.busy is not None:
            return
        self.walker.start(walk.host, walk.disk)

    def action_choose_disk(self) -> None:
        walk = self.shown
        if walk is None or walk.assessment is None or walk.busy is not None:
            self.notify("Read the host first.", severity="warning")
            return
        if walk.executed:
            self.notify("Steps have run on this host: re-read it (r) to start over.", severity="warning")
            return

        def picked(disk: str | None) -> None:
            if disk is not None:
                self.walker.start(walk.host, disk)

        self.app.push_screen(ChooseDisk(walk.assessment), picked)

    def action_back(self) -> None:
        busy = self.walker.busy
        if busy is not None:
            self.notify(f"Wait: {busy}", severity="warning", markup=False)
            return
        # The app's worker, not this screen's: it outlives the screen (awaiting here would hold the pop).
        self.app.run_worker(self.close_service(), group="rollback-close", exit_on_error=False)
        self._ticker.stop()
        self.dismiss()

    async def close_service(self) -> None:
        """End the journal run with the hosts' outcome and drop the connections (once)."""
        if self.walker.finish():
            self.closed.set()
            await self.service.close()

    # -- drawing ----------------------------------------------------------------------------------------

    def _tick(self) -> None:
        if self.busy:
            self._show()

    def _show(self) -> None:
        if not self.is_mounted:
            return
        self._show_head()
        for host in self.choices:
            self.host_list.replace_option_prompt(host, host_prompt(host, self.walks.get(host)))
        walk = self.shown
        if walk is None:
            body = Content.styled(
                f"{self._shown or 'No host'} is not ticked: space ticks it and reads where it stands.",
                "$text-muted",
            )
        else:
            width = self.query_one("#rb-detail").scrollable_content_region.width
            body = render_walk(walk, self.service, self._clock(), width or self.app.size.width)
        self.detail.update(body)

    def _show_head(self) -> None:
        counts = counts_text(list(self.walks.values()))
        self.head.update(
            Content.assemble(
                ("Rollback wizard", "bold"),
                f" · {counts} · "
                + (f"journal run {self.service.run_id}" if self.service.journaled else "not journaled yet (a look)"),
                "\n",
                (
                    "n runs the next step (asks first when it changes the host) · d boots another disk · "
                    "r reads the host again · esc back",
                    "$text-muted",
                ),
            )
        )

    # -- for tests and the palette ---------------------------------------------------------------------

    @property
    def detail_text(self) -> str:
        content = self.detail.content
        return content.plain if isinstance(content, Content) else str(content)

    def render_walk(self, walk: HostWalk) -> Content:
        return render_walk(walk, self.service, self._clock())
