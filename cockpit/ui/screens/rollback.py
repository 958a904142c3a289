"""The rollback wizard: where each chosen host stands, the exact steps back, each confirmed, and the proof.

Driven by the engine's RollbackWizard (seen here through `RollbackService`; the UI never imports the
engine). The wizard reads each host (lspv, bootlist -m normal -o, oslevel -s, bootinfo -b) and works
out where it stands; this screen shows that (which disk holds rootvg / old_rootvg / altinst_rootvg,
which one booted, the bootlist, the level now and the one recorded before the migration), the
proposed steps with their exact commands, and runs them one at a time (`n`): every step that changes
the host (bootlist, reboot, clean-up) opens a confirmation that shows the command and the host first.
After the steps the wizard verifies the host; the verdict is green only when every check passed. A
reboot waits for the host to come back (reconnect with backoff, same host key, a timeout) and the pane
counts the wait. The operator may name another disk to boot (`d`): the wizard checks it and a disk
without the previous system is refused with the reason (and the refusal is journaled). The wizard
journals every assessment, step, reboot and verification as a run of its own (runbook "rollback").

Several hosts: tick them in the list on the left (space); each is read when ticked, the highlighted
one is shown and stepped through.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import ClassVar, Protocol

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from cockpit.domain.preflight.parsers.lvm import PhysicalVolume
from cockpit.domain.rollback import (
    ALTINST_ROOTVG,
    OLD_ROOTVG,
    ROOTVG,
    Assessment,
    Refused,
    RollbackStep,
    Situation,
    StepKind,
    Verification,
    check_target_disk,
    plan,
)
from cockpit.ui.controls import error_text

# --- what the screen uses of the engine's RollbackWizard ----------------------------------------------


class BackoffView(Protocol):
    @property
    def first(self) -> float: ...

    @property
    def cap(self) -> float: ...


class RecordView(Protocol):
    """The journal's record of `oslevel -s` before the migration."""

    @property
    def run_id(self) -> str: ...

    @property
    def at(self) -> float: ...

    @property
    def value(self) -> str: ...


class StepOutcomeView(Protocol):
    @property
    def ok(self) -> bool: ...

    @property
    def detail(self) -> str: ...

    @property
    def output(self) -> str: ...


class RollbackService(Protocol):
    """The engine's RollbackWizard as this screen uses it: one journal run for every host of the screen."""

    @property
    def run_id(self) -> str: ...

    @property
    def reboot_timeout(self) -> float: ...

    @property
    def backoff(self) -> BackoffView: ...

    @property
    def records(self) -> Mapping[str, RecordView | None]: ...

    async def assess(self, host: str, disk: str | None = None) -> Assessment: ...

    def plan(self, host: str, reboot: bool) -> list[RollbackStep]: ...

    async def cleanup_plan(self, host: str) -> list[RollbackStep]: ...

    async def execute(self, step: RollbackStep) -> StepOutcomeView: ...

    async def verify(self, host: str) -> Verification: ...

    def finish(self, outcome: str) -> None: ...

    async def close(self) -> None: ...


# --- one host's walk through the wizard ----------------------------------------------------------------


class Stage(Enum):
    READING = "reading"
    UNREADABLE = "unreadable"
    REFUSED = "refused"
    STEPS = "steps"
    FAILED = "failed"
    VERIFIED = "verified"
    NOT_VERIFIED = "not verified"
    CLEANUP = "cleanup"
    CLEANED = "cleaned"


@dataclass
class StepResult:
    ok: bool
    detail: str
    output: str = ""


