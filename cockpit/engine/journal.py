"""The run journal: SQLite, written as things happen, so a crash (SIGKILL included) loses nothing.

It answers, after a restart: which runs exist, which steps of a run finished (never run again),
which were launched (re-attach at their offset) and which never started. It also keeps every state
change and every operator action with its time, for the record of the window.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cockpit.domain.events import Event, LogLines, RunFinished, RunStarted, TargetChanged
from cockpit.engine import state_dir
from cockpit.engine.journal_db import GuardedConnection, JournalError, reason
from cockpit.engine.journal_records import (
    MIGRATION,
    ROLLBACK,
    ActionRecord,
    EventRecord,
    FactRecord,
    RunRecord,
    StepRecord,
    WaiverRecord,
    run_kind,
)
from cockpit.engine.journal_schema import SCHEMA, SCHEMA_VERSION, column_expressions, migrate
from cockpit.engine.storage import StorageHealth

__all__ = [
    "MIGRATION",
    "ROLLBACK",
    "SCHEMA_VERSION",
    "ActionRecord",
    "EventRecord",
    "FactRecord",
    "Journal",
    "JournalError",
    "JournalSink",
    "RunRecord",
    "StepRecord",
    "WaiverRecord",
    "run_kind",
]

_STEP_COLUMNS = ", ".join(StepRecord.__dataclass_fields__)
_RUN_COLUMNS = ("run_id", "runbook", "config", "started_at", "finished_at", "outcome", "kind")
_WAIVER_COLUMNS = (
    "id",
    "at",
    "check_id",
    "host",
    "reason",
    "operator",
    "revoked_at",
    "expires_at",
    "key",
    "revoked_by",
)


class Journal:
    """One SQLite file per state directory. Every write is committed at once (WAL keeps it cheap)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time, health: StorageHealth | None = None) -> None:
        """Raises StateDirError (the directory) or JournalError (the file): one line each, exit 2."""
        state_dir.prepare(path.parent)
        state_dir.private_file(path)  # 0600 from its first byte; SQLite gives -wal and -shm the same mode
        self.path = path
        self.clock = clock
        self._db = GuardedConnection.open(path, str(path), uri=False, health=health)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        try:
            migrate(self._db.raw)
            self._columns = column_expressions(self._db.raw)
        except sqlite3.Error as exc:
            raise JournalError(path, reason(exc)) from None
        for suffix in ("-wal", "-shm"):  # left by an older cockpit with the umask's mode
            state_dir.tighten(path.with_name(path.name + suffix), state_dir.FILE_MODE)

    def _select(self, table: str, columns: tuple[str, ...]) -> str:
        return ", ".join(self._columns.get(f"{table}.{c}", c) for c in columns)

    def close(self) -> None:
        self._db.close()

    def report_failures_to(self, health: StorageHealth) -> None:
        """From when `health` tolerates them (a run under way), failed writes are told there, not raised."""
        self._db.health = health

    @property
    def connection(self) -> sqlite3.Connection:
        """The SQLite connection, for the modules that keep tables of their own in this file (alerts).
        Unguarded: their errors are theirs to handle (this journal's own writes go through GuardedConnection)."""
        return self._db.raw

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """The writes inside as one transaction: one commit (planning 12,000 steps wrote 12,000)."""
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- runs ---------------------------------------------------------------------------------
    def start_run(
        self, run_id: str, runbook: str, config: str, kind: str | None = None, *, at: float | None = None
    ) -> None:
        """A run begins (`at`: when, if it began before it was journaled); `kind` defaults to run_kind()."""
        self._db.execute(
            "INSERT OR IGNORE INTO runs (run_id, runbook, config, started_at, kind) VALUES (?, ?, ?, ?, ?)",
            (run_id, runbook, config, self.clock() if at is None else at, kind or run_kind(runbook)),
        )

    def finish_run(self, run_id: str, outcome: str) -> None:
        self._db.execute(
            "UPDATE runs SET finished_at = ?, outcome = ? WHERE run_id = ?", (self.clock(), outcome, run_id)
        )

    def runs(self, kind: str | None = None) -> list[RunRecord]:
        """Every run (of `kind` when given), oldest first."""
        rows = self._db.execute(f"SELECT {self._select('runs', _RUN_COLUMNS)} FROM runs ORDER BY started_at")
        return [r for r in (RunRecord(*row) for row in rows) if kind is None or r.kind == kind]

    def latest_unfinished(self, config: str, runbook: str = "nimadm") -> RunRecord | None:
        # By runbook too: a rollback of a host of this config is a run of its own, never resumed as nimadm.
        row = self._db.execute(
            f"SELECT {self._select('runs', _RUN_COLUMNS)} FROM runs"
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

    def record_action(
        self,
        run_id: str | None,
        target: str | None,
        action: str,
        detail: str,
        operator: str,
        *,
        at: float | None = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO actions (run_id, at, target, action, detail, operator) VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, self.clock() if at is None else at, target, action, detail, operator),
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
    def add_waiver(
        self,
        check: str,
        host: str | None,
        reason: str,
        operator: str,
        *,
        expires_at: float,
        key: str | None = None,
    ) -> WaiverRecord:
        """An operator accepts a finding with a reason, until `expires_at` or until revoked (host None:
        every host). The rules (known check and host, lifetime) are cockpit.engine.waivers'."""
        if not reason.strip():
            raise ValueError("a waiver needs a reason")
        at = self.clock()
        cursor = self._db.execute(
            "INSERT INTO waivers (at, check_id, host, reason, operator, expires_at, key) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (at, check, host, reason, operator, expires_at, key),
        )
        self.record_action(None, host, "waive", f"{check}@{host or '*'}: {reason}", operator)
        assert cursor.lastrowid is not None
        return WaiverRecord(cursor.lastrowid, at, check, host, reason, operator, None, expires_at, key, None)

    def revoke_waiver(self, waiver_id: int, operator: str) -> bool:
        """Revoke one waiver (False when it was revoked already or does not exist); journaled."""
        record = self.waiver(waiver_id)
        if record is None or record.revoked_at is not None:
            return False
        self._db.execute(
            "UPDATE waivers SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL",
            (self.clock(), operator, waiver_id),
        )
        self.record_action(None, record.host, "revoke-waiver", f"{record.check}@{record.host or '*'}", operator)
        return True

    def waiver(self, waiver_id: int) -> WaiverRecord | None:
        row = self._db.execute(
            f"SELECT {self._select('waivers', _WAIVER_COLUMNS)} FROM waivers WHERE id = ?", (waiver_id,)
        ).fetchone()
        return WaiverRecord(*row) if row else None

    def waivers(self, now: float | None = None) -> list[WaiverRecord]:
        """The waivers in force at `now` (default: the journal's clock): not revoked, not expired."""
        at = self.clock() if now is None else now
        return [w for w in self.waiver_history() if w.in_force(at)]

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
        journal._db = GuardedConnection.open(path, uri, uri=True)
        # An old journal is read as it is (no migration: that would be a write); its rows read as
        # the migration would have written them. A damaged file says so now, in one line.
        try:
            journal._db.raw.execute("SELECT count(*) FROM sqlite_master").fetchone()
            journal._columns = column_expressions(journal._db.raw)
        except sqlite3.Error as exc:
            raise JournalError(path, reason(exc)) from None
        return journal

    def run(self, run_id: str) -> RunRecord | None:
        row = self._db.execute(
            f"SELECT {self._select('runs', _RUN_COLUMNS)} FROM runs WHERE run_id = ?", (run_id,)
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
        """Every waiver ever given, revoked and expired ones too, oldest first."""
        rows = self._db.execute(f"SELECT {self._select('waivers', _WAIVER_COLUMNS)} FROM waivers ORDER BY id")
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
