"""The journal's SQLite connection, with its failures put in the operator's words.

A journal that is not a database, is damaged, or sits on a full disk is an environment fault: the
command says which file and what is wrong in one line (exit 2), never "internal error". During a run
(StorageHealth.tolerate) a failed write is recorded and told instead, and the run goes on following
its hosts (see engine/storage.py); reads still raise, there is nothing sensible to answer with.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cockpit.engine.storage import StorageHealth

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class JournalError(Exception):
    """The journal file cannot be used; the message names it and says why (one line)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"the journal {path} cannot be used: {reason}")
        self.path = path
        self.reason = reason


def reason(exc: sqlite3.Error) -> str:
    text = str(exc) or type(exc).__name__
    if "not a database" in text or "malformed" in text:
        return f"{text} (damaged or not a cockpit journal: move it aside to start a new one)"
    if "no such table" in text:
        return f"{text} (a SQLite file, but not a cockpit journal)"
    return text


class _NoRows:
    """What a tolerated failed write returns: a cursor with nothing in it."""

    def fetchone(self) -> None:
        return None

    def fetchall(self) -> list[Any]:
        return []

    def __iter__(self) -> Iterator[Any]:
        return iter(())


class GuardedConnection:
    """`execute` / `executescript` / `close` of a sqlite3 connection, raising JournalError."""

    def __init__(self, path: Path, db: sqlite3.Connection, health: StorageHealth | None = None) -> None:
        self.path = path
        self._db = db
        self.health = health

    @classmethod
    def open(cls, path: Path, target: str, *, uri: bool, health: StorageHealth | None = None) -> GuardedConnection:
        try:
            db = sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise JournalError(path, reason(exc)) from None
        return cls(path, db, health)

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        try:
            return self._db.execute(sql, params)
        except sqlite3.Error as exc:
            health = self.health
            if health is not None and health.tolerate and sql.lstrip().upper().startswith(_WRITES):
                health.failed(
                    str(self.path),
                    reason(exc),
                    "the hosts are still followed; this run's record misses what happens from now on",
                )
                return _NoRows()
            raise JournalError(self.path, reason(exc)) from None

    def executescript(self, script: str) -> None:
        try:
            self._db.executescript(script)
        except sqlite3.Error as exc:
            raise JournalError(self.path, reason(exc)) from None

    @property
    def raw(self) -> sqlite3.Connection:
        return self._db

    def close(self) -> None:
        self._db.close()
