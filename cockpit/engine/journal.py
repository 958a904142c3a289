"""The run journal: SQLite, written as things happen, so a crash (SIGKILL included) loses nothing.

It answers, after a restart: which runs exist, which steps of a run finished (never run again),
which were launched (re-attach at their offset) and which never started. It also keeps every state
change and every operator action with its time, for the record of the window.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cockpit.domain.events import Event, LogLines, RunFinished, RunStarted, TargetChanged

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    runbook TEXT NOT NULL,
    config TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    outcome TEXT
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
    revoked_at REAL
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


@dataclass(frozen=True)
class StepRecord:
    run_id: str
    target: str
    step: str
    host: str
    command: str
    remote_dir: str
    state: str
    phase: int | None
    launched_at: float | None
    started_at: float | None
    finished_at: float | None
    exit_status: int | None
    byte_offset: int
    log_start: int | None
    error: str | None
    reason: str | None


@dataclass(frozen=True)
class FactRecord:
    """Something learnt about a host during a run, e.g. its `oslevel -s` before the migration."""

    run_id: str
    at: float
    host: str
    fact: str
    value: str


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    runbook: str
    config: str
    started_at: float
    finished_at: float | None
    outcome: str | None


_STEP_COLUMNS = ", ".join(StepRecord.__dataclass_fields__)


class Journal:
    """One SQLite file per state directory. Every write is committed at once (WAL keeps it cheap)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.clock = clock
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The SQLite connection, for the modules that keep tables of their own in this file (alerts)."""
        return self._db

    # -- runs ---------------------------------------------------------------------------------
    def start_run(self, run_id: str, runbook: str, config: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO runs (run_id, runbook, config, started_at) VALUES (?, ?, ?, ?)",
            (run_id, runbook, config, self.clock()),
        )

    def finish_run(self, run_id: str, outcome: str) -> None:
        self._db.execute(
            "UPDATE runs SET finished_at = ?, outcome = ? WHERE run_id = ?", (self.clock(), outcome, run_id)
        )

    def runs(self) -> list[RunRecord]:
        rows = self._db.execute(
            "SELECT run_id, runbook, config, started_at, finished_at, outcome FROM runs ORDER BY started_at"
        )
        return [RunRecord(*row) for row in rows]

    def latest_unfinished(self, config: str, runbook: str = "nimadm") -> RunRecord | None:
        # By runbook too: a rollback of a host of this config is a run of its own, never resumed as nimadm.
        row = self._db.execute(
            "SELECT run_id, runbook, config, started_at, finished_at, outcome FROM runs"
            " WHERE config = ? AND runbook = ? AND finished_at IS NULL ORDER BY started_at DESC LIMIT 1",
            (config, runbook),
        ).fetchone()
        return RunRecord(*row) if row else None

    # -- steps --------------------------------------------------------------------------------
    def plan_step(
        self, run_id: str, target: str, step: str, host: str, command: str, remote_dir: str, state: str = "pending"
    ) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO steps (run_id, target, step, host, command, remote_dir, state)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run_id, target, step, host, command, remote_dir, state),
        )

    def target_steps(self, run_id: str, target: str) -> list[StepRecord]:
        # Filtered in SQL: the engine asks this per target at the start of a run, so a Python filter
        # over every step of the run made the start O(targets^2) (0.9 s of blocked loop at 500).
        rows = self._db.execute(
            f"SELECT {_STEP_COLUMNS} FROM steps WHERE run_id = ? AND target = ? ORDER BY rowid", (run_id, target)
        )
        return [StepRecord(*row) for row in rows]

    def update_step(self, run_id: str, target: str, step: str, **fields: Any) -> None:
        if not fields:
            return
        allowed = set(StepRecord.__dataclass_fields__) - {"run_id", "target", "step"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown step fields {sorted(unknown)}")
        assignments = ", ".join(f"{k} = ?" for k in fields)
        self._db.execute(
            f"UPDATE steps SET {assignments} WHERE run_id = ? AND target = ? AND step = ?",
            (*fields.values(), run_id, target, step),
        )

    def steps(self, run_id: str) -> list[StepRecord]:
        rows = self._db.execute(f"SELECT {_STEP_COLUMNS} FROM steps WHERE run_id = ? ORDER BY rowid", (run_id,))
        return [StepRecord(*row) for row in rows]

    def step(self, run_id: str, target: str, step: str) -> StepRecord | None:
        # One row by its primary key (called per step by every target runner).
        row = self._db.execute(
            f"SELECT {_STEP_COLUMNS} FROM steps WHERE run_id = ? AND target = ? AND step = ?", (run_id, target, step)
        ).fetchone()
        return StepRecord(*row) if row else None

    # -- events and actions -------------------------------------------------------------------
    def record_event(
        self, run_id: str, target: str | None, kind: str, detail: dict[str, Any], *, at: float | None = None
    ) -> None:
        """`at`: when it happened, if not now (a phase a resumed run reads late is dated by its host)."""
        self._db.execute(
            "INSERT INTO events (run_id, at, target, kind, detail) VALUES (?, ?, ?, ?, ?)",
            (run_id, self.clock() if at is None else at, target, kind, json.dumps(detail, sort_keys=True)),
        )

    def record_action(self, run_id: str | None, target: str | None, action: str, detail: str, operator: str) -> None:
        self._db.execute(
            "INSERT INTO actions (run_id, at, target, action, detail, operator) VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, self.clock(), target, action, detail, operator),
        )

    # -- host facts -----------------------------------------------------------------------------
    def record_fact(self, run_id: str, host: str, fact: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO host_facts (run_id, at, host, fact, value) VALUES (?, ?, ?, ?, ?)",
            (run_id, self.clock(), host, fact, value),
        )

    def facts(self, host: str, fact: str) -> list[FactRecord]:
        """Every recorded value of `fact` for `host`, most recent first."""
        rows = self._db.execute(
            "SELECT run_id, at, host, fact, value FROM host_facts WHERE host = ? AND fact = ? ORDER BY id DESC",
            (host, fact),
        )
        return [FactRecord(*row) for row in rows]

    def fact(self, host: str, fact: str, run_id: str | None = None) -> FactRecord | None:
        """The most recent value of `fact` for `host` (within `run_id` when given)."""
        return next((f for f in self.facts(host, fact) if run_id is None or f.run_id == run_id), None)

    # -- waivers ------------------------------------------------------------------------------
    def add_waiver(self, check: str, host: str | None, reason: str, operator: str) -> None:
        """An operator accepts a finding with a reason; it stays until revoked (and is in the record)."""
        if not reason.strip():
            raise ValueError("a waiver needs a reason")
        self._db.execute(
            "INSERT INTO waivers (at, check_id, host, reason, operator) VALUES (?, ?, ?, ?, ?)",
            (self.clock(), check, host, reason, operator),
        )
        self.record_action(None, host, "waive", f"{check}: {reason}", operator)

    def revoke_waiver(self, check: str, host: str | None, operator: str) -> None:
        self._db.execute(
            "UPDATE waivers SET revoked_at = ? WHERE check_id = ? AND host IS ? AND revoked_at IS NULL",
            (self.clock(), check, host),
        )
        self.record_action(None, host, "revoke-waiver", check, operator)

    def waivers(self) -> list[tuple[str, str | None, str, str]]:
        """(check, host, reason, operator) of every waiver in force."""
        return list(
            self._db.execute(
                "SELECT check_id, host, reason, operator FROM waivers WHERE revoked_at IS NULL ORDER BY id"
            )
        )

    def events(self, run_id: str) -> Iterator[tuple[float, str | None, str, dict[str, Any]]]:
        for at, target, kind, detail in self._db.execute(
            "SELECT at, target, kind, detail FROM events WHERE run_id = ? ORDER BY id", (run_id,)
        ):
            yield at, target, kind, json.loads(detail)

    def actions(self, run_id: str) -> list[tuple[float, str | None, str, str, str]]:
        return list(
            self._db.execute(
                "SELECT at, target, action, detail, operator FROM actions WHERE run_id = ? ORDER BY id",
                (run_id,),
            )
        )

    # -- read-only queries: the record (`cockpit runs`, `cockpit report`) and the observer ---------
    @classmethod
    def read_only(cls, path: Path) -> Journal:
        """An existing journal opened for reading only (SQLite `mode=ro`): the record and a watching
        cockpit must never write to the journal of a run another process drives. No schema script:
        that would be a write. FileNotFoundError when there is no journal."""
        if not path.is_file():
            raise FileNotFoundError(f"no journal at {path}")
        journal = cls.__new__(cls)
        journal.path = path
        journal.clock = time.time
        uri = f"{path.resolve().as_uri()}?mode=ro"
        journal._db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        return journal

    def run(self, run_id: str) -> RunRecord | None:
        row = self._db.execute(
            "SELECT run_id, runbook, config, started_at, finished_at, outcome FROM runs WHERE run_id = ?", (run_id,)
        ).fetchone()
        return RunRecord(*row) if row else None

    def events_after(self, run_id: str, after_id: int = 0) -> list[EventRecord]:
        """The run's events with an id above `after_id`, in order (the observer polls with the last id)."""
        rows = self._db.execute(
            "SELECT id, at, target, kind, detail FROM events WHERE id > ? AND run_id = ? ORDER BY id",
            (after_id, run_id),
        )
        return [EventRecord(i, at, target, kind, json.loads(detail)) for i, at, target, kind, detail in rows]

    def last_states(self, run_id: str) -> dict[str, dict[str, Any]]:
        """target -> the detail of its latest `state` event (what the engine last said of it)."""
        rows = self._db.execute(
            "SELECT target, detail FROM events WHERE id IN"
            " (SELECT MAX(id) FROM events WHERE run_id = ? AND kind = 'state' GROUP BY target)",
            (run_id,),
        )
        return {target: json.loads(detail) for target, detail in rows}

    def actions_between(self, start: float, end: float | None, *, unattached: bool = True) -> list[ActionRecord]:
        """Actions in [start, end] (end None: up to now); `unattached`: only those of no run (preflight,
        fixes, waivers are journaled before a run exists)."""
        where = "at >= ? AND (? IS NULL OR at <= ?)" + (" AND run_id IS NULL" if unattached else "")
        rows = self._db.execute(
            f"SELECT run_id, at, target, action, detail, operator FROM actions WHERE {where} ORDER BY id",
            (start, end, end),
        )
        return [ActionRecord(*row) for row in rows]

    def run_actions(self, run_id: str) -> list[ActionRecord]:
        rows = self._db.execute(
            "SELECT run_id, at, target, action, detail, operator FROM actions WHERE run_id = ? ORDER BY id", (run_id,)
        )
        return [ActionRecord(*row) for row in rows]

    def waiver_history(self) -> list[WaiverRecord]:
        """Every waiver ever given, revoked ones too (with when), oldest first."""
        rows = self._db.execute(
            "SELECT at, check_id, host, reason, operator, revoked_at FROM waivers ORDER BY id",
        )
        return [WaiverRecord(*row) for row in rows]

    def run_facts(self, run_id: str) -> list[FactRecord]:
        rows = self._db.execute(
            "SELECT run_id, at, host, fact, value FROM host_facts WHERE run_id = ? ORDER BY id", (run_id,)
        )
        return [FactRecord(*row) for row in rows]