@dataclass
class HostWalk:
    """Where one host is in the wizard: what was read, the steps, what each did, the verification."""

    host: str
    stage: Stage = Stage.READING
    disk: str | None = None
    """The operator's own choice of disk to boot (None: the wizard's)."""
    assessment: Assessment | None = None
    error: str | None = None
    """Why the host could not be read, or why a step could not run (a transport failure)."""
    required: list[RollbackStep] = field(default_factory=list)
    offered_reboot: RollbackStep | None = None
    reboot_skipped: bool = False
    cleanup: list[RollbackStep] = field(default_factory=list)
    predicted_cleanup: list[RollbackStep] = field(default_factory=list)
    """The clean-up as the plan predicts it (shown as offered); read again from the host before it is run."""
    results: dict[str, StepResult] = field(default_factory=dict)
    verification: Verification | None = None
    cleanup_note: str | None = None
    busy: str | None = None
    busy_since: float = 0.0
    executed: bool = False

    def next_step(self) -> RollbackStep | None:
        """The step `n` runs now, or None (read-only work or nothing left)."""
        if self.stage is Stage.STEPS:
            return next((s for s in self.required if s.id not in self.results), None)
        if self.stage is Stage.VERIFIED and self.offered_reboot is not None:
            reboot = self.offered_reboot
            if reboot.id not in self.results and not self.reboot_skipped:
                return reboot
        if self.stage is Stage.CLEANUP:
            return next((s for s in self.cleanup if s.id not in self.results), None)
        return None

    @property
    def outcome(self) -> str:
        """This host's word for the journal run's outcome."""
        if self.stage in (Stage.VERIFIED, Stage.CLEANUP, Stage.CLEANED):
            return "verified"
        if self.stage is Stage.REFUSED:
            return "refused"
        if self.stage in (Stage.FAILED, Stage.NOT_VERIFIED, Stage.UNREADABLE):
            return "failed"
        return "proposed"


def run_outcome(walks: Iterable[HostWalk]) -> str:
    """The journal run's outcome: verified when every host something ran on is; failed when one is not."""
    walks = list(walks)
    executed = [w for w in walks if w.executed]
    if executed:
        return "verified" if all(w.outcome == "verified" for w in executed) else "failed"
    if any(w.outcome == "refused" for w in walks):
        return "refused"
    return "proposed"


# --- the confirmations ---------------------------------------------------------------------------------


