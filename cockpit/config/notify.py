"""The config's `alerts:` (the terminal's bell and desktop notification) and `notify:` (commands run on
this machine when a target needs the operator).

A notify command is an argv list, run without a shell, with the alert in COCKPIT_* environment
variables (cockpit/domain/alert_env.py). Nothing of the alert is ever put on its command line, so the
file is checked for the two ways of expecting that anyway: a `{target}` placeholder (never filled in)
and a `$COCKPIT_...` in an argument no shell will read (passed as those very characters).
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator

from cockpit.config.problems import CrossRefError
from cockpit.domain.alert_escapes import DesktopSetting
from cockpit.domain.alerts import ALERT_KINDS, AlertKind

SHELLS = frozenset({"sh", "bash", "ksh", "ksh93", "dash", "zsh", "mksh", "ash"})
"""A command `[SHELL, -c, SCRIPT, ...]` has a shell that expands $COCKPIT_... in SCRIPT."""
DEFAULT_TIMEOUT = 30.0
_PLACEHOLDER = re.compile(r"\{(event|target|targets|host|run|run_id|summary|phase|step|time|runbook)\}", re.I)
_ENV_REFERENCE = re.compile(r"\$\{?COCKPIT_[A-Z_]*")


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a number of seconds, got a YAML boolean")
    return value


def _events(value: Any) -> Any:
    # `events: all` is the default spelled out; a single word is a list of one.
    if value == "all":
        return list(ALERT_KINDS)
    if isinstance(value, str):
        return [value]
    return value


_KIND_SCHEMA = {"enum": [k.value for k in ALERT_KINDS]}
Events = Annotated[
    list[AlertKind],
    BeforeValidator(_events),
    # What the file may say: `all`, one event, or a list of them (editors check it with this).
    WithJsonSchema({"anyOf": [{"const": "all"}, _KIND_SCHEMA, {"type": "array", "items": _KIND_SCHEMA}]}),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TerminalAlerts(_Strict):
    """The terminal's own alerts: in the cockpit (TUI), and headless when its output is a terminal."""

    bell: bool = True
    """Ring the terminal bell (tmux flags the window)."""
    desktop: DesktopSetting = "auto"
    """The desktop notification escape: OSC 9, OSC 777, auto (by the terminal), off."""
    events: Events = Field(default_factory=lambda: list(ALERT_KINDS))
    """Which alerts ring (default all: failed, stalled, eta_past_window, cutoff_missed, finished)."""


class NotifyCommand(_Strict):
    """A command run on this machine for chosen alerts, the alert in COCKPIT_* environment variables."""

    command: list[str] = Field(min_length=1)
    """The program and its arguments, run without a shell (a path relative to this file, or a name
    looked up in PATH). For a shell, write [sh, -c, 'SCRIPT'] and quote the variables in SCRIPT."""
    events: Events = Field(default_factory=lambda: list(ALERT_KINDS), min_length=1)
    """Which alerts run it (default all)."""
    timeout: Annotated[float, BeforeValidator(_not_bool)] = Field(default=DEFAULT_TIMEOUT, gt=0, le=600)
    """Seconds it may take; then its process group is killed (the run never waits for it)."""
    name: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.@-]+$")
    """How reports and the journal name it (default: its program's file name)."""

    @field_validator("command")
    @classmethod
    def _arguments(cls, argv: list[str]) -> list[str]:
        if not argv[0].strip():
            raise ValueError("the program is empty")
        for i, arg in enumerate(argv):
            if "\x00" in arg:
                raise _at_argument(i, "contains a NUL character")
            found = _PLACEHOLDER.search(arg)
            if found:
                raise _at_argument(
                    i,
                    f"{found.group(0)} is not filled in: the alert reaches the command in environment "
                    f"variables (COCKPIT_TARGET, COCKPIT_EVENT ...), never on its command line",
                )
        shell = PurePath(argv[0]).name in SHELLS and len(argv) >= 3 and argv[1] == "-c"
        for i, arg in enumerate(argv):
            if shell and i == 2:
                continue  # the script: its shell expands the variables
            found = _ENV_REFERENCE.search(arg)
            if found:
                raise _at_argument(
                    i,
                    f"{found.group(0)} is passed as those characters: no shell runs the command. Read the "
                    f"variable in the program, or write [sh, -c, 'SCRIPT'] with \"${found.group(0)[1:].strip('{')}\" "
                    f"quoted in SCRIPT",
                )
        return argv

    @property
    def label(self) -> str:
        return self.name or PurePath(self.command[0]).name


def _at_argument(index: int, message: str) -> CrossRefError:
    """A problem with one argument of `command`: the loader points at that item."""
    return CrossRefError((index,), message)


__all__ = ["DEFAULT_TIMEOUT", "NotifyCommand", "TerminalAlerts"]
