"""`cockpit waivers CONFIG [--format text|json] [--revoke CHECK@HOST ...]`: the waivers of CONFIG's
journal (in force, expired, revoked) with who gave them, with which SSH key, why and until when.

Listing opens the journal read-only (it may run while a run goes on). `--revoke` names the check and
the host as `cockpit check --waive` did (`CHECK@*` for a waiver of every host); every name is checked
before anything is revoked (exit 2, nothing changed), and the revocation is journaled with who did it.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from cockpit.commands.exits import EXIT_OK, UsageError
from cockpit.config import Config
from cockpit.config.loader import load_config
from cockpit.domain.preflight.waiving import WaiverError, stamp, waiver_label
from cockpit.domain.printable import printable
from cockpit.domain.report import iso
from cockpit.engine.journal import Journal, WaiverRecord
from cockpit.engine.waivers import WaiverRules, Waivers, operator

STATES = {"in force": "in_force", "expired": "expired", "revoked": "revoked"}
"""A waiver's state as the text shows it -> as the JSON says it."""


def main(path: Path, fmt: str, revoke: list[str]) -> int:
    config = load_config(path)  # a bad config: one line per problem, exit 2 (cockpit.cli.main)
    return run(config, fmt, revoke)


def run(config: Config, fmt: str, revoke: list[str], *, out: TextIO | None = None, by: str | None = None) -> int:
    out = out or sys.stdout
    path = config.state_dir / "journal.sqlite"
    revoked: list[WaiverRecord] = []
    if revoke:
        try:
            for text in revoke:  # every name first: a typo revokes nothing (and writes nothing)
                WaiverRules(config).target(text)
        except WaiverError as exc:
            raise UsageError(f"waivers: {exc}") from exc
        journal = Journal(path)
        try:
            book = Waivers(config, journal)
            try:
                revoked = book.revoke(revoke, by=by or operator())
            except WaiverError as exc:
                raise UsageError(f"waivers: {exc}") from exc
            history = book.history()
        finally:
            journal.close()
    else:
        history = _read(path)
    now = time.time()
    if fmt == "json":
        out.write(json.dumps(to_json(history, now), indent=2) + "\n")
        return EXIT_OK
    for w in revoked:
        out.write(f"revoked {waiver_label(w.check, w.host)} (given by {w.operator} at {stamp(w.at)})\n")
    out.write(to_text(history, now))
    return EXIT_OK


def _read(path: Path) -> list[WaiverRecord]:
    """Every waiver of the journal, read-only; none when there is no journal yet."""
    try:
        journal = Journal.read_only(path)
    except FileNotFoundError:
        return []
    try:
        return journal.waiver_history()
    finally:
        with contextlib.suppress(Exception):
            journal.close()


def to_text(history: list[WaiverRecord], now: float) -> str:
    if not history:
        return "no waivers in this journal\n"
    rows = [("WAIVER", "STATE", "GIVEN", "BY", "KEY", "UNTIL", "REASON")]
    for w in history:
        state = w.state(now)
        if w.revoked_at is not None:
            state = f"revoked {stamp(w.revoked_at)} by {w.revoked_by or '?'}"
        rows.append(
            (
                waiver_label(w.check, w.host),
                state,
                stamp(w.at),
                printable(w.operator),
                w.key or "-",
                stamp(w.expires_at),
                printable(w.reason),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join([*(c.ljust(n) for c, n in zip(row, widths, strict=False)), row[-1]]) for row in rows]
    return "".join(line.rstrip() + "\n" for line in lines)


def to_json(history: list[WaiverRecord], now: float) -> dict[str, Any]:
    """Stable: keys are only ever added. Times ISO 8601 with the local offset."""
    return {
        "now": iso(now),
        "waivers": [
            {
                "id": w.id,
                "check": w.check,
                "host": w.host,
                "every_host": w.host is None,
                "state": STATES[w.state(now)],
                "reason": printable(w.reason),
                "given_at": iso(w.at),
                "given_by": printable(w.operator),
                "key": w.key,
                "expires_at": iso(w.expires_at),
                "revoked_at": iso(w.revoked_at),
                "revoked_by": w.revoked_by,
            }
            for w in history
        ],
    }
