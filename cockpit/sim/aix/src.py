"""SRC commands (lssrc, startsrc, stopsrc) for the subsystems the migration checks, nimsh above all."""

from __future__ import annotations

import getopt
import random

from cockpit.sim.aix.common import Ctx, UsageError, err, out

NIMSH_PORTS = (3901, 3902)  # as aix/net.py (which imports this module)

# Subsystems that always run on a simulated host (name -> group, pid); only nimsh is per-host state.
FIXED = {"sshd": ("ssh", 4063588), "inetd": ("tcpip", 3997992), "syslogd": ("ras", 3932538)}

USAGE = {
    "lssrc": "Usage: lssrc [-h host] {-a | -g group | [-l] -s subsystem | [-l] -p pid}",
    "startsrc": "Usage: startsrc [-h host] {-s subsystem | -g group} [-a args] [-e env]",
    "stopsrc": "Usage: stopsrc [-h host] [-f | -c] {-s subsystem | -g group | -p pid}",
}


def _row(name: str, group: str, pid: str, status: str) -> str:
    # lssrc's columns: " nimsh            nimclient        5571004      active"
    return f" {name:<17}{group:<17}{pid:<13}{status}"


def _subsystem(command: str, args: list[str]) -> str:
    """The -s argument; -l (long listing) is accepted and shows the short form."""
    try:
        opts, rest = getopt.getopt(args, "s:l")
    except getopt.GetoptError as e:
        raise UsageError(USAGE[command]) from e
    name = dict(opts).get("-s")
    if name is None or rest:
        raise UsageError(USAGE[command])
    return name


def _not_on_file(name: str) -> int:
    err(f"0513-085 The {name} Subsystem is not on file.")
    return 1


def lssrc(ctx: Ctx, args: list[str]) -> int:
    name = _subsystem("lssrc", args)
    if name == "nimsh":
        nimsh = ctx.read()["nimsh"]
        if nimsh["active"]:
            row = _row("nimsh", "nimclient", str(nimsh["pid"]), "active")
        else:
            row = _row("nimsh", "nimclient", "", "inoperative")
    elif name in FIXED:
        group, pid = FIXED[name]
        row = _row(name, group, str(pid), "active")
    else:
        return _not_on_file(name)
    out(f"{'Subsystem':<18}{'Group':<17}{'PID':<13}Status", row)
    return 0


def startsrc(ctx: Ctx, args: list[str]) -> int:
    name = _subsystem("startsrc", args)
    if name != "nimsh" and name not in FIXED:
        return _not_on_file(name)
    with ctx.update() as st:
        if name in FIXED or st["nimsh"]["active"]:
            err(f"0513-029 The {name} Subsystem is already active.", "Multiple instances are not supported.")
            return 1
        pid = random.randrange(3_000_000, 9_000_000)
        # SRC starts nimsh; if another process holds 3901/3902 it cannot bind and ends at once (assumed),
        # so lssrc shows it inoperative again.
        if not any(x["port"] in NIMSH_PORTS for x in st.get("listeners", [])):
            st["nimsh"] = {"active": True, "pid": pid}
    out(f"0513-059 The nimsh Subsystem has been started. Subsystem PID is {pid}.")
    return 0


def stopsrc(ctx: Ctx, args: list[str]) -> int:
    name = _subsystem("stopsrc", args)
    if name in FIXED:
        # The SSH front end and friends are not simulated subsystems: refuse rather than pretend.
        err(f"stopsrc: the simulator keeps {name} running")
        return 1
    if name != "nimsh":
        return _not_on_file(name)
    with ctx.update() as st:
        if not st["nimsh"]["active"]:
            err("0513-004 The Subsystem or Group, nimsh, is currently inoperative.")
            return 1
        st["nimsh"] = {"active": False, "pid": 0}
    out("0513-044 The nimsh Subsystem was requested to stop.")
    return 0
