"""YAML file -> validated Config, or a ConfigError whose problems read `FILE:LINE:COL: KEY.PATH: message`.

Three steps: read the YAML keeping positions (yaml_source), validate with the pydantic models, and
resolve the file's relative paths against its directory. Each pydantic error is translated into an
operator's sentence and placed at the line of the key or value it is about.
"""

from __future__ import annotations

import datetime
import difflib
import os
import shutil
import types
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError
from pydantic_core import ErrorDetails

from cockpit.config import runbooks
from cockpit.config.hosts_from import InventoryHosts, hosts_from_of, merge_host_problems, read_hosts_from
from cockpit.config.models import PLAN_TAGS, Config, CrossRefError, RunbookPlan
from cockpit.config.notify import NotifyCommand
from cockpit.config.problems import ConfigError, ConfigProblem, KeyPath
from cockpit.config.ssh_includes import include_loop
from cockpit.config.state_dir import state_dir_problem
from cockpit.config.yaml_source import MarkedData, read_marked_yaml


def load_config(path: Path | str) -> Config:
    """Load and validate the config at `path`; raise ConfigError (never anything else) if it is bad.

    Relative paths in the file (ssh.known_hosts, ssh.client_keys, ssh.config_file, hosts[].key, state_dir, a runbook
    file) are resolved against the file's directory and `~` is expanded. The plan's runbook is loaded
    and the plan's values checked against its parameters. Nothing is connected to.
    """
    file = Path(path)
    source = read_marked_yaml(file)
    hosts_from = hosts_from_of(file, source)
    inventory = read_hosts_from(file, source, hosts_from) if hosts_from is not None else None
    data = source.data
    if inventory is not None and isinstance(data.get("hosts", []), list):
        # The inventory's hosts first: a host also listed under `hosts` is then reported there.
        data = {**data, "hosts": [*inventory.entries, *data.get("hosts", [])]}
    config = _validate(file, source, Config, data=data, inventory=inventory)
    config = _resolve_paths(config, file, source, inventory_hosts=len(inventory or ()))
    _check_runbook(config, file, source)
    _check_state_dir(config, file, source)
    _check_ssh_config(config, file, source)
    return config


def load_model(path: Path | str, model: type[M]) -> M:
    """Load any of our YAML files (a runbook, say) into `model`, with the same positioned problems."""
    file = Path(path)
    return _validate(file, read_marked_yaml(file), model)


def _validate(
    file: Path,
    source: MarkedData,
    model: type[M],
    *,
    data: Any = None,
    inventory: InventoryHosts | None = None,
) -> M:
    try:
        return model.model_validate(source.data if data is None else data)
    except ValidationError as exc:
        problems = [_problem(file, source, err, model, inventory) for err in exc.errors(include_url=False)]
        if inventory is not None:
            problems = merge_host_problems(problems, inventory.file)
        raise ConfigError(sorted(problems, key=_order)) from None


def validate_part(file: Path, source: MarkedData, key: str, model: type[M]) -> M:
    """Validate one top-level section on its own (`hosts_from`, read before the rest needs it)."""
    try:
        return model.model_validate(source.data.get(key))
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            placed = dict(err)
            placed["loc"] = (key, *err["loc"])
            problems.append(_problem(file, source, placed, Config))  # type: ignore[arg-type]
        raise ConfigError(sorted(problems, key=_order)) from None


# --- pydantic errors -> positioned one-line problems -------------------------------------------------

_TYPE_MESSAGES = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "model_type": "expected a mapping (key: value lines)",
    "model_attributes_type": "expected a mapping (key: value lines)",
    "dict_type": "expected a mapping (key: value lines)",
    "list_type": "expected a list",
    "path_type": "expected a file path",
}


M = TypeVar("M", bound=BaseModel)


def _without_tags(loc: KeyPath) -> KeyPath:
    """Drop the tag pydantic inserts after `plan` for the plan union (`plan.runbook.targets` -> `plan.targets`)."""
    if len(loc) > 1 and loc[0] == "plan" and loc[1] in PLAN_TAGS:
        return (loc[0], *loc[2:])
    return loc


def _problem(
    file: Path,
    source: MarkedData,
    err: ErrorDetails,
    root: type[BaseModel] = Config,
    inventory: InventoryHosts | None = None,
) -> ConfigProblem:
    loc: KeyPath = _without_tags(tuple(err["loc"])) if root is Config else tuple(err["loc"])
    kind = err["type"]
    cause = err.get("ctx", {}).get("error")
    if isinstance(cause, CrossRefError):
        # Raised by a model validator: pydantic reports the model's location, the error knows the key.
        loc = (*loc, *cause.loc)
    if inventory is not None:
        # A host read from the inventory is reported at its own file; the config's hosts follow them.
        placed = inventory.problem(loc, _message(err, loc, root))
        if placed is not None:
            return placed
        loc = inventory.config_loc(loc)
    if kind == "extra_forbidden":
        where = source.key_positions.get(loc) or source.position_of(loc)
        key_path = loc
    elif kind == "missing":
        where = source.position_of(loc[:-1])  # the mapping that lacks the key
        key_path = loc
    else:
        where = source.position_of(loc)
        # Keep only the part of the location that exists in the file (drops pydantic's union tags).
        key_path = loc if isinstance(cause, CrossRefError) else _in_file(loc, source)
    return ConfigProblem(file, where.line, where.column, key_path, _message(err, loc, root))


