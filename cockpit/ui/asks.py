"""What the cockpit's confirmations say: one builder per question, all shown by screens/confirm.py.

Quitting while migrations run, starting the run, an operator control, a preflight fix, a cluster
back-out (the rollback wizard's steps are in screens/rollback_view.py). Each names what will happen and
where; what destroys data names the host to type.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

from textual.content import Content

from cockpit.domain.events import EventSink, RunFinished
from cockpit.domain.window import Window, clock_time
from cockpit.ui.control_actions import ControlAction, Outcome
from cockpit.ui.preflight_content import join, step_lines
from cockpit.ui.preflight_present import FixStep
from cockpit.ui.screens.confirm import Ask, Perform, Report

QUIT_WARNING = (
    "The migration is still running.\n\n"
    "Quitting closes the cockpit only: nimadm keeps running on the NIM master, "
    "and nobody will be watching it or its log here."
)


def quit_warning(resume_command: str | None = None, waiting: int = 0) -> str:
    """What quitting leaves behind; with `resume_command`, how to come back to it.

    `waiting`: clients not started yet (they start only once someone re-attaches).
    """
    if resume_command is None:
        return QUIT_WARNING
    unstarted = f" {waiting} client(s) not started yet stay unstarted." if waiting else ""
    return (
        "Migrations are still running.\n\n"
        "Quitting closes the cockpit only: the migrations keep running on the NIM master, "
        f"and nobody will be watching them here.{unstarted}\n\n"
        f"{resume_command} re-attaches to them{' (and starts the waiting ones)' if waiting else ''}."
    )


def quit_ask(resume_command: str | None = None, waiting: int = 0) -> Ask:
    return Ask(
        "Quit anyway?",
        quit_warning(resume_command, waiting),
        confirm="Quit, leave it running",
        cancel="Stay",
    )


def start_ask(
    master: str,
    go: Sequence[str],
    blocked: Mapping[str, Sequence[str]],
    *,
    window: Window | None = None,
    now: Callable[[], float] = time.time,
) -> Ask:
    """Which clients nimadm will migrate, which stay blocked and why (`blocked`: one line per finding)."""
    lines = [Content.assemble(f"nimadm runs on {master} for {len(go)} client(s): ", (", ".join(go), "bold $success"))]
    if window is not None:
        at = now()
        note = f"Window: {window.countdown(at)}."
        if not window.past_cutoff(at):
            note += f" A client not started by {clock_time(window.last_start)} is not started."
        lines.append(Content.styled(note, "$warning" if window.past_cutoff(at) else "$text-muted"))
    if blocked:
        lines += [Content(""), Content.styled(f"Not started ({len(blocked)}), blocked by preflight:", "bold")]
        for client, reasons in blocked.items():
            lines.append(Content.assemble("  ", ("■ ", "$accent"), (client, "bold")))
            lines += [Content(f"      {why}") for why in reasons]
    return Ask("Start the migration run?", join(lines), confirm="Start")


def control_ask(action: ControlAction, operator: str) -> Ask:
    """An operator control: the value it needs, what will happen where, then what came back."""

    def describe(value: str) -> Content:
        return Content("This will happen:\n" + "\n".join(action.describe(value)))

    async def perform(value: str, _report: Report) -> Outcome:
        return await action.perform(value)

    return Ask(
        action.heading,
        confirm=action.run_label,
        danger=action.danger,
        type_name=action.destroys,
        warning="What it stops cannot be resumed: only retried." if action.destroys else "",
        param=action.param,
        describe=describe,
        perform=perform,
        note=f"The engine journals it as done by {operator}.",
    )


FIX_INTRO = "These commands will run, in this order, each on the host in brackets:"


def fix_ask(subject: str, steps: Sequence[FixStep], host: str, perform: Perform) -> Ask:
    """A preflight fix: every command with its host; a destructive one asks for `host`'s name."""
    destructive = any(s.destructive for s in steps)
    body = join([Content(FIX_INTRO), *(Content.assemble("  ", line) for line in step_lines(steps))])
    return Ask(
        f"Apply {subject}?",
        body,
        danger=destructive,
        type_name=host if destructive else None,
        warning=(
            "This fix deletes something on the host. The commands under 'saves first' keep a copy of what it "
            "deletes and run before it."
            if destructive
            else ""
        ),
        perform=perform,
        done=f"Applied {subject}.",
    )


RunBackout = Callable[[EventSink, Callable[[str], None]], Awaitable[RunFinished]]
"""Runs a cluster back-out: events go to the sink, each progress line to the callable."""


class _Discard:
    """The dialog shows the printer's lines, not the raw events."""

    def emit(self, event: object) -> None:
        return None


def backout_ask(runbook: str, plan: Sequence[str], run: RunBackout) -> Ask:
    """A cluster runbook's way back on every node; it removes the new release: the runbook's name is typed.

    Its progress streams into the dialog; the verdict is green only when every step succeeded on every node.
    """

    async def perform(_value: str, report: Report) -> Outcome:
        finished = await run(_Discard(), report.line)
        if finished.ok:
            return Outcome(True, (f"✓ Back-out of {runbook} done on {', '.join(finished.succeeded)}.",))
        return Outcome(False, (f"✗ Back-out of {runbook} did not complete on {', '.join(finished.failed)}.",))

    return Ask(
        f"Back out {runbook} on every node?",
        "\n".join(plan),
        confirm="Run back-out",
        danger=True,
        type_name=runbook,
        type_what="runbook",
        warning=f"The back-out removes what {runbook} installed, on every node.",
        perform=perform,
        done=f"Back-out of {runbook} done.",
    )


def every_host_waiver_ask(check: str, reason: str, covered: Sequence[str], untouched: Sequence[str], terms: str) -> Ask:
    """A waiver of `check` on every host: what it covers now, what it never covers (an error), until when.

    `covered`: `host: summary` of the findings it would cover now; `untouched`: hosts whose finding is an
    error (the check could not run), which no waiver covers.
    """
    lines = [
        Content.assemble(
            "The waiver covers ", (check, "bold"), " on every host of the inventory, those checked later too."
        ),
        Content(terms),
        Content(""),
        Content.styled(f"It covers now ({len(covered)}):", "bold"),
        *(Content(f"  {line}") for line in covered),
    ]
    if untouched:
        lines += [
            Content(""),
            Content.styled(f"Not covered: the check could not run on {', '.join(untouched)}.", "$error"),
        ]
    lines += [
        Content("An error (a check that could not run) is never waived: there is nothing judged to accept."),
        Content(""),
        Content.assemble("Reason: ", (reason, "bold")),
    ]
    return Ask(f"Waive {check} on every host?", join(lines), confirm="Waive on every host", danger=True)
