"""Judging a runbook step from its output and exit status (the steps that have no parser of their own).

A runbook says how a step's success shows: exit statuses, lines that must appear, lines that mean
failure whatever the status (`rpm` prints `error: Failed dependencies:` and may still exit 0 in some
versions), or no output at all (`oslevel -l 4.3.3.0` lists the filesets below the level). The judge
sees the lines as they stream, so a 100,000-line step is never held in memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class StepCheck:
    exit_codes: tuple[int, ...] = (0,)
    output: tuple[re.Pattern[str], ...] = ()
    """Each must match at least one line."""
    fail_output: tuple[re.Pattern[str], ...] = ()
    """A line matching any of these fails the step; the first such line is the error shown."""
    empty: bool = False
    """The step must print nothing but blank lines."""


@dataclass
class StepJudge:
    """Feed it every line of one step's output, then ask for the verdict with the exit status."""

    check: StepCheck
    seen: list[bool] = field(default_factory=list)
    fail_lines: list[str] = field(default_factory=list)
    first_line: str | None = None
    last_line: str | None = None
    lines: int = 0

    def __post_init__(self) -> None:
        self.seen = [False] * len(self.check.output)
        self._unseen = list(range(len(self.check.output)))
        self._fail = _any(self.check.fail_output)

    def feed(self, line: str) -> None:
        # Runs for every line a step prints, on the event loop that also draws the screen: one
        # search for all the failure patterns, and only the output patterns not matched yet.
        text = line.rstrip("\r\n")
        stripped = text.strip()
        if not stripped:
            return
        self.lines += 1
        if self.first_line is None:
            self.first_line = stripped
        self.last_line = stripped
        if self._unseen:
            output = self.check.output
            for i in [i for i in self._unseen if output[i].search(text)]:
                self.seen[i] = True
                self._unseen.remove(i)
        # The first failing line is the error; an indented one after it is its detail (rpm: what is missing).
        wanted = not self.fail_lines or (len(self.fail_lines) == 1 and text[:1].isspace())
        if wanted and self._fail is not None and self._fail.search(text):
            self.fail_lines.append(stripped)

    def error(self, exit_status: int) -> str | None:
        """None when the step succeeded, else the sentence that says why not."""
        if self.fail_lines:
            # rpm says `error: Failed dependencies:` and then, indented, what is missing: both make the message.
            return " ".join(self.fail_lines)
        if exit_status not in self.check.exit_codes:
            tail = f": {self.last_line}" if self.last_line else ""
            return f"exited with status {exit_status}{tail}"
        missing = [p.pattern for p, hit in zip(self.check.output, self.seen, strict=True) if not hit]
        if missing:
            got = f"; the last line was: {self.last_line}" if self.last_line else "; it printed nothing"
            return f"expected output matching {missing[0]!r} was not printed{got}"
        if self.check.empty and self.lines:
            return f"expected no output, got {self.lines} line(s), the last: {self.last_line}"
        return None


class _Search(Protocol):
    """What the judge asks of a pattern: whether it occurs in a line (a regex, or several)."""

    def search(self, text: str, /) -> object: ...


def _any(patterns: tuple[re.Pattern[str], ...]) -> _Search | None:
    """One regex matching where any of `patterns` would (a leading `(?i)` becomes a scoped `(?i:...)`)."""
    if not patterns:
        return None
    parts = []
    for p in patterns:
        text = p.pattern
        flags = re.match(r"^\(\?([aiLmsux]+)\)", text)
        parts.append(f"(?{flags.group(1)}:{text[flags.end() :]})" if flags else f"(?:{text})")
    try:
        return re.compile("|".join(parts))
    except re.error:  # a pattern that does not combine: fall back to one search each
        return _Each(patterns)


class _Each:
    def __init__(self, patterns: tuple[re.Pattern[str], ...]) -> None:
        self.patterns = patterns

    def search(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)
