"""Waivers live in the state directory's journal, so `check`, `run` and the TUI see the same ones."""

from __future__ import annotations

import getpass
from pathlib import Path

from cockpit.domain.preflight import Waiver
from cockpit.engine.journal import Journal


def operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def load_waivers(state_dir: Path) -> list[Waiver]:
    journal = Journal(state_dir / "journal.sqlite")
    try:
        return [Waiver(check=c, reason=r, host=h, by=o) for c, h, r, o in journal.waivers()]
    finally:
        journal.close()


def add_waiver(state_dir: Path, waiver: Waiver) -> None:
    journal = Journal(state_dir / "journal.sqlite")
    try:
        journal.add_waiver(waiver.check, waiver.host, waiver.reason, waiver.by or operator())
    finally:
        journal.close()
