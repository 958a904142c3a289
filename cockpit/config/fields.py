"""The shapes of configuration values: names, disks, paths, levels, numbers that YAML must not turn
into booleans, moments, runbook parameters. Each refuses a value of the wrong shape with a message the
loader places at the value's FILE:LINE:COL."""

from __future__ import annotations

import datetime
import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from cockpit.domain import names


def _shaped(kind: str, pattern: re.Pattern[str]) -> AfterValidator:
    """A validator that accepts only values of the shape `pattern` (see cockpit.domain.names)."""

    def check(value: str) -> str:
        return names.check(kind, value, pattern)

    return AfterValidator(check)


def _disk_list(value: str) -> str:
    """One or more disks separated by blanks, normalised to single spaces ("hdisk2 hdisk3")."""
    disks = value.split()
    if not disks:
        return names.disk_name(value)  # raises: a blank value names no disk
    return " ".join(names.disk_name(d) for d in disks)


def _not_bool(value: Any) -> Any:
    # YAML 1.1 reads yes/no/on/off/true/false as booleans and pydantic would turn them into 1/0:
    # `port: yes` must be an error, not port 1.
    if isinstance(value, bool):
        word = "true" if value else "false"
        raise ValueError(f"expected a number, got {word} (YAML reads yes/no/on/off/true/false as booleans)")
    return value


def _remote_path(value: str) -> str:
    if not _REMOTE_PATH.fullmatch(value) or "/../" in value + "/":
        raise ValueError(f"{value!r} is not a plain absolute path (letters, digits, _ . - /)")
    return value.rstrip("/") or "/"


_REMOTE_PATH = re.compile(r"^/[A-Za-z0-9_./\-]*$")


def _aix_level(value: str) -> str:
    if not names.AIX_LEVEL.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an AIX level as oslevel -s prints it (VR00-TL[-SP[-YYWW]], e.g. 7300-02-01-2346)"
        )
    return value


HostLabel = Annotated[str, _shaped("host name", names.NIM_NAME)]
Address = Annotated[str, _shaped("address", names.HOST_NAME)]
UserName = Annotated[str, _shaped("user name", names.USER_NAME)]
NimObjectName = Annotated[str, AfterValidator(names.nim_name)]
VolumeGroupName = Annotated[str, AfterValidator(names.vg_name)]
DiskList = Annotated[str, AfterValidator(_disk_list)]
WholeNumber = Annotated[int, BeforeValidator(_not_bool)]
Number = Annotated[float, BeforeValidator(_not_bool)]
RemotePath = Annotated[str, AfterValidator(_remote_path)]
AixLevel = Annotated[str, AfterValidator(_aix_level)]


class Role(StrEnum):
    NIM_MASTER = "nim_master"
    CLIENT = "client"
    """A host the plan migrates or changes: a NIM client, a control workstation, a cluster node."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _moment(value: Any) -> Any:
    # YAML reads `2026-12-05 22:00` as text and `2026-12-05T22:00:00` as a datetime; a bare date would
    # be midnight, which is never what a window means: ask for the time.
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        raise ValueError(f"{value.isoformat()} is a date without a time; write e.g. '{value.isoformat()} 22:00'")
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a date and time like '2026-12-05 22:00'") from None
    return value


Moment = Annotated[datetime.datetime, BeforeValidator(_moment)]


def _param_value(value: Any) -> Any:
    # A runbook parameter is text. YAML reads `4.3.3.0` as text but `1.10` as the number 1.1 and
    # `yes` as true: refuse those rather than guess; whole numbers are harmless and become text.
    if isinstance(value, bool):
        raise ValueError("expected text, got a YAML boolean; put the value in quotes")
    if isinstance(value, float):
        raise ValueError(f"expected text, got the number {value!r}; put the value in quotes (e.g. '1.10')")
    if isinstance(value, int):
        return str(value)
    return value


ParamValue = Annotated[str, BeforeValidator(_param_value)]
ParamName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,30}$")]


KeyPathLike = tuple[str | int, ...]
