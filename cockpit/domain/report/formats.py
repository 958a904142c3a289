"""The record of a run as Markdown, JSON (stable: keys are only ever added) or JUnit, and the list of runs."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cockpit.domain.report.records import (
    UNFINISHED_OUTCOMES,
    ActionEntry,
    AlertEntry,
    RollbackEntry,
    RunReport,
    RunSummary,
    TargetRecord,
)

# -- text helpers -----------------------------------------------------------------------------------


def stamp(at: float | None) -> str:
    """Local time, to the second: what an operator compares with the window's clock."""
    return "" if at is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def iso(at: float | None) -> str | None:
    return None if at is None else datetime.fromtimestamp(at).astimezone().isoformat(timespec="milliseconds")


def span(seconds: float | None) -> str:
    """``3.2s``, ``47s``, ``12m03s``, ``1h02m``; empty when unknown."""
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{seconds:.1f}s"  # a simulated phase, a quick step: "0s" would say nothing
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _cell(text: object) -> str:
    """A Markdown table cell: pipes escaped, one line."""
    return "" if text is None else str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str | None) -> str:
    if not text:
        return ""
    ticks = "``" if "`" in text else "`"
    return f"{ticks}{_cell(text)}{ticks}"


def _where(t: TargetRecord) -> str:
    if t.phase is None:
        return ""
    unit = "phase" if t.phases else "step"
    return f"{unit} {t.phase}/{t.phases_total}" if t.phases_total else f"{unit} {t.phase}"


def outcome_text(t: TargetRecord) -> str:
    """The target's outcome, and what it is now when a rollback put it back (``succeeded, then ↺ rolled back``)."""
    return f"{t.outcome}, then ↺ rolled back" if t.rolled_back_at is not None else t.outcome


def run_outcome_text(report: RunReport) -> str:
    total = len(report.targets)
    ok = len(report.succeeded)
    state = report.outcome or "unfinished"
    return f"{state}: {ok} of {total} targets succeeded" + (
        f" (not: {', '.join(report.failed)})" if report.failed else ""
    )


# -- Markdown ---------------------------------------------------------------------------------------