def _message(err: ErrorDetails, loc: KeyPath, root: type[BaseModel]) -> str:
    kind = err["type"]
    cause = err.get("ctx", {}).get("error")
    if kind == "value_error" and cause is not None:
        return str(cause)  # our own validators' words, without pydantic's "Value error, " prefix
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return _unknown_key(tuple(err["loc"]), root)  # with union tags: they pick the plan's model
    if kind in ("too_short", "too_long"):
        return str(err["msg"]).replace(" after validation", "").replace("List should", "should")
    message = _TYPE_MESSAGES.get(kind) or str(err["msg"]).replace("Input should be", "should be")
    value = err.get("input")
    message += f", got {_describe(value)}"
    if kind == "string_type" and isinstance(value, bool | int | float | datetime.date):
        message += "; put the value in quotes to make it text"
    return message


def _unknown_key(loc: KeyPath, root: type[BaseModel]) -> str:
    model = _model_at(loc[:-1], root)
    if model is None or not loc or not isinstance(loc[-1], str):
        return "unknown key"
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(loc[-1], allowed, n=1)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)"
    return f"unknown key (allowed here: {', '.join(allowed)})"


def _model_at(loc: KeyPath, root: type[BaseModel]) -> type[BaseModel] | None:
    """The model class that validates the mapping at `loc`, following the schema's annotations.

    `loc` is pydantic's (with union tags): after a tagged union (the plan) the tag picks the member.
    """
    model: type[BaseModel] = root
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        if isinstance(part, int):
            continue  # an item of a list[Model]: the model was already unwrapped below
        field = model.model_fields.get(part)
        if field is None:
            return None
        members = _models_in(field.annotation)
        if not members:
            return None
        tagged = dict(members)
        tag = parts[0] if parts else None
        if isinstance(tag, str) and tag in tagged and len(members) > 1:
            parts.pop(0)
            model = tagged[tag]
        else:
            model = members[0][1]
    return model


def _models_in(annotation: Any, tag: str | None = None) -> list[tuple[str | None, type[BaseModel]]]:
    """The models an annotation can hold, each with its union tag (None when untagged)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(tag, annotation)]
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = get_args(annotation)
        found_tag = next((m.tag for m in metadata if isinstance(m, Tag)), tag)
        return _models_in(inner, found_tag)
    if origin in (list, Union, types.UnionType):
        return [found for arg in get_args(annotation) for found in _models_in(arg)]
    return []


def _in_file(loc: KeyPath, source: MarkedData) -> KeyPath:
    for depth in range(len(loc), 0, -1):
        if loc[:depth] in source.value_positions:
            return loc[:depth]
    return ()


def _describe(value: object) -> str:
    """A short single-line description of what the file held (never a multi-line dump)."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a YAML boolean)"
    if isinstance(value, int | float):
        return f"{value!r} (a number)"
    if isinstance(value, datetime.date):
        return f"{value.isoformat()} (a date)"
    if isinstance(value, str):
        text = repr(value)
        return text if len(text) <= 60 else text[:56] + "...'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a value of type {type(value).__name__}"


def _order(problem: ConfigProblem) -> tuple[int, int]:
    return (problem.line or 0, problem.column or 0)


# --- relative paths ------------------------------------------------------------------------------------


