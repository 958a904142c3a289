"""The runbook file format: ordered steps, where each runs, how it is judged, how it is undone.

Built-in runbooks live in cockpit/runbooks/*.yaml; an operator's own runbook is a file named by path
in the plan (`runbook: ./my-runbook.yaml`). Both are read by the same loader as the config, so a
mistake is reported as `FILE:LINE:COL: key.path: message`. The README documents the format with a
complete example.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator

from cockpit.config.models import CrossRefError, Strict
from cockpit.domain import template

STEP_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
ROLE = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")
CONFLICT_PROGRAM = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+\-]{0,63}$")
CONFLICT_WORD = re.compile(r"^[A-Za-z0-9_.,:=+%@/\-]{1,128}$")
RESERVED = ("target", "nim_name", "phase", "master")
"""Values every template may use: the target's name, its NIM object name, the phase (phase_run only),
the NIM master's NIM name."""


def _step_id(value: str) -> str:
    if not STEP_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not a step id (lower-case letters, digits and '-', up to 40)")
    return value


def _scope(value: str) -> str:
    if value in ("master", "target", "first"):
        return value
    if value.startswith("role:") and ROLE.fullmatch(value[5:]):
        return value
    raise ValueError(f"{value!r}: expected master, target, first or role:NAME")


def _regex(value: str) -> str:
    try:
        re.compile(template.PLACEHOLDER.sub("x", value))
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


def _check_id(value: str) -> str:
    from cockpit.domain.preflight.checks import ALL_CHECKS  # the domain's own list: one source of the ids

    known = [c.id for c in ALL_CHECKS]
    if value not in known:
        raise ValueError(f"{value!r} is not a preflight check (known: {', '.join(known)})")
    return value


def _conflict(value: str) -> str:
    words = value.split()
    if not words or not CONFLICT_PROGRAM.fullmatch(words[0]):
        raise ValueError(f"{value!r}: expected a program name (no path) and its arguments, e.g. nimadm -c {{nim_name}}")
    for word in words[1:]:
        if not CONFLICT_WORD.fullmatch(template.PLACEHOLDER.sub("x", word)):
            raise ValueError(f"{value!r}: {word!r} is not a plain word or a {{placeholder}}")
    return value


def _exit_codes(value: object) -> object:
    return [value] if isinstance(value, int) and not isinstance(value, bool) else value


StepId = Annotated[str, AfterValidator(_step_id)]
Scope = Annotated[str, AfterValidator(_scope)]
Regex = Annotated[str, AfterValidator(_regex)]
Minutes = Annotated[float, Field(gt=0, le=24 * 60)]
ATTACH_UP_TO_MINUTES = 1.0
"""A step expected to take at most this long (and not destructive) runs attached unless it says."""


class ParamSpec(Strict):
    type: Literal["name", "disk", "disks", "vg", "path", "file", "version", "word", "number"] = "word"
    """The shape a value must have (see cockpit/domain/template.py); values reach a remote shell."""
    required: bool = True
    default: str | None = None
    per_target: bool = False
    """Set per target in `plan.targets[].params` (a target may also override a run-wide value)."""
    help: str = ""

    @model_validator(mode="after")
    def _default_shape(self) -> ParamSpec:
        if self.default is not None:
            try:
                template.check_value(self.type, self.default, param="default")
            except template.TemplateError as exc:
                raise CrossRefError(("default",), str(exc)) from None
        return self


class Expect(Strict):
    """How a step's outcome is judged (all that are given must hold)."""

    exit: Annotated[list[int], BeforeValidator(_exit_codes)] = Field(default_factory=lambda: [0])
    """Exit statuses that count as success."""
    output: list[Regex] = Field(default_factory=list)
    """Each pattern must match at least one line of the step's output."""
    fail_output: list[Regex] = Field(default_factory=list)
    """A line matching any of these fails the step, whatever the exit status; it becomes the error shown."""
    empty: bool = False
    """The step must print nothing (e.g. `oslevel -l LEVEL`: filesets below the level)."""
    parser: Literal["nimadm"] | None = None
    """A built-in judge: `nimadm` follows the 12 phase banners and knows its error codes."""


