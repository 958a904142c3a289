"""Helpers every parser shares: line splitting that survives CRLF, and locale-tolerant numbers."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^([0-9]+)(?:[.,]([0-9]+))?$")


class ParseError(ValueError):
    """The text is not what the command prints (wrong command, truncated, an error message)."""


def lines(text: str) -> list[str]:
    """Lines without their end (LF, CRLF or CR) and without trailing blanks."""
    return [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def number(token: str) -> float:
    """`64`, `64.5` or `64,5` (comma decimal separator of many locales)."""
    m = _NUMBER.fullmatch(token.strip())
    if not m:
        raise ParseError(f"{token!r} is not a number")
    whole, fraction = m.groups()
    return float(f"{whole}.{fraction}") if fraction else float(whole)


def first_line(text: str) -> str:
    """The first non-blank line (for summaries of error output)."""
    for line in lines(text):
        if line.strip():
            return line.strip()
    return ""
