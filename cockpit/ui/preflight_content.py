"""Preflight text as Textual Content: a finding's detail, a client's verdict, a fix's outcomes.

Built as Content (never markup strings): command output and ODM stanzas contain brackets that markup
would swallow. Styles name theme variables only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from textual.content import Content

from cockpit.domain.preflight import CHECKS, Decision, Finding, Status
from cockpit.ui.preflight_present import (
    CELL_LOOKS,
    VERDICT_COLORS,
    CellStatus,
    FixStep,
    PreflightMatrix,
    cell_status,
    ordered_findings,
    output_text,
    where,
)

if TYPE_CHECKING:
    from cockpit.engine.preflight import FixOutcome

INDENT = "  "
Part = Content | str | tuple[str, str]


def _line(*parts: Part) -> Content:
    return Content.assemble(*parts)


def _heading(text: str) -> Content:
    return Content.styled(text, "bold $primary")


def _indented(text: str, depth: int = 2, style: str = "") -> list[Content]:
    pad = INDENT * depth
    lines = text.rstrip("\n").split("\n") if text.strip() else ["(no output)"]
    return [Content.styled(pad + line, style) if style else Content(pad + line) for line in lines]


def _status_look(finding: Finding) -> tuple[str, str]:
    """(glyph + label, colour) of a single finding."""
    status = cell_status((finding,))
    look = CELL_LOOKS[status]
    return f"{look.glyph} {look.label}", f"${look.color}"


def _exit(status: int | None) -> str:
    return "could not run" if status is None else f"exit {status}"


def verdict_content(decision: Decision) -> Content:
    label = "GO" if decision is Decision.GO else "NO-GO"
    return Content.styled(label, f"bold ${VERDICT_COLORS[decision]}")


def join(lines: Iterable[Content]) -> Content:
    return Content("\n").join(list(lines))


def cell_detail(
    matrix: PreflightMatrix,
    client: str,
    check: str,
    master: str,
    last_fix: Sequence[FixOutcome] = (),
) -> Content:
    """Everything about one (client, check) cell: findings, meaning, evidence, fix, waiver."""
    findings = ordered_findings(matrix.findings(client, check))
    status = matrix.status(client, check)
    look = CELL_LOOKS[status]
    known = CHECKS.get(check)
    title = known.title if known is not None else check
    out: list[Content] = [
        _line(
            (check, "bold"),
            f" · {title} · ",
            (f"{look.glyph} {look.label}", f"bold ${look.color}"),
            f" · row {client} ",
            verdict_content(matrix.decision(client)),
        )
    ]
    if not findings:
        out.append(Content(f"{check} said nothing about {client}."))
        return join(out)
    for f in findings:
        label, color = _status_look(f)
        blocks = " · blocks" if f.blocking else ""
        out.append(
            _line(
                INDENT,
                (label, f"bold {color}"),
                f" · {f.severity.value}{blocks} · on {where(f.host, client, master)}: ",
                f.summary,
            )
        )
    meaning = findings[0].meaning or (known.meaning if known is not None else "")
    if meaning:
        out += [Content(""), _heading("What it means"), *_indented(meaning, 1)]
    for f in findings:
        out += _finding_block(f, client, master)
    if last_fix:
        out += [Content(""), _heading("Last fix applied here"), *outcome_lines(last_fix)]
    return join(out)


def _finding_block(f: Finding, client: str, master: str) -> list[Content]:
    label, color = _status_look(f)
    out = [Content(""), _line((f"── {label}", f"bold {color}"), f" on {where(f.host, client, master)}: {f.summary}")]
    if f.evidence:
        out.append(_line(INDENT, ("Evidence", "bold")))
        for e in f.evidence:
            out.append(
                _line(INDENT * 2, (f"[{e.host}]", "$accent"), f" $ {e.command}", (f"   {_exit(e.exit_status)}", "dim"))
            )
            out += _indented(e.output, 3)
    r = f.remediation
    if f.status is not Status.PASS and (r.hint or r.ordered):
        out.append(_line(INDENT, ("Fix", "bold")))
        if r.hint:
            out += _indented(r.hint, 2)
        for c in r.saves_first:
            out.append(_line(INDENT * 2, (f"[{c.host}]", "$accent"), f" {c.command}", ("   saves first", "$success")))
        for c in r.commands:
            out.append(_line(INDENT * 2, (f"[{c.host}]", "$accent"), f" {c.command}"))
        if r.destructive:
            out.append(Content.styled(INDENT * 2 + "destructive: the confirmation asks for the host's name", "$error"))
        if r.ordered:
            out.append(Content.styled(INDENT * 2 + "f runs these after a confirmation that shows them again", "dim"))
        else:
            out.append(Content.styled(INDENT * 2 + "no command to run from here: do it by hand, then r", "dim"))
    if f.waiver is not None:
        by = f" by {f.waiver.by}" if f.waiver.by else ""
        out.append(_line(INDENT, ("Waived", "bold $foreground-muted"), f"{by}: {f.waiver.reason}"))
    return out


def client_detail(matrix: PreflightMatrix, client: str, master: str) -> Content:
    """A row's verdict: why it is no-go, what was waived, what only warns."""
    out: list[Content] = [_line((client, "bold"), " · ", verdict_content(matrix.decision(client)))]
    hv = matrix.host_verdict(client)
    if hv is None:
        return join(out)
    blocking = [f for f in hv.findings if f.blocking]
    waived = [f for f in hv.findings if f.waiver is not None]
    other = [f for f in hv.findings if f.status is not Status.PASS and not f.blocking and f.waiver is None]
    sections = (
        ("Blocks the start", blocking),
        ("Waived", waived),
        ("Worth reading (does not block)", other),
    )
    for heading, fs in sections:
        if not fs:
            continue
        out += [Content(""), _heading(heading)]
        for f in fs:
            label, color = _status_look(f)
            out.append(
                _line(INDENT, (label, f"bold {color}"), f" {f.check} on {where(f.host, client, master)}: {f.summary}")
            )
    if not blocking:
        out += [Content(""), Content(f"{client} may start: no unwaived inhibitor or high failure and no error.")]
    return join(out)