class Guard(Strict):
    """A check run on the step's host right before the step; it holds when it exits 0, (if given) a
    line of its output matches `output` and (if given) no line matches `absent`.

    A back-out step states what must be true for it to be needed, so it acts only on what is there:
    `rpm -q linuxha12` before `rpm -e linuxha12`, `rpm -qa` with `absent` the old package before
    reinstalling it (already back: skipped)."""

    run: str
    output: Regex | None = None
    """A line of the guard's output must match this pattern."""
    absent: Regex | None = None
    """No line of the guard's output may match this pattern (something must not be there yet)."""
    otherwise: Literal["refuse", "skip"] = "refuse"
    """When it does not hold: `refuse` fails the step with `reason`; `skip` passes over the step on
    this host (e.g. a backup taken only where the volume group is varied on)."""
    reason: str
    """Why, in the operator's words (may use {placeholders})."""


class StepSpecFile(Strict):
    id: StepId
    title: str
    on: Scope = "target"
    """Where it runs: `master` (the NIM master, once per target), `target` (each target host),
    `first` (the first target of the plan, once per run), `role:NAME` (targets with that role)."""
    run: str
    """The command template; `{param}` is replaced by the quoted value, `{-f param}` by `-f 'value'` or nothing."""
    expect: Expect = Field(default_factory=Expect)
    when: str | None = None
    """Run the step only when this parameter is set (optional steps)."""
    record: str | None = None
    """Journal the first line of the output as this fact of the target (e.g. the version before)."""
    guard: Guard | None = None
    destructive: bool = False
    """Changes the system in a way the operator must confirm before a retry or a manual run."""
    repeatable: bool = False
    """May be run again (e.g. alt_disk_copy phase 2 before phase 3)."""
    undo: str | None = None
    """Command template that reverses this step (offered by troubleshooting and back-out)."""
    undo_on: Scope | None = None
    expected_minutes: Minutes = 5.0
    """Typical duration (ETA, and a step running 4x this long is flagged)."""
    silence_minutes: Minutes = 10.0
    """No output for this long marks the step stalled."""
    timeout_minutes: Minutes | None = None
    """Still running after this long marks the step stalled (default: 4x expected_minutes). The cockpit
    never kills a step on its own: the operator decides on the troubleshoot screen."""
    attach: bool | None = None
    """Run the step attached to its SSH channel (true: one channel and no helper process on the host;
    its output is not kept on the host, so a dropped connection or a cockpit restart while it runs
    loses what it printed meanwhile, and a step still printing then is ended by SIGPIPE) or kept
    (false: output kept in a file on the host and streamed; survives drops and restarts). Default:
    attached when the step is quick (expected_minutes up to 1) and not destructive, else kept."""
    phases: int = Field(default=1, ge=1, le=99)
    """Phases inside this one step (nimadm: 12), told apart by `expect.parser`."""
    phase_run: str | None = None
    """Template running one phase alone (uses {phase}); retries from a phase use it (nimadm -P)."""

    @property
    def attached(self) -> bool:
        """Whether the step runs attached (see `attach`); a step with phases of its own never does."""
        if self.phases > 1:
            return False
        if self.attach is not None:
            return self.attach
        return self.expected_minutes <= ATTACH_UP_TO_MINUTES and not self.destructive


class ProbeSpec(Strict):
    key: StepId
    title: str
    on: Scope = "target"
    run: str


class FactSpec(Strict):
    key: StepId
    """Journal key of the fact (`oslevel-before` is what a rollback verifies against)."""
    on: Literal["target"] = "target"
    run: str
    """Its first line of output is recorded, before the target's first step (best effort: a target
    that cannot be reached over SSH is still run, it only lacks the fact)."""


