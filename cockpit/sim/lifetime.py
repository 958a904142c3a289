"""A simulated fleet that must not outlive the process that started it (`cockpit demo`'s simulator).

Why: a demo killed with SIGKILL cannot stop its simulator, which would go on listening on loopback
with the fleet's private keys in a temporary folder. Linux tells a child its parent died
(PR_SET_PDEATHSIG: SIGTERM, which `serve` handles); elsewhere, and for a death before the request
was made, the parent pid changing tells it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys


async def watch_parent(stop: asyncio.Event) -> None:
    """Set `stop` when the parent dies. Linux signals it at once (PR_SET_PDEATHSIG: SIGTERM, handled
    by serve); elsewhere, and for a death before that was set, the parent pid changing tells it."""
    parent = os.getppid()
    ask_for_death_signal()
    while os.getppid() == parent:
        await asyncio.sleep(0.5)
    stop.set()


def ask_for_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
