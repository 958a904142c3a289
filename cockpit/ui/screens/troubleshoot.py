"""Troubleshooting one target: where it stands, its last lines, probes run on demand, and the actions.

The probes are the engine's (`trouble_probes`): each runs when asked (Enter on it, or its number),
in a worker, and its output stays in the pane with the host and exit status. The actions (keep
waiting, interrupt, kill, nimadm -C, retry from a phase, skip a phase, mark failed) each open a
confirmation (screens/confirm.py) that shows what will run where before anything does; the ones that do not fit the
target's state are disabled, and a key pressed for one says why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Log, OptionList, Static
from textual.widgets.option_list import Option

from cockpit.domain.troubleshoot import NO_STEP, TroubleProbe
from cockpit.ui.asks import control_ask
from cockpit.ui.bridge import Changes, UiBridge
from cockpit.ui.control_actions import TARGET_ACTIONS, ControlActions, refusal
from cockpit.ui.controls import ProbeResult, RunControls, error_text
from cockpit.ui.logtail import LogTail, read_log_tail
from cockpit.ui.screens.confirm import ConfirmScreen
from cockpit.ui.screens.log import append_lines
from cockpit.ui.widgets.key_footer import KeyFooter
from cockpit.ui.widgets.trouble_header import TroubleHeader

NARROW = 130
"""Below this width the eight action buttons wrap onto two rows."""
LAST_LINES = 40
"""About what the pane holds on a 48-line terminal; older lines are in the log screen."""

ACTION_LABELS: dict[str, tuple[str, str]] = {
    "snooze": ("z", "keep waiting"),
    "interrupt": ("i", "interrupt (INT)"),
    "kill": ("k", "kill (TERM)"),
    "force_kill": ("K", "kill (KILL)"),
    "cleanup": ("c", "nimadm -C"),
    "retry": ("r", "retry from…"),
    "skip": ("s", "skip phase"),
    "mark_failed": ("f", "mark failed"),
}


@dataclass
class ProbeRun:
    """The latest run of one probe: under way, answered, or failed to run."""

    running: bool = False
    result: ProbeResult | None = None
    error: str | None = None
    count: int = 0


class TroubleshootScreen(Screen[None]):
    """`target`'s troubleshoot screen. `run_open()` says whether the engine still takes retries;
    `term_sent` (shared with the app) remembers targets sent SIGTERM, for which SIGKILL is offered."""

    FOOTER_ORDER: ClassVar[tuple[str, ...]] = ("back", "run_probe", "rollback", "quit")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("enter", "run_probe", "Run probe"),
        *(Binding(str(n), f"run_probe({n - 1})", f"Probe {n}", show=False) for n in range(1, 6)),
        *(
            # A terminal with the kitty keyboard protocol reports Shift+K as shift+k, others as K.
            Binding(f"{key},shift+{key.lower()}" if key.isupper() else key, f"control('{action}')", label, show=False)
            for action, (key, label) in ACTION_LABELS.items()
        ),
    ]

    CSS_PATH = "troubleshoot.tcss"

    def __init__(
        self,
        bridge: UiBridge,
        target: str,
        controls: RunControls,
        log_path: Callable[[str], Path],
        clock: Callable[[], float],
        *,
        run_open: Callable[[], bool],
        term_sent: set[str],
    ) -> None:
        super().__init__()
        self.target = target
        self._bridge = bridge
        self._controls = controls
        self._actions = ControlActions(controls)
        self._log_path = log_path
        self._clock = clock
        self._run_open = run_open
        self._term_sent = term_sent
        self.probes: list[TroubleProbe] = controls.trouble_probes(target)
        self.probe_runs: dict[str, ProbeRun] = {p.key: ProbeRun() for p in self.probes}
        self.loaded = asyncio.Event()
        """Set once the last lines are on screen (tests and snapshots wait on it)."""
        self._seen: int | None = None
        """Sequence number of the next line to show (None until the file's tail is shown)."""
        # Held, not queried: the app's flush may reach this screen before it has composed.
        self.header = TroubleHeader()
        self.lines = Log(max_lines=LAST_LINES, id="trouble-lines", auto_scroll=True)
        self.probe_list = OptionList(*self._probe_options(), id="trouble-probes")
        self.output = Static(id="trouble-output-body", markup=False)
        self.action_buttons = {
            key: Button(f"{hint} {self._label(key, label)}", id=f"act-{key}", compact=True)
            for key, (hint, label) in ACTION_LABELS.items()
        }

    def _label(self, key: str, label: str) -> str:
        """The button's words for this run's runbook: steps instead of phases, its own clean-up."""
        unit = self._controls.retry_unit
        if key in ("retry", "skip"):
            return label.replace("phase", unit)
        if key == "cleanup" and self._controls.config.plan.runbook != "nimadm":
            return "clean up (undo)"
        return label

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield self.header
        with Horizontal(id="trouble-body"):
            yield self.lines
            with Vertical(id="trouble-right"):
                yield self.probe_list
                with VerticalScroll(id="trouble-output"):
                    yield self.output
        with Horizontal(id="trouble-actions"):
            yield from self.action_buttons.values()
        yield KeyFooter()

    def on_resize(self) -> None:
        # The action buttons take two rows of four on a narrow terminal, one row of eight on a wide one.
        self.set_class(self.size.width < NARROW, "-narrow")

    def on_mount(self) -> None:
        self.on_resize()
        self.lines.border_title = f"last lines of {self.target}"
        self.probe_list.border_title = "probes: Enter or 1-5 runs one"
        self.query_one("#trouble-output").border_title = "probe output"
        self.probe_list.focus()
        self._refresh(self._clock())
        self._show_output()
        self._load_tail()

    def _probe_options(self) -> list[Option]:
        options = []
        config = self._controls.config
        master = (config.master_of(self.target) or config.host(self.target)).name
        for n, probe in enumerate(self.probes, start=1):
            host = {"master": master, "step": self._controls.step_host(self.target)}.get(probe.on, self.target)
            # One line each, so that the output below keeps its height; the why is shown above the output.
            prompt = Content.assemble((f"{n} ", "bold $accent"), (probe.title, "bold"), (f"  on {host}", "$text-muted"))
            options.append(Option(prompt, id=probe.key))
        return options

    # -- last lines ----------------------------------------------------------------------------

    @work(exclusive=True, group="trouble-tail", exit_on_error=False)
    async def _load_tail(self) -> None:
        try:
            tail = await asyncio.to_thread(read_log_tail, self._log_path(self.target), LAST_LINES)
        except FileNotFoundError:
            tail = LogTail([], 0)
        except Exception as exc:  # unreadable: the lines kept in memory still show
            tail = LogTail([], 0)
            self.notify(f"log file unreadable ({type(exc).__name__}: {exc})", severity="warning", markup=False)
        append_lines(self.lines, tail.lines)
        self._seen = tail.line_count
        self._catch_up()
        self.loaded.set()

    def _catch_up(self) -> None:
        """Show the lines the bridge holds that are newer than what is shown."""
        seen = self._seen
        view = self._bridge.views.get(self.target)
        if seen is None or view is None or view.seq <= seen:
            return
        first = view.seq - len(view.tail)
        fresh = list(view.tail)[max(seen, first) - first :]
        append_lines(self.lines, fresh)
        self._seen = view.seq

    @property
    def lines_text(self) -> list[str]:
        return list(self.lines.lines)

    # -- redraw (called by the app's flush) ----------------------------------------------------

    def pump(self, changes: Changes, now: float, tick: bool) -> None:
        if self.target in changes.lines or self.target in changes.targets:
            self._catch_up()
        if tick or self.target in changes.targets:
            self._refresh(now)

    def _refresh(self, now: float) -> None:
        view = self._bridge.views.get(self.target)
        if view is None:
            return
        if view.state.finished:
            self._term_sent.discard(self.target)  # a later run of it starts over with SIGTERM
        step = self._controls.trouble_step(self.target)  # what the process probe looks at, too
        self.header.show(view, now, step.describe() if step is not None else NO_STEP)
        for key, button in self.action_buttons.items():
            why = self.refusal(key)
            button.disabled = why is not None
            button.tooltip = why

    def refusal(self, key: str) -> str | None:
        """Why action `key` does not fit the target now (None: it does)."""
        view = self._bridge.views[self.target]
        return refusal(
            key,
            self.target,
            view.state,
            phase=view.phase,
            run_open=self._run_open(),
            term_sent=self.target in self._term_sent,
            last=self._controls.phases_total,
            unit=self._controls.retry_unit,
        )

    # -- probes --------------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#trouble-probes")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_output()

    @on(OptionList.OptionSelected, "#trouble-probes")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.run_probe(event.option.id)

    def action_run_probe(self, index: int | None = None) -> None:
        if index is None:
            index = self.probe_list.highlighted
            if index is None:
                return
        if not 0 <= index < len(self.probes):
            return
        self.probe_list.highlighted = index
        self.run_probe(self.probes[index].key)

    def run_probe(self, key: str) -> None:
        """Run probe `key` in a worker (unless it is already running); its output replaces the last one."""
        run = self.probe_runs[key]
        if run.running:
            return
        run.running = True
        self._show_output()
        self.run_worker(self._probe(key), group="probes", exit_on_error=False)

    async def _probe(self, key: str) -> None:
        run = self.probe_runs[key]
        try:
            run.result, run.error = await self._controls.probe(self.target, key), None
        except Exception as exc:  # refused or failed: the reason is the output
            run.result, run.error = None, error_text(exc)
        finally:
            run.running = False
            run.count += 1
        self._show_output()

    def _highlighted_probe(self) -> TroubleProbe | None:
        index = self.probe_list.highlighted
        return self.probes[index] if index is not None and 0 <= index < len(self.probes) else None

    def _show_output(self) -> None:
        probe = self._highlighted_probe()
        if probe is None:
            return
        run = self.probe_runs[probe.key]
        head = Content.assemble((probe.why, "italic $text-muted"), "\n", ("$ ", "$text-muted"), (probe.command, "bold"))
        if run.running:
            body = Content.styled("running…", "$warning")
        elif run.error is not None:
            body = Content.styled(f"✗ {run.error}", "$error")
        elif run.result is not None:
            result = run.result
            status = ("exit 0", "$success") if result.exit_status == 0 else (f"exit {result.exit_status}", "$error")
            body = Content.assemble(("on ", "$text-muted"), result.host, " · ", status, "\n\n", result.text)
        else:
            body = Content.styled("Not run yet: Enter runs it.", "$text-muted")
        self.output.update(Content.assemble(head, "\n", body))

    @property
    def output_text(self) -> str:
        content = self.output.content
        return content.plain if isinstance(content, Content) else str(content)

    # -- actions -------------------------------------------------------------------------------

    @on(Button.Pressed, "#trouble-actions Button")
    def _action_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id is not None:
            self.action_control(event.button.id.removeprefix("act-"))

    def action_control(self, key: str) -> None:
        if key not in TARGET_ACTIONS:
            return
        why = self.refusal(key)
        if why is not None:
            self.notify(why, title="Not now", severity="warning", markup=False)
            return
        view = self._bridge.views[self.target]
        action = self._actions.build(key, self.target, phase=view.phase)

        def done(ok: bool | None) -> None:
            if ok and key == "kill":
                self._term_sent.add(self.target)
            self._refresh(self._clock())

        self.app.push_screen(ConfirmScreen(control_ask(action, self._controls.operator)), done)

    def action_back(self) -> None:
        self.dismiss()
