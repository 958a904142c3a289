"""The first state of a simulated fleet, built from its scenario (written once; a restart keeps the files)."""

from __future__ import annotations

import hashlib
import os

from cockpit.sim import faults, layout, state
from cockpit.sim.scenario import HostSpec, Scenario


def _hex(*parts: str, length: int) -> str:
    return hashlib.sha1("/".join(parts).encode()).hexdigest()[:length]


def host_state(scenario: Scenario, spec: HostSpec) -> state.HostState:
    disks = [
        {
            "name": d.name,
            "pvid": "00f6" + _hex(spec.name, d.name, length=12),
            "size_mb": d.size_mb,
            "vg": d.vg,
            "active": d.vg is not None,
            "level": spec.oslevel if d.vg == "rootvg" else None,
            "vgda": d.vg,  # the VG written on the disk itself (stays after alt_rootvg_op -X until chpv -C)
        }
        for d in spec.disks
    ]
    boot_disk = next(d["name"] for d in disks if d["vg"] == "rootvg")
    st: state.HostState = {
        "name": spec.name,
        "role": spec.role,
        "hostname": spec.name,
        "slow": spec.slow,
        "boot_count": 0,
        "disks": disks,
        "boot_disk": boot_disk,
        "bootlist": [{"disk": boot_disk, "blv": "hd5"}],
        "nimsh": {
            "active": spec.nimsh_active,
            "pid": int(_hex(spec.name, "nimsh", length=5), 16) + 3_000_000 if spec.nimsh_active else 0,
        },
        "filesets": dict(spec.filesets),
        "faults": dict(spec.faults),
        "listeners": [],
        "niminfo": {"name": spec.name if spec.role == "client" else "master", "master": scenario.master.name},
    }
    layout.install(st)
    faults.apply(st, spec)
    if spec.role == "nim_master":
        st["nim"] = {
            "clients": nim_clients(scenario),
            "migrations": {},
            "resources": {
                r.name: {"type": r.type, "oslevel": r.oslevel, "filesets": dict(r.filesets)} for r in scenario.resources
            },
        }
    else:
        st["nim_master"] = scenario.master.name
    return st


def nim_clients(scenario: Scenario) -> dict[str, dict[str, str]]:
    """The NIM client objects the master knows: object name -> the host (state directory) it stands for."""
    return {
        c.name: {
            "host": c.name,
            "cpuid": "00F6" + _hex(c.name, "cpuid", length=8).upper(),
            "mac": "AED8" + _hex(c.name, "mac", length=8).upper(),
        }
        for c in scenario.clients
        if not c.faults.get("nim_undefined")
    }


def seed(fleet: str, scenario: Scenario) -> None:
    """Write fleet.json and every host's state that does not exist yet.

    On an existing fleet directory the hosts keep their state (disks, levels after a migration); the
    master learns clients added by a larger host count.
    """
    state.write_fleet(
        fleet,
        {
            "scenario": scenario.name,
            "master": scenario.master.name,
            "time_scale": scenario.time_scale,
            "reboot_minutes": scenario.reboot_minutes,
            "installp_lines": scenario.installp_lines,
        },
    )
    os.makedirs(state.hosts_dir(fleet), exist_ok=True)
    for spec in scenario.hosts:
        if not state.exists(fleet, spec.name):
            state.create(fleet, spec.name, host_state(scenario, spec))
        else:  # a fleet directory written by an older simulator: add the keys it lacks
            first = host_state(scenario, spec)
            with state.update(fleet, spec.name) as st:
                for key, value in first.items():
                    st.setdefault(key, value)
                for d in st["disks"]:
                    d.setdefault("vgda", d["vg"])
    with state.update(fleet, scenario.master.name) as master:
        for name, obj in nim_clients(scenario).items():
            master["nim"]["clients"].setdefault(name, obj)
