"""`cockpit report CONFIG RUN_ID [--format md|json|junit] [--output FILE]`: the record of one run.

Everything comes from the journal of the config's state directory, opened read-only: a report can
be made while the run goes on (it says `unfinished`), from another terminal, without disturbing it.
The journal holds the facts (steps, state changes, actions, waivers); this module gathers them into
the plain dataclasses of cockpit/domain/report.py, which renders them.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from cockpit.domain import report as rp
from cockpit.domain.printable import printable
from cockpit.engine.alert_journal import AlertJournal
from cockpit.engine.binding import STEP_NAME
from cockpit.engine.journal import MIGRATION, ROLLBACK, ActionRecord, EventRecord, Journal, RunRecord, StepRecord

EXIT_OK, EXIT_USAGE = 0, 2
FORMATS = ("md", "json", "junit")
KINDS = (MIGRATION, ROLLBACK, "any")
"""What `latest` means: the last migration (default), the last rollback or back-out, the last run."""
_FINISHED = frozenset({"succeeded", "failed", "blocked", "unreachable"})
_ROLLED_BACK = "rolled-back"
"""The state change a rollback adds to the run's record of a host (engine/rolled_back.py)."""


class ReportError(Exception):
    """No journal, no such run: one line for the operator (exit 2)."""


def open_journal(state_dir: Path) -> Journal:
    try:
        return Journal.read_only(state_dir / "journal.sqlite")
    except FileNotFoundError:
        raise ReportError(f"no journal in {state_dir} (no run was made with this config yet)") from None


def resolve_run(journal: Journal, run_id: str, kind: str = MIGRATION) -> RunRecord:
    """The run named `run_id`; `latest` is the most recently started one of `kind` (a migration
    unless asked otherwise: a look at a rollback is not the record of the window)."""
    if run_id == "latest":
        runs = journal.runs(None if kind == "any" else kind)
        if not runs:
            what = "runs" if kind == "any" else f"{kind} runs"
            other = " (--kind rollback or any for the others)" if kind == MIGRATION and journal.runs() else ""
            raise ReportError(f"no {what} in {journal.path}{other}")
        return runs[-1]
    record = journal.run(run_id)
    if record is None:
        recent = ", ".join(r.run_id for r in journal.runs()[-3:]) or "none"
        raise ReportError(f"no run {run_id} in {journal.path} (latest: {recent}; `cockpit runs CONFIG` lists them)")
    return record


# -- gathering --------------------------------------------------------------------------------------


def build_report(journal: Journal, record: RunRecord) -> rp.RunReport:
    run_id = record.run_id
    steps = journal.steps(run_id)
    events = journal.events_after(run_id)
    actions = [_action(a) for a in journal.run_actions(run_id)]
    facts = journal.run_facts(run_id)
    total = phases_total(record.runbook)
    rollbacks = () if record.kind == ROLLBACK else _rollbacks(journal, record)
    masters = next((e.detail for e in events if e.kind == "masters"), {})
    targets = []
    for name in target_order(events, steps):
        states = [_state(e) for e in events if e.kind == "state" and e.target == name]
        mine = [s for s in steps if s.target == name]
        targets.append(
            _target(
                name,
                states,
                mine,
                total,
                actions=tuple(a for a in actions if a.target == name),
                facts=tuple((f.fact, printable(f.value)) for f in facts if f.host == name),
                rollbacks=tuple(r for r in rollbacks if name in r.hosts),
                master=masters.get(name) if isinstance(masters.get(name), str) else None,
            )
        )
    window_start = _previous_end(journal, record)
    preflight = tuple(_action(a) for a in journal.actions_between(window_start, record.finished_at))
    waivers = rp.waivers_in_force(
        (
            rp.WaiverEntry(
                w.at,
                w.check,
                w.host,
                printable(w.reason),
                printable(w.operator),
                w.revoked_at,
                w.expires_at,
                w.key,
                _text(w.revoked_by),
            )
            for w in journal.waiver_history()
        ),
        window_start,
        record.finished_at,
    )
    notes = []
    if preflight and any(a.action == "preflight" for a in preflight):
        notes.append(
            "Preflight findings are journaled as each check's verdict, the fixes run and the waivers given; "
            "a blocked target's reason names the findings that kept it back."
        )
    return rp.RunReport(
        run_id=run_id,
        runbook=record.runbook,
        config=printable(record.config),
        started_at=record.started_at,
        finished_at=record.finished_at,
        outcome=record.outcome,
        targets=tuple(targets),
        actions=tuple(a for a in actions if a.target is None),
        preflight=preflight,
        waivers=waivers,
        rollbacks=rollbacks,
        alerts=_alerts(journal, run_id),
        notes=tuple(notes),
    )