class RunbookFile(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: StepId
    title: str
    source: str = ""
    """Where the steps come from (a public runbook, a manual page), shown in reports."""
    description: str = ""
    mode: Literal["independent", "lockstep"] = "independent"
    """`independent`: each target runs all its steps on its own (LPAR migrations); `lockstep`: a step
    ends on every host it runs on before the next begins, and one failure stops the run (clusters)."""
    roles: list[Annotated[str, Field(pattern=ROLE.pattern)]] = Field(default_factory=list)
    """Roles a target may have (`role:NAME` scopes); empty: targets have no roles."""
    params: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,30}$")], ParamSpec] = Field(default_factory=dict)
    steps: list[StepSpecFile] = Field(min_length=1)
    backout: list[StepSpecFile] = Field(default_factory=list)
    """The guided way back (cluster runbooks), offered by `cockpit rollback`."""
    probes: list[ProbeSpec] = Field(default_factory=list)
    """Extra looks for the troubleshoot screen."""
    facts: list[FactSpec] = Field(default_factory=list)
    """Taken from each target before its first step (e.g. the level a rollback returns to)."""
    conflicts: list[Annotated[str, AfterValidator(_conflict)]] = Field(default_factory=list)
    """Programs that, running on a host where a target's steps run, mean someone is at that target
    already (by hand, Ansible, another cockpit): `PROGRAM [ARGS...]` with {placeholders}, e.g.
    `nimadm -c {nim_name}`. The cockpit refuses a target whose host's process table shows one."""
    preflight: list[Annotated[str, AfterValidator(_check_id)]] = Field(default_factory=list)
    """Preflight check ids that gate this runbook (see `cockpit check`). The checks are those of a
    nimadm migration (NIM master, nimsh, SPOT, disks): `cockpit run` runs them for nimadm plans."""

    @model_validator(mode="after")
    def _cross_check(self) -> RunbookFile:
        known = set(self.params) | set(RESERVED)
        for group in ("steps", "backout"):
            seen: set[str] = set()
            for i, step in enumerate(getattr(self, group)):
                if step.id in seen:
                    raise CrossRefError((group, i, "id"), f"duplicate step id {step.id!r}")
                seen.add(step.id)
                texts: dict[tuple[str, ...], str] = {
                    ("run",): step.run,
                    ("undo",): step.undo or "",
                    ("phase_run",): step.phase_run or "",
                }
                if step.guard is not None:
                    for key in ("run", "reason", "output", "absent"):
                        texts[("guard", key)] = getattr(step.guard, key) or ""
                for where, text in texts.items():
                    for name in template.placeholders(text):
                        if name not in known:
                            raise CrossRefError((group, i, *where), f"unknown parameter {{{name}}}")
                if step.when is not None and step.when not in self.params:
                    raise CrossRefError((group, i, "when"), f"unknown parameter {step.when!r}")
                if step.phase_run is not None and "phase" not in template.placeholders(step.phase_run):
                    raise CrossRefError((group, i, "phase_run"), "phase_run must use {phase}")
                for scope in (step.on, step.undo_on or "target"):
                    if scope.startswith("role:") and scope[5:] not in self.roles:
                        raise CrossRefError((group, i, "on"), f"role {scope[5:]!r} is not in roles")
                if step.phases > 1 and step.expect.parser is None:
                    raise CrossRefError((group, i, "phases"), "phases above 1 need an expect.parser")
        for i, conflict in enumerate(self.conflicts):
            for name in template.placeholders(conflict):
                if name not in known:
                    raise CrossRefError(("conflicts", i), f"unknown parameter {{{name}}}")
        return self

    @property
    def needs_master(self) -> bool:
        return any(s.on == "master" or s.undo_on == "master" for s in (*self.steps, *self.backout))

    @property
    def phases_total(self) -> int:
        """What the progress column counts: a single multi-phase step's phases, else the steps."""
        if len(self.steps) == 1:
            return self.steps[0].phases
        return len(self.steps)


__all__ = ["Expect", "FactSpec", "Guard", "ParamSpec", "ProbeSpec", "RunbookFile", "StepSpecFile"]
