"""Command templates of runbooks: `{name}` placeholders filled with validated, quoted values.

A runbook step says `alt_disk_copy -d {disk} -P 1`; the plan says `disk: hdisk1`. Every value is
first checked against the shape of its parameter type (a disk is `hdisk<N>`, a path is a plain
absolute path ...) and then quoted with shlex, so a value from a config file can never become shell
syntax. Two placeholder forms exist:

- `{name}`      the value, quoted; an unset value is an error (the step cannot run without it);
- `{-j name}`   `-j 'value'` when the value is set, nothing when it is not (optional flags; the
                blank before it goes with it).

Everything else is the runbook's text, verbatim: a run of blanks or a tab inside a quoted awk, grep
or printf argument is part of the command and reaches the host as written.

In success patterns (regular expressions) `{name}` becomes the value escaped for a regex instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cockpit.domain import names

PLACEHOLDER = re.compile(r"\{(?:(-[A-Za-z0-9][A-Za-z0-9-]*) )?([a-z][a-z0-9_]*)\}")
_SLOT = re.compile(r"( ?)" + PLACEHOLDER.pattern)
"""A placeholder with the one blank before it (an unset optional flag takes its blank with it)."""

# The shapes a runbook parameter may take. Each is strict on purpose: values reach a remote shell.
PARAM_TYPES: Mapping[str, re.Pattern[str]] = {
    "name": names.NIM_NAME,
    "disk": names.DISK_NAME,
    "disks": re.compile(r"^hdisk[0-9]{1,5}( hdisk[0-9]{1,5}){0,15}$"),
    "vg": names.VG_NAME,
    "path": re.compile(r"^/(?!.*/\.\./)(?!.*/\.\.$)[A-Za-z0-9_.\-/]{0,1023}$"),
    # A path or a plain name (alt_disk_copy -b takes a bundle file or a keyword such as update_all).
    "file": re.compile(r"^(?!.*/\.\./)(?!.*/\.\.$)[A-Za-z0-9_/][A-Za-z0-9_.\-/]{0,1023}$"),
    "version": re.compile(r"^[0-9][0-9A-Za-z.\-_]{0,31}$"),
    "word": re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$"),
    "number": re.compile(r"^[0-9]{1,9}$"),
}


class TemplateError(ValueError):
    """A template names a value that is not set, or a value has the wrong shape."""


def check_value(kind: str, value: str, *, param: str = "value") -> str:
    """Return `value` (blank-normalised for disk lists) if it has the shape of `kind`, else raise."""
    pattern = PARAM_TYPES.get(kind)
    if pattern is None:
        raise TemplateError(f"unknown parameter type {kind!r} (known: {', '.join(PARAM_TYPES)})")
    text = " ".join(value.split()) if kind == "disks" else value
    if not isinstance(text, str) or not pattern.fullmatch(text):
        raise TemplateError(f"{param} {value!r} is not a valid {kind} (allowed: {pattern.pattern})")
    return text


def placeholders(template: str) -> list[str]:
    """Names used by `template`, in order."""
    return [m.group(2) for m in PLACEHOLDER.finditer(template)]


def render(template: str, values: Mapping[str, str | None]) -> str:
    """Fill a command template; every value is quoted, every other character is kept as written.
    Values must already be shape-checked."""

    def fill(match: re.Match[str]) -> str:
        blank, flag, name = match.group(1), match.group(2), match.group(3)
        if name not in values:
            raise TemplateError(f"the command uses {{{name}}} but no such parameter is declared")
        value = values[name]
        if value is None or value == "":
            if flag:
                return ""
            raise TemplateError(f"the command needs {name!r} but the plan does not set it")
        quoted = names.quote(value)
        return blank + (f"{flag} {quoted}" if flag else quoted)

    return _SLOT.sub(fill, template)


def render_pattern(pattern: str, values: Mapping[str, str | None]) -> re.Pattern[str]:
    """Compile a success pattern after replacing `{name}` with the regex-escaped value."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        value = values.get(name)
        if value is None:
            raise TemplateError(f"the pattern uses {{{name}}} but it is not set")
        return re.escape(value)

    return re.compile(PLACEHOLDER.sub(fill, pattern))