def _alerts(journal: Journal, run_id: str) -> tuple[rp.AlertEntry, ...]:
    return tuple(
        rp.AlertEntry(
            a.at,
            a.event,
            a.targets,
            a.summary,
            tuple(rp.DeliveryEntry(d.channel, d.outcome, d.at) for d in a.deliveries),
        )
        for a in AlertJournal(journal, writable=False).alerts(run_id)
    )


def target_order(events: Sequence[EventRecord], steps: Sequence[StepRecord]) -> list[str]:
    """Plan order (the run-started event), then any target only the steps or state changes name."""
    names: list[str] = []
    for e in events:
        if e.kind == "run-started":
            names += [t for t in e.detail.get("targets", []) if isinstance(t, str)]
            break
    names += [s.target for s in steps]
    names += [e.target for e in events if e.kind == "state" and e.target]
    return list(dict.fromkeys(names))


def phases_total(runbook: str) -> int | None:
    """What the runbook's progress counts up to (nimadm: 12), when it can still be loaded."""
    from cockpit.config.runbooks import load_runbook

    try:
        return load_runbook(runbook).phases_total
    except Exception:  # an operator's runbook file moved, a back-out: the report goes on without it
        return None


# Everything a host printed or an operator typed goes through printable() on its way into the report
# (md, json and junit alike): no terminal escape reaches a reader's terminal or a CI dashboard.


def _text(value: object) -> str | None:
    return None if value is None else printable(str(value))


def _state(e: EventRecord) -> rp.StateEntry:
    d = e.detail
    phase = d.get("phase")
    return rp.StateEntry(
        e.at,
        str(d.get("state")),
        phase if isinstance(phase, int) else None,
        _text(d.get("error")),
        _text(d.get("reason")),
    )


def _action(a: ActionRecord) -> rp.ActionEntry:
    return rp.ActionEntry(a.at, a.target, a.action, printable(a.detail), printable(a.operator))


def _step(s: StepRecord) -> rp.StepEntry:
    return rp.StepEntry(
        s.step,
        s.host,
        printable(s.command, multiline=True),
        s.state,
        s.launched_at,
        s.started_at,
        s.finished_at,
        s.exit_status,
        _text(s.error),
        _text(s.reason),
    )


def _target(
    name: str,
    states: list[rp.StateEntry],
    records: list[StepRecord],
    total: int | None,
    *,
    actions: tuple[rp.ActionEntry, ...],
    facts: tuple[tuple[str, str], ...],
    rollbacks: tuple[rp.RollbackEntry, ...],
    master: str | None = None,
) -> rp.TargetRecord:
    steps = tuple(_step(s) for s in records)
    launched = [s.launched_at for s in records if s.launched_at is not None]
    # A rollback after the run adds a state of its own: the run's outcome is the state before it.
    rolled_back = states[-1] if states and states[-1].state == _ROLLED_BACK else None
    states = [s for s in states if s.state != _ROLLED_BACK]
    if states:
        last = states[-1]
        outcome, phase, error, reason = last.state, last.phase, last.error, last.reason
        running = next((s.at for s in states if s.state in ("running", "stalled")), None)
        started = min(launched) if launched else running
        finished = last.at if outcome in _FINISHED else None
    else:  # a rollback wizard's run: no state changes, only its steps
        outcome, error = _outcome_of_steps(records)
        phase, reason = None, None
        started = min(launched) if launched else min((s.started_at for s in records if s.started_at), default=None)
        ends = [s.finished_at for s in records if s.finished_at is not None]
        finished = max(ends) if ends and outcome in _FINISHED else None
    ids = {m["id"] for s in records if (m := STEP_NAME.fullmatch(s.step))}
    phased = len(ids) == 1 and len({s.phase for s in states if s.phase is not None}) > 1
    return rp.TargetRecord(
        name=name,
        outcome=outcome,
        phase=phase,
        phases_total=total,
        error=error,
        reason=reason,
        started_at=started,
        finished_at=finished,
        steps=steps,
        phases=rp.phases_from_states(states, finished) if phased else (),
        actions=actions,
        facts=facts,
        rollbacks=rollbacks,
        rolled_back_at=rolled_back.at if rolled_back else None,
        rolled_back=rolled_back.reason if rolled_back else None,
        master=master,
    )


def _outcome_of_steps(records: Sequence[StepRecord]) -> tuple[str, str | None]:
    failed = [s for s in records if s.state == "failed"]
    if failed:
        return "failed", _text(failed[0].error)
    ran = [s for s in records if s.state not in ("planned", "offered", "pending")]
    if ran and all(s.state in ("succeeded", "skipped") for s in ran):
        return "succeeded", None
    return ("running" if any(s.state == "running" for s in ran) else "pending"), None


