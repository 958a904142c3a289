"""The rollback wizard's state machine: each host's walk from reading it to verified (and cleaned), no Textual.

Driven by the engine's RollbackWizard, seen here through `RollbackService` (the UI never imports the
engine). For each ticked host: read where it stands (lspv, bootlist -m normal -o, oslevel -s, bootinfo
-b), refuse or propose the steps back, run them one at a time (the screen confirms the ones that change
the host first), verify, offer the reboot that proves the old disk boots, then the clean-up of the
migrated disk and its check. `RollbackWalker` does the async work and calls `changed()` after every
move so that the screen (screens/rollback.py) redraws; it never draws itself.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Protocol

from cockpit.domain.rollback import (
    Assessment,
    Refused,
    RollbackStep,
    Situation,
    StepKind,
    Verification,
    plan,
)
from cockpit.ui.controls import error_text

# --- what the wizard uses of the engine's RollbackWizard ----------------------------------------------


class BackoffView(Protocol):
    @property
    def first(self) -> float: ...

    @property
    def cap(self) -> float: ...


class RecordView(Protocol):
    """The journal's record of `oslevel -s` before the migration."""

    @property
    def run_id(self) -> str: ...

    @property
    def at(self) -> float: ...

    @property
    def value(self) -> str: ...


class StepOutcomeView(Protocol):
    @property
    def ok(self) -> bool: ...

    @property
    def detail(self) -> str: ...

    @property
    def output(self) -> str: ...


class RollbackService(Protocol):
    """The engine's RollbackWizard as the wizard uses it: one journal run for every host of the screen."""

    @property
    def run_id(self) -> str: ...

    @property
    def journaled(self) -> bool:
        """The run is in the journal: a step that changes a host was confirmed (a look writes nothing)."""
        ...

    @property
    def reboot_timeout(self) -> float: ...

    @property
    def backoff(self) -> BackoffView: ...

    @property
    def records(self) -> Mapping[str, RecordView | None]: ...

    async def assess(self, host: str, disk: str | None = None) -> Assessment: ...

    def plan(self, host: str, reboot: bool) -> list[RollbackStep]: ...

    async def cleanup_plan(self, host: str) -> list[RollbackStep]: ...

    async def execute(self, step: RollbackStep) -> StepOutcomeView: ...

    async def verify(self, host: str) -> Verification: ...

    def finish(self, outcome: str) -> None: ...

    async def close(self) -> None: ...


# --- one host's walk -------------------------------------------------------------------------------------


class Stage(Enum):
    READING = "reading"
    UNREADABLE = "unreadable"
    REFUSED = "refused"
    STEPS = "steps"
    FAILED = "failed"
    VERIFIED = "verified"
    NOT_VERIFIED = "not verified"
    CLEANUP = "cleanup"
    CLEANED = "cleaned"


@dataclass
class StepResult:
    ok: bool
    detail: str
    output: str = ""


@dataclass
class HostWalk:
    """Where one host is in the wizard: what was read, the steps, what each did, the verification."""

    host: str
    stage: Stage = Stage.READING
    disk: str | None = None
    """The operator's own choice of disk to boot (None: the wizard's)."""
    assessment: Assessment | None = None
    error: str | None = None
    """Why the host could not be read, or why a step could not run (a transport failure)."""
    required: list[RollbackStep] = field(default_factory=list)
    offered_reboot: RollbackStep | None = None
    reboot_skipped: bool = False
    cleanup: list[RollbackStep] = field(default_factory=list)
    predicted_cleanup: list[RollbackStep] = field(default_factory=list)
    """The clean-up as the plan predicts it (shown as offered); read again from the host before it is run."""
    results: dict[str, StepResult] = field(default_factory=dict)
    verification: Verification | None = None
    cleanup_note: str | None = None
    busy: str | None = None
    busy_since: float = 0.0
    executed: bool = False

    def next_step(self) -> RollbackStep | None:
        """The step `n` runs now, or None (read-only work or nothing left)."""
        if self.stage is Stage.STEPS:
            return next((s for s in self.required if s.id not in self.results), None)
        if self.stage is Stage.VERIFIED and self.offered_reboot is not None:
            reboot = self.offered_reboot
            if reboot.id not in self.results and not self.reboot_skipped:
                return reboot
        if self.stage is Stage.CLEANUP:
            return next((s for s in self.cleanup if s.id not in self.results), None)
        return None

    @property
    def outcome(self) -> str:
        """This host's word for the journal run's outcome."""
        if self.stage in (Stage.VERIFIED, Stage.CLEANUP, Stage.CLEANED):
            return "verified"
        if self.stage is Stage.REFUSED:
            return "refused"
        if self.stage in (Stage.FAILED, Stage.NOT_VERIFIED, Stage.UNREADABLE):
            return "failed"
        return "proposed"

    def why_no_step(self) -> str:
        """What `n` says when there is no step to run."""
        if self.stage is Stage.REFUSED:
            return f"{self.host}: refused: {self.assessment.reason if self.assessment else ''} (d: another disk)"
        if self.stage is Stage.UNREADABLE:
            return f"{self.host}: {self.error} (r: read it again)"
        if self.stage is Stage.CLEANED:
            return f"{self.host}: rolled back and cleaned up; nothing left to do"
        if self.stage in (Stage.FAILED, Stage.NOT_VERIFIED):
            return f"{self.host}: {self.stage.value}: read it again (r) before going on"
        return f"{self.host}: nothing to run now"


