"""The journal's tables, and the migration of a journal an older cockpit wrote.

`PRAGMA user_version` says which schema a journal has. An older one is migrated when a cockpit opens
it for writing (old state directories open as before); opened read-only (`cockpit report`, `watch`)
it is never written: its rows are read as the migration would have written them.
"""

from __future__ import annotations

import sqlite3

from cockpit.domain.preflight.waiving import LEGACY_LIFETIME

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    runbook TEXT NOT NULL,
    config TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    outcome TEXT,
    kind TEXT
);
CREATE TABLE IF NOT EXISTS steps (
    run_id TEXT NOT NULL,
    target TEXT NOT NULL,
    step TEXT NOT NULL,
    host TEXT NOT NULL,
    command TEXT NOT NULL,
    remote_dir TEXT NOT NULL,
    state TEXT NOT NULL,
    phase INTEGER,
    launched_at REAL,
    started_at REAL,
    finished_at REAL,
    exit_status INTEGER,
    byte_offset INTEGER NOT NULL DEFAULT 0,
    log_start INTEGER,
    error TEXT,
    reason TEXT,
    PRIMARY KEY (run_id, target, step)  -- also the index of step() and target_steps() lookups
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    at REAL NOT NULL,
    target TEXT,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS waivers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    check_id TEXT NOT NULL,
    host TEXT,
    reason TEXT NOT NULL,
    operator TEXT NOT NULL,
    revoked_at REAL,
    expires_at REAL,
    key TEXT,
    revoked_by TEXT
);
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT,
    at REAL NOT NULL,
    target TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    operator TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS host_facts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    at REAL NOT NULL,
    host TEXT NOT NULL,
    fact TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS host_facts_by_host ON host_facts (host, fact);
"""

SCHEMA_VERSION = 1
"""PRAGMA user_version of a journal this code writes. 0: before runs had a kind and waivers expired."""
# Columns added since version 0, with what a version-0 row means in them (the migration writes
# these values; a read-only journal of version 0 reads them as these expressions instead).
ADDED_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "runs": {
        "kind": (
            "TEXT",
            "CASE WHEN runbook = 'rollback' OR runbook LIKE '%-backout' THEN 'rollback' ELSE 'migration' END",
        ),
    },
    "waivers": {
        "expires_at": ("REAL", f"at + {LEGACY_LIFETIME!r}"),
        "key": ("TEXT", "NULL"),
        "revoked_by": ("TEXT", "NULL"),
    },
}


def migrate(db: sqlite3.Connection) -> None:
    """Bring a journal to SCHEMA_VERSION, once.

    In one write transaction that reads the version again: two cockpits opening the same old journal
    at once migrate it once.
    """
    if _version(db) >= SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if _version(db) < 1:
            for table, added in ADDED_COLUMNS.items():
                have = _columns(db, table)
                for column, (kind, _) in added.items():
                    if column not in have:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
                for column, (_, old_value) in added.items():
                    db.execute(f"UPDATE {table} SET {column} = {old_value} WHERE {column} IS NULL")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def column_expressions(db: sqlite3.Connection) -> dict[str, str]:
    """`table.column` -> the SQL that reads it: the column, or what an old journal's rows mean."""
    exprs: dict[str, str] = {}
    for table, added in ADDED_COLUMNS.items():
        have = _columns(db, table)
        for column, (_, old_value) in added.items():
            exprs[f"{table}.{column}"] = column if column in have else f"{old_value} AS {column}"
    return exprs


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in db.execute(f"PRAGMA table_info({table})")}
