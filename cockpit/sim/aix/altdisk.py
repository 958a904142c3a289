"""The alt_disk family on a client: alt_disk_copy (a rootvg clone, phases 1-3, `-D` trace with
ALT_MAJOR_NUM), alt_rootvg_op -X / -q and the legacy alt_disk_install -X.

The clone's text is the alt_disk_copy part of the real nimadm run (phases 1 and 11, as in
tests/data/alt_disk_copy_constructed.log). What a clone does to the host: phase 1 makes
altinst_rootvg (varied on, the lowest free major number); phase 3 varies it off and sets the bootlist;
a failure in phase 3 (multibos standby, a ghost device on the clone's major) removes it again. nimadm's
phases 1 and 11 use the same functions. The -D trace and the error texts are assumed.
"""

from __future__ import annotations

import getopt
import os
from typing import IO

from cockpit.sim import state
from cockpit.sim.aix import installp, vg
from cockpit.sim.aix import nimadm_text as text
from cockpit.sim.aix.common import STDERR, Ctx, Line, UsageError, emit, err, line, out, simulated
from cockpit.sim.aix.level import vr

ALT = "altinst_rootvg"
COPY_USAGE = (
    "Usage: alt_disk_copy -d targetdisks... [-P phases] [-b bundle] [-l images] [-B] [-D] [-V] [-O] [-n]\n"
    "       (the simulator implements these flags)"
)
PHASE_MINUTES = {"1": 8.0, "2": 0.2, "3": 4.0}
# What an update bundle applies to the clone in phase 2 (a TL/SP update: assumed selection).
UPDATE_FILESETS = (
    "bos.rte",
    "bos.rte.libc",
    "bos.rte.install",
    "bos.mp64",
    "bos.net.tcp.client",
    "bos.alt_disk_install.rte",
)


class CloneError(Exception):
    """alt_disk_copy refuses to start: the message (assumed) goes to stderr, exit status 1."""


# --- what a clone does to a host (shared with nimadm) ----------------------------------------------


def check_targets(st: state.HostState, disks: list[str]) -> None:
    """Phase 1 needs existing, free target disks and no altinst_rootvg anywhere."""
    for name in disks:
        d = state.disk(st, name)
        if d is None:
            raise CloneError(simulated(f"0505-124 alt_disk_copy: Target disk {name} does not exist."))
        if d["vg"] is not None:
            # AIX's own words (IBM/ansible-power-aix nim_vios_alt_disk.py quotes them).
            raise CloneError(f"0505-126 alt_disk_install- target disk {name} has a volume group assigned to it.")
    if vg.disks_of(st, ALT):
        raise CloneError(
            simulated(
                f"0505-127 alt_disk_copy: The {ALT} volume group already exists. Remove it with alt_rootvg_op -X."
            )
        )


def too_small(st: state.HostState, disks: list[str]) -> tuple[int, int] | None:
    """(size of the targets, MB rootvg uses) when the targets cannot hold the clone, else None."""
    size = sum(d["size_mb"] for d in st["disks"] if d["name"] in disks)
    used = vg.used_mb(st)
    return (size, used) if size < used else None


def create_clone(st: state.HostState, disks: list[str]) -> int:
    """Phase 1: altinst_rootvg on the targets, varied on, a copy of the running level. Returns its major."""
    return vg.add_vg(st, ALT, disks, active=True, level=state.oslevel(st))


def phase3_blocker(st: state.HostState) -> str | None:
    """Why phase 3 of the clone fails on this host: `multibos` (a standby BOS), `ghost` (a
    special file or CuDvDr object on the clone's major), or None."""
    if any(x["name"] == vg.MULTIBOS_BLV for x in st["rootvg_lvs"]):
        return "multibos"
    major = st["vg_majors"].get(ALT)
    if major is not None and any(vg.ghost_users(st, major, ALT)):
        return "ghost"
    return None


