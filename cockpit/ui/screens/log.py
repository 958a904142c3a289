"""One target's log: the file's tail first, then live lines, following the end unless paused."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Log

from cockpit.ui.bridge import Changes, LogFeed, UiBridge
from cockpit.ui.logtail import LogTail, read_log_tail
from cockpit.ui.widgets.key_footer import KeyFooter
from cockpit.ui.widgets.log_header import LogHeader

DEFAULT_MAX_LINES = 5_000


def _for_log(lines: Iterable[str]) -> Iterator[str]:
    # Log.write_lines splits each item with str.splitlines(), which turns "" into nothing:
    # "\n" keeps a blank line (the one before every nimadm phase banner) as one empty line.
    for line in lines:
        yield line or "\n"


def append_lines(log: Log, lines: Iterable[str]) -> None:
    """Write log lines (blank ones kept) and keep the view true once the Log is full.

    Textual 8.2's Log drops its oldest lines past max_lines but repaints only the rows of the new
    lines' old positions; with the view already at the end nothing else repaints, so the pane keeps
    showing lines that have scrolled away. A full repaint of the visible rows fixes it.
    """
    log.write_lines(_for_log(lines))
    if log.max_lines is not None and len(log.lines) >= log.max_lines:
        log.refresh()


class LogScreen(Screen[None]):
    """Log pane of `target`. Lines are written once per app flush, never one call per line."""

    FOOTER_ORDER: ClassVar[tuple[str, ...]] = ("back", "toggle_follow", "troubleshoot", "rollback", "quit")
    BINDINGS = [
        Binding("escape", "back", "Fleet"),
        Binding("p", "toggle_follow", "Pause/Resume"),
        Binding("space", "toggle_follow", "Pause/Resume", show=False),
        Binding("end", "scroll_end", "End", show=False),
        Binding("t", "troubleshoot", "Troubleshoot"),
    ]

    CSS_PATH = "log.tcss"

    def __init__(
        self,
        bridge: UiBridge,
        target: str,
        log_path: Callable[[str], Path],
        clock: Callable[[], float],
        max_lines: int = DEFAULT_MAX_LINES,
        *,
        open_troubleshoot: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.target = target
        self._open_troubleshoot = open_troubleshoot
        self._bridge = bridge
        self._log_path = log_path
        self._clock = clock
        self.max_lines = max_lines
        self.following = True
        self.loaded = asyncio.Event()
        """Set once the file tail is on screen (tests and snapshots wait on it)."""
        self.note: str | None = None
        """Why the file tail could not be shown, if it could not."""
        self._feed: LogFeed | None = None
        # Held, not queried: the app's flush may reach this screen before it has composed.
        self.header = LogHeader()
        self.log_widget = Log(max_lines=max_lines, id="log", auto_scroll=True)

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.log_widget
        yield KeyFooter()

    def on_mount(self) -> None:
        # Start collecting live lines before reading the file, so none falls between the two.
        self._feed = self._bridge.watch(self.target)
        self._show_header()
        self.log_widget.focus()
        self._load_tail()

    def on_unmount(self) -> None:
        if self._feed is not None:
            self._bridge.unwatch(self._feed)

    @work(exclusive=True, group="log-tail", exit_on_error=False)
    async def _load_tail(self) -> None:
        feed = self._feed
        assert feed is not None
        try:
            path = self._log_path(self.target)
            tail = await asyncio.to_thread(read_log_tail, path, self.max_lines)
        except FileNotFoundError:
            tail = LogTail([], 0)  # nothing logged yet: everything will arrive live
        except Exception as exc:  # unreadable: fall back to the lines kept in memory
            tail = LogTail([], 0)
            self.note = f"log file unreadable ({type(exc).__name__}: {exc}); showing recent lines"
            self.notify(self.note, severity="warning")
        log = self.log_widget
        append_lines(log, tail.lines)
        gap = feed.settle(tail.line_count)
        if gap:
            append_lines(log, gap)
        self.loaded.set()
        self.pump(Changes(), self._clock(), tick=False)

    def pump(self, changes: Changes, now: float, tick: bool) -> None:
        """Called by the app's flush: write what is waiting (unless paused), refresh the header."""
        feed = self._feed
        if feed is not None and self.following and feed.settled:
            lines = feed.drain()
            if lines:
                append_lines(self.log_widget, lines)
        if tick or self.target in changes.targets or not self.following:
            self._show_header()

    def _show_header(self) -> None:
        view = self._bridge.views.get(self.target)
        if view is not None:
            waiting = self._feed.waiting if self._feed is not None else 0
            self.header.show_view(view, self._clock(), self.following, waiting)

    def action_toggle_follow(self) -> None:
        """Pause or resume following. While paused, lines wait in the feed and nothing is lost."""
        self.following = not self.following
        if self.following:
            self.pump(Changes(), self._clock(), tick=False)
            self.log_widget.scroll_end(animate=False)
        self._show_header()

    def action_scroll_end(self) -> None:
        self.log_widget.scroll_end(animate=False)

    def action_back(self) -> None:
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "troubleshoot":
            return self._open_troubleshoot is not None
        return True

    def action_troubleshoot(self) -> None:
        if self._open_troubleshoot is not None:
            self._open_troubleshoot(self.target)