def step_lines(steps: Sequence[FixStep]) -> list[Content]:
    """The commands a fix will run, numbered, each with its host.

    Commands that only save state come under "saves first"; the commands of a destructive fix under
    "destructive" (the domain marks a fix as a whole, so every one of its commands is listed there).
    """
    out = []
    group: tuple[int, bool] | None = None
    for n, step in enumerate(steps, 1):
        kind = (id(step.finding), step.saves)
        if kind != group and (step.saves or step.destructive):
            if step.saves:
                out.append(Content.styled("saves first (a copy of what the fix deletes):", "bold $success"))
            else:
                out.append(Content.styled("then the fix, destructive (it deletes):", "bold $error"))
        group = kind
        out.append(_line(f"{n:>3}. ", (f"[{step.command.host}]", "bold $accent"), f" {step.command.command}"))
    return out


def outcome_lines(outcomes: Sequence[FixOutcome], not_run: Sequence[FixStep] = ()) -> list[Content]:
    """Each command's outcome (exit status, output); then what was not run after a failure."""
    out = []
    for o in outcomes:
        glyph, color = ("✓", "$success") if o.ok else ("✗", "$error")
        status = f"exit {o.result.exit_status}" if o.result is not None else f"could not run: {o.error or '?'}"
        out.append(
            _line(
                (glyph, f"bold {color}"),
                " ",
                (f"[{o.command.host}]", "$accent"),
                f" {o.command.command}  ",
                (status, color),
            )
        )
        text = output_text(o.result.stdout, o.result.stderr) if o.result is not None else ""
        if text.strip():  # most fix commands print nothing when they work
            out += _indented(text, 2)
    for step in not_run:
        out.append(
            _line(("- not run: ", "$warning"), (f"[{step.command.host}]", "$accent"), f" {step.command.command}")
        )
    return out


def status_content(status: CellStatus) -> Content:
    look = CELL_LOOKS[status]
    return Content.styled(f"{look.glyph} {look.label}", f"bold ${look.color}")
