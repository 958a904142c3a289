"""`cockpit runs CONFIG [--format text|json]`: the runs of the config's journal, newest first.

Read-only, like `cockpit report`: it may be run while a run goes on.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import TextIO

from cockpit.commands.report import EXIT_OK, EXIT_USAGE, ReportError, open_journal, summaries
from cockpit.domain.report import runs_json, runs_text


def run(state_dir: Path, fmt: str, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        journal = open_journal(state_dir)
    except ReportError as exc:
        err.write(f"cockpit: runs: {exc}\n")
        return EXIT_USAGE
    try:
        found = summaries(journal)
    finally:
        with contextlib.suppress(Exception):
            journal.close()
    out.write(json.dumps(runs_json(found), indent=2) + "\n" if fmt == "json" else runs_text(found))
    return EXIT_OK
