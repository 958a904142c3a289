"""Event scripts for the UI tests: realistic nimadm runs over a few hosts."""

from __future__ import annotations

import asyncio

from cockpit.domain.models import TargetState
from tests.ui import nimadm_output as out
from tests.ui.fake_engine import ScriptedEngine

DB, WEB, APP = HOSTS = ("aixdb01", "aixweb02", "aixapp03")
PHASE_SECONDS = 300.0


async def three_hosts(engine: ScriptedEngine) -> None:
    """aixdb01 succeeds, aixweb02 fails in phase 11 (0516-082), aixapp03 pauses mid phase 6.

    Checkpoint "mid" holds the run there (aixapp03 running, 6/12); after release aixapp03
    finishes all 12 phases and the run ends.
    """
    engine.start_run(HOSTS)
    for host in HOSTS:
        engine.change(host, TargetState.RUNNING)
        engine.log(host, out.prologue(host))
    for number in range(1, 13):
        engine.clock.advance(PHASE_SECONDS)
        engine.change(DB, TargetState.RUNNING, number)
        engine.log(DB, out.phase(DB, number))
        if number <= 10:
            engine.change(WEB, TargetState.RUNNING, number)
            engine.log(WEB, out.phase(WEB, number))
        elif number == 11:
            engine.change(WEB, TargetState.RUNNING, number)
            engine.log(WEB, out.phase11_ghost_device_failure(WEB))
            engine.change(WEB, TargetState.FAILED, error=out.GHOST_DEVICE_ERROR, exit_status=1)
        if number <= 5:
            engine.change(APP, TargetState.RUNNING, number)
            engine.log(APP, out.phase(APP, number))
        elif number == 6:
            engine.change(APP, TargetState.RUNNING, number)
            engine.log(APP, out.phase(APP, 6)[:7])
        await asyncio.sleep(0)  # let the UI run between rounds, as a real engine would
    engine.change(DB, TargetState.SUCCEEDED)
    engine.clock.advance(42.0)
    await engine.checkpoint("mid")
    engine.log(APP, out.phase(APP, 6)[7:])
    for number in range(7, 13):
        engine.clock.advance(PHASE_SECONDS)
        engine.change(APP, TargetState.RUNNING, number)
        engine.log(APP, out.phase(APP, number))
        await asyncio.sleep(0)
    engine.change(APP, TargetState.SUCCEEDED)
    engine.finish_run(succeeded=(DB, APP), failed=(WEB,))


SEVEN = (
    "aixdb01",
    "aixweb02",
    "aixapp03",
    "aixbat04",
    "aixmq05",
    "aixftp06",
    "aixdev07",
)
NIMSH_DOWN = "preflight: nimsh not answering on aixmq05 (port 3901 refused)"
SSH_REFUSED = "ssh aixftp06: connection refused (port 22)"
STALL_REASON = "stalled: silent for 10m00s in phase 9 (threshold 10m00s)"


async def every_state(engine: ScriptedEngine) -> None:
    """One host per state, then checkpoint "all" holds the run (for the fleet snapshot)."""
    db, web, app, bat, mq, ftp, _pending = SEVEN
    engine.start_run(SEVEN)
    for host, last in ((db, 12), (web, 11), (app, 6), (bat, 9)):
        engine.change(host, TargetState.RUNNING)
        engine.log(host, out.prologue(host))
        for number in range(1, last + 1):
            engine.clock.advance(PHASE_SECONDS / 4)
            engine.change(host, TargetState.RUNNING, number)
            if host == web and number == 11:
                engine.log(host, out.phase11_ghost_device_failure(host))
            else:
                engine.log(host, out.phase(host, number) if host != app or number < 6 else out.phase(host, 6)[:7])
    engine.change(db, TargetState.SUCCEEDED)
    engine.change(web, TargetState.FAILED, error=out.GHOST_DEVICE_ERROR, exit_status=1)
    engine.clock.advance(600.0)
    engine.change(bat, TargetState.STALLED, reason=STALL_REASON)
    engine.change(mq, TargetState.BLOCKED, reason=NIMSH_DOWN)
    engine.change(ftp, TargetState.UNREACHABLE, reason=SSH_REFUSED)
    engine.clock.advance(61.0)
    await engine.checkpoint("all")
