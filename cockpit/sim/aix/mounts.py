"""`mount` (no arguments) of a simulated host: its local file systems, and on the NIM master the NFS
mounts of every client whose nimadm run is between phase 3 (mounted) and phase 9 (unmounted).

Layout of AIX `mount` (node column first, blank for local file systems); the exact column widths
and dates are assumed.
"""

from __future__ import annotations

from cockpit.sim.aix.common import Ctx, err, out

ALT_FS = ("", "/admin", "/home", "/opt", "/tmp", "/usr", "/var", "/var/adm/ras/livedump")
LOCAL = (
    ("/dev/hd4", "/", "jfs2", "rw,log=/dev/hd8"),
    ("/dev/hd2", "/usr", "jfs2", "rw,log=/dev/hd8"),
    ("/dev/hd9var", "/var", "jfs2", "rw,log=/dev/hd8"),
    ("/dev/hd3", "/tmp", "jfs2", "rw,log=/dev/hd8"),
    ("/dev/hd1", "/home", "jfs2", "rw,log=/dev/hd8"),
    ("/dev/hd10opt", "/opt", "jfs2", "rw,log=/dev/hd8"),
    ("/proc", "/proc", "procfs", "rw"),
)
DATE = "Nov 22 01:58"


def mount(ctx: Ctx, args: list[str]) -> int:
    if args:
        err("mount: the simulator shows mounts only (mount without arguments)")
        return 1
    out(f"{'node':>8}       mounted        mounted over    vfs       date        options      ")
    out("-------- ---------------  ---------------  ------ ------------ --------------- ")
    for device, where, vfs, options in LOCAL:
        out(f"{'':8} {device:<16} {where:<16} {vfs:<6} {DATE} {options}")
    st = ctx.read()
    for client, mig in sorted(st.get("nim", {}).get("migrations", {}).items()):
        # Phase 3 mounts, phase 9 unmounts: mounted while the last finished phase is 3..8.
        if mig.get("status") in ("running", "paused") and 3 <= int(mig.get("last_phase", 0)) + 1 <= 9:
            for fs in ALT_FS:
                out(f"{client:<8} /alt_inst{fs:<16} /{client}_alt/alt_inst{fs} nfs3   {DATE} rw,hard,intr")
    return 0
