"""YAML file -> validated Config, or a ConfigError whose problems read `FILE:LINE:COL: KEY.PATH: message`.

Three steps: read the YAML keeping positions (yaml_source), validate with the pydantic models, and
resolve the file's relative paths against its directory. Each pydantic error is translated into an
operator's sentence and placed at the line of the key or value it is about.
"""

from __future__ import annotations

import datetime
import difflib
import os
import types
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from cockpit.config.models import Config, CrossRefError
from cockpit.config.problems import ConfigError, ConfigProblem, KeyPath
from cockpit.config.yaml_source import MarkedData, read_marked_yaml


def load_config(path: Path | str) -> Config:
    """Load and validate the config at `path`; raise ConfigError (never anything else) if it is bad.

    Relative paths in the file (ssh.known_hosts, ssh.client_keys, hosts[].key, state_dir) are resolved
    against the file's directory and `~` is expanded. Nothing is connected to or checked on disk.
    """
    file = Path(path)
    source = read_marked_yaml(file)
    try:
        config = Config.model_validate(source.data)
    except ValidationError as exc:
        problems = [_problem(file, source, err) for err in exc.errors(include_url=False)]
        raise ConfigError(sorted(problems, key=_order)) from None
    return _resolve_paths(config, file, source)


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


def _problem(file: Path, source: MarkedData, err: ErrorDetails) -> ConfigProblem:
    loc: KeyPath = tuple(err["loc"])
    kind = err["type"]
    cause = err.get("ctx", {}).get("error")
    if isinstance(cause, CrossRefError):
        # Raised by a model validator: pydantic reports the model's location, the error knows the key.
        loc = (*loc, *cause.loc)
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
    return ConfigProblem(file, where.line, where.column, key_path, _message(err, loc))


def _message(err: ErrorDetails, loc: KeyPath) -> str:
    kind = err["type"]
    cause = err.get("ctx", {}).get("error")
    if kind == "value_error" and cause is not None:
        return str(cause)  # our own validators' words, without pydantic's "Value error, " prefix
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind in ("too_short", "too_long"):
        return str(err["msg"]).replace(" after validation", "").replace("List should", "should")
    message = _TYPE_MESSAGES.get(kind) or str(err["msg"]).replace("Input should be", "should be")
    value = err.get("input")
    message += f", got {_describe(value)}"
    if kind == "string_type" and isinstance(value, bool | int | float | datetime.date):
        message += "; put the value in quotes to make it text"
    return message


def _unknown_key(loc: KeyPath) -> str:
    model = _model_at(loc[:-1])
    if model is None or not loc or not isinstance(loc[-1], str):
        return "unknown key"
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(loc[-1], allowed, n=1)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)"
    return f"unknown key (allowed here: {', '.join(allowed)})"


def _model_at(loc: KeyPath) -> type[BaseModel] | None:
    """The model class that validates the mapping at `loc`, following the schema's annotations."""
    model: type[BaseModel] = Config
    for part in loc:
        if isinstance(part, int):
            continue  # an item of a list[Model]: the model was already unwrapped below
        field = model.model_fields.get(part)
        if field is None:
            return None
        inner = _find_model(field.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _find_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (list, Union, types.UnionType):
        for arg in get_args(annotation):
            found = _find_model(arg)
            if found is not None:
                return found
    return None


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


def _resolve_paths(config: Config, file: Path, source: MarkedData) -> Config:
    """Make every path in the config absolute: `~` expanded, relative ones taken from the file's dir."""
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
    hosts = [
        h if h.key is None else h.model_copy(update={"key": resolve(h.key, ("hosts", i, "key"))})
        for i, h in enumerate(config.hosts)
    ]
    state_dir = resolve(config.state_dir, ("state_dir",))
    if problems:
        raise ConfigError(problems)
    return config.model_copy(
        update={
            "ssh": ssh.model_copy(update={"known_hosts": known_hosts, "client_keys": client_keys}),
            "hosts": hosts,
            "state_dir": state_dir,
        }
    )


__all__ = ["ConfigError", "ConfigProblem", "load_config"]