def _resolve_paths(config: Config, file: Path, source: MarkedData, *, inventory_hosts: int = 0) -> Config:
    """Make every path in the config absolute: `~` expanded, relative ones taken from the file's dir.

    The first `inventory_hosts` hosts came from the inventory, their paths already resolved there.
    """
    base = Path(os.path.abspath(file)).parent
    problems: list[ConfigProblem] = []

    def resolve(value: Path, loc: KeyPath) -> Path:
        try:
            value = value.expanduser()
        except RuntimeError:  # `~someone/...` for an unknown user, or no home directory at all
            where = source.position_of(loc)
            message = f"cannot expand '~' in {str(value)!r}: no such user or home directory"
            problems.append(ConfigProblem(file, where.line, where.column, loc, message))
            return value
        return Path(os.path.normpath(value if value.is_absolute() else base / value))

    ssh = config.ssh
    known_hosts = None if ssh.known_hosts is None else resolve(ssh.known_hosts, ("ssh", "known_hosts"))
    client_keys = [resolve(k, ("ssh", "client_keys", i)) for i, k in enumerate(ssh.client_keys)]
    # The default ssh config (~/.ssh/config) stays as it is: expanded when connecting, read if it exists.
    ssh_config = (
        {"config_file": resolve(ssh.config_file, ("ssh", "config_file"))}
        if ssh.config_file is not None and not ssh.config_file_is_default
        else {}
    )
    hosts = [
        h
        if h.key is None or i < inventory_hosts
        else h.model_copy(update={"key": resolve(h.key, ("hosts", i - inventory_hosts, "key"))})
        for i, h in enumerate(config.hosts)
    ]
    hosts_from = config.hosts_from
    if hosts_from is not None:
        ansible = resolve(hosts_from.ansible, ("hosts_from", "ansible"))
        hosts_from = hosts_from.model_copy(update={"ansible": ansible})
    state_dir = resolve(config.state_dir, ("state_dir",))
    notify = [_notify_program(n, i, file, source, resolve, problems) for i, n in enumerate(config.notify)]
    plan = config.plan
    if isinstance(plan, RunbookPlan) and runbooks.is_path(plan.runbook):
        plan = plan.model_copy(update={"runbook": str(resolve(Path(plan.runbook), ("plan", "runbook")))})
    if problems:
        raise ConfigError(problems)
    return config.model_copy(
        update={
            "ssh": ssh.model_copy(update={"known_hosts": known_hosts, "client_keys": client_keys, **ssh_config}),
            "hosts": hosts,
            "hosts_from": hosts_from,
            "state_dir": state_dir,
            "plan": plan,
            "notify": notify,
        }
    )


def _notify_program(
    entry: NotifyCommand,
    index: int,
    file: Path,
    source: MarkedData,
    resolve: Callable[[Path, KeyPath], Path],
    problems: list[ConfigProblem],
) -> NotifyCommand:
    """A notify command's program, found now rather than at 2 a.m.: a path (relative to the config
    file) must be an executable file; a bare name must be in PATH (where it will be looked up)."""
    loc: KeyPath = ("notify", index, "command", 0)
    program = entry.command[0]
    where = source.position_of(loc)
    if "/" not in program:
        if shutil.which(program) is None:
            problems.append(ConfigProblem(file, where.line, where.column, loc, f"no program {program!r} in PATH"))
        return entry
    path = resolve(Path(program), loc)
    if not path.is_file():
        problems.append(ConfigProblem(file, where.line, where.column, loc, f"no such file: {path}"))
    elif not os.access(path, os.X_OK):
        problems.append(ConfigProblem(file, where.line, where.column, loc, f"{path} is not executable (chmod +x)"))
    return entry.model_copy(update={"command": [str(path), *entry.command[1:]]})


def _check_state_dir(config: Config, file: Path, source: MarkedData) -> None:
    """state_dir is a directory the cockpit can use or create (looked at, nothing is created)."""
    problem = state_dir_problem(config.state_dir)
    if problem is not None:
        where = source.position_of(("state_dir",))
        raise ConfigError([ConfigProblem(file, where.line, where.column, ("state_dir",), problem)])


def _check_ssh_config(config: Config, file: Path, source: MarkedData) -> None:
    """The ssh config the cockpit will read does not Include itself (it would never finish reading)."""
    ssh = config.ssh
    if ssh.config_file is None:
        return
    if ssh.config_file_is_default:
        try:
            default = ssh.config_file.expanduser()
        except RuntimeError:
            return
        files = [default] if default.is_file() else []
    else:
        files = [ssh.config_file]
    problem = include_loop(files)
    if problem is not None:
        where = source.position_of(("ssh", "config_file"))
        raise ConfigError([ConfigProblem(file, where.line, where.column, ("ssh", "config_file"), problem)])


def _check_runbook(config: Config, file: Path, source: MarkedData) -> None:
    """The plan's runbook exists and is valid, and the plan gives it the values it needs.

    A broken runbook file is reported at its own lines; a plan value it does not accept at the plan's.
    """
    try:
        runbook = runbooks.load_runbook(config.plan.runbook)
    except LookupError as exc:
        where = source.position_of(("plan", "runbook"))
        raise ConfigError([ConfigProblem(file, where.line, where.column, ("plan", "runbook"), str(exc))]) from None
    problems = []
    for loc, message in runbooks.plan_problems(runbook, config):
        at_key = message.startswith(runbooks.UNKNOWN_PARAM) and loc in source.key_positions
        where = source.key_positions[loc] if at_key else source.position_of(loc)
        problems.append(ConfigProblem(file, where.line, where.column, _in_file(loc, source) or loc, message))
    if problems:
        raise ConfigError(sorted(problems, key=_order))


__all__ = ["ConfigError", "ConfigProblem", "load_config", "load_model"]
