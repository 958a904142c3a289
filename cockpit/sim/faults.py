"""A host's faults (scenario `faults:`) applied to its first state: after this the fake commands print
what AIX prints on such a host, and the fixes an operator would run change the state back.

    ghost_major N     special files hdisk9/rhdisk9 on major N and their CuDvDr object, while LVM's list
                      of used majors leaves N out: lvlstmajor lists N as free, alt_disk_copy takes it as
                      ALT_MAJOR_NUM, and phase 3 of the clone (nimadm phase 11) fails with 0516-082
    multibos          the standby BOS logical volumes bos_hd5 ... in rootvg (nimadm phase 11: 0505-218)
    disk_too_small    the target disk shrunk below what rootvg uses
    disk_in_use VG    the target disk belongs to VG (varied on)
    leftover_alt      an altinst_rootvg / old_rootvg (varied off) on a spare or the target disk
    port_taken        another process listening on a nimsh port (netstat, rmsock); nimsh is then down
    niminfo_master    /etc/niminfo names another NIM master
    nimsh_down        (scenario.HostSpec.nimsh_active)   nim_undefined   (seed.nim_clients)
"""

from __future__ import annotations

import zlib

from cockpit.sim import layout, state
from cockpit.sim.aix import vg
from cockpit.sim.scenario import HostSpec

GHOST_DATE = "Nov 20 10:00"
SMALL_DISK_MB = 10240


def apply(st: state.HostState, spec: HostSpec) -> None:
    faults = spec.faults
    if faults.get("disk_too_small") and spec.target_disk:
        _shrink(st, spec.target_disk)
    if faults.get("disk_in_use") and spec.target_disk:
        vg.add_vg(st, faults["disk_in_use"], [spec.target_disk], active=True, level=None)
    if faults.get("leftover_alt"):
        leftover = faults["leftover_alt"]
        vg.add_vg(st, leftover["vg"], [leftover["disk"]], active=False, level=spec.oslevel)
    if faults.get("multibos"):
        _multibos(st)
    if faults.get("ghost_major"):
        _ghost(st, int(faults["ghost_major"]))
    if faults.get("port_taken"):
        taken = dict(faults["port_taken"])
        taken.setdefault("pid", 4_000_000 + zlib.crc32(f"{spec.name}/{taken['port']}".encode()) % 4_000_000)
        st["listeners"].append(taken)
        # nimsh cannot bind a port another process holds, and does not stay up (assumed: SRC starts
        # it, lssrc then shows it inoperative; aix/src.py startsrc does the same while the port is held).
        st["nimsh"] = {"active": False, "pid": 0}
    if faults.get("niminfo_master"):
        st["niminfo"]["master"] = faults["niminfo_master"]


def _shrink(st: state.HostState, target: str) -> None:
    used = vg.used_mb(st)
    disk = state.disk(st, target)
    assert disk is not None
    disk["size_mb"] = SMALL_DISK_MB if used > SMALL_DISK_MB else used // 2


def _multibos(st: state.HostState) -> None:
    minor = len(st["rootvg_lvs"])
    for x in vg.MULTIBOS_LVS:
        minor += 1
        st["rootvg_lvs"].append(vg.lv(*x))
        layout.add_lv_devices(st["dev"], st["cudvdr"], x[0], minor)


def _ghost(st: state.HostState, major: int) -> None:
    """A disk removed without rmdev -d left its special files and ODM object on `major`, and LVM's list
    of used majors lost it: `major` becomes the lowest number lvlstmajor prints.
    """
    st["majors_used"] = sorted((set(st["majors_used"]) | set(range(major))) - {major})
    disks = {d["name"] for d in st["disks"]}
    n = 9
    while f"hdisk{n}" in disks:
        n += 1
    name = f"hdisk{n}"
    st["dev"] += [vg.device(name, "b", major, 0, GHOST_DATE), vg.device("r" + name, "c", major, 0, GHOST_DATE)]
    st["cudvdr"].append(vg.devno(major, 0, name))
