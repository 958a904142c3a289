"""hostname and shutdown (a reboot boots whatever the bootlist names)."""

from __future__ import annotations

import getopt
import time

from cockpit.sim.aix.common import Ctx, UsageError, notify_server, out
from cockpit.sim.aix.disks import boot

USAGE = "Usage: shutdown [-d] [-F] [-h | -p | -r] [-i] [-k] [-l] [-m] [-t mmddHHMM[yy]] [+Time]"


def hostname(ctx: Ctx, args: list[str]) -> int:
    if args:
        raise UsageError("usage: hostname [hostname]  (the simulator does not rename hosts)")
    out(ctx.read()["hostname"])
    return 0


def reboot(ctx: Ctx, host: str) -> bool:
    """Reboot `host`. The simulator's SSH front end takes the request: it drops the host's connections,
    kills its processes, boots the disks (disks.boot) and refuses connections for the scaled reboot
    time. Without it (a real sshd serves the fleet) the disks are booted here, at once; a host with
    nothing to boot then only records `halted` (a real sshd cannot be stopped from here). Returns whether
    the front end took the request.
    """
    if notify_server(f"reboot {host}"):
        return True
    with ctx.update(host) as st:
        boot(st)
    return False


def shutdown(ctx: Ctx, args: list[str]) -> int:
    try:
        opts, rest = getopt.getopt(args, "Frhkmi:dlpvt:")
    except getopt.GetoptError as e:
        raise UsageError(USAGE) from e
    flags = dict(opts)
    if "-r" not in flags or rest:
        # Halting would need someone to power the LPAR on again; the simulator only reboots.
        raise UsageError("shutdown: the simulator implements only a reboot: shutdown -Fr")
    # Assumed text: the sources only say `shutdown -Fr` reboots at once; these are AIX's usual lines.
    out(
        "",
        "SHUTDOWN PROGRAM",
        time.strftime("%a %b %d %H:%M:%S %Z %Y"),
        "",
        "Wait for 'Rebooting...' before stopping.",
        "Rebooting . . .",
    )
    if reboot(ctx, ctx.host):
        # Like the real command, never return to the caller: the reboot kills this session.
        time.sleep(60)
    return 0
