"""The files a cockpit needs to reach a simulated fleet: known_hosts and the inventory (config) file.

The inventory follows cockpit/config/models.py (ssh, hosts, plan); its paths are relative to the
inventory file itself, wherever it is written. A nimadm scenario gets a nimadm plan (master, lpp_source,
spot, clients); any other runbook a plan of targets:

    plan: {runbook, concurrency, time_scale, follow, params: {name: value},
           targets: [{host, role (if the scenario gives one), params: {disk: target_disk, ...host params}}]}
"""

from __future__ import annotations

import datetime
import os
import time
from pathlib import Path
from typing import Any

import yaml

from cockpit.sim.scenario import HostSpec, Scenario

ADDRESS = "127.0.0.1"


def known_hosts_text(host_keys: dict[int, str]) -> str:
    """`[127.0.0.1]:PORT ssh-ed25519 AAAA...` per host; host_keys maps port -> OpenSSH public key."""
    return "".join(f"[{ADDRESS}]:{port} {key}\n" for port, key in host_keys.items())


def _relative(target: Path, inventory: Path) -> str:
    return os.path.relpath(target.resolve(), inventory.resolve().parent)


def inventory_text(
    scenario: Scenario,
    ports: dict[str, int],
    known_hosts: Path,
    client_key: Path,
    inventory: Path,
    user: str = "root",
    work_dirs: dict[str, Path] | None = None,
) -> str:
    data = {
        "ssh": {
            "known_hosts": _relative(known_hosts, inventory),
            "client_keys": [_relative(client_key, inventory)],
            # The operator's ~/.ssh/config (a `Host *` ProxyJump, a User) must not reach simulated hosts.
            "config_file": "none",
        },
        "hosts": [
            {
                "name": h.name,
                "address": ADDRESS,
                "port": ports[h.name],
                "user": user,
                "role": h.role,
                # Simulated hosts share this machine's /var/tmp: each gets a step directory of its own.
                **({"work_dir": str(work_dirs[h.name])} if work_dirs and h.name in work_dirs else {}),
            }
            for h in scenario.hosts
        ],
        "plan": _plan(scenario),
    }
    header = (
        f"# Simulated fleet of scenario {scenario.name!r}, written by the Migration Cockpit simulator.\n"
        "# Paths are relative to this file. Ports change when the simulator restarts on a new workdir.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


# The runbook's phase durations and silence thresholds are compressed like the fleet's clock, and
# simulated phases last seconds: look at a growing step output often.
FOLLOW = {"poll": 0.1, "idle_poll": 0.25, "give_up_after": 120, "mark_every": 1}
"""A simulated hour lasts seconds: the hosts sample their steps' output every second."""


def _window(scenario: Scenario, now: float) -> dict[str, Any]:
    """The scenario's window as the plan's, in this machine's local time, opening now."""
    if scenario.window_minutes is None:
        return {}

    def at(minutes: float) -> str:
        moment = datetime.datetime.fromtimestamp(now + minutes * 60 / scenario.time_scale)
        return moment.isoformat(sep=" ", timespec="seconds")

    window = {"start": at(0), "end": at(scenario.window_minutes)}
    if scenario.cutoff_minutes is not None:
        window["cutoff"] = at(scenario.cutoff_minutes)
    return {"window": window}


def _plan(scenario: Scenario, now: float | None = None) -> dict[str, Any]:
    window = _window(scenario, time.time() if now is None else now)
    if scenario.runbook != "nimadm":
        return {
            "runbook": scenario.runbook,
            **({"master": scenario.master.name} if scenario.master is not None else {}),
            "concurrency": scenario.concurrency,
            "time_scale": round(1 / scenario.time_scale, 8),
            "follow": dict(FOLLOW),
            "params": dict(scenario.params),
            "targets": [_target(c) for c in scenario.clients],
            **window,
        }
    assert scenario.master is not None
    if scenario.extra_masters:
        # Several masters: each with its own clients (the scenario's concurrency is each one's).
        hosts: dict[str, Any] = {
            "masters": [
                {
                    "host": m.name,
                    **(
                        {"concurrency": scenario.master_concurrency[m.name]}
                        if m.name in scenario.master_concurrency
                        else {}
                    ),
                    "clients": [_plan_client(scenario, c) for c in scenario.clients_of(m)],
                }
                for m in scenario.masters
                if scenario.clients_of(m)
            ]
        }
    else:
        hosts = {"master": scenario.master.name, "clients": [_plan_client(scenario, c) for c in scenario.clients]}
    return {
        "runbook": "nimadm",
        **({"master": hosts.pop("master")} if "master" in hosts else {}),
        "lpp_source": scenario.lpp_source,
        "spot": scenario.spot,
        **({"cache_vg": scenario.cache_vg} if scenario.cache_vg else {}),
        "concurrency": scenario.concurrency,
        **hosts,
        "time_scale": round(1 / scenario.time_scale, 8),
        "follow": dict(FOLLOW),
        **window,
    }


def _target(host: HostSpec) -> dict[str, Any]:
    """A plan target: the host, its runbook role, its own parameters (the target disk as `disk`)."""
    params = {**({"disk": host.target_disk} if host.target_disk else {}), **host.params}
    return {"host": host.name, **({"role": host.target_role} if host.target_role else {}), "params": params}


def _plan_client(scenario: Scenario, client: HostSpec) -> dict[str, str | None]:
    """A plan entry; a client with its own lpp_source / SPOT (e.g. going to 7.3) gets them as overrides."""
    entry: dict[str, str | None] = {"host": client.name, "disk": client.target_disk}
    for kind in ("lpp_source", "spot"):
        value = getattr(client, kind)
        if value is not None and value != getattr(scenario, kind):
            entry[kind] = value
    return entry


def write_inventory(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
