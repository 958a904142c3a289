"""Backups and restores on an AIX host: mksysb, savevg, restvg, and alt_disk_mksysb (a mksysb image
restored onto an alternate disk).

A backup is a small JSON file at the host path it was written to (aix/vfs.py maps /backup, /export):
{kind: mksysb | savevg, vg, oslevel, host, disks}. A scenario's `images` seeds mksysb files the same way.

From the sources: `0512-038 mksysb: Backup Completed Successfully.` (AIX's message; IBM's HACWS
instructions name mksysb and savevg only), alt_disk_mksysb -m IMAGE -d DISK, its phases (phase 1
restores the mksysb into altinst_rootvg, phase 3 as for a clone), the 0516-082 text (the field report).
Assumed: the progress and error texts of mksysb / savevg / restvg and alt_disk_mksysb's own lines.

Stdlib only (see aixcmd.py).
"""

from __future__ import annotations

import getopt
import json
import time

from cockpit.sim import state
from cockpit.sim.aix import altdisk, vfs, vg
from cockpit.sim.aix import nimadm_text as text
from cockpit.sim.aix.common import Ctx, Line, UsageError, emit, err, error_line, line, simulated

BACKUP_MINUTES = {"mksysb": 15.0, "savevg": 4.0, "restvg": 4.0}
FILES = {"rootvg": 98434}  # files in a backup (assumed counts); a data VG has fewer
DATA_VG_FILES = 12702


def _progress(total: int, steps: int = 4) -> list[Line]:
    return [
        line(f"{total * i // steps} of {total} files backed up ({100 * i // steps}%)", 2) for i in range(1, steps + 1)
    ]


def _write_image(ctx: Ctx, path: str, image: dict[str, object]) -> None:
    vfs.write_file(ctx.fleet, ctx.host, path, json.dumps(image) + "\n")


def read_image(ctx: Ctx, path: str) -> dict[str, object] | None:
    content = vfs.read_file(ctx.fleet, ctx.host, path)
    if content is None:
        return None
    try:
        image = json.loads(content)
    except ValueError:
        return {"kind": "unknown"}
    return image if isinstance(image, dict) else {"kind": "unknown"}


def _seconds(ctx: Ctx, st: state.HostState, kind: str) -> float:
    return ctx.seconds(BACKUP_MINUTES[kind]) * float(st.get("slow", 1.0))


def mksysb(ctx: Ctx, args: list[str]) -> int:
    """mksysb [-i] [-e] [-X] ... FILE: a rootvg backup into a file."""
    usage = "Usage: mksysb [-b Number] [-e] [-i] [-m] [-p] [-v] [-X] Device | File"
    try:
        _, rest = getopt.getopt(args, "b:eimpvXAT")
    except getopt.GetoptError as e:
        raise UsageError(f"mksysb: {e.msg}\n{usage}") from e
    if len(rest) != 1 or not rest[0].startswith("/"):
        raise UsageError(usage)
    st = ctx.read()
    total = FILES["rootvg"]
    emit(
        [
            line(""),
            line("Creating information file (/image.data) for rootvg."),
            line(""),
            line("Creating list of files to back up.", 2),
            line(""),
            line(f"Backing up {total} files..........."),
            *_progress(total),
            line("0512-038 mksysb: Backup Completed Successfully.", 0),
        ],
        _seconds(ctx, st, "mksysb"),
    )
    image = {"kind": "mksysb", "vg": "rootvg", "oslevel": state.oslevel(st), "host": st["hostname"]}
    _write_image(ctx, rest[0], {**image, "disks": [d["name"] for d in vg.disks_of(st, "rootvg")]})
    return 0


def savevg(ctx: Ctx, args: list[str]) -> int:
    """savevg [-i] -f FILE VG: a data volume group's backup into a file (the VG must be varied on)."""
    usage = "Usage: savevg [-b Blocks] [-e] [-f Device] [-i | -m] [-p] [-r] [-v] [-X] VGName"
    try:
        opts, rest = getopt.getopt(args, "b:ef:imprvXAT")
    except getopt.GetoptError as e:
        raise UsageError(f"savevg: {e.msg}\n{usage}") from e
    flags = dict(opts)
    if len(rest) != 1 or not flags.get("-f", "").startswith("/"):
        raise UsageError(usage)
    name = rest[0]
    st = ctx.read()
    if name not in vg.vg_names(st):
        err(f"0516-306 getlvodm: Unable to find volume group {name} in the Device Configuration Database.")
        err(simulated(f"0512-008 savevg: The savevg command failed for volume group {name}."))
        return 1
    disks = vg.disks_of(st, name)
    if not all(d["active"] for d in disks):
        # Assumed: savevg lists the VG's file systems with lsvg, which needs it varied on (lvm.py's text).
        err("0516-010 lsvg: Volume group must be varied on; use varyonvg command.")
        err(simulated(f"0512-008 savevg: The savevg command failed for volume group {name}."))
        return 1
    total = DATA_VG_FILES
    emit(
        [
            line(""),
            line(f"Creating information file for volume group {name}."),
            line(""),
            line("Creating list of files to back up.", 2),
            line(f"Backing up {total} files"),
            *_progress(total),
            line("0512-038 savevg: Backup Completed Successfully.", 0),
        ],
        _seconds(ctx, st, "savevg"),
    )
    image = {"kind": "savevg", "vg": name, "host": st["hostname"], "disks": [d["name"] for d in disks]}
    _write_image(ctx, flags["-f"], {**image, "files": total})
    return 0


