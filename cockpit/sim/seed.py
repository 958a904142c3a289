"""The first state of a simulated fleet, built from its scenario (written once; a restart keeps the files)."""

from __future__ import annotations

import hashlib
import json
import os

from cockpit.sim import faults, layout, state
from cockpit.sim.aix import hacws, linuxha, vfs
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
            "level": (spec.oslevel or None) if d.vg == "rootvg" else None,
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
        "niminfo": None,
        "platform": spec.platform,
        "images": dict(spec.images),
    }
    if spec.target_role:
        st["target_role"] = spec.target_role
    served_by = scenario.master_of(spec) if spec.role == "client" else spec
    if served_by is not None:
        st["niminfo"] = {"name": spec.name if spec.role == "client" else "master", "master": served_by.name}
    layout.install(st)
    for name in spec.varied_off:  # e.g. the shared VG on the standby control workstation
        for d in st["disks"]:
            if d["vg"] == name:
                d["active"] = False
    faults.apply(st, spec)
    params = scenario.params_for(spec)
    if scenario.runbook == "hacws" and spec.platform == "aix":
        nodes = [h.name for h in scenario.clients if h.platform == "aix"]
        st["hacws"] = hacws.first_state(spec.target_role, params, nodes)
    if scenario.runbook == "linuxha" and spec.platform == "linux":
        nodes = [h.name for h in scenario.clients if h.platform == "linux"]
        st["linuxha"] = linuxha.first_state(nodes, params, spec.faults.get("rpm_missing_dep"))
    if spec.role == "nim_master":
        st["nim"] = {
            "clients": nim_clients(scenario, spec),
            "migrations": {},
            "resources": {
                r.name: {"type": r.type, "oslevel": r.oslevel, "filesets": dict(r.filesets)} for r in scenario.resources
            },
        }
    elif served_by is not None:
        st["nim_master"] = served_by.name
    return st


def host_files(fleet: str, scenario: Scenario, spec: HostSpec, st: state.HostState) -> None:
    """The files of a host's first state under its root (aix/vfs.py): images, the cluster configuration."""
    for path, level in spec.images.items():
        if "." in path.rsplit("/", 1)[-1]:  # a file, e.g. /export/mksysb/aix72tl5.mksysb
            image = {"kind": "mksysb", "vg": "rootvg", "oslevel": level, "host": "(scenario)"}
            vfs.write_file(fleet, spec.name, path, json.dumps(image) + "\n")
        else:  # an installp image directory, e.g. /export/lpp/7200-05-07
            vfs.write_file(fleet, spec.name, f"{path}/.toc", f"# installp table of contents ({level})\n")
    if "linuxha" in st:
        for path, content in linuxha.first_files(st["linuxha"], spec.name).items():
            vfs.write_file(fleet, spec.name, path, content)


def nim_clients(scenario: Scenario, master: HostSpec | None = None) -> dict[str, dict[str, str]]:
    """The NIM client objects a master knows (its own clients): object name -> the host it stands for."""
    master = master or scenario.master
    return {
        c.name: {
            "host": c.name,
            "cpuid": "00F6" + _hex(c.name, "cpuid", length=8).upper(),
            "mac": "AED8" + _hex(c.name, "mac", length=8).upper(),
        }
        for c in (scenario.clients_of(master) if master is not None else ())
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
            "master": scenario.master.name if scenario.master is not None else None,
            "runbook": scenario.runbook,
            "time_scale": scenario.time_scale,
            "reboot_minutes": scenario.reboot_minutes,
            "installp_lines": scenario.installp_lines,
        },
    )
    os.makedirs(state.hosts_dir(fleet), exist_ok=True)
    for spec in scenario.hosts:
        if not state.exists(fleet, spec.name):
            first = host_state(scenario, spec)
            state.create(fleet, spec.name, first)
            host_files(fleet, scenario, spec, first)
        else:  # a fleet directory written by an older simulator: add the keys it lacks
            first = host_state(scenario, spec)
            with state.update(fleet, spec.name) as st:
                for key, value in first.items():
                    st.setdefault(key, value)
                for d in st["disks"]:
                    d.setdefault("vgda", d["vg"])
    for spec in scenario.masters:
        with state.update(fleet, spec.name) as master:
            for name, obj in nim_clients(scenario, spec).items():
                master["nim"]["clients"].setdefault(name, obj)
