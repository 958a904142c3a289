"""`cockpit explain CODE` / `cockpit explain --list [--format text|json]`: the message catalogue.

One entry: the message's text (exact, partial or the simulator's own), what it means in a migration,
how bad it is (and when that depends on context), the fix with its commands, and the public sources to
check it against. Exit status: 0 printed; 2 an unknown or malformed code (one line on stderr).
Headless: imports no Textual.

JSON (`--format json`) is stable: keys are only ever added. `--list` prints
`{"count": N, "messages": [ENTRY, ...]}`, one CODE prints ENTRY (or, when the simulator also prints that
code, `{"count": 2, "messages": [...]}` with the real entry first). ENTRY is
`{"code", "family", "text", "text_status", "simulated", "severity", "when", "meaning", "fix",
"commands": [{"on", "command"}], "sources": [{"key", "title", "url"}]}`.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, TextIO

from cockpit.domain import catalogue
from cockpit.domain.catalogue import Entry

EXIT_OK, EXIT_USAGE = 0, 2
FORMATS = ("text", "json")
_WIDTH = 100
_CODE_SHAPE = re.compile(r"[01]\d{3}-\d{3,4}")
_STATUS_WORDS = {
    "exact": "exact text",
    "partial": "partial text: only what a public source shows (values as <name>, cut as ...)",
    "simulated": "(simulated) the cockpit simulator's own message, never printed by a real host",
}


def listed() -> list[Entry]:
    """Every entry `--list` prints: the real messages by code, then the uncoded lines, then the simulator's."""
    coded = sorted((e for e in catalogue.ENTRIES if e.code), key=lambda e: str(e.code))
    uncoded = [e for e in catalogue.ENTRIES if not e.code]
    return [*coded, *uncoded, *sorted(catalogue.SIMULATED, key=lambda e: str(e.code))]


def run(
    code: str | None,
    *,
    list_all: bool = False,
    fmt: str = "text",
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    if fmt not in FORMATS:
        print(f"cockpit: explain: unknown format {fmt!r} (use text or json)", file=err)
        return EXIT_USAGE
    if list_all == (code is not None):
        print("cockpit: explain: give one message code (e.g. 0516-404) or --list", file=err)
        return EXIT_USAGE
    if list_all:
        entries = listed()
    else:
        assert code is not None
        wanted = code.strip()
        if not _CODE_SHAPE.fullmatch(wanted):
            print(
                f"cockpit: explain: {code!r} is not an AIX message code (four digits, a dash, three or four)", file=err
            )
            return EXIT_USAGE
        entries = catalogue.explain(wanted)
        if not entries:
            real = sum(1 for e in catalogue.ENTRIES if e.code)
            print(
                f"cockpit: explain: {wanted} is not in the catalogue ({real} AIX messages: cockpit explain --list)",
                file=err,
            )
            return EXIT_USAGE
    if fmt == "json":
        doc: Any = (
            entry_dict(entries[0])
            if not list_all and len(entries) == 1
            else {"count": len(entries), "messages": [entry_dict(e) for e in entries]}
        )
        out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    elif list_all:
        out.write(render_list(entries))
    else:
        out.write("\n".join(render_entry(e) for e in entries))
    return EXIT_OK


def entry_dict(e: Entry) -> dict[str, Any]:
    return {
        "code": e.code,
        "family": e.family,
        "text": e.text,
        "text_status": e.text_status,
        "simulated": e.simulated,
        "severity": e.severity,
        "when": e.when,
        "meaning": e.meaning,
        "fix": e.fix,
        "commands": [{"on": s.on, "command": s.command} for s in e.steps],
        "sources": [
            {"key": key, "title": catalogue.SOURCES[key].title, "url": catalogue.SOURCES[key].url} for key in e.sources
        ],
    }


def render_entry(e: Entry) -> str:
    head = f"{e.code or '(no code)'}  {e.family} · {e.severity}"
    lines = [head + ("  (simulated)" if e.simulated else "")]
    text = e.text.split("\n")
    lines.append(f"text:     {text[0]}")
    lines += [f"          {more.strip()}" for more in text[1:]]
    lines.append(f"          ({_STATUS_WORDS[e.text_status]})")
    lines += _wrapped("meaning:  ", e.meaning)
    if e.when:
        lines += _wrapped("context:  ", e.when)
    if e.fix:
        lines += _wrapped("fix:      ", e.fix)
    lines += [f"            [{s.on}] {s.command}" for s in e.steps]
    if e.sources:
        lines.append("sources:")
        for key in e.sources:
            src = catalogue.SOURCES[key]
            lines.append(f"          {src.title}")
            lines.append(f"            {src.url}")
    else:
        lines.append("sources:  none: the simulator's own words")
    return "\n".join(lines) + "\n"


def render_list(entries: Sequence[Entry]) -> str:
    real = sum(1 for e in entries if e.code and not e.simulated)
    lines = [f"{real} AIX messages, {sum(1 for e in entries if e.simulated)} simulator messages (cockpit explain CODE)"]
    for e in entries:
        first = e.text.split("\n")[0]
        mark = {"exact": " ", "partial": "~", "simulated": "s"}[e.text_status]
        lines.append(f"{e.code or '(line)':<10} {e.severity:<7} {mark} {first}")
    lines.append("~ partial text (only what a public source shows)   s simulator's own message")
    return "\n".join(lines) + "\n"


def _wrapped(label: str, text: str) -> list[str]:
    return textwrap.wrap(text, width=_WIDTH, initial_indent=label, subsequent_indent=" " * len(label))