def restvg(ctx: Ctx, args: list[str]) -> int:
    """restvg -f FILE [disks]: restore a savevg image; the VG is defined and varied on again here."""
    usage = "Usage: restvg [-b Blocks] [-f Device] [-l] [-n] [-p PPsize] [-q] [-r] [-s] [-P PPs] [Disks]"
    try:
        opts, rest = getopt.getopt(args, "b:f:lnp:qrsP:dD")
    except getopt.GetoptError as e:
        raise UsageError(f"restvg: {e.msg}\n{usage}") from e
    flags = dict(opts)
    path = flags.get("-f")
    if not path:
        raise UsageError(usage)
    image = read_image(ctx, path)
    if image is None:
        err(simulated(f"0512-0051 restvg: Cannot open {path}: No such file or directory."))
        return 1
    if image.get("kind") != "savevg":
        err(simulated(f"0512-0052 restvg: {path} is not a savevg image."))
        return 1
    name = str(image["vg"])
    st = ctx.read()
    saved = image.get("disks")
    targets = rest or [str(d) for d in (saved if isinstance(saved, list) else [])]
    for disk_name in targets:
        d = state.disk(st, disk_name)
        if d is None:
            err(f"0516-306 restvg: Unable to find physical volume {disk_name} in the Device Configuration Database.")
            return 1
        if d["vg"] is not None:
            # The restvg page: target disks must not belong to a volume group, its own old one included
            # (restvg makes the group anew). Restoring over a defined group is refused, not merged.
            err(simulated(f"0516-1132 restvg: Physical volume {disk_name} belongs to volume group {d['vg']}."))
            return 1
    emit(
        [
            line(f"Will create the Volume Group:\t{name}"),
            line(f"Target Disks:\t{' '.join(targets)}"),
            line("Allocation Policy:"),
            line("\tShrink Filesystems:\tno"),
            line("\tPreserve Physical Partitions for each Logical Volume:\tno"),
            line(""),
            line(name),
            line("loglv00"),
            line("fslv00"),
            line(f"New volume on {path}:"),
            line(" Cluster 51200 bytes (100 blocks)."),
            line("    Volume number 1"),
            line(f"    Date of backup: {time.strftime('%a %b %d %H:%M:%S %Y')}"),
            line("    Files backed up by name"),
            line("    User root", 6),
            line(f" files restored: {image.get('files', DATA_VG_FILES)}", 0),
        ],
        _seconds(ctx, st, "restvg"),
    )
    with ctx.update() as st:
        vg.add_vg(st, name, targets, active=True, level=None)
    return 0


# --- alt_disk_mksysb -----------------------------------------------------------------------------------

MKSYSB_USAGE = (
    "Usage: alt_disk_mksysb -m device -d targetdisks... [-P phase] [-c console] [-s script] [-R resolv_conf]\n"
    "       [-B] [-D] [-O] [-V] [-K] [-g] [-k] [-n] [-r] [-y]  (the simulator implements -m, -d, -B, -D, -V)"
)


def alt_disk_mksysb(ctx: Ctx, args: list[str]) -> int:
    try:
        opts, rest = getopt.getopt(args, "m:d:P:c:s:R:BDOVKgknry")
    except getopt.GetoptError as e:
        raise UsageError(f"alt_disk_mksysb: {e.msg}\n{MKSYSB_USAGE}") from e
    flags = dict(opts)
    disks = flags.get("-d", "").split() + rest
    source = flags.get("-m")
    if not disks or not source or flags.get("-P", "123") != "123":
        raise UsageError(MKSYSB_USAGE)
    image = read_image(ctx, source)
    if image is None:
        err(simulated(f"0505-102 alt_disk_mksysb: Unable to access the mksysb image {source}."))
        return 1
    if image.get("kind") != "mksysb" or not isinstance(image.get("oslevel"), str):
        err(simulated(f"0505-103 alt_disk_mksysb: {source} is not a valid mksysb image."))
        return 1
    st = ctx.read()
    try:
        altdisk.check_targets(st, disks)
    except altdisk.CloneError as e:
        err(str(e).replace("alt_disk_copy:", "alt_disk_mksysb:"))
        return 1
    small = altdisk.too_small(st, disks)
    seconds = ctx.seconds(20.0) * float(st.get("slow", 1.0))
    head = [
        line("## Phase 1 ###################"),  # Assumed: the banners of alt_disk_copy (aix/altdisk.py)
        line("Restoring /image.data from mksysb image."),
        line("Checking disk sizes."),
    ]
    if small:
        emit([*head, *text.clone_too_small()], seconds * 0.05)
        return 1
    with ctx.update() as st:
        vg.add_vg(st, altdisk.ALT, disks, active=True, level=str(image["oslevel"]))
    restore = [
        *text.clone_copy()[:-3],  # the clone's logical volumes and file systems, as alt_disk_copy makes them
        line(f"Restoring mksysb image to alternate disk(s) from {source}.", 40),
        line("## Phase 2 ###################"),
        line("Linking to 64bit kernel."),
        line("## Phase 3 ###################"),
    ]
    emit([*head, *restore], seconds * 0.8)
    st = ctx.read()
    major = st["vg_majors"].get(altdisk.ALT)
    ghost = major is not None and any(vg.ghost_users(st, major, altdisk.ALT))
    if ghost:  # a ghost device holds the major number of the new VG
        emit(
            [
                *text.phase11_ghost_major(),
                error_line(simulated("0505-187 alt_disk_mksysb: Error restoring altinst_rootvg.")),
            ],
            seconds * 0.2,
        )
        with ctx.update() as st:  # the command cleans up after itself
            vg.remove_vg(st, altdisk.ALT)
        return 1
    run = text.Run(st["hostname"], "", tuple(disks), "", keep_bootlist="-B" in flags)
    emit(text.phase11_ok(run), seconds * 0.2)
    with ctx.update() as st:
        altdisk.finish_clone(st, disks, "-B" in flags)
    return 0
