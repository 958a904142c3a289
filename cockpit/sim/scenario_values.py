"""The values of a scenario file, checked one by one: each check returns the value (normalised) or
raises ScenarioError naming where in the file it is (`hosts.lpar05.faults.ghost_major`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

OSLEVEL = re.compile(r"^\d{4}-\d{2}-\d{2}-\d{4}$")
LEFTOVER_VGS = ("altinst_rootvg", "old_rootvg")
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,38}$")
PARAM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
STEP_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")  # a runbook step id (cockpit/config/runbook.py)
ABS_PATH = re.compile(r"^/[A-Za-z0-9_.+\-/]{1,200}$")
VRMF = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file and the key."""


def mapping(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where} must be a mapping")
    return value


def keys(data: dict[str, Any], where: str, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        names, expected = ", ".join(sorted(unknown)), ", ".join(sorted(allowed))
        raise ScenarioError(f"{where}: unknown key(s) {names} (allowed: {expected})")


def oslevel(value: object, where: str) -> str:
    if not isinstance(value, str) or not OSLEVEL.match(value):
        raise ScenarioError(f"{where}.oslevel must look like 7200-05-06-2320, not {value!r}")
    return value


def number(value: object, where: str, minimum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ScenarioError(f"{where} must be a number >= {minimum}, not {value!r}")
    return float(value)


def boolean(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(f"{where} must be true or false, not {value!r}")
    return value


def whole(value: object, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ScenarioError(f"{where} must be a whole number from {low} to {high}, not {value!r}")
    return value


def name(value: object, where: str) -> str:
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise ScenarioError(f"{where} must be a name (letters, digits, _ . -), not {value!r}")
    return value


def port_taken(value: object, where: str) -> dict[str, Any]:
    data = mapping(value, where)
    keys(data, where, {"port", "process", "pid"})
    taken = {"port": whole(data.get("port"), f"{where}.port", 1, 65535), "process": name(data.get("process"), where)}
    if "pid" in data:
        taken["pid"] = whole(data["pid"], f"{where}.pid", 2, 99_999_999)
    return taken


def leftover(value: object, where: str) -> dict[str, Any]:
    data = {"vg": value} if isinstance(value, str) else mapping(value, where)
    keys(data, where, {"vg", "disk"})
    if data.get("vg") not in LEFTOVER_VGS:
        raise ScenarioError(f"{where} must name {' or '.join(LEFTOVER_VGS)}, not {data.get('vg')!r}")
    return dict(data)


def below_level(value: object, where: str) -> dict[str, str]:
    data = mapping(value, where)
    keys(data, where, {"fileset", "level"})
    level = data.get("level")
    if not isinstance(level, str) or not VRMF.fullmatch(level):
        raise ScenarioError(f"{where}.level must be a V.R.M.F level in quotes (e.g. '4.3.2.0'), not {level!r}")
    return {"fileset": name(data.get("fileset"), f"{where}.fileset"), "level": level}


def step_id(value: object, where: str) -> str:
    if not isinstance(value, str) or not STEP_ID.fullmatch(value):
        raise ScenarioError(f"{where} must be a runbook step id (e.g. install), not {value!r}")
    return value


def params(value: object, where: str) -> dict[str, str]:
    """Runbook parameters are text (the config refuses YAML numbers with a fraction and booleans)."""
    data = mapping(value or {}, where)
    params = {}
    for key, v in data.items():
        if not isinstance(key, str) or not PARAM_NAME.fullmatch(key):
            raise ScenarioError(f"{where}: {key!r} is not a parameter name (lower-case letters, digits, _)")
        if isinstance(v, bool) or not isinstance(v, str | int):
            raise ScenarioError(f"{where}.{key} must be text (put it in quotes), not {v!r}")
        params[key] = str(v)
    return params


def images(value: object, where: str) -> dict[str, str]:
    data = mapping(value or {}, where)
    for path, level in data.items():
        if not isinstance(path, str) or not ABS_PATH.fullmatch(path) or ".." in path.split("/"):
            raise ScenarioError(f"{where}: {path!r} is not an absolute path")
        oslevel(level, f"{where}.{path}")
    return dict(data)


def vg(value: object, where: str) -> str:
    vg_name = name(value, where)
    if vg_name in ("rootvg", *LEFTOVER_VGS):
        raise ScenarioError(f"{where} must be a data volume group, not {vg_name}")
    return vg_name


# Fault -> validator (value, where) -> normalised value.
FAULTS: dict[str, Callable[[object, str], Any]] = {
    "ghost_major": lambda v, w: whole(v, w, 1, 1023),
    "hang_phase": lambda v, w: whole(v, w, 1, 12),
    "drop_connection_phase": lambda v, w: whole(v, w, 1, 12),
    "multibos": boolean,
    "nimsh_down": boolean,
    "port_taken": port_taken,
    "disk_too_small": boolean,
    "disk_in_use": vg,
    "leftover_alt": leftover,
    "nim_undefined": boolean,
    "niminfo_master": name,
    "below_level": lambda v, w: below_level(v, w),
    "rpm_missing_dep": name,
    "fail_step": step_id,
}
MASTER_FAULTS = {"nimsh_down", "port_taken"}


def faults(value: object, where: str, allowed: set[str]) -> dict[str, Any]:
    faults = mapping(value or {}, f"{where}.faults")
    keys(faults, f"{where}.faults", allowed)
    return {k: FAULTS[k](v, f"{where}.faults.{k}") for k, v in faults.items()}