def to_markdown(report: RunReport) -> str:
    out: list[str] = [f"# Run {report.run_id}: {report.runbook}", ""]
    out += ["| | |", "|---|---|"]
    out += [f"| config | {_cell(report.config)} |", f"| started | {stamp(report.started_at)} |"]
    out += [f"| finished | {stamp(report.finished_at) or 'not finished'} |"]
    out += [f"| duration | {span(report.duration)} |", f"| outcome | {_cell(run_outcome_text(report))} |", ""]
    for note in report.notes:
        out += [f"> {note}", ""]
    # With several NIM masters the table says which one migrated each target.
    several = len({t.master for t in report.targets if t.master}) > 1
    master_head, master_rule = ("| master ", "|---") if several else ("", "")
    out += ["## Targets", "", f"| target {master_head}| outcome | started | duration | where | error |"]
    out += [f"|---{master_rule}|---|---|---|---|---|"]
    for t in report.targets:
        master = f"| {_cell(t.master or '')} " if several else ""
        out.append(
            f"| {_cell(t.name)} {master}| {outcome_text(t)} | {stamp(t.started_at)} | {span(t.duration)} | {_where(t)} "
            f"| {_cell(t.error)} |"
        )
    out.append("")
    out += ["## Alerts", ""]
    out += _alerts_table(report.alerts) if report.alerts else ["No alert was raised.", ""]
    for t in report.targets:
        out += _target_markdown(t)
    out += ["## Preflight, fixes and waivers", ""]
    if report.preflight:
        out += _actions_table(report.preflight, with_target=True)
    else:
        out += ["No preflight check, fix or waiver was journaled in the run's window.", ""]
    if report.waivers:
        out += ["Waivers in force during the run:", ""]
        out += ["| given | check | host | reason | by | key | until | revoked |", "|---|---|---|---|---|---|---|---|"]
        for w in report.waivers:
            revoked = f"{stamp(w.revoked_at)} by {w.revoked_by or '?'}" if w.revoked_at is not None else ""
            out.append(
                f"| {stamp(w.at)} | {_cell(w.check)} | {_cell(w.host or 'every host')} | {_cell(w.reason)} "
                f"| {_cell(w.operator)} | {_cell(w.key or '')} | {stamp(w.expires_at)} | {_cell(revoked)} |"
            )
        out.append("")
    out += ["## Operator actions on the run", ""]
    out += _actions_table(report.actions, with_target=False) if report.actions else ["None.", ""]
    out += ["## Rollbacks and back-outs", ""]
    out += _rollbacks_table(report.rollbacks) if report.rollbacks else ["None after this run.", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _target_markdown(t: TargetRecord) -> list[str]:
    out = [f"## {t.name}: {outcome_text(t)}", ""]
    if t.rolled_back_at is not None:
        out += [f"- rolled back {stamp(t.rolled_back_at)}: {_cell(t.rolled_back)}"]
    if t.error:
        out += [f"- error: {_code(t.error)}"]
    if t.reason and t.reason != t.error:
        out += [f"- reason: {_cell(t.reason)}"]
    out += [f"- started {stamp(t.started_at) or 'never'}, finished {stamp(t.finished_at) or '-'}"]
    out += [f"- {fact}: {_code(value)}" for fact, value in t.facts]
    out.append("")
    if t.phases:
        out += ["### Phases", "", "| phase | started | duration |", "|---|---|---|"]
        out += [f"| {p.phase} | {stamp(p.started_at)} | {span(p.duration)} |" for p in t.phases]
        out.append("")
    if t.steps:
        out += ["### Steps", ""]
        out += ["| step | host | launched | finished | duration | exit | state | command |"]
        out += ["|---|---|---|---|---|---|---|---|"]
        for s in t.steps:
            exit_status = "" if s.exit_status is None else str(s.exit_status)
            out.append(
                f"| {_cell(s.name)} | {_cell(s.host)} | {stamp(s.launched_at)} | {stamp(s.finished_at)} "
                f"| {span(s.duration)} | {exit_status} | {s.state} | {_code(s.command)} |"
            )
        out.append("")
    if t.actions:
        out += ["### Operator actions", "", *_actions_table(t.actions, with_target=False)]
    if t.rollbacks:
        out += ["### Rollbacks", "", *_rollbacks_table(t.rollbacks)]
    return out


def _actions_table(actions: Sequence[ActionEntry], *, with_target: bool) -> list[str]:
    head = "| time | " + ("host | " if with_target else "") + "action | detail | operator |"
    rule = "|---|" + ("---|" if with_target else "") + "---|---|---|"
    out = [head, rule]
    for a in actions:
        host = f" {_cell(a.target or '')} |" if with_target else ""
        out.append(f"| {stamp(a.at)} |{host} {_cell(a.action)} | {_cell(a.detail)} | {_cell(a.operator)} |")
    return [*out, ""]


def _alerts_table(alerts: Sequence[AlertEntry]) -> list[str]:
    out = ["| time | event | target | what | sent |", "|---|---|---|---|---|"]
    for a in alerts:
        out.append(
            f"| {stamp(a.at)} | {a.event} | {_cell(' '.join(a.targets))} | {_cell(a.summary)} | {_cell(a.sent)} |"
        )
    return [*out, ""]


def _alert_line(a: AlertEntry) -> str:
    return f"{stamp(a.at)} ALERT {a.event}: {a.summary} (sent: {a.sent})"


def _rollbacks_table(rollbacks: Sequence[RollbackEntry]) -> list[str]:
    out = ["| run | runbook | started | finished | outcome | hosts |", "|---|---|---|---|---|---|"]
    for r in rollbacks:
        out.append(
            f"| {r.run_id} | {r.runbook} | {stamp(r.started_at)} | {stamp(r.finished_at)} "
            f"| {r.outcome or 'unfinished'} | {_cell(', '.join(r.hosts))} |"
        )
    return [*out, ""]


# -- JSON -------------------------------------------------------------------------------------------


def to_json(report: RunReport) -> dict[str, Any]:
    return {
        "run_id": report.run_id,
        "runbook": report.runbook,
        "config": report.config,
        "started_at": iso(report.started_at),
        "finished_at": iso(report.finished_at),
        "duration": _seconds(report.duration),
        "outcome": report.outcome,
        "succeeded": list(report.succeeded),
        "failed": list(report.failed),
        "targets": [_target_json(t) for t in report.targets],
        "actions": [_action_json(a) for a in report.actions],
        "preflight": [_action_json(a) for a in report.preflight],
        "waivers": [
            {
                "at": iso(w.at),
                "check": w.check,
                "host": w.host,
                "reason": w.reason,
                "operator": w.operator,
                "revoked_at": iso(w.revoked_at),
                "expires_at": iso(w.expires_at),
                "key": w.key,
                "revoked_by": w.revoked_by,
            }
            for w in report.waivers
        ],
        "rollbacks": [_rollback_json(r) for r in report.rollbacks],
        "alerts": [
            {
                "at": iso(a.at),
                "event": a.event,
                "targets": list(a.targets),
                "summary": a.summary,
                "deliveries": [{"channel": d.channel, "outcome": d.outcome, "at": iso(d.at)} for d in a.deliveries],
            }
            for a in report.alerts
        ],
        "notes": list(report.notes),
    }


def render_json(report: RunReport) -> str:
    return json.dumps(to_json(report), indent=2) + "\n"


def _target_json(t: TargetRecord) -> dict[str, Any]:
    return {
        "target": t.name,
        "master": t.master,
        "outcome": t.outcome,
        "error": t.error,
        "reason": t.reason,
        "phase": t.phase,
        "phases_total": t.phases_total,
        "started_at": iso(t.started_at),
        "finished_at": iso(t.finished_at),
        "duration": _seconds(t.duration),
        "phases": [
            {"phase": p.phase, "started_at": iso(p.started_at), "duration": _seconds(p.duration)} for p in t.phases
        ],
        "steps": [
            {
                "step": s.name,
                "host": s.host,
                "command": s.command,
                "state": s.state,
                "launched_at": iso(s.launched_at),
                "started_at": iso(s.started_at),
                "finished_at": iso(s.finished_at),
                "duration": _seconds(s.duration),
                "exit_status": s.exit_status,
                "error": s.error,
            }
            for s in t.steps
        ],
        "actions": [_action_json(a) for a in t.actions],
        "facts": {fact: value for fact, value in t.facts},
        "rollbacks": [_rollback_json(r) for r in t.rollbacks],
        "rolled_back": None if t.rolled_back_at is None else {"at": iso(t.rolled_back_at), "detail": t.rolled_back},
    }


def _action_json(a: ActionEntry) -> dict[str, Any]:
    return {"at": iso(a.at), "target": a.target, "action": a.action, "detail": a.detail, "operator": a.operator}


def _rollback_json(r: RollbackEntry) -> dict[str, Any]:
    return {
        "run_id": r.run_id,
        "runbook": r.runbook,
        "started_at": iso(r.started_at),
        "finished_at": iso(r.finished_at),
        "outcome": r.outcome,
        "hosts": list(r.hosts),
    }


# -- JUnit ------------------------------------------------------------------------------------------


def to_junit(report: RunReport) -> str:
    """JUnit XML: <testsuites> holding this run's <testsuite>; a target is a <testcase>."""
    targets = report.targets
    failures = sum(1 for t in targets if t.failed)
    skipped = sum(1 for t in targets if t.outcome in UNFINISHED_OUTCOMES)
    total_time = f"{report.duration or 0.0:.3f}"
    counts = {"tests": str(len(targets)), "failures": str(failures), "errors": "0"}
    root = ET.Element("testsuites", {"name": f"cockpit {report.runbook}", **counts, "time": total_time})
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": f"{report.runbook} {report.run_id}",
            **counts,
            "skipped": str(skipped),
            "time": total_time,
            "timestamp": datetime.fromtimestamp(report.started_at).isoformat(timespec="seconds"),
            "id": report.run_id,
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("run_id", report.run_id),
        ("runbook", report.runbook),
        ("config", report.config),
        ("outcome", report.outcome or "unfinished"),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": value})
    for t in targets:
        case = ET.SubElement(
            suite, "testcase", {"classname": report.runbook, "name": t.name, "time": f"{t.duration or 0.0:.3f}"}
        )
        if t.failed:
            message = t.error or t.reason or t.outcome
            failure = ET.SubElement(case, "failure", {"message": message, "type": t.outcome})
            failure.text = "\n".join(x for x in (f"{t.name} {t.outcome} {_where(t)}".rstrip(), t.reason, t.error) if x)
        elif t.outcome in UNFINISHED_OUTCOMES:
            ET.SubElement(case, "skipped", {"message": f"{t.outcome}: the run had not finished"})
        mine = [a for a in report.alerts if t.name in a.targets]
        ET.SubElement(case, "system-out").text = "\n".join(x for x in (_steps_text(t), *map(_alert_line, mine)) if x)
    if report.alerts:  # every alert of the run, in order, those of no one target included
        ET.SubElement(suite, "system-out").text = "\n".join(_alert_line(a) for a in report.alerts)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _steps_text(t: TargetRecord) -> str:
    lines = [f"{stamp(p.started_at)} phase {p.phase} ({span(p.duration) or 'unfinished'})" for p in t.phases]
    for s in t.steps:
        exit_status = "-" if s.exit_status is None else str(s.exit_status)
        lines.append(
            f"{stamp(s.launched_at) or '-':19} {s.name} on {s.host}: {s.state}, exit {exit_status}, "
            f"{span(s.duration) or '-'}: {s.command}"
        )
    lines += [f"{stamp(a.at)} {a.operator}: {a.action} {a.detail}".rstrip() for a in t.actions]
    if t.rolled_back_at is not None:
        lines.append(f"{stamp(t.rolled_back_at)} rolled back: {t.rolled_back}")
    return "\n".join(lines)


# -- the runs list ----------------------------------------------------------------------------------


def runs_text(runs: Sequence[RunSummary]) -> str:
    """The table of `cockpit runs` (newest first, as given)."""
    if not runs:
        return "no runs in this journal\n"
    rows = [("RUN", "KIND", "RUNBOOK", "STARTED", "DURATION", "OUTCOME", "OK", "FAILED")]
    rows += [
        (
            r.run_id,
            r.kind,
            r.runbook,
            stamp(r.started_at),
            span(r.duration) or "-",
            r.outcome or "unfinished",
            str(r.succeeded),
            str(r.failed),
        )
        for r in runs
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n" for row in rows)


def runs_json(runs: Sequence[RunSummary]) -> list[dict[str, Any]]:
    return [
        {
            "run_id": r.run_id,
            "kind": r.kind,
            "runbook": r.runbook,
            "started_at": iso(r.started_at),
            "finished_at": iso(r.finished_at),
            "duration": _seconds(r.duration),
            "outcome": r.outcome,
            "succeeded": r.succeeded,
            "failed": r.failed,
        }
        for r in runs
    ]
