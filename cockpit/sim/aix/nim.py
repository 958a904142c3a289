"""lsnim on the NIM master: the object list, stanzas (-l), filters (-t, -c) and attributes (-a).

Attribute names and values come from IBM's Ansible collection for AIX (its lsnim parser); the column layout of the
plain listing and the stanza spacing are assumed.
"""

from __future__ import annotations

import getopt
import os
import re

from cockpit.sim import state
from cockpit.sim.aix.common import Ctx, UsageError, err, not_found, out

USAGE = "usage: lsnim [-c class | -t type] [-l | -a attr ...] [name ...]"


def busy(st: state.HostState, obj: str) -> bool:
    """A nimadm run for this client is in progress (its record says running and the process lives)."""
    mig = st["nim"]["migrations"].get(obj)
    return bool(mig and mig["status"] == "running" and pid_alive(mig["pid"]))


def pid_alive(pid: int) -> bool:
    """Is the nimadm that wrote a migration record still running? A killed one may linger as a zombie
    (its parent, the session's shell, is gone) and its pid may be reused, so on Linux look closer."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            zombie = f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            nimadm = b"nimadm" in f.read()
    except OSError:
        return True  # no /proc: trust kill(0)
    return nimadm and not zombie


def objects(st: state.HostState, logs: str | None = None) -> list[tuple[str, str, str, dict[str, str]]]:
    """(name, class, type, attributes) of every NIM object the master knows, in lsnim order.

    `logs`: the master's alt_mig log directory, where a client's `info` (what its operation is doing
    now, or the error it ended with) is read from.
    """
    master = st["hostname"]
    nim = st["nim"]
    resources = nim["resources"]
    objs = [
        (
            "master",
            "machines",
            "master",
            {
                "max_nimesis_threads": "20",
                "comments": "machine which controls the NIM environment",
                "platform": "chrp",
                "netboot_kernel": "64",
                "if1": f"master_net {master} 0 ent0",
                "cable_type1": "N/A",
                "Cstate": "ready for a NIM operation",
                "prev_state": "ready for a NIM operation",
                "Mstate": "currently running",
                "serves": ", ".join(["boot", "nim_script", *resources]),
                "master_port": "1058",
                "registration_port": "1059",
                "reserved": "yes",
            },
        ),
        (
            "boot",
            "resources",
            "boot",
            {
                "comments": "represents the network boot resource",
                "Rstate": "ready for use",
                "location": "/tftpboot",
                "alloc_count": "0",
                "server": "master",
                "reserved": "yes",
            },
        ),
        (
            "nim_script",
            "resources",
            "nim_script",
            {
                "comments": "directory containing customization scripts created by NIM",
                "Rstate": "ready for use",
                "location": "/export/nim/scripts",
                "alloc_count": "0",
                "server": "master",
                "reserved": "yes",
            },
        ),
        (
            "master_net",
            "networks",
            "ent",
            {
                "Nstate": "ready for use",
                "prev_state": "ready for use",
                "net_addr": "10.0.0.0",
                "snm": "255.255.255.0",
                "routing1": "default 10.0.0.1",
            },
        ),
    ]
    for name, res in resources.items():
        level = res["oslevel"]
        attrs = {
            "arch": "power",
            "Rstate": "ready for use",
            "prev_state": "unavailable for use",
            "location": f"/export/nim/{res['type']}/{name}",
            "alloc_count": "0",
            "server": "master",
        }
        if res["type"] == "spot":
            attrs.update(
                {
                    "plat_defined": "chrp",
                    "bos_license": "yes",
                    "location": f"/export/nim/spot/{name}/usr",
                    "version": level[0],
                    "release": level[1],
                    "mod": str(int(level[5:7])),
                    "oslevel_r": level[:7],
                    "oslevel_s": level,
                    "if_supported": "chrp.64 ent",
                    "Rstate_result": "success",
                }
            )
        else:
            attrs.update({"simages": "yes", "oslevel_r": level[:7]})
        objs.append((name, "resources", res["type"], attrs))
    for name, client in nim["clients"].items():
        running = busy(st, name)
        mig = nim["migrations"].get(name)
        previous = (
            "alt_disk_install operation is being performed" if mig and not running else "ready for a NIM operation"
        )
        failed = bool(mig and mig["status"] == "failed")
        attrs = {
            "connect": "nimsh",
            "platform": "chrp",
            "netboot_kernel": "64",
            "if1": f"master_net {client['host']}.example.com {client['mac']} ent0",
            "cable_type1": "N/A",
            "Cstate": "alt_disk_install operation is being performed" if running else "ready for a NIM operation",
            "prev_state": previous,
            "Mstate": "currently running",
            "Cstate_result": "failure" if failed else "success",
            "cpuid": client["cpuid"],
        }
        info = _info(logs, name, error=failed) if logs and (running or failed) else None
        if info:
            # As IBM's ansible-power-aix reads it during an alt_disk operation: the step under way,
            # and after a failure the error (nim_vios_alt_disk.py, wait_altdisk_install).
            attrs = {**attrs, "info": info}
        objs.append((name, "machines", "standalone", attrs))
    return objs


_CODE = re.compile(r"\b0\d{3}-\d{3}\b")


def _info(logs: str, client: str, *, error: bool) -> str | None:
    """A client's `info`: the last line its nimadm printed, or after a failure its first error line."""
    try:
        with open(os.path.join(logs, f"{client}_alt_mig.log"), "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 65536))
            tail = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    lines = [t.strip() for t in tail if t.strip() and not t.startswith("+---") and not t.startswith("|")]
    if error:
        return next((t for t in lines if _CODE.search(t) and "WARNING" not in t), lines[-1] if lines else None)
    return lines[-1] if lines else None


def no_object(name: str) -> int:
    err(f'0042-053 lsnim: there is no NIM object named "{name}"')
    return 53  # NIM errors use their 3-digit code as the exit status


def lsnim(ctx: Ctx, args: list[str]) -> int:
    st = ctx.read()
    if st["role"] != "nim_master":
        return not_found("lsnim")
    try:
        opts, names = getopt.getopt(args, "c:t:la:")
    except getopt.GetoptError as e:
        raise UsageError(USAGE) from e
    long_form = any(o == "-l" for o, _ in opts)
    wanted_attrs = [v for o, v in opts if o == "-a"]
    flags = dict(opts)
    table = objects(st, ctx.path("var", "adm", "ras", "alt_mig"))
    by_name = {o[0]: o for o in table}
    if names:
        for n in names:
            if n not in by_name:
                return no_object(n)
        selected = [by_name[n] for n in names]
    else:
        selected = [o for o in table if flags.get("-c", o[1]) == o[1] and flags.get("-t", o[2]) == o[2]]
    if not long_form and not wanted_attrs:
        out(*(f"{n:<32} {cls:<14} {typ}" for n, cls, typ, _ in selected))
        return 0
    rows: list[str] = []
    for n, cls, typ, attrs in selected:
        full = {"class": cls, "type": typ, **attrs}
        shown = {k: full[k] for k in wanted_attrs if k in full} if wanted_attrs else full
        rows.append(f"{n}:")
        rows.extend(f"   {k:<15}= {v}" for k, v in shown.items())
    out(*rows)
    return 0
