"""Per-host state of the simulated fleet: one JSON file per host, changed atomically under a lock.

Stdlib only: every fake AIX command imports this module, and a command must start in a few
milliseconds (see aixcmd.py). The server writes the initial files; the commands read and update them.

Layout under the fleet directory (COCKPIT_SIM_FLEET):
    fleet.json                 timing shared by every host (time scale, installp lines, reboot time)
    hosts/<host>/state.json    the host's state (disks, bootlist, levels, nimsh, NIM database, faults)
    hosts/<host>/state.lock    flock target; the JSON itself is replaced atomically, so readers need no lock
    hosts/<host>/home          HOME and working directory of every SSH session on that host
    hosts/<host>/tmp           TMPDIR of the host (the simulated hosts share the real /tmp)
    hosts/<host>/var/adm/ras   logs the commands write (e.g. alt_mig/<client>_alt_mig.log on the master)
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from typing import TYPE_CHECKING

FLEET_ENV = "COCKPIT_SIM_FLEET"
HOST_ENV = "COCKPIT_SIM_HOST"
TIME_SCALE_ENV = "COCKPIT_SIM_TIME_SCALE"
CONTROL_ENV = "COCKPIT_SIM_CONTROL"

# A host state is plain JSON data with these keys:
#   name, role ("nim_master" | "client"), hostname, slow (float), boot_count (int)
#   disks: [{name, pvid, size_mb, vg (str | None), active (bool), level (oslevel -s of the AIX on it | None),
#            vgda (the VG written on the disk: stays after alt_rootvg_op -X until chpv -C)}]
#   boot_disk: disk the running AIX booted from;  bootlist: [{disk, blv}]
#   halted: why the last reboot found nothing to boot (the host stays down), absent otherwise
#   nimsh: {active (bool), pid (int)};  filesets: {fileset: level} (besides the base ones, aix/lpp.py)
#   listeners: [{port, process, pid}] (other processes on TCP ports, e.g. a SAP message server on 3901)
#   niminfo: {name, master} (/etc/niminfo) | None
#   rootvg_lvs: [{name, type, mb, mount, state}];  majors_used: [int] (LVM's used majors besides the VGs')
#   vg_majors: {vg: major} (VGs other than rootvg);  cudvdr: [{resource, value1, value2, value3}] (ODM)
#   dev: [{name, kind (b | c), major, minor, mode, date}] (special files in /dev);  odm_saved (bool, savebase)
#   faults: the scenario's faults of the host (see cockpit/sim/faults.py); hang_phase is read by nimadm
#   nim (master only): {clients: {object: {host, cpuid, mac}}, resources: {name: {type, oslevel, filesets}},
#                       migrations: {object: {disks, spot, lpp_source, target_vr, level, last_phase,
#                                             status ("running" | "paused" | "failed" | "done"), pid,
#                                             phase_started: {"N": epoch second its banner was written}}}}
#   nim_master (client only): the master's host name
if TYPE_CHECKING:  # typing stays off the start-up path of the commands
    from collections.abc import Iterator
    from typing import Any, TypeAlias

    HostState: TypeAlias = dict[str, Any]


def hosts_dir(fleet: str) -> str:
    return os.path.join(fleet, "hosts")


def host_dir(fleet: str, host: str) -> str:
    return os.path.join(fleet, "hosts", host)


def exists(fleet: str, host: str) -> bool:
    return os.path.isfile(os.path.join(host_dir(fleet, host), "state.json"))


def read(fleet: str, host: str) -> HostState:
    with open(os.path.join(host_dir(fleet, host), "state.json"), encoding="utf-8") as f:
        state: HostState = json.load(f)
    return state


def _write(directory: str, state: HostState) -> None:
    tmp = os.path.join(directory, f".state.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, os.path.join(directory, "state.json"))


def create(fleet: str, host: str, state: HostState) -> None:
    """Write a host's first state and the directories its sessions use."""
    directory = host_dir(fleet, host)
    for sub in ("home", "tmp", os.path.join("var", "adm", "ras")):
        os.makedirs(os.path.join(directory, sub), exist_ok=True)
    with _locked(directory):
        _write(directory, state)


@contextmanager
def _locked(directory: str) -> Iterator[None]:
    fd = os.open(os.path.join(directory, "state.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock


@contextmanager
def update(fleet: str, host: str) -> Iterator[HostState]:
    """Read-modify-write one host's state. Never hold two hosts' locks at once (no lock ordering needed)."""
    directory = host_dir(fleet, host)
    with _locked(directory):
        state = read(fleet, host)
        yield state
        _write(directory, state)


def read_fleet(fleet: str) -> dict[str, Any]:
    with open(os.path.join(fleet, "fleet.json"), encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def write_fleet(fleet: str, data: dict[str, Any]) -> None:
    os.makedirs(fleet, exist_ok=True)
    tmp = os.path.join(fleet, f".fleet.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, os.path.join(fleet, "fleet.json"))


# --- derived views shared by several commands -------------------------------------------------------


def disk(state: HostState, name: str) -> dict[str, Any] | None:
    for d in state["disks"]:
        if d["name"] == name:
            found: dict[str, Any] = d
            return found
    return None


def oslevel(state: HostState) -> str:
    """`oslevel -s` of the running AIX: the level of the disk the host booted from."""
    booted = disk(state, state["boot_disk"])
    assert booted is not None and booted["level"], "a running host always booted from a disk with AIX on it"
    return str(booted["level"])
