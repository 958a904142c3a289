"""What a freshly installed simulated LPAR holds besides its disks: rootvg's logical volumes, the special
files in /dev, the CuDvDr objects of the ODM and the major numbers in use (see aix/vg.py).

Names follow AIX; the device set is a small, plausible subset of a real /dev (assumed).
"""

from __future__ import annotations

from typing import Any

from cockpit.sim import state
from cockpit.sim.aix import vg

# (name, b|c, major, minor): a few driver devices every LPAR has.
DRIVER_DEVICES: tuple[tuple[str, str, int, int], ...] = (
    ("console", "c", 4, 0),
    ("error", "c", 5, 0),
    ("errorctl", "c", 5, 1),
    ("kmem", "c", 2, 1),
    ("mem", "c", 2, 0),
    ("null", "c", 2, 2),
    ("nvram", "c", 6, 0),
    ("random", "c", 22, 0),
    ("sysdump", "c", 8, 0),
    ("tty", "c", 1, 0),
    ("urandom", "c", 22, 1),
    ("zero", "c", 2, 3),
)


def install(st: state.HostState) -> None:
    """Add the LVM, ODM and /dev layout of a fresh install to a host state whose disks are set."""
    st["rootvg_lvs"] = [vg.lv(*x) for x in vg.ROOTVG_LVS]
    st["majors_used"] = list(vg.BASE_USED_MAJORS)
    st["vg_majors"] = {}
    st["odm_saved"] = True
    dev = [vg.device(name, kind, major, minor) for name, kind, major, minor in DRIVER_DEVICES]
    odm: list[dict[str, str]] = []
    dev.append(vg.device("IPL_rootvg", "c", vg.ROOTVG_MAJOR, 0))
    odm.append(vg.devno(vg.ROOTVG_MAJOR, 0, "rootvg"))
    for minor, x in enumerate(st["rootvg_lvs"], start=1):
        add_lv_devices(dev, odm, x["name"], minor)
    for minor, d in enumerate(st["disks"]):
        dev += [vg.device(d["name"], "b", vg.DISK_MAJOR, minor), vg.device("r" + d["name"], "c", vg.DISK_MAJOR, minor)]
        odm.append(vg.devno(vg.DISK_MAJOR, minor, d["name"]))
    st["dev"], st["cudvdr"] = dev, odm
    for name in vg.vg_names(st)[1:]:  # data VGs of the scenario (e.g. the master's nimvg)
        disks = [d["name"] for d in vg.disks_of(st, name)]
        vg.add_vg(st, name, disks, active=True, level=None)


def add_lv_devices(dev: list[dict[str, Any]], odm: list[dict[str, str]], name: str, minor: int) -> None:
    """A rootvg LV's block and raw special files and its CuDvDr object."""
    dev += [vg.device(name, "b", vg.ROOTVG_MAJOR, minor), vg.device("r" + name, "c", vg.ROOTVG_MAJOR, minor)]
    odm.append(vg.devno(vg.ROOTVG_MAJOR, minor, name))
