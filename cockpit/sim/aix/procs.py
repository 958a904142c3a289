"""ps on a simulated host: its own processes only.

The simulated hosts share this machine, so the system's `ps -e` would show every host's processes: a
nimadm run for lpar05 on nim02 would seem to run on nim01 too. `ps -e -o FIELDS` (what the cockpit
sends: the process tree of a step, `cockpit attach` looking for migrations) keeps the rows of this
host's processes, those whose environment names its fleet and host, as on a real LPAR. `ps -ef` on a
Linux node is linuxha's; every other use is the system's own ps.
"""

from __future__ import annotations

import os
import subprocess

from cockpit.sim.aix.common import Ctx, out, write
from cockpit.sim.aix.linuxha import _host_pids, _real_ps
from cockpit.sim.aix.linuxha import ps as linux_ps


def ps(ctx: Ctx, args: list[str]) -> int:
    if args == ["-ef"]:
        return linux_ps(ctx, args)
    real = _real_ps()
    if len(args) < 3 or args[0] != "-e" or args[1] != "-o":
        os.execv(real, ["ps", *args])
    done = subprocess.run(["ps", *args], executable=real, capture_output=True, text=True, check=False)
    rows = done.stdout.splitlines()
    if done.returncode != 0 or not rows:
        write(2, done.stderr)
        return done.returncode
    fields = [f.split("=")[0] for f in args[2].split(",")]
    mine = _host_pids(ctx)
    if mine is None or "pid" not in fields:
        out(*rows)
        return 0
    at = fields.index("pid")
    kept = [rows[0]]
    for row in rows[1:]:
        parts = row.split()
        if len(parts) > at and parts[at].isdigit() and int(parts[at]) in mine and int(parts[at]) != os.getpid():
            kept.append(row)
    out(*kept)
    return 0
