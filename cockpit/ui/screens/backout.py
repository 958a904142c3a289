"""The guided back-out of a cluster runbook (hacws, linuxha): the plan, one confirmation, the run, the verdict.

A cluster has no old disk to boot: going back is the runbook's `backout` steps on every node (restore
the archived configuration, the previous package ...). The screen shows them with their exact
commands and hosts before anything runs; `y` runs them (journaled as a run of NAME-backout, like
`cockpit rollback CONFIG --yes`), their progress streams below, and the verdict is green only when
every step succeeded on every node.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Log, Static

from cockpit.domain.events import EventSink, RunFinished

RunBackout = Callable[[EventSink, Callable[[str], None]], Awaitable[RunFinished]]
"""Runs the back-out: events go to the sink, each progress line to the callable."""


class BackoutScreen(ModalScreen[bool]):
    """Shows the back-out plan, runs it once confirmed, and says how it ended. Dismissed with True when run."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "run", "Run back-out"),
        Binding("n,escape", "close", "Close"),
    ]
    DEFAULT_CSS = """
    BackoutScreen { align: center middle; }
    BackoutScreen #backout-box {
        width: 90%; height: 90%; border: thick $warning; background: $surface; padding: 1 2;
    }
    BackoutScreen #backout-heading { text-style: bold; }
    BackoutScreen #backout-plan { height: auto; max-height: 50%; margin: 1 0; }
    BackoutScreen #backout-log { height: 1fr; border: round $panel; }
    BackoutScreen #backout-verdict { height: auto; margin-top: 1; }
    BackoutScreen Horizontal { height: auto; margin-top: 1; }
    BackoutScreen Button { margin-left: 2; }
    """

    def __init__(self, runbook: str, plan: Sequence[str], run_backout: RunBackout) -> None:
        super().__init__()
        self.runbook = runbook
        self.plan = tuple(plan)
        self._run_backout = run_backout
        self.state = "proposed"
        """proposed -> running -> done | failed | error"""
        self.progress_log = Log(id="backout-log", max_lines=2000)
        self.verdict = Static("", id="backout-verdict", markup=False)

    def compose(self) -> ComposeResult:
        with Vertical(id="backout-box"):
            yield Static(f"Back out {self.runbook} on every node?", id="backout-heading", markup=False)
            yield Static("\n".join(self.plan), id="backout-plan", markup=False)
            yield self.progress_log
            yield self.verdict
            with Horizontal():
                yield Button("Close (n)", id="backout-close")
                yield Button("Run back-out (y)", id="backout-run", variant="warning")

    def on_mount(self) -> None:
        self.progress_log.border_title = "progress"
        self.query_one("#backout-close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "backout-run":
            self.action_run()
        else:
            self.action_close()

    def action_close(self) -> None:
        if self.state == "running":
            self.notify("Wait: the back-out is running (its steps must not be cut off).", severity="warning")
            return
        self.dismiss(self.state != "proposed")

    def action_run(self) -> None:
        if self.state != "proposed":
            self.notify("The back-out has run already: close this and look at the fleet.", severity="warning")
            return
        self.state = "running"
        self.query_one("#backout-run", Button).disabled = True
        self.verdict.update("running…")
        self._run()

    def _show_line(self, line: str) -> None:
        self.progress_log.write_line(line)

    @work(exclusive=True, group="backout", exit_on_error=False)
    async def _run(self) -> None:
        try:
            finished = await self._run_backout(_Discard(), self._show_line)
        except Exception as exc:  # shown, never a crash of the cockpit
            self.state = "error"
            self.verdict.update(f"✗ the back-out could not run: {type(exc).__name__}: {exc}")
            return
        if finished.ok:
            self.state = "done"
            self.verdict.update(f"✓ Back-out of {self.runbook} done on {', '.join(finished.succeeded)}.")
        else:
            self.state = "failed"
            self.verdict.update(f"✗ Back-out of {self.runbook} did not complete on {', '.join(finished.failed)}.")

    @property
    def log_text(self) -> list[str]:
        return list(self.progress_log.lines)


class _Discard:
    """The screen shows the printer's lines, not the raw events."""

    def emit(self, event: object) -> None:
        return None
