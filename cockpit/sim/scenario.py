"""Scenario files: the simulated fleet (a NIM master and its clients), its faults and its timing.

A scenario is YAML (see scenarios/demo.yaml for a commented example):

    description: text
    timing: {time_scale: 185, reboot_minutes: 5, installp_lines: 300}
    master: {name, oslevel, filesets: {fileset: level}, nimsh: active|inoperative, disks: [...], slow}
    resources: [{name, type: lpp_source|spot, oslevel, filesets}]
    clients: {count, prefix, oslevel, nimsh, disks: [{name, size_mb, vg}], target_disk, slow}
    hosts: {<client name>: {any client key above, faults: {ghost_major: N, hang_phase: N, multibos: true}}}
    plan: {lpp_source, spot, concurrency, cache_vg}

`time_scale` is the speed-up of simulated time: one AIX minute lasts 60 / time_scale seconds.
Clients are generated as <prefix>01 .. <prefix>NN; `hosts` adjusts named ones (names that are not
generated are ignored, so a smaller --hosts count simply drops their faults).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SCENARIO_DIR = Path(__file__).parent / "scenarios"
OSLEVEL = re.compile(r"^\d{4}-\d{2}-\d{2}-\d{4}$")
FAULTS = {"ghost_major": int, "hang_phase": int, "multibos": bool}
DEFAULT_DISKS = (
    {"name": "hdisk0", "size_mb": 40960, "vg": "rootvg"},
    {"name": "hdisk1", "size_mb": 40960},
    {"name": "hdisk2", "size_mb": 40960},
)


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Disk:
    name: str
    size_mb: int
    vg: str | None = None


@dataclass(frozen=True, slots=True)
class HostSpec:
    name: str
    role: str
    """nim_master | client (the roles of cockpit/config/models.py)."""
    oslevel: str
    disks: tuple[Disk, ...]
    nimsh_active: bool = True
    filesets: Mapping[str, str] = field(default_factory=dict)
    slow: float = 1.0
    faults: Mapping[str, Any] = field(default_factory=dict)
    target_disk: str | None = None


@dataclass(frozen=True, slots=True)
class Resource:
    name: str
    type: str
    oslevel: str
    filesets: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    time_scale: float
    reboot_minutes: float
    installp_lines: int
    master: HostSpec
    clients: tuple[HostSpec, ...]
    resources: tuple[Resource, ...]
    lpp_source: str
    spot: str
    concurrency: int
    cache_vg: str | None = None

    @property
    def hosts(self) -> tuple[HostSpec, ...]:
        return (self.master, *self.clients)


def available() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def load_scenario(name_or_path: str | Path, hosts: int | None = None) -> Scenario:
    """Load a shipped scenario by name ("demo", "tiny") or a scenario file by path.

    `hosts` overrides the number of generated clients.
    """
    path = Path(name_or_path)
    if not path.is_file():
        path = SCENARIO_DIR / f"{name_or_path}.yaml"
        if not path.is_file():
            raise ScenarioError(f"no scenario {str(name_or_path)!r} (shipped: {', '.join(available())})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ScenarioError(f"{path}: {e}") from e
    try:
        return _build(path.stem, _mapping(data, "the file"), hosts)
    except ScenarioError as e:
        raise ScenarioError(f"{path}: {e}") from None


def _mapping(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where} must be a mapping")
    return value


def _keys(data: dict[str, Any], where: str, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        names, expected = ", ".join(sorted(unknown)), ", ".join(sorted(allowed))
        raise ScenarioError(f"{where}: unknown key(s) {names} (allowed: {expected})")


def _oslevel(value: object, where: str) -> str:
    if not isinstance(value, str) or not OSLEVEL.match(value):
        raise ScenarioError(f"{where}.oslevel must look like 7200-05-06-2320, not {value!r}")
    return value


def _number(value: object, where: str, minimum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ScenarioError(f"{where} must be a number >= {minimum}, not {value!r}")
    return float(value)


def _disks(value: object, where: str) -> tuple[Disk, ...]:
    if not isinstance(value, list) or not value:
        raise ScenarioError(f"{where}.disks must be a non-empty list")
    disks = []
    for i, item in enumerate(value):
        d = _mapping(item, f"{where}.disks[{i}]")
        _keys(d, f"{where}.disks[{i}]", {"name", "size_mb", "vg"})
        if not re.fullmatch(r"hdisk\d+", str(d.get("name", ""))):
            raise ScenarioError(f"{where}.disks[{i}].name must be hdiskN")
        disks.append(
            Disk(str(d["name"]), int(_number(d.get("size_mb", 40960), f"{where}.disks[{i}].size_mb", 1)), d.get("vg"))
        )
    if not any(d.vg == "rootvg" for d in disks):
        raise ScenarioError(f"{where}.disks: one disk must hold rootvg")
    return tuple(disks)


def _faults(value: object, where: str) -> dict[str, Any]:
    faults = _mapping(value or {}, f"{where}.faults")
    _keys(faults, f"{where}.faults", set(FAULTS))
    for k, v in faults.items():
        if not isinstance(v, FAULTS[k]) or (FAULTS[k] is int and isinstance(v, bool)):
            raise ScenarioError(f"{where}.faults.{k} must be {FAULTS[k].__name__}, not {v!r}")
    if "hang_phase" in faults and not 1 <= faults["hang_phase"] <= 12:
        raise ScenarioError(f"{where}.faults.hang_phase must be a phase from 1 to 12")
    return faults


HOST_KEYS = {"oslevel", "filesets", "nimsh", "disks", "slow", "faults", "target_disk"}


def _host(name: str, role: str, data: dict[str, Any], where: str) -> HostSpec:
    nimsh = data.get("nimsh", "active")
    if nimsh not in ("active", "inoperative"):
        raise ScenarioError(f"{where}.nimsh must be active or inoperative")
    disks = _disks(data.get("disks", list(DEFAULT_DISKS)), where)
    target = data.get("target_disk")
    if target is not None and target not in {d.name for d in disks}:
        raise ScenarioError(f"{where}.target_disk {target!r} is not one of its disks")
    return HostSpec(
        name=name,
        role=role,
        oslevel=_oslevel(data.get("oslevel"), where),
        disks=disks,
        nimsh_active=nimsh == "active",
        filesets=dict(_mapping(data.get("filesets") or {}, f"{where}.filesets")),
        slow=_number(data.get("slow", 1.0), f"{where}.slow", 0.01),
        faults=_faults(data.get("faults"), where),
        target_disk=target,
    )


def _build(name: str, data: dict[str, Any], hosts: int | None) -> Scenario:
    _keys(data, "scenario", {"description", "timing", "master", "resources", "clients", "hosts", "plan"})
    timing = _mapping(data.get("timing") or {}, "timing")
    _keys(timing, "timing", {"time_scale", "reboot_minutes", "installp_lines"})

    master_data = _mapping(data.get("master"), "master")
    _keys(master_data, "master", HOST_KEYS | {"name"})
    master = _host(str(master_data.get("name", "nim01")), "nim_master", master_data, "master")

    resources = []
    for i, item in enumerate(data.get("resources") or []):
        r = _mapping(item, f"resources[{i}]")
        _keys(r, f"resources[{i}]", {"name", "type", "oslevel", "filesets"})
        if r.get("type") not in ("lpp_source", "spot"):
            raise ScenarioError(f"resources[{i}].type must be lpp_source or spot")
        resources.append(
            Resource(
                str(r["name"]), r["type"], _oslevel(r.get("oslevel"), f"resources[{i}]"), dict(r.get("filesets") or {})
            )
        )

    template = _mapping(data.get("clients"), "clients")
    _keys(template, "clients", HOST_KEYS | {"count", "prefix"})
    count = hosts if hosts is not None else int(_number(template.get("count", 1), "clients.count", 0))
    if count < 0:
        raise ScenarioError("the number of clients cannot be negative")
    prefix = str(template.get("prefix", "lpar"))
    overrides = _mapping(data.get("hosts") or {}, "hosts")
    clients = []
    for i in range(1, count + 1):
        client = f"{prefix}{i:02d}"
        extra = _mapping(overrides.get(client) or {}, f"hosts.{client}")
        _keys(extra, f"hosts.{client}", HOST_KEYS)
        merged = {k: v for k, v in template.items() if k not in ("count", "prefix")} | extra
        spec = _host(client, "client", merged, f"hosts.{client}" if extra else "clients")
        if spec.target_disk is None:
            raise ScenarioError(f"{client}: target_disk is required for a client (the nimadm -d disk)")
        clients.append(spec)

    plan = _mapping(data.get("plan") or {}, "plan")
    _keys(plan, "plan", {"lpp_source", "spot", "concurrency", "cache_vg"})
    by_name = {r.name: r for r in resources}
    for kind in ("lpp_source", "spot"):
        ref = plan.get(kind)
        if ref not in by_name or by_name[ref].type != kind:
            raise ScenarioError(f"plan.{kind} must name a resource of type {kind}, not {ref!r}")
    return Scenario(
        name=name,
        description=str(data.get("description", "")),
        time_scale=_number(timing.get("time_scale", 60.0), "timing.time_scale", 0.001),
        reboot_minutes=_number(timing.get("reboot_minutes", 5.0), "timing.reboot_minutes", 0),
        installp_lines=int(_number(timing.get("installp_lines", 300), "timing.installp_lines", 0)),
        master=master,
        clients=tuple(clients),
        resources=tuple(resources),
        lpp_source=str(plan["lpp_source"]),
        spot=str(plan["spot"]),
        concurrency=int(_number(plan.get("concurrency", 4), "plan.concurrency", 1)),
        cache_vg=plan.get("cache_vg"),
    )
