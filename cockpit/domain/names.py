"""Validation and quoting of every value that reaches a remote shell.

A value from a config file or an operator is first checked against the shape AIX allows for it
(a disk is `hdisk<N>`, a NIM object name is letters, digits and `._-`), and then quoted with
`shlex.quote` when a command line is built. Either step alone would do today; both together mean a
future looser pattern still cannot inject.
"""

from __future__ import annotations

import re
import shlex

# NIM object names: AIX allows letters, digits, underscore, hyphen, dot; must not start with '-'.
NIM_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,38}$")
# AIX physical volume names as lspv prints them.
DISK_NAME = re.compile(r"^hdisk[0-9]{1,5}$")
# Volume group names: up to 15 characters (AIX limit), letters, digits, underscore, dot, hyphen.
VG_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,14}$")
# Host names and addresses (DNS names, IPv4, bracket-free IPv6).
HOST_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:\-]{0,252}$")
USER_NAME = re.compile(r"^[a-z_][a-z0-9_.\-]{0,31}$")
# An AIX level as `oslevel -s` prints it, or its prefix: VR00-TL, VR00-TL-SP or VR00-TL-SP-YYWW
# (7300-02, 7300-02-01, 7300-02-01-2346), the shape cockpit.domain.preflight.parsers.oslevel reads.
AIX_LEVEL = re.compile(r"^[0-9][0-9]00-[0-9]{2}(-[0-9]{2}(-[0-9]{4})?)?$")


class UnsafeValue(ValueError):
    """A value that does not have the shape its kind allows; it never reaches a shell."""


def check(kind: str, value: str, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise UnsafeValue(f"{kind} {value!r} is not a valid {kind} (allowed: {pattern.pattern})")
    return value


def nim_name(value: str) -> str:
    return check("NIM object name", value, NIM_NAME)


def disk_name(value: str) -> str:
    return check("disk name", value, DISK_NAME)


def vg_name(value: str) -> str:
    return check("volume group name", value, VG_NAME)


def quote(value: str) -> str:
    """Quote one argument for a POSIX shell (AIX ksh included)."""
    return shlex.quote(value)


def command_line(*argv: str) -> str:
    """Join already validated arguments into one safely quoted command line."""
    return " ".join(quote(a) for a in argv)
