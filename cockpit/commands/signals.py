"""SIGTERM and SIGHUP end a command the way Ctrl+C does: through its `finally` blocks, not around them.

Why: Python's default for both is to die on the spot, so `cockpit demo` killed by SIGTERM, or by its
terminal closing (SIGHUP), left its simulator running with PPID 1 and its folder (private keys
included) in /tmp. Inside `stop_on_signals` either signal raises Terminated where the program is,
so the clean-up code runs; the TUI catches them in its own event loop first (CockpitApp), restores
the terminal, and the command raises Terminated once the app is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable, Coroutine, Iterator
from types import FrameType
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

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


def run_until_signalled(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)`, where SIGTERM and SIGHUP cancel the main task as Ctrl+C does, so every
    coroutine's finally block runs (steps stay on their hosts, the journal is closed), then Terminated.

    Why not stop_on_signals' handler while the loop runs: an exception raised by a Python signal
    handler while the event loop is inside a callback is caught by the loop, logged, and the command
    carries on as if no signal had come (a `cockpit demo --headless` killed by SIGTERM now and then
    kept running). The loop's own signal handling wakes the loop instead and raises nothing.
    """
    received: list[int] = []

    async def guarded() -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        saved: dict[int, Any] = {}

        def stop(signum: int) -> None:
            if not received and task is not None:
                received.append(signum)
                task.cancel()

        for sig in SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                saved[sig] = signal.getsignal(sig)
                loop.add_signal_handler(sig, stop, int(sig))
        try:
            result = await main
        except asyncio.CancelledError:
            if received:
                raise Terminated(received[0]) from None
            raise
        finally:
            for number, handler in saved.items():
                loop.remove_signal_handler(number)  # sets the default: put back what was there
                with contextlib.suppress(TypeError, ValueError):
                    signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        if received:  # the run swallowed the cancellation: it was still asked to stop
            raise Terminated(received[0])
        return result

    return asyncio.run(guarded())


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


_hangup_cleanups: list[Callable[[], None]] = []


@contextlib.contextmanager
def on_hangup(cleanup: Callable[[], None]) -> Iterator[None]:
    """Within this block, a hangup of the TUI's terminal runs `cleanup` before the process exits."""
    _hangup_cleanups.append(cleanup)
    try:
        yield
    finally:
        _hangup_cleanups.remove(cleanup)


def _hung_up(signum: int, frame: FrameType | None) -> None:
    """The TUI's terminal is gone: clean up and exit at once, without Textual's shutdown.

    Why not a graceful exit: Textual writes the screen from a thread, which dies on the first write
    to the hung-up terminal; the app's next frames then fill its queue and block the event loop,
    and with it any handler that runs in the loop. This one runs between Python instructions of the
    main thread, even there. Nothing is left to restore on a terminal that no longer exists; the
    journal is crash-safe, and `--resume` picks the run up as after a crash.
    """
    for cleanup in reversed(_hangup_cleanups):
        with contextlib.suppress(Exception):
            cleanup()
    os._exit(128 + signum)


def run_app(app: StoppableApp) -> None:
    """Run the TUI. SIGTERM closes it (the app restores the terminal), then ends the command with
    Terminated; SIGHUP (the terminal closed) runs the hangup clean-ups and exits (`_hung_up`)."""
    try:
        with handlers_kept():  # the app's event loop leaves SIGTERM at its default when it closes
            previous = signal.signal(signal.SIGHUP, _hung_up)
            try:
                app.run()
            finally:
                signal.signal(signal.SIGHUP, previous)
    except OSError:
        if app.stopped_by is None:
            raise
    if app.stopped_by is not None:
        raise Terminated(app.stopped_by)