class ConfirmStep(ModalScreen[bool]):
    """What will run where, and how it is checked; True only on Run (y)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "Cancel"),
        Binding("y", "answer(True)", "Run", show=False),
    ]

    DEFAULT_CSS = """
    ConfirmStep {
        align: center middle;
    }
    ConfirmStep > #confirm-box {
        width: 90%;
        max-width: 130;
        height: auto;
        padding: 1 2;
        border: thick $warning;
        background: $surface;
    }
    ConfirmStep #confirm-box.-danger {
        border: thick $error;
    }
    ConfirmStep #confirm-text {
        margin-bottom: 1;
    }
    ConfirmStep Horizontal {
        height: auto;
        align-horizontal: right;
    }
    ConfirmStep Button {
        margin-left: 2;
    }
    """

    def __init__(self, heading: str, lines: Sequence[str], *, danger: bool, run_label: str = "Run") -> None:
        super().__init__()
        self.heading = heading
        self.lines = list(lines)
        self.danger = danger
        self.run_label = run_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="-danger" if self.danger else ""):
            yield Static(Content.styled(self.heading, "bold"), id="confirm-heading")
            yield Static(self.text, id="confirm-text", markup=False)
            with Horizontal():
                yield Button("Cancel (esc)", id="confirm-cancel")
                yield Button(f"{self.run_label} (y)", id="confirm-run", variant="error" if self.danger else "warning")

    def on_mount(self) -> None:
        self.query_one("#confirm-cancel", Button).focus()

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @on(Button.Pressed, "#confirm-run")
    def _run(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ChooseDisk(ModalScreen[str | None]):
    """The host's disks from lspv with what each holds and whether booting it would bring the old system back."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = """
    ChooseDisk {
        align: center middle;
    }
    ChooseDisk > #disk-box {
        width: 90%;
        max-width: 130;
        height: auto;
        max-height: 90%;
        padding: 1 2;
        border: thick $primary;
        background: $surface;
    }
    ChooseDisk OptionList {
        height: auto;
        max-height: 16;
        margin-top: 1;
    }
    """

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


# --- the screen ------------------------------------------------------------------------------------------


_SITUATION_LOOK = {
    Situation.NOT_REBOOTED: "$warning",
    Situation.REBOOTED: "$warning",
    Situation.ROLLED_BACK: "$success",
    Situation.NOTHING_TO_DO: "$success",
    Situation.UNSAFE: "$error",
}


class RollbackScreen(Screen[None]):
    """The rollback wizard for `hosts` (ticked), any of `choices` may be ticked too.

    `make_service()` gives the engine's wizard (one per screen: one journal run). `busy(host)` says why a
    host must not be rolled back now (its migration is running), or None.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("n", "next_step", "Next step"),
        Binding("d", "choose_disk", "Other disk"),
        Binding("r", "reread", "Re-read host"),
        Binding("s", "skip_reboot", "Skip reboot", show=False),
    ]

    DEFAULT_CSS = """
    RollbackScreen #rb-head {
        dock: top;
        height: 2;
        background: $panel;
        padding: 0 1;
    }
    RollbackScreen #rb-body {
        height: 1fr;
    }
    RollbackScreen #rb-hosts {
        width: 34;
        border: round $primary-muted;
        border-title-color: $foreground;
    }
    RollbackScreen #rb-hosts:focus {
        border: round $primary;
    }
    RollbackScreen #rb-detail {
        width: 1fr;
        border: round $primary-muted;
        border-title-color: $foreground;
        background: $surface;
        padding: 0 1;
    }
    """

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
        self._busy_reason = busy
        self._clock = clock
        self.choices = list(dict.fromkeys([*hosts, *choices]))
        self.walks: dict[str, HostWalk] = {}
        self._initial = list(dict.fromkeys(hosts))
        self._shown: str | None = self._initial[0] if self._initial else None
        self.head = Static(id="rb-head")
        self.host_list: SelectionList[str] = SelectionList(
            *(Selection(h, h, h in self._initial, id=h) for h in self.choices), id="rb-hosts"
        )
        self.detail = Static(id="rb-detail-body", markup=False)
        self._service_closing = False
        self.closed = asyncio.Event()
        """Set once the journal run is ended (closing the screen ends it)."""

    def compose(self) -> ComposeResult:
        yield self.head
        with Horizontal(id="rb-body"):
            yield self.host_list
            with VerticalScroll(id="rb-detail"):
                yield self.detail
        yield Footer()

    def on_mount(self) -> None:
        self.host_list.border_title = "hosts (space ticks)"
        self.query_one("#rb-detail").border_title = "rollback"
        if self._shown is not None:
            self.host_list.highlighted = self.choices.index(self._shown)
        self.host_list.focus()
        for host in self._initial:
            self._start(host)
        self._ticker = self.set_interval(0.5, self._tick)
        self._show()

    # -- hosts -----------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return any(w.busy is not None for w in self.walks.values())

    @property
    def shown(self) -> HostWalk | None:
        return self.walks.get(self._shown) if self._shown is not None else None

    @on(SelectionList.SelectionHighlighted, "#rb-hosts")
    def _highlighted(self, event: SelectionList.SelectionHighlighted[str]) -> None:
        self._shown = event.selection.value
        self._show()

    @on(SelectionList.SelectionToggled, "#rb-hosts")
    def _toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        host = event.selection.value
        self._shown = host
        if host in self.host_list.selected and host not in self.walks:
            self._start(host)
        self._show()

    def _start(self, host: str, disk: str | None = None) -> None:
        why = self._busy_reason(host)
        walk = self.walks[host] = HostWalk(host, disk=disk)
        if why is not None:
            walk.stage, walk.error = Stage.UNREADABLE, why
            return
        self._begin(walk, f"reading {host} (lspv, bootlist -m normal -o, oslevel -s, bootinfo -b)…")
        self.run_worker(self._assess(walk), group=f"rb-{host}", exit_on_error=False)

    async def _assess(self, walk: HostWalk) -> None:
        try:
            a = await self.service.assess(walk.host, walk.disk)
        except Exception as exc:  # unreachable, unreadable: the reason is the answer
            walk.stage, walk.error = Stage.UNREADABLE, error_text(exc)
            self._end(walk)
            return
        walk.assessment, walk.error = a, None
        if a.refused:
            walk.stage = Stage.REFUSED
            self._end(walk)
            return
        steps = self.service.plan(walk.host, reboot=a.situation is Situation.REBOOTED)
        walk.required = [s for s in steps if not s.optional]
        walk.predicted_cleanup = [s for s in steps if s.optional and s.kind is StepKind.CLEANUP]
        if a.situation is Situation.NOT_REBOOTED:
            # Not needed to roll back (the bootlist is), offered to prove that the old disk boots.
            proving = next((s for s in plan(a, reboot=True) if s.kind is StepKind.REBOOT), None)
            walk.offered_reboot = replace(proving, optional=True) if proving is not None else None
        walk.stage = Stage.STEPS
        if not walk.required:  # already back (or nothing to do): prove it, read-only
            await self._verify(walk)
        self._end(walk)

    # -- stepping -------------------------------------------------------------------------------------

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
                self._begin(walk, f"reading {walk.host} again for the clean-up…")
                self.run_worker(self._plan_cleanup(walk), group=f"rb-{walk.host}", exit_on_error=False)
                return
            self.notify(self._why_no_step(walk), severity="warning", markup=False)
            return
        if not step.changes_host:
            self._run(walk, step)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(walk, step)

        self.app.push_screen(self._confirmation(walk, step), answered)

    def _why_no_step(self, walk: HostWalk) -> str:
        if walk.stage is Stage.REFUSED:
            return f"{walk.host}: refused: {walk.assessment.reason if walk.assessment else ''} (d: another disk)"
        if walk.stage is Stage.UNREADABLE:
            return f"{walk.host}: {walk.error} (r: read it again)"
        if walk.stage is Stage.CLEANED:
            return f"{walk.host}: rolled back and cleaned up; nothing left to do"
        if walk.stage in (Stage.FAILED, Stage.NOT_VERIFIED):
            return f"{walk.host}: {walk.stage.value}: read it again (r) before going on"
        return f"{walk.host}: nothing to run now"

    def _confirmation(self, walk: HostWalk, step: RollbackStep) -> ConfirmStep:
        a = walk.assessment
        lines = [f"on {walk.host}:  {step.command}", "", f"what it does:  {step.title}"]
        lines.append(f"verified by:   {step.verify}")
        if step.kind is StepKind.REBOOT:
            b = self.service.backoff
            lines += [
                "",
                f"{walk.host} goes down now. Before it does, the wizard reads the bootlist again and refuses",
                "to reboot unless it starts with the previous system's boot disk.",
                f"Then it reconnects with backoff ({b.first:g}s doubling up to {b.cap:g}s) until the host answers "
                f"with the same host key, for at most {self.service.reboot_timeout:g}s, and verifies it.",
            ]
        elif step.kind is StepKind.CLEANUP:
            lines += ["", "This removes the migrated system from its disk: it cannot be booted afterwards."]
            lines.append("The wizard reads lspv again first and refuses if the host shows something else now.")
        elif a is not None and step.id == "set-bootlist":
            first = a.state.bootlist[0] if a.state.bootlist else None
            lines += ["", f"bootlist now:  {first or '(empty)'}; the next boot of {walk.host} uses {a.old_disk}."]
        lines += ["", "The wizard journals it (run " + self.service.run_id + ")."]
        danger = step.destructive or step.kind is StepKind.REBOOT
        label = {StepKind.REBOOT: "Reboot", StepKind.CLEANUP: "Remove"}.get(step.kind, "Run")
        return ConfirmStep(f"{walk.host}: {step.title}", lines, danger=danger, run_label=label)

    def _run(self, walk: HostWalk, step: RollbackStep) -> None:
        if step.kind is StepKind.REBOOT:
            what = f"{step.command}: waiting for {walk.host} to come back"
        else:
            what = f"running {step.command} on {walk.host}"
        self._begin(walk, what)
        self.run_worker(self._execute(walk, step), group=f"rb-{walk.host}", exit_on_error=False)

    async def _execute(self, walk: HostWalk, step: RollbackStep) -> None:
        walk.executed = walk.executed or step.changes_host
        try:
            outcome = await self.service.execute(step)
            walk.results[step.id] = StepResult(outcome.ok, outcome.detail, outcome.output)
        except Exception as exc:
            walk.results[step.id] = StepResult(False, error_text(exc))
        result = walk.results[step.id]
        if not result.ok:
            if walk.stage is Stage.CLEANUP:
                walk.cleanup_note = f"{step.command}: {result.detail}"
            walk.stage = Stage.FAILED
            self.notify(
                f"{walk.host}: {step.command}: {result.detail}", title="Step failed", severity="error", markup=False
            )
            self._end(walk)
            return
        steps_done = walk.stage is Stage.STEPS and walk.next_step() is None
        if steps_done or step.kind is StepKind.REBOOT:  # a reboot (even the offered one) is proved again
            await self._verify(walk)
        elif walk.stage is Stage.CLEANUP and walk.next_step() is None:
            await self._check_cleanup(walk)
        self._end(walk)

    async def _verify(self, walk: HostWalk) -> None:
        walk.busy = f"verifying {walk.host} (bootlist, rootvg, bootinfo -b, oslevel -s)…"
        self._show()
        try:
            v = await self.service.verify(walk.host)
        except Exception as exc:
            walk.stage, walk.error = Stage.NOT_VERIFIED, error_text(exc)
            return
        walk.verification = v
        walk.stage = Stage.VERIFIED if v.ok else Stage.NOT_VERIFIED

    async def _plan_cleanup(self, walk: HostWalk) -> None:
        try:
            walk.cleanup = await self.service.cleanup_plan(walk.host)
        except Refused as exc:
            walk.cleanup_note = f"clean-up refused: {exc}"
        except Exception as exc:
            walk.cleanup_note = f"clean-up: {error_text(exc)}"
        else:
            walk.stage = Stage.CLEANUP if walk.cleanup else Stage.CLEANED
            walk.cleanup_note = None if walk.cleanup else "nothing left of the migrated system"
        self._end(walk)

    async def _check_cleanup(self, walk: HostWalk) -> None:
        walk.busy = f"reading lspv on {walk.host} to check the clean-up…"
        self._show()
        try:
            left = await self.service.cleanup_plan(walk.host)
        except Exception as exc:
            walk.cleanup_note = f"clean-up NOT verified: {error_text(exc)}"
            walk.stage = Stage.FAILED
            return
        disks = " ".join(walk.assessment.new_disks) if walk.assessment else ""
        if left:
            walk.cleanup_note = f"clean-up NOT verified: lspv still shows {disks} in a volume group"
            walk.stage = Stage.FAILED
        else:
            walk.cleanup_note = f"clean-up verified: lspv shows {disks} in no volume group"
            walk.stage = Stage.CLEANED

    def action_skip_reboot(self) -> None:
        walk = self.shown
        if walk is not None and walk.offered_reboot is not None and walk.stage is Stage.VERIFIED:
            walk.reboot_skipped = True
            self._show()

    def action_reread(self) -> None:
        walk = self.shown
        if walk is None or walk.busy is not None:
            return
        self._start(walk.host, walk.disk)
        self._show()

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
                self._start(walk.host, disk)
                self._show()

        self.app.push_screen(ChooseDisk(walk.assessment), picked)

    def action_back(self) -> None:
        if self.busy:
            busy = next(w.busy for w in self.walks.values() if w.busy is not None)
            self.notify(f"Wait: {busy}", severity="warning", markup=False)
            return
        # The app's worker, not this screen's: it outlives the screen (awaiting here would hold the pop).
        self.app.run_worker(self.close_service(), group="rollback-close", exit_on_error=False)
        self._ticker.stop()
        self.dismiss()

    async def close_service(self) -> None:
        """End the journal run with the hosts' outcome and drop the connections (once)."""
        if self._service_closing:
            return
        self._service_closing = True
        self.service.finish(run_outcome(self.walks.values()))
        self.closed.set()
        await self.service.close()

    # -- drawing ----------------------------------------------------------------------------------------

    def _begin(self, walk: HostWalk, what: str) -> None:
        walk.busy, walk.busy_since = what, self._clock()
        self._show()

    def _end(self, walk: HostWalk) -> None:
        walk.busy = None
        self._show()

    def _tick(self) -> None:
        if self.busy:
            self._show()

    def _show(self) -> None:
        if not self.is_mounted:
            return
        self._show_head()
        for host in self.choices:
            self.host_list.replace_option_prompt(host, self._host_prompt(host))
        walk = self.shown
        if walk is None:
            body = Content.styled(
                f"{self._shown or 'No host'} is not ticked: space ticks it and reads where it stands.",
                "$text-muted",
            )
        else:
            body = self.render_walk(walk)
        self.detail.update(body)

    def _show_head(self) -> None:
        walks = list(self.walks.values())
        counts = [f"{sum(1 for w in walks if w.outcome == o)} {o}" for o in ("verified", "failed", "refused")]
        self.head.update(
            Content.assemble(
                ("Rollback wizard", "bold"),
                f" · journal run {self.service.run_id} · ",
                ", ".join(counts),
                "\n",
                (
                    "n runs the next step (asks first when it changes the host) · d boots another disk · "
                    "r reads the host again · esc back",
                    "$text-muted",
                ),
            )
        )

    def _host_prompt(self, host: str) -> Content:
        walk = self.walks.get(host)
        if walk is None:
            return Content(host)
        look = {
            Stage.VERIFIED: ("✓ verified", "$success"),
            Stage.CLEANED: ("✓ cleaned", "$success"),
            Stage.CLEANUP: ("✓ verified", "$success"),
            Stage.REFUSED: ("✗ refused", "$error"),
            Stage.FAILED: ("✗ failed", "$error"),
            Stage.NOT_VERIFIED: ("✗ not verified", "$error"),
            Stage.UNREADABLE: ("✗ unreadable", "$error"),
            Stage.STEPS: ("● to roll back", "$warning"),
        }.get(walk.stage, (walk.stage.value, "$warning"))
        if walk.busy is not None:
            look = ("… busy", "$warning")
        return Content.assemble(f"{host:<10} ", look)

    def render_walk(self, walk: HostWalk) -> Content:
        parts: list[Content | str | tuple[str, str]] = []
        a = walk.assessment
        if a is not None:
            parts += self._render_state(walk, a)
        if walk.stage is Stage.UNREADABLE:
            parts += [("✗ cannot read where it stands: ", "bold $error"), (walk.error or "", "$error"), "\n"]
        if walk.stage is Stage.REFUSED and a is not None:
            parts += ["\n", ("✗ REFUSED: ", "bold $error"), (a.reason, "$error"), "\n"]
            parts += [("nothing was changed; d picks another disk, r reads the host again", "$text-muted"), "\n"]
        if walk.required or walk.offered_reboot or walk.cleanup:
            parts += self._render_steps(walk)
        if walk.verification is not None:
            parts += self._render_verification(walk, walk.verification)
        elif walk.stage is Stage.NOT_VERIFIED and walk.error:
            parts += ["\n", ("✗ NOT VERIFIED: ", "bold $error"), (walk.error, "$error"), "\n"]
        if walk.cleanup_note:
            ok = walk.stage is Stage.CLEANED
            parts += ["\n", (("✓ " if ok else "") + walk.cleanup_note, "$success" if ok else "$warning"), "\n"]
        if walk.busy is not None:
            waited = self._clock() - walk.busy_since
            parts += ["\n", (f"▶ {walk.busy}  {waited:.0f}s", "bold $warning")]
            if walk.busy.startswith("shutdown"):
                b = self.service.backoff
                parts += [
                    (
                        f" of at most {self.service.reboot_timeout:g}s (reconnecting with backoff "
                        f"{b.first:g}s..{b.cap:g}s, same host key)",
                        "$warning",
                    )
                ]
            parts.append("\n")
        else:
            parts += self._render_next(walk)
        return Content.assemble(*parts)

    def _render_state(self, walk: HostWalk, a: Assessment) -> list[Content | str | tuple[str, str]]:
        st = a.state
        record = self.service.records.get(walk.host)
        out: list[Content | str | tuple[str, str]] = [
            (f"{walk.host}", "bold"),
            "  ",
            (a.situation.value.replace("_", " "), f"bold {_SITUATION_LOOK[a.situation]}"),
            "\n",
            (a.summary, "$text-muted"),
            "\n\n",
            ("as read ", "bold"),
            ("(r reads it again; the steps below say what changed)", "$text-muted"),
            "\n",
        ]
        first = st.first_boot_disk
        for d in st.disks:
            roles = []
            if d.vg == ROOTVG:
                roles.append("running system")
            if d.name == a.old_disk and a.old_vg is not None:
                roles.append(f"previous system ({a.old_vg}): boot this to go back")
            elif d.name in a.new_disks:
                roles.append("migrated system")
            elif d.vg in (OLD_ROOTVG, ALTINST_ROOTVG):
                roles.append("alternate rootvg (not this rollback)")
            if d.name == st.booted_from:
                roles.append("booted from (bootinfo -b)")
            if d.name == first:
                roles.append("first in bootlist")
            row = f"  {d.name:<8} {d.pvid:<18} {d.vg or 'None':<15} {d.state or '':<7}"
            out += [row, (" · ".join(roles), "$accent"), "\n"]
        bootlist = " ".join(str(e) for e in st.bootlist) or "(empty)"
        out += [f"  bootlist -m normal -o   {bootlist}\n"]
        out += [f"  booted from             {st.booted_from or '(bootinfo -b said nothing)'}\n"]
        out += [f"  oslevel -s now          {st.level}\n"]
        if record is not None:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.at))
            out += [f"  before the migration    {record.value}  (run {record.run_id}, {when})\n"]
        else:
            out += ["  before the migration    ", ("not recorded (verified by the disk, not the level)", "$warning")]
            out.append("\n")
        if walk.disk is not None:
            out += [f"  disk chosen by you      {walk.disk}\n"]
        for note in a.notes:
            out += [("  note: " + note, "$text-muted"), "\n"]
        return out

    def _render_steps(self, walk: HostWalk) -> list[Content | str | tuple[str, str]]:
        out: list[Content | str | tuple[str, str]] = ["\n", ("steps", "bold"), "\n"]
        nxt = walk.next_step()
        listed = [*walk.required]
        if walk.offered_reboot is not None:
            listed.append(walk.offered_reboot)
        listed += walk.cleanup or walk.predicted_cleanup
        for i, s in enumerate(listed, 1):
            result = walk.results.get(s.id)
            if result is not None:
                mark = ("✓", "$success") if result.ok else ("✗", "$error")
            elif s is nxt:
                mark = ("▶", "$warning")
            elif s is walk.offered_reboot and walk.reboot_skipped:
                mark = ("-", "$text-muted")
            else:
                mark = ("·", "$text-muted")
            tags = []
            if s is walk.offered_reboot:
                tags.append("offered, not needed")
            elif s in walk.predicted_cleanup:
                tags.append("offered after the rollback")
            if s.changes_host:
                tags.append("asks first")
            tag = f"  [{', '.join(tags)}]" if tags else ""
            out += [
                "  ",
                mark,
                f" {i}. ",
                (f"{s.command:<32}", "bold"),
                f" {s.title}",
                (tag, "$text-muted"),
                "\n",
                (f"       verified by: {s.verify}", "$text-muted"),
                "\n",
            ]
            if result is not None:
                out += [
                    (
                        f"       {'ok' if result.ok else 'FAILED'}: {result.detail}",
                        "$success" if result.ok else "$error",
                    ),
                    "\n",
                ]
        return out

    def _render_verification(self, walk: HostWalk, v: Verification) -> list[Content | str | tuple[str, str]]:
        out: list[Content | str | tuple[str, str]] = ["\n"]
        if v.ok:
            a = walk.assessment
            old = a.old_disk if a else "?"
            out += [(f"✓ VERIFIED: {walk.host} runs {v.level} from {old}, and the bootlist names it", "bold $success")]
        elif v.pending_reboot:
            out += [
                ("… NOT VERIFIED YET: the bootlist names the previous system; it runs after a reboot", "bold $warning")
            ]
        else:
            out += [("✗ NOT VERIFIED: " + "; ".join(c.detail for c in v.failed), "bold $error")]
        out.append("\n")
        for c in v.checks:
            out += [("    ✓ " if c.ok else "    ✗ ", "$success" if c.ok else "$error"), f"{c.name:<9}{c.detail}\n"]
        for note in v.notes:
            out += [("    note: " + note, "$text-muted"), "\n"]
        return out

    def _render_next(self, walk: HostWalk) -> list[Content | str | tuple[str, str]]:
        step = walk.next_step()
        if step is not None:
            ask = " (asks first)" if step.changes_host else ""
            line = f"next: n runs {step.command} on {walk.host}{ask}"
            if step is walk.offered_reboot:
                line = f"next (offered, not needed to roll back): n reboots {walk.host} to prove the old disk boots; "
                line += "s skips it"
            return ["\n", (line, "bold $accent"), "\n"]
        if walk.stage is Stage.VERIFIED:
            disks = " ".join(walk.assessment.new_disks) if walk.assessment else ""
            if walk.assessment is not None and walk.assessment.new_disks:
                return [
                    "\n",
                    (
                        f"next: n offers the clean-up of the migrated system on {disks} (re-read first, asks first)",
                        "bold $accent",
                    ),
                    "\n",
                ]
        return []

    # -- for tests and the palette ---------------------------------------------------------------------

    @property
    def detail_text(self) -> str:
        content = self.detail.content
        return content.plain if isinstance(content, Content) else str(content)
