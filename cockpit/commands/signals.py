"""SIGTERM and SIGHUP end a command the way Ctrl+C does: through its `finally` blocks, not around them.

Why: Python's default for both is to die on the spot, so `cockpit demo` killed by SIGTERM, or by its
terminal closing (SIGHUP), left its simulator running with PPID 1 and its folder (private keys
included) in /tmp. Inside `stop_on_signals` either signal raises Terminated where the program is,
so the clean-up code runs; the TUI catches them in its own event loop first (CockpitApp), restores
the terminal, and the command raises Terminated once the app is closed.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType
from typing import Any, Protocol

SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Terminated(Exception):
    """The command was asked to stop by a signal; exit status 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within this block SIGTERM and SIGHUP raise Terminated (the previous handlers come back after)."""
    previous: dict[signal.Signals, Any] = {}
    try:
        for sig in SIGNALS:
            previous[sig] = signal.signal(sig, _raise)
    except ValueError:  # not the main thread: signals cannot be handled here
        pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def handlers_kept() -> Iterator[None]:
    """Put back the signal handlers as they were (an event loop resets its own to the default on close)."""
    saved = {sig: signal.getsignal(sig) for sig in SIGNALS}
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            for sig, handler in saved.items():
                if handler is not None:
                    signal.signal(sig, handler)


def exit_with_parent() -> None:
    """Have SIGTERM sent to this process when its parent dies, however it died (Linux; elsewhere a no-op).

    For a `cockpit demo` a browser tab of `cockpit serve` runs: killed with SIGKILL, the server can no
    longer close its tabs, and each demo would keep its simulated fleet running for nobody.
    """
    import os
    import sys

    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent:  # it died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)


class StoppableApp(Protocol):
    """The cockpit's app as far as stopping it goes (cockpit.ui.app.CockpitApp)."""

    stopped_by: int | None

    def run(self) -> object: ...


def run_app(app: StoppableApp) -> None:
    """Run the TUI; SIGTERM / SIGHUP close it (terminal restored), then end the command (Terminated)."""
    try:
        with handlers_kept():  # the app's event loop leaves SIGTERM / SIGHUP at their defaults when it closes
            app.run()
    except OSError:
        if app.stopped_by is None:
            raise  # after a SIGHUP the terminal is gone and the last writes to it fail: expected
    if app.stopped_by is not None:
        raise Terminated(app.stopped_by)