def _previous_end(journal: Journal, record: RunRecord) -> float:
    """Where the run's window opens: the end of the config's previous run of the same kind (the
    preflight, the fixes and the waivers given before this run are journaled without a run id)."""
    before = [r for r in journal.runs(record.kind) if r.config == record.config and r.started_at < record.started_at]
    if not before:
        return 0.0
    last = before[-1]
    return (
        last.finished_at if last.finished_at is not None and last.finished_at < record.started_at else last.started_at
    )


def _rollbacks(journal: Journal, record: RunRecord) -> tuple[rp.RollbackEntry, ...]:
    """Rollback and back-out runs on this run's hosts after it started, up to the next migration of the config."""
    later = [r for r in journal.runs() if r.started_at > record.started_at]
    until = next((r.started_at for r in later if r.config == record.config and r.kind == MIGRATION), None)
    mine = set(target_order(journal.events_after(record.run_id), journal.steps(record.run_id)))
    found = []
    for r in later:
        if r.kind != ROLLBACK or (until is not None and r.started_at >= until):
            continue
        hosts = {s.target for s in journal.steps(r.run_id)}
        hosts |= {e.target for e in journal.events_after(r.run_id) if e.target}
        touched = tuple(sorted(hosts & mine))
        if touched:
            found.append(rp.RollbackEntry(r.run_id, r.runbook, r.started_at, r.finished_at, r.outcome, touched))
    return tuple(found)


def summaries(journal: Journal) -> list[rp.RunSummary]:
    """Every run of the journal, newest first, with its targets' counts."""
    out = []
    for r in reversed(journal.runs()):
        last = journal.last_states(r.run_id)
        if last:
            # A host rolled back after the run still counts as the run left it.
            outcomes = [str(d.get("state")) for d in _before_rollback(journal, r.run_id, last).values()]
        else:
            by_target: dict[str, list[StepRecord]] = {}
            for s in journal.steps(r.run_id):
                by_target.setdefault(s.target, []).append(s)
            outcomes = [_outcome_of_steps(v)[0] for v in by_target.values()]
        ok = sum(1 for o in outcomes if o == "succeeded")
        bad = sum(1 for o in outcomes if o in rp.FAILED_OUTCOMES)
        out.append(rp.RunSummary(r.run_id, r.runbook, r.started_at, r.finished_at, r.outcome, ok, bad, r.kind))
    return out


def _before_rollback(journal: Journal, run_id: str, last: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    if not any(d.get("state") == _ROLLED_BACK for d in last.values()):
        return last
    before: dict[str, dict[str, object]] = {}
    for e in journal.events_after(run_id):
        if e.kind == "state" and e.target and e.detail.get("state") != _ROLLED_BACK:
            before[e.target] = e.detail
    return before


# -- the command ------------------------------------------------------------------------------------


def render(report: rp.RunReport, fmt: str) -> str:
    if fmt == "md":
        return rp.to_markdown(report)
    if fmt == "json":
        return rp.render_json(report)
    if fmt == "junit":
        return rp.to_junit(report)
    raise ValueError(f"unknown report format {fmt!r} (one of {', '.join(FORMATS)})")


def run(
    state_dir: Path,
    run_id: str,
    fmt: str,
    output: Path | None = None,
    *,
    kind: str = MIGRATION,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        journal = open_journal(state_dir)
    except ReportError as exc:
        err.write(f"cockpit: report: {exc}\n")
        return EXIT_USAGE
    try:
        record = resolve_run(journal, run_id, kind)
        text = render(build_report(journal, record), fmt)
    except ReportError as exc:
        err.write(f"cockpit: report: {exc}\n")
        return EXIT_USAGE
    finally:
        with contextlib.suppress(Exception):
            journal.close()
    if output is None:
        out.write(text)
        return EXIT_OK
    try:
        output.write_text(text)
    except OSError as exc:
        err.write(f"cockpit: report: cannot write {output}: {exc.strerror or exc}\n")
        return EXIT_USAGE
    err.write(f"report of run {record.run_id} ({fmt}) written to {output}\n")
    return EXIT_OK


def save(state_dir: Path, run_id: str) -> Path:
    """The run's report as Markdown in STATE_DIR/reports/RUN_ID.md (the cockpit's "Save the run's report").

    Read from the journal opened read-only, like `cockpit report`: safe while the run goes on.
    """
    journal = open_journal(state_dir)
    try:
        text = render(build_report(journal, resolve_run(journal, run_id)), "md")
    finally:
        with contextlib.suppress(Exception):
            journal.close()
    path = state_dir / "reports" / f"{run_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
