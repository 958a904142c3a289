"""Volume groups, logical volumes and major numbers as LVM keeps them, shared by lsvg, lvlstmajor,
alt_disk_copy, alt_rootvg_op, multibos, nimadm and a reboot.

A VG's major number lives in three places on AIX: LVM's list of used majors (what lvlstmajor leaves
out), the CuDvDr object class of the ODM (resource=devno, value1=major, value3=device) and the special
files in /dev. Creating or removing a VG changes all three together here; a ghost device is an entry
in the last two that the first does not know about.

Stdlib only (see aixcmd.py).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cockpit.sim.state import HostState

ROOTVG_MAJOR = 10
DISK_MAJOR = 13
MAX_PPS_PER_PV = 1016  # a standard VG: the PP size is the smallest power of two that keeps a disk within it
# Majors in use on a simulated LPAR besides its VGs (device drivers): lvlstmajor then prints 43,45..50,60...
BASE_USED_MAJORS = (*range(0, 43), 44, *range(51, 60))
BASE_DATE = "Nov 18 09:12"

# rootvg of a default AIX 7.1 install: names and order from the field report's phase 1, sizes (MB) assumed.
ROOTVG_LVS: tuple[tuple[str, str, int, str], ...] = (
    ("hd5", "boot", 64, "N/A"),
    ("hd6", "paging", 2048, "N/A"),
    ("hd8", "jfs2log", 64, "N/A"),
    ("hd4", "jfs2", 1024, "/"),
    ("hd2", "jfs2", 6144, "/usr"),
    ("hd9var", "jfs2", 2048, "/var"),
    ("hd3", "jfs2", 2048, "/tmp"),
    ("hd1", "jfs2", 512, "/home"),
    ("hd10opt", "jfs2", 3072, "/opt"),
    ("hd11admin", "jfs2", 128, "/admin"),
    ("lg_dumplv", "sysdump", 2048, "N/A"),
    ("livedump", "jfs2", 512, "/var/adm/ras/livedump"),
)
# A multibos standby BOS: copies of the BOS logical volumes, mounted under /bos_inst only when in use.
MULTIBOS_LVS: tuple[tuple[str, str, int, str], ...] = (
    ("bos_hd5", "boot", 64, "N/A"),
    ("bos_hd4", "jfs2", 1024, "/bos_inst"),
    ("bos_hd2", "jfs2", 6144, "/bos_inst/usr"),
    ("bos_hd9var", "jfs2", 2048, "/bos_inst/var"),
    ("bos_hd10opt", "jfs2", 3072, "/bos_inst/opt"),
)
MULTIBOS_BLV = "bos_hd5"


def lv(name: str, kind: str, mb: int, mount: str) -> dict[str, Any]:
    # The running BOS has everything open but its boot LV; a standby BOS is closed.
    is_open = kind != "boot" and not name.startswith("bos_")
    return {"name": name, "type": kind, "mb": mb, "mount": mount, "state": "open/syncd" if is_open else "closed/syncd"}


def pp_size(size_mb: int) -> int:
    size = 4
    while size_mb / size > MAX_PPS_PER_PV:
        size *= 2
    return size


def disks_of(st: HostState, vg: str) -> list[dict[str, Any]]:
    return [d for d in st["disks"] if d["vg"] == vg]


def vg_names(st: HostState) -> list[str]:
    """Every VG defined in the ODM, rootvg first, then in disk order."""
    names = ["rootvg"]
    for d in st["disks"]:
        if d["vg"] and d["vg"] not in names:
            names.append(d["vg"])
    return names


def lvs_of(st: HostState, vg: str) -> list[dict[str, Any]]:
    if vg == "rootvg":
        return list(st["rootvg_lvs"])
    if vg == "altinst_rootvg":  # the clone while it is varied on (alt_disk_copy phases 1-2)
        return [
            {**x, "name": f"alt_{x['name']}", "mount": _alt_mount(x["mount"])}
            for x in st["rootvg_lvs"]
            if not x["name"].startswith("bos_")
        ]
    # A data VG: a jfs2 log and one file system over half the VG (assumed shape).
    total_mb = sum(d["size_mb"] for d in disks_of(st, vg))
    mount = "/" + (vg[:-2] if vg.endswith("vg") and len(vg) > 2 else vg)
    return [lv("loglv00", "jfs2log", 64, "N/A"), lv("fslv00", "jfs2", total_mb // 2, mount)]


def _alt_mount(mount: str) -> str:
    if mount == "N/A":
        return mount
    return "/alt_inst" if mount == "/" else f"/alt_inst{mount}"


class VgSize:
    """PP size and PP counts of a VG (TOTAL counts one PP per disk for the VGDA, as lsvg shows)."""

    __slots__ = ("free", "pp", "total", "used")

    def __init__(self, st: HostState, vg: str) -> None:
        disks = disks_of(st, vg)
        self.pp = pp_size(disks[0]["size_mb"]) if disks else 4
        self.total = sum(d["size_mb"] // self.pp - 1 for d in disks)
        self.used = sum(pps(x, self.pp) for x in lvs_of(st, vg))
        self.free = max(self.total - self.used, 0)


def pps(logical_volume: dict[str, Any], pp: int) -> int:
    return max(1, math.ceil(logical_volume["mb"] / pp))


def used_mb(st: HostState, vg: str = "rootvg") -> int:
    size = VgSize(st, vg)
    return size.used * size.pp


# --- major numbers ------------------------------------------------------------------------------


def used_majors(st: HostState) -> set[int]:
    return set(st["majors_used"]) | set(st["vg_majors"].values())


def free_majors(st: HostState) -> tuple[list[int], int]:
    """The free majors below the highest used one, and the first of the open range above it."""
    used = used_majors(st)
    top = max(used) + 1 if used else 0
    return [m for m in range(top) if m not in used], top


def lowest_free_major(st: HostState) -> int:
    free, top = free_majors(st)
    return free[0] if free else top


def device(name: str, kind: str, major: int, minor: int, date: str = BASE_DATE) -> dict[str, Any]:
    mode = {"b": "brw-rw----", "c": "crw-rw----"}[kind]
    return {"name": name, "kind": kind, "major": major, "minor": minor, "mode": mode, "date": date}


def devno(major: int, minor: int, name: str) -> dict[str, str]:
    """A CuDvDr object: the ODM's record of which device owns a major/minor pair."""
    return {"resource": "devno", "value1": str(major), "value2": str(minor), "value3": name}


