"""LVM queries and one change: lsvg, lvlstmajor, bootinfo, chpv -C.

`lsvg <vg>` follows the layout of a standard (non-scalable) VG as in tests/unit/preflight/samples.py
(the sample layout in IBM's Ansible collection for AIX); `lsvg -l` the usual table; lvlstmajor prints
the free majors as lvlstmajor.c does (`a`, `a..b` for three and more in a row, `N...` for N and
above). Error texts are LVM's 0516 messages (assumed where noted).
"""

from __future__ import annotations

import zlib

from cockpit.sim import state
from cockpit.sim.aix import vg
from cockpit.sim.aix.common import Ctx, UsageError, err, out, simulated

LSVG_USAGE = "Usage: lsvg [-o] [-l] [VolumeGroup ...]  (the simulator implements these forms)"


def _not_found(vg_name: str, command: str = "lsvg") -> int:
    err(f"0516-306 {command}: Unable to find volume group {vg_name} in the Device Configuration Database.")
    return 1


def _varied_off(command: str = "lsvg") -> int:
    err(f"0516-010 {command}: Volume group must be varied on; use varyonvg command.")
    return 1


def lsvg(ctx: Ctx, args: list[str]) -> int:
    st = ctx.read()
    flags = [a for a in args if a.startswith("-")]
    names = [a for a in args if not a.startswith("-")]
    if set(flags) - {"-o", "-l"}:
        raise UsageError(LSVG_USAGE)
    active = [n for n in vg.vg_names(st) if all(d["active"] for d in vg.disks_of(st, n))]
    if not names:
        if "-l" in flags:
            raise UsageError(LSVG_USAGE)
        out(*(active if "-o" in flags else vg.vg_names(st)))
        return 0
    rows: list[str] = []
    status = 0
    for name in names:
        if name not in vg.vg_names(st):
            status = _not_found(name)
        elif name not in active:
            status = _varied_off()
        else:
            rows += _lvs(st, name) if "-l" in flags else _stanza(st, name)
    if rows:
        out(*rows)
    return status


def _pair(left: str, lvalue: object, right: str = "", rvalue: object = "") -> str:
    return f"{left:<20}{lvalue!s:<25}{right:<16}{rvalue}".rstrip()


def _stanza(st: state.HostState, name: str) -> list[str]:
    size = vg.VgSize(st, name)
    disks = vg.disks_of(st, name)
    lvs = vg.lvs_of(st, name)
    opened = sum(1 for x in lvs if x["state"].startswith("open"))
    vgid = disks[0]["pvid"][:8] + "00004c00000001" + f"{zlib.crc32(name.encode()):010x}"
    descriptors = 2 if len(disks) == 1 else len(disks) + 1
    return [
        _pair("VOLUME GROUP:", name, "VG IDENTIFIER:", vgid),
        _pair("VG STATE:", "active", "PP SIZE:", f"{size.pp} megabyte(s)"),
        _pair("VG PERMISSION:", "read/write", "TOTAL PPs:", f"{size.total} ({size.total * size.pp} megabytes)"),
        _pair("MAX LVs:", 256, "FREE PPs:", f"{size.free} ({size.free * size.pp} megabytes)"),
        _pair("LVs:", len(lvs), "USED PPs:", f"{size.used} ({size.used * size.pp} megabytes)"),
        _pair("OPEN LVs:", opened, "QUORUM:", f"{descriptors // 2 + 1} (Enabled)"),
        _pair("TOTAL PVs:", len(disks), "VG DESCRIPTORS:", descriptors),
        _pair("STALE PVs:", 0, "STALE PPs:", 0),
        _pair("ACTIVE PVs:", len(disks), "AUTO ON:", "yes" if name == "rootvg" else "no"),
        _pair("MAX PPs per VG:", 32512),
        _pair("MAX PPs per PV:", vg.MAX_PPS_PER_PV, "MAX PVs:", 32),
        _pair("LTG size (Dynamic):", "256 kilobyte(s)", "AUTO SYNC:", "no"),
        _pair("HOT SPARE:", "no", "BB POLICY:", "relocatable"),
        _pair("PV RESTRICTION:", "none", "INFINITE RETRY:", "no"),
        _pair("DISK BLOCK SIZE:", 512, "CRITICAL VG:", "no"),
        _pair("FS SYNC OPTION:", "no", "CRITICAL PVs:", "no"),
    ]


def _lvs(st: state.HostState, name: str) -> list[str]:
    pp = vg.VgSize(st, name).pp
    rows = [f"{name}:", "LV NAME             TYPE       LPs     PPs     PVs  LV STATE      MOUNT POINT"]
    for x in vg.lvs_of(st, name):
        n = vg.pps(x, pp)
        rows.append(f"{x['name']:<20}{x['type']:<11}{n:<8}{n:<8}{1:<5}{x['state']:<14}{x['mount']}")
    return rows


def majors_text(free: list[int], top: int) -> str:
    """[43, 45, 46, 47, 48, 49, 50], 60 -> `43,45..50,60...` (runs of three and more as a..b)."""
    parts: list[str] = []
    i = 0
    while i < len(free):
        j = i
        while j + 1 < len(free) and free[j + 1] == free[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{free[i]}..{free[j]}")
        else:
            parts += [str(m) for m in free[i : j + 1]]
        i = j + 1
    return ",".join([*parts, f"{top}..."])


def lvlstmajor(ctx: Ctx, args: list[str]) -> int:
    if args:
        raise UsageError("Usage: lvlstmajor")
    out(majors_text(*vg.free_majors(ctx.read())))
    return 0


def bootinfo(ctx: Ctx, args: list[str]) -> int:
    st = ctx.read()
    if len(args) == 2 and args[0] == "-s":
        disk = state.disk(st, args[1])
        out(str(disk["size_mb"] if disk else 0))  # Assumed: 0 for a disk that is not configured
        return 0
    answers = {"-b": st["boot_disk"], "-K": "64", "-y": "64", "-p": "chrp", "-z": "1"}
    if len(args) == 1 and args[0] in answers:
        out(answers[args[0]])
        return 0
    raise UsageError("usage: bootinfo {-s hdiskN | -b | -K | -y | -p | -z}  (the simulator implements these)")


def chpv(ctx: Ctx, args: list[str]) -> int:
    """chpv -C hdiskN: clear the VG ownership written on a disk that is in no VG any more."""
    if len(args) != 2 or args[0] != "-C":
        raise UsageError("Usage: chpv -C PhysicalVolume  (the simulator implements -C only)")
    with ctx.update() as st:
        disk = state.disk(st, args[1])
        if disk is None:
            err(f"0516-304 chpv: Unable to find device id {args[1]} in the Device Configuration Database.")
            return 1
        if disk["vg"] is not None:
            # Assumed text: the VG must be removed (alt_rootvg_op -X, reducevg) before its disk is cleared.
            err(simulated(f"0516-1132 chpv: Physical volume {args[1]} belongs to volume group {disk['vg']}."))
            return 1
        disk["vgda"] = None
    return 0