def run_outcome(walks: Iterable[HostWalk]) -> str:
    """The journal run's outcome: verified when every host something ran on is; failed when one is not."""
    walks = list(walks)
    executed = [w for w in walks if w.executed]
    if executed:
        return "verified" if all(w.outcome == "verified" for w in executed) else "failed"
    if any(w.outcome == "refused" for w in walks):
        return "refused"
    return "proposed"


Spawn = Callable[[Coroutine[Any, Any, None], str], None]
"""Runs a coroutine in the background (the screen's worker), named by its host."""


class RollbackWalker:
    """Every host's walk, moved by the service's answers; `changed()` after each move, `failed()` to tell.

    `busy(host)` says why a host must not be rolled back now (its migration is running), or None.
    """

    def __init__(
        self,
        service: RollbackService,
        *,
        spawn: Spawn,
        changed: Callable[[], None],
        failed: Callable[[str], None],
        busy: Callable[[str], str | None],
        clock: Callable[[], float],
    ) -> None:
        self.service = service
        self.walks: dict[str, HostWalk] = {}
        self._spawn = spawn
        self._changed = changed
        self._failed = failed
        self._busy_reason = busy
        self._clock = clock
        self._closing = False

    @property
    def busy(self) -> str | None:
        """What a host is doing now (the first one found), None when every host is idle."""
        return next((w.busy for w in self.walks.values() if w.busy is not None), None)

    @property
    def outcome(self) -> str:
        return run_outcome(self.walks.values())

    def _begin(self, walk: HostWalk, what: str) -> None:
        walk.busy, walk.busy_since = what, self._clock()
        self._changed()

    def _end(self, walk: HostWalk) -> None:
        walk.busy = None
        self._changed()

    # -- reading ---------------------------------------------------------------------------------

    def start(self, host: str, disk: str | None = None) -> None:
        """Read `host` (again), with the operator's disk if one was chosen."""
        why = self._busy_reason(host)
        walk = self.walks[host] = HostWalk(host, disk=disk)
        if why is not None:
            walk.stage, walk.error = Stage.UNREADABLE, why
            self._changed()
            return
        self._begin(walk, f"reading {host} (lspv, bootlist -m normal -o, oslevel -s, bootinfo -b)…")
        self._spawn(self._assess(walk), host)

    async def _assess(self, walk: HostWalk) -> None:
        try:
            a = await self.service.assess(walk.host, walk.disk)
        except Exception as exc:  # unreachable, unreadable: the reason is the answer
            walk.stage, walk.error = Stage.UNREADABLE, error_text(exc)
            self._end(walk)
            return
        walk.assessment, walk.error = a, None
        if a.refused:
            walk.stage = Stage.REFUSED
            self._end(walk)
            return
        steps = self.service.plan(walk.host, reboot=a.situation is Situation.REBOOTED)
        walk.required = [s for s in steps if not s.optional]
        walk.predicted_cleanup = [s for s in steps if s.optional and s.kind is StepKind.CLEANUP]
        if a.situation is Situation.NOT_REBOOTED:
            # Not needed to roll back (the bootlist is), offered to prove that the old disk boots.
            proving = next((s for s in plan(a, reboot=True) if s.kind is StepKind.REBOOT), None)
            walk.offered_reboot = replace(proving, optional=True) if proving is not None else None
        walk.stage = Stage.STEPS
        if not walk.required:  # already back (or nothing to do): prove it, read-only
            await self._verify(walk)
        self._end(walk)

    # -- stepping ----------------------------------------------------------------------------------

    def read_for_cleanup(self, walk: HostWalk) -> None:
        """After the verification: read the host again and offer the clean-up of the migrated disk."""
        self._begin(walk, f"reading {walk.host} again for the clean-up…")
        self._spawn(self._plan_cleanup(walk), walk.host)

    def run(self, walk: HostWalk, step: RollbackStep) -> None:
        """Run `step` (confirmed already when it changes the host), then verify when it is due."""
        if step.kind is StepKind.REBOOT:
            what = f"{step.command}: waiting for {walk.host} to come back"
        else:
            what = f"running {step.command} on {walk.host}"
        self._begin(walk, what)
        self._spawn(self._execute(walk, step), walk.host)

    async def _execute(self, walk: HostWalk, step: RollbackStep) -> None:
        walk.executed = walk.executed or step.changes_host
        try:
            outcome = await self.service.execute(step)
            walk.results[step.id] = StepResult(outcome.ok, outcome.detail, outcome.output)
        except Exception as exc:
            walk.results[step.id] = StepResult(False, error_text(exc))
        result = walk.results[step.id]
        if not result.ok:
            if walk.stage is Stage.CLEANUP:
                walk.cleanup_note = f"{step.command}: {result.detail}"
            walk.stage = Stage.FAILED
            self._failed(f"{walk.host}: {step.command}: {result.detail}")
            self._end(walk)
            return
        steps_done = walk.stage is Stage.STEPS and walk.next_step() is None
        if steps_done or step.kind is StepKind.REBOOT:  # a reboot (even the offered one) is proved again
            await self._verify(walk)
        elif walk.stage is Stage.CLEANUP and walk.next_step() is None:
            await self._check_cleanup(walk)
        self._end(walk)

    async def _verify(self, walk: HostWalk) -> None:
        walk.busy = f"verifying {walk.host} (bootlist, rootvg, bootinfo -b, oslevel -s)…"
        self._changed()
        try:
            v = await self.service.verify(walk.host)
        except Exception as exc:
            walk.stage, walk.error = Stage.NOT_VERIFIED, error_text(exc)
            return
        walk.verification = v
        walk.stage = Stage.VERIFIED if v.ok else Stage.NOT_VERIFIED

    async def _plan_cleanup(self, walk: HostWalk) -> None:
        try:
            walk.cleanup = await self.service.cleanup_plan(walk.host)
        except Refused as exc:
            walk.cleanup_note = f"clean-up refused: {exc}"
        except Exception as exc:
            walk.cleanup_note = f"clean-up: {error_text(exc)}"
        else:
            walk.stage = Stage.CLEANUP if walk.cleanup else Stage.CLEANED
            walk.cleanup_note = None if walk.cleanup else "nothing left of the migrated system"
        self._end(walk)

    async def _check_cleanup(self, walk: HostWalk) -> None:
        walk.busy = f"reading lspv on {walk.host} to check the clean-up…"
        self._changed()
        try:
            left = await self.service.cleanup_plan(walk.host)
        except Exception as exc:
            walk.cleanup_note = f"clean-up NOT verified: {error_text(exc)}"
            walk.stage = Stage.FAILED
            return
        disks = " ".join(walk.assessment.new_disks) if walk.assessment else ""
        if left:
            walk.cleanup_note = f"clean-up NOT verified: lspv still shows {disks} in a volume group"
            walk.stage = Stage.FAILED
        else:
            walk.cleanup_note = f"clean-up verified: lspv shows {disks} in no volume group"
            walk.stage = Stage.CLEANED

    def skip_reboot(self, walk: HostWalk) -> None:
        if walk.offered_reboot is not None and walk.stage is Stage.VERIFIED:
            walk.reboot_skipped = True
            self._changed()

    # -- the end -----------------------------------------------------------------------------------

    def finish(self) -> bool:
        """End the journal run with the hosts' outcome (once); False when it was ended already.

        The caller then drops the connections (`service.close()`).
        """
        if self._closing:
            return False
        self._closing = True
        self.service.finish(self.outcome)
        return True
