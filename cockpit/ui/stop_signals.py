"""SIGTERM closes the TUI as `q` does not ask: at once, but through Textual's shutdown.

Why: Python dies on SIGTERM by default, leaving the terminal in the alternate screen with mouse
tracking on (and, for `cockpit demo`, its simulator running). Handled in the app's own event loop,
the app exits normally (the driver restores the terminal) and the command learns which signal it was
(`CockpitApp.stopped_by`) to end with 128 + its number. SIGHUP (the terminal itself is gone) is the
command's to handle, outside the event loop: see cockpit/commands/signals.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable

SIGNALS = (signal.SIGTERM,)


def catch(on_signal: Callable[[int], None]) -> None:
    """Call `on_signal(signum)` in the running loop for SIGTERM (main thread only)."""
    loop = asyncio.get_running_loop()
    for sig in SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, on_signal, int(sig))
