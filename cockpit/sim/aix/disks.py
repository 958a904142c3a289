"""lspv and bootlist, and what a reboot does to the volume groups (shared with shutdown and nimadm -r)."""

from __future__ import annotations

import getopt

from cockpit.sim import state
from cockpit.sim.aix.common import Ctx, err, out
from cockpit.sim.aix.vg import swap_at_boot

BOOTABLE_VGS = ("rootvg", "altinst_rootvg", "old_rootvg")


def lspv_lines(st: state.HostState) -> list[str]:
    """lspv's layout: disk, PVID, VG (`None` if free), state (`active` only when varied on)."""
    rows = []
    for d in st["disks"]:
        vg = d["vg"] or "None"
        status = "active" if d["vg"] and d["active"] else ""
        rows.append(f"{d['name']:<16}{d['pvid']:<36}{vg:<16}{status}".rstrip())
    return rows


def lspv(ctx: Ctx, args: list[str]) -> int:
    if args:
        # Only the fleet-wide listing is simulated; `lspv hdiskN` (the PV detail stanza) is not.
        err("Usage: lspv", "       (the simulator implements lspv without arguments only)")
        return 1
    out(*lspv_lines(ctx.read()))
    return 0


BOOTLIST_USAGE = (
    "usage: bootlist [{-m mode} [-r] [-o] [[-i] [-V] [-F] | [[-f File] [Device [Attr=Value ...] ...]]] [-v]"
)


def bootlist(ctx: Ctx, args: list[str]) -> int:
    try:
        opts, devices = getopt.getopt(args, "m:roiVFf:v")
    except getopt.GetoptError as e:
        err(f"bootlist: {e.msg}", BOOTLIST_USAGE)
        return 1
    flags = dict(opts)
    mode = flags.get("-m")
    if mode not in ("normal", "service", "both", "prevboot"):
        err(BOOTLIST_USAGE)
        return 1
    key = "bootlist_service" if mode == "service" else "bootlist"
    if "-i" in flags and not devices:
        # -i invalidates the list: nothing to boot from in that mode until it is set again.
        with ctx.update() as st:
            for k in ("bootlist", "bootlist_service") if mode == "both" else (key,):
                st[k] = []
        return 0
    if "-o" in flags and not devices:
        st = ctx.read()
        out(*(f"{e['disk']} blv={e['blv']}" for e in st.get(key, [])))
        return 0
    if not devices:
        err(BOOTLIST_USAGE)
        return 1
    entries = parse_devices(devices)
    with ctx.update() as st:
        known = {d["name"] for d in st["disks"]}
        for entry in entries:
            if entry["disk"] not in known:
                # Assumed message: the sources do not show bootlist's text for an unknown device.
                err(f"0514-218 bootlist: Invalid device name {entry['disk']}")
                return 1
        for k in ("bootlist", "bootlist_service") if mode == "both" else (key,):
            st[k] = entries
    if "-o" in flags:
        out(*(f"{e['disk']} blv={e['blv']}" for e in entries))
    return 0


def parse_devices(words: list[str]) -> list[dict[str, str]]:
    """`hdisk2 blv=hd5 hdisk0` -> [{disk: hdisk2, blv: hd5}, {disk: hdisk0, blv: hd5}]."""
    entries: list[dict[str, str]] = []
    for w in words:
        attr, eq, value = w.partition("=")
        if eq and entries:
            if attr == "blv":
                entries[-1]["blv"] = value
        else:
            entries.append({"disk": w, "blv": "hd5"})
    return entries


def boot(st: state.HostState) -> str | None:
    """Reboot: the firmware boots the first bootlist disk that holds a bootable AIX, in the list's order.

    Booting altinst_rootvg makes it rootvg and the previous rootvg old_rootvg; booting back into the
    old_rootvg disk (rollback) makes the other one altinst_rootvg again: the original rootvg's ODM was
    written before the clone ever booted, when it was altinst_rootvg. Returns the disk that booted, or
    None when no entry holds a boot image (an empty list, free or data disks only): the LPAR then stops
    in the firmware and does not come back, and the state keeps `halted` with the reason.
    """
    booted = None
    for entry in st.get("bootlist", []):
        d = state.disk(st, entry["disk"])
        # A clone still varied on (nimadm phases 1-10, before alt_disk_copy -P3) has no boot image yet.
        clone_in_progress = d is not None and d["vg"] == "altinst_rootvg" and d["active"]
        if d is not None and d["vg"] in BOOTABLE_VGS and d["level"] and not clone_in_progress:
            booted = d
            break
    if booted is None:
        listed = " ".join(e["disk"] for e in st.get("bootlist", [])) or "(empty)"
        st["halted"] = f"no boot image on any bootlist device: {listed}"
        return None
    st.pop("halted", None)
    target, booted_vg = booted["name"], booted["vg"]
    if booted_vg != "rootvg":
        swap_at_boot(st, booted_vg, "old_rootvg" if booted_vg == "altinst_rootvg" else "altinst_rootvg")
    st["boot_disk"] = target
    st["boot_count"] = st.get("boot_count", 0) + 1
    return str(target)
