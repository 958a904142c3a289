"""A state directory of an older cockpit opens fine: its journal is migrated once when opened for
writing, and read as it is (never written) when opened read-only."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path

from cockpit.domain.preflight.waiving import LEGACY_LIFETIME
from cockpit.engine.journal import SCHEMA_VERSION, Journal

# The tables as the cockpit wrote them before runs had a kind and waivers expired (schema version 0).
OLD_SCHEMA = """
CREATE TABLE runs (run_id TEXT PRIMARY KEY, runbook TEXT NOT NULL, config TEXT NOT NULL,
    started_at REAL NOT NULL, finished_at REAL, outcome TEXT);
CREATE TABLE steps (run_id TEXT NOT NULL, target TEXT NOT NULL, step TEXT NOT NULL, host TEXT NOT NULL,
    command TEXT NOT NULL, remote_dir TEXT NOT NULL, state TEXT NOT NULL, phase INTEGER, launched_at REAL,
    started_at REAL, finished_at REAL, exit_status INTEGER, byte_offset INTEGER NOT NULL DEFAULT 0,
    log_start INTEGER, error TEXT, reason TEXT, PRIMARY KEY (run_id, target, step));
CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, at REAL NOT NULL,
    target TEXT, kind TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE waivers (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, check_id TEXT NOT NULL,
    host TEXT, reason TEXT NOT NULL, operator TEXT NOT NULL, revoked_at REAL);
CREATE TABLE actions (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT, at REAL NOT NULL, target TEXT,
    action TEXT NOT NULL, detail TEXT NOT NULL, operator TEXT NOT NULL);
CREATE TABLE host_facts (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, at REAL NOT NULL,
    host TEXT NOT NULL, fact TEXT NOT NULL, value TEXT NOT NULL);
"""


def old_journal(path: Path, now: float) -> Path:
    db = sqlite3.connect(path)
    db.executescript(OLD_SCHEMA)
    db.executemany(
        "INSERT INTO runs VALUES (?, ?, 'cfg', ?, ?, ?)",
        [
            ("r1", "nimadm", now - 7200, now - 3600, "succeeded"),
            ("rollback-r2", "rollback", now - 3000, now - 2900, "proposed"),
            ("r3", "linuxha-backout", now - 2000, now - 1900, "succeeded"),
        ],
    )
    db.executemany(
        "INSERT INTO waivers (at, check_id, host, reason, operator, revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (now - 2 * LEGACY_LIFETIME, "devices.ghost_major", "lpar05", "long ago", "ops", None),
            (now - 60, "nimsh.active", None, "every host, a minute ago", "ops", None),
        ],
    )
    db.commit()
    db.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_old_journal_reads_read_only_as_if_migrated_and_is_not_written(tmp_path: Path) -> None:
    now = time.time()
    path = old_journal(tmp_path / "journal.sqlite", now)
    before = digest(path)
    journal = Journal.read_only(path)
    try:
        assert [(r.run_id, r.kind) for r in journal.runs()] == [
            ("r1", "migration"),
            ("rollback-r2", "rollback"),
            ("r3", "rollback"),
        ]
        assert [r.run_id for r in journal.runs("migration")] == ["r1"]
        old, recent = journal.waiver_history()
        assert old.expires_at == old.at + LEGACY_LIFETIME and old.key is None and old.revoked_by is None
        assert [w.check for w in journal.waivers(now)] == ["nimsh.active"]  # the old one has expired
        assert recent.host is None and recent.state(now) == "in force" and old.state(now) == "expired"
    finally:
        journal.close()
    assert digest(path) == before


def test_an_old_journal_is_migrated_once_when_opened_for_writing(tmp_path: Path) -> None:
    now = time.time()
    path = old_journal(tmp_path / "journal.sqlite", now)
    journal = Journal(path)
    try:
        assert journal._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [r.kind for r in journal.runs()] == ["migration", "rollback", "rollback"]
        assert [w.check for w in journal.waivers(now)] == ["nimsh.active"]
        # Written from here with the new columns; a second open changes nothing.
        journal.start_run("r4", "nimadm", "cfg")
        given = journal.add_waiver("nimsh.active", "lpar03", "why", "ops", expires_at=now + 60, key="SHA256:k")
        assert journal.waiver(given.id) == given
        assert journal.revoke_waiver(given.id, "auditor") and not journal.revoke_waiver(given.id, "auditor")
    finally:
        journal.close()
    again = Journal(path)
    try:
        assert [r.run_id for r in again.runs()] == ["r1", "rollback-r2", "r3", "r4"]
        revoked = again.waiver_history()[-1]
        assert (revoked.key, revoked.revoked_by, revoked.state(now)) == ("SHA256:k", "auditor", "revoked")
    finally:
        again.close()
