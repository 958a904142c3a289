"""oslevel: the level of the AIX that is running, i.e. of the disk the host booted from."""

from __future__ import annotations

from cockpit.sim import state
from cockpit.sim.aix.common import Ctx, err, out


def vr(level: str) -> str:
    """`7200-05-06-2320` -> `7.2` (the target V.R nimadm passes to alt_disk_copy -M)."""
    return f"{level[0]}.{level[1]}"


def oslevel(ctx: Ctx, args: list[str]) -> int:
    level = state.oslevel(ctx.read())
    if not args:
        # INFERRED format (REFERENCE 3.2): V.R.M.F with the base level of the release.
        out(f"{vr(level)}.0.0")
    elif args == ["-s"]:
        out(level)
    elif args == ["-r"]:
        out(level[:7])
    else:
        err(
            "Usage: oslevel [-l Level | -g Level | -q] [-r | -s] [-f]",
            "       (the simulator implements oslevel, oslevel -r and oslevel -s)",
        )
        return 1
    return 0
