"""The alerts of each run in the journal: what was told, when, on which channel, and how it went.

Two tables of their own in the journal's SQLite file. A journal written before alerts existed gets
them when a cockpit opens it to run (CREATE TABLE IF NOT EXISTS: nothing else in the file changes,
whatever version of the other tables it has); opened read-only (`cockpit report`), a journal without
them simply has no alerts.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from cockpit.engine.journal import Journal

SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    at REAL NOT NULL,
    event TEXT NOT NULL,
    targets TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_by_run ON alerts (run_id);
CREATE TABLE IF NOT EXISTS alert_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id INTEGER NOT NULL REFERENCES alerts (id),
    channel TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_deliveries_by_alert ON alert_deliveries (alert_id);
"""


@dataclass(frozen=True)
class DeliveryRecord:
    channel: str
    """`bell`, `desktop`, `notify mail.sh` ..."""
    outcome: str
    """`sent`, `ok`, `queued`, `running`, `failed: exit 1: ...`, `timed out after 30s: killed`, `dropped ...`."""
    at: float
    """When the outcome was known."""


@dataclass(frozen=True)
class AlertRecord:
    id: int
    run_id: str
    at: float
    event: str
    targets: tuple[str, ...]
    summary: str
    deliveries: tuple[DeliveryRecord, ...]


class AlertJournal:
    """The alerts tables of `journal`. `writable`: create them if the journal predates them."""

    def __init__(self, journal: Journal, *, writable: bool = True) -> None:
        self._db = journal.connection
        self._clock = journal.clock
        if writable:
            self._db.executescript(SCHEMA)

    def record(self, run_id: str, at: float, event: str, targets: tuple[str, ...], summary: str) -> int:
        cursor = self._db.execute(
            "INSERT INTO alerts (run_id, at, event, targets, summary) VALUES (?, ?, ?, ?, ?)",
            (run_id, at, event, " ".join(targets), summary),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def delivery(self, alert_id: int, channel: str, outcome: str) -> int:
        cursor = self._db.execute(
            "INSERT INTO alert_deliveries (alert_id, channel, outcome, at) VALUES (?, ?, ?, ?)",
            (alert_id, channel, outcome, self._clock()),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def settle(self, delivery_id: int, outcome: str) -> None:
        """The outcome of a delivery that was queued or running."""
        self._db.execute(
            "UPDATE alert_deliveries SET outcome = ?, at = ? WHERE id = ?", (outcome, self._clock(), delivery_id)
        )

    def alerts(self, run_id: str) -> list[AlertRecord]:
        """The run's alerts in the order they were told, each with its deliveries."""
        if not self._has_tables():
            return []
        deliveries: dict[int, list[DeliveryRecord]] = {}
        for alert_id, channel, outcome, at in self._db.execute(
            "SELECT d.alert_id, d.channel, d.outcome, d.at FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id"
            " WHERE a.run_id = ? ORDER BY d.id",
            (run_id,),
        ):
            deliveries.setdefault(alert_id, []).append(DeliveryRecord(channel, outcome, at))
        rows = self._db.execute(
            "SELECT id, run_id, at, event, targets, summary FROM alerts WHERE run_id = ? ORDER BY id", (run_id,)
        )
        return [
            AlertRecord(i, run, at, event, tuple(targets.split()), summary, tuple(deliveries.get(i, ())))
            for i, run, at, event, targets, summary in rows
        ]

    def told(self, run_id: str) -> list[tuple[str | None, str]]:
        """(target, event) of every alert told in the run (None: the run itself)."""
        keys: list[tuple[str | None, str]] = []
        for alert in self.alerts(run_id):
            keys += [(t, alert.event) for t in alert.targets] or [(None, alert.event)]
        return keys

    def _has_tables(self) -> bool:
        try:
            row = self._db.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('alerts', 'alert_deliveries')"
            ).fetchone()
        except sqlite3.Error:
            return False
        return bool(row and row[0] == 2)


__all__ = ["AlertJournal", "AlertRecord", "DeliveryRecord"]