def ghost_users(st: HostState, major: int, owner: str) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Special files and CuDvDr objects on `major` that do not belong to the VG `owner` that now has it."""
    files = [d for d in st["dev"] if d["major"] == major and d["name"] != owner]
    objects = [o for o in st["cudvdr"] if o["value1"] == str(major) and o["value3"] != owner]
    return files, objects


# --- volume group life cycle --------------------------------------------------------------------


def add_vg(st: HostState, vg: str, disk_names: list[str], *, active: bool, level: str | None) -> int:
    """Define a VG on free disks (mkvg): it takes the lowest free major. Returns the major."""
    major = lowest_free_major(st)
    for d in st["disks"]:
        if d["name"] in disk_names:
            d.update(vg=vg, active=active, level=level, vgda=vg)
    st["vg_majors"][vg] = major
    st["cudvdr"].append(devno(major, 0, vg))
    st["dev"].append(device(vg, "c", major, 0))
    return major


def remove_vg(st: HostState, vg: str) -> bool:
    """Remove a VG's definition (alt_rootvg_op -X): its disks show `None` in lspv, its major is free again,
    and a bootlist that named its disks points at the boot disk. The VGDA stays on the disks until
    `chpv -C`. Returns whether the bootlist changed.
    """
    gone = {d["name"] for d in disks_of(st, vg)}
    for d in st["disks"]:
        if d["name"] in gone:
            d.update(vg=None, active=False, level=None)
    st["vg_majors"].pop(vg, None)
    st["cudvdr"] = [o for o in st["cudvdr"] if o["value3"] != vg]
    st["dev"] = [f for f in st["dev"] if f["name"] != vg]
    if any(e["disk"] in gone for e in st["bootlist"]):
        st["bootlist"] = [{"disk": st["boot_disk"], "blv": "hd5"}]
        return True
    return False


def swap_at_boot(st: HostState, booted_vg: str, previous: str) -> None:
    """Booting a VG other than rootvg: it becomes rootvg (always major 10) and the former rootvg takes the
    name `previous` (old_rootvg, or altinst_rootvg on a rollback) and the major the booted VG had.
    """
    major = st["vg_majors"].pop(booted_vg, None)
    for d in st["disks"]:
        if d["vg"] == "rootvg":
            d.update(vg=previous, vgda=previous, active=False)
        elif d["vg"] == booted_vg:
            d.update(vg="rootvg", vgda="rootvg", active=True)
    if major is None:
        return
    st["vg_majors"][previous] = major
    for o in st["cudvdr"]:
        if o["value3"] == booted_vg:
            o["value3"] = previous
    for f in st["dev"]:
        if f["name"] == booted_vg:
            f["name"] = previous
