"""oslevel: the level of the AIX that is running, i.e. of the disk the host booted from."""

from __future__ import annotations

from cockpit.sim import state
from cockpit.sim.aix.common import Ctx, err, out


def is_vrmf(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() for p in parts)


def vr(level: str) -> str:
    """`7200-05-06-2320` -> `7.2` (the target V.R nimadm passes to alt_disk_copy -M)."""
    return f"{level[0]}.{level[1]}"


def vrmf(level: str) -> str:
    """`7200-05-06-2320` -> `7.2.0.0`, `4330-11-00-0000` -> `4.3.3.0` (the maintenance level oslevel prints)."""
    return ".".join(level[:4])


def _below(st: state.HostState, wanted: str) -> list[tuple[str, str]]:
    """(fileset, its level) of the filesets below maintenance level `wanted` (fault below_level)."""
    fault = st.get("faults", {}).get("below_level")
    if fault and _key(fault["level"]) < _key(wanted):
        return [(fault["fileset"], fault["level"])]
    return []


def _key(level: str) -> tuple[int, ...]:
    return tuple(int(x) for x in level.split(".") if x.isdigit())


def oslevel(ctx: Ctx, args: list[str]) -> int:
    st = ctx.read()
    level = state.oslevel(st)
    if not args:
        # Assumed format: V.R.M.F of the maintenance level every fileset has reached.
        below = _below(st, vrmf(level))
        out(min([vrmf(level), *(lvl for _, lvl in below)], key=_key))
    elif len(args) == 2 and args[0] == "-l":
        # IBM's HACWS instructions: the filesets below that level; the layout is assumed.
        if not is_vrmf(args[1]):
            err(f"oslevel: {args[1]} is not a valid maintenance level (V.R.M.F).")  # Assumed
            return 1
        below = _below(st, args[1])
        if below:
            out(f"{'Fileset':<40}{'Actual Level':<20}Maintenance Level", "-" * 77)
            out(*(f"{name:<40}{lvl:<20}{args[1]}" for name, lvl in below))
    elif args == ["-s"]:
        out(level)
    elif args == ["-r"]:
        out(level[:7])
    else:
        err(
            "Usage: oslevel [-l Level | -g Level | -q] [-r | -s] [-f]",
            "       (the simulator implements oslevel, oslevel -l Level, oslevel -r and oslevel -s)",
        )
        return 1
    return 0