def finish_clone(st: state.HostState, disks: list[str], keep_bootlist: bool) -> None:
    """Phase 3: the clone varied off (kept in the ODM), bootable, and first in the bootlist unless -B."""
    for d in vg.disks_of(st, ALT):
        d["active"] = False
    if not keep_bootlist:
        st["bootlist"] = [{"disk": disks[0], "blv": "hd5"}]


def phase3_lines(run: text.Run, blocker: str | None) -> list[Line]:
    """alt_disk_copy phase 3 after its banner: multibos stops it at once, a ghost device when
    the LVs are renamed (the field report)."""
    if blocker == "multibos":
        return text.phase11_multibos()
    verify = line(text.VERIFYING)
    return [verify, *(text.phase11_ghost_major() if blocker == "ghost" else text.phase11_ok(run))]


# --- alt_disk_copy -------------------------------------------------------------------------------


def alt_disk_copy(ctx: Ctx, args: list[str]) -> int:
    try:
        opts, rest = getopt.getopt(args, "d:P:BDVOnM:jb:l:I:")
    except getopt.GetoptError as e:
        raise UsageError(f"alt_disk_copy: {e.msg}\n{COPY_USAGE}") from e
    flags = dict(opts)
    disks = flags.get("-d", "").split() + rest
    phases = flags.get("-P", "123")
    if not disks or phases not in ("1", "2", "3", "12", "23", "123"):
        raise UsageError(COPY_USAGE)
    if "-b" in flags and "-l" not in flags:
        raise UsageError(f"alt_disk_copy: -b needs the images location -l\n{COPY_USAGE}")
    st = ctx.read()
    try:
        if "-l" in flags and flags["-l"] not in st.get("images", {}):
            raise CloneError(
                simulated(f"0503-005 installp: The device or directory {flags['-l']} could not be accessed.")
            )
        if "1" in phases:
            check_targets(st, disks)
        elif [d["name"] for d in vg.disks_of(st, ALT) if d["active"]] != disks:
            raise CloneError(
                simulated(
                    f"0505-128 alt_disk_copy: Phase {phases[0]} needs the {ALT} that phase 1 left on {' '.join(disks)}."
                )
            )
    except CloneError as e:
        err(str(e))
        return 1
    run = text.Run(st["hostname"], "", tuple(disks), vr(state.oslevel(st)), keep_bootlist="-B" in flags)
    slow = float(st.get("slow", 1.0))
    # As on AIX, what alt_disk_copy prints also goes to /var/adm/ras/alt_disk_inst.log (appended).
    os.makedirs(ctx.path("var", "adm", "ras"), exist_ok=True)
    with open(ctx.path("var", "adm", "ras", "alt_disk_inst.log"), "a", encoding="utf-8") as log:
        for phase in phases:
            seconds = ctx.seconds(PHASE_MINUTES[phase]) * slow
            banner = line(f"## Phase {phase} ###################")
            if phase == "1":
                if not _phase1(ctx, run, "-D" in flags, seconds, banner, log):
                    return 1
            elif phase == "2":
                _phase2(ctx, flags, seconds, banner, log)
            elif not _phase3(ctx, run, seconds, banner, log):
                return 1
    return 0


def _phase1(ctx: Ctx, run: text.Run, debug: bool, seconds: float, banner: Line, log: IO[str]) -> bool:
    st = ctx.read()
    disks = list(run.disks)
    small = too_small(st, disks)
    if debug:  # ksh -x trace of alt_disk_copy (assumed shape): the major the clone's VG will take
        major = vg.lowest_free_major(st)
        trace = [f"+ TARGET_DISKS='{' '.join(disks)}'", f"+ ALT_MAJOR_NUM={major}", "+ export ALT_MAJOR_NUM"]
        emit([(t, 0.0, STDERR) for t in trace], 0)
    if small:
        emit([banner, *text.clone_sizing(), *text.clone_too_small()], seconds * 0.05, log)
        return False
    with ctx.update() as st:
        create_clone(st, disks)
    emit([banner, *text.clone_sizing(), *text.clone_copy()], seconds, log)
    return True