class JournalSink:
    """Records the run's state changes (not its log lines: those are in the log files)."""

    def __init__(self, journal: Journal, run_id: str) -> None:
        self.journal = journal
        self.run_id = run_id

    def emit(self, event: Event) -> None:
        if isinstance(event, LogLines):
            return
        if isinstance(event, TargetChanged):
            self.journal.record_event(
                self.run_id,
                event.target,
                "state",
                {
                    "state": event.state.value,
                    "phase": event.phase,
                    "error": event.error,
                    "reason": event.reason,
                    # The engine's own times and step title: a watcher shows what the driver shows.
                    "started_at": event.started_at,
                    "finished_at": event.finished_at,
                    "step": event.step,
                },
                at=event.at,
            )
        elif isinstance(event, RunStarted):
            self.journal.record_event(self.run_id, None, "run-started", {"targets": list(event.targets)})
        elif isinstance(event, RunFinished):
            self.journal.record_event(
                self.run_id,
                None,
                "run-finished",
                {"succeeded": list(event.succeeded), "failed": list(event.failed)},
            )


@dataclass(frozen=True)
class EventRecord:
    """One row of the events table, its detail decoded."""

    id: int
    at: float
    target: str | None
    kind: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class ActionRecord:
    run_id: str | None
    at: float
    target: str | None
    action: str
    detail: str
    operator: str


@dataclass(frozen=True)
class WaiverRecord:
    at: float
    check: str
    host: str | None
    reason: str
    operator: str
    revoked_at: float | None