def _phase2(ctx: Ctx, flags: dict[str, str], seconds: float, banner: Line, log: IO[str]) -> None:
    """Phase 2: with -l (and -b), installp applies the updates of that image directory to the clone, which
    then has the directory's level (scenario `images`). The installp text is assumed (aix/installp.py)."""
    images = flags.get("-l")
    if images is None:
        emit([banner], seconds, log)
        return
    level = ctx.read()["images"][images]
    fileset_level = installp.fileset_level(level)
    updates = {f: fileset_level for f in UPDATE_FILESETS}
    bundle = flags.get("-b")
    head = [
        banner,
        line(f"Installing software into /alt_inst from {images}" + (f" (bundle {bundle})." if bundle else ".")),
    ]
    body = [line(t) for t in installp.applied(updates)]
    emit([*head, *body], seconds * 20, log)  # updates take minutes, the bare phase 2 seconds
    with ctx.update() as st:
        for d in vg.disks_of(st, ALT):
            d["level"] = level


def _phase3(ctx: Ctx, run: text.Run, seconds: float, banner: Line, log: IO[str]) -> bool:
    blocker = phase3_blocker(ctx.read())
    emit([banner, *phase3_lines(run, blocker)], seconds, log)
    with ctx.update() as st:
        if blocker:  # alt_disk_copy cleans up after itself: no half-made clone stays behind
            vg.remove_vg(st, ALT)
        else:
            finish_clone(st, list(run.disks), run.keep_bootlist)
    return blocker is None


# --- alt_rootvg_op / alt_disk_install ---------------------------------------------------------------


def remove(ctx: Ctx, command: str, vg_name: str) -> int:
    """-X: remove an alternate rootvg's definition (its disks then show `None`; `chpv -C` clears them)."""
    with ctx.update() as st:
        if vg_name == "rootvg" or vg_name not in vg.vg_names(st):
            if vg_name == "rootvg":
                err(simulated(f"0505-130 {command}: The running rootvg cannot be removed."))
            else:
                err(f"0516-306 getlvodm: Unable to find volume group {vg_name} in the Device Configuration Database.")
            return 1
        if not any(d["level"] for d in vg.disks_of(st, vg_name)):
            err(simulated(f"0505-131 {command}: {vg_name} is not an alternate rootvg."))  # -X is for rootvg copies
            return 1
        moved = vg.remove_vg(st, vg_name)
        boot_disk = st["boot_disk"]
    if moved:
        out(f"Bootlist is set to the boot disk: {boot_disk} blv=hd5")
    return 0


def alt_rootvg_op(ctx: Ctx, args: list[str]) -> int:
    usage = "Usage: alt_rootvg_op {-X [volume_group] | -q -d disk} [-D]  (the simulator implements -X and -q)"
    try:
        opts, rest = getopt.getopt(args, "Xqd:D")
    except getopt.GetoptError as e:
        raise UsageError(usage) from e
    flags = dict(opts)
    if "-X" in flags and len(rest) <= 1 and "-q" not in flags:
        return remove(ctx, "alt_rootvg_op", rest[0] if rest else ALT)
    if "-q" in flags and "-d" in flags and not rest:
        st = ctx.read()
        disk = state.disk(st, flags["-d"])
        if disk is None or disk["vg"] is None:
            err(simulated(f"0505-132 alt_rootvg_op: {flags['-d']} is in no volume group."))
            return 1
        out(vg.disks_of(st, disk["vg"])[0]["name"])
        return 0
    raise UsageError(usage)


def alt_disk_install(ctx: Ctx, args: list[str]) -> int:
    """The pre-5.3 wrapper: only its clean-up form `alt_disk_install [-M V.R] -X [vg]` is simulated."""
    usage = "Usage: alt_disk_install -X [volume_group]  (use alt_disk_copy to clone)"
    try:
        opts, rest = getopt.getopt(args, "XM:D")
    except getopt.GetoptError as e:
        raise UsageError(usage) from e
    if "-X" not in dict(opts) or len(rest) > 1:
        raise UsageError(usage)
    return remove(ctx, "alt_disk_install", rest[0] if rest else ALT)
