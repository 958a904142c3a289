"""The operator's actions on a target or the fleet: what each will do and where, and doing it.

Each action is a ControlAction: `describe(value)` gives the lines the confirmation shows (the exact
commands and the host they run on, built from the engine's own command builders and step
directories), `perform(value)` calls the engine and says what came back. `value` is what the operator
typed or chose (a phase, a reason, minutes); describe raises ValueError, worded for the operator,
when it is not acceptable. `refusal` says why an action does not fit a target's state, in the
engine's words, so the screens can disable it. Pure Python (no Textual): tested without an app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from cockpit.domain.models import TargetState
from cockpit.ui.controls import LimitView, RunControls

SNOOZE_MINUTES = (10, 30, 60)
DEFAULT_SNOOZE = SNOOZE_MINUTES[0]
"""The first choice: a RadioSet highlights its first button when focused, so that is the one Enter picks."""
OUTPUT_LINES = 30
"""Lines of a command's output shown in an outcome (the rest is in the journal and the host's logs)."""

_ACTIVE = (TargetState.RUNNING, TargetState.STALLED)
CHANGES_A_HOST = ("interrupt", "kill", "force_kill", "cleanup", "retry", "skip", "abort")
"""Actions that send something to a host (a signal, a clean-up, new steps): on a migration someone
else started, each says who started it before it is confirmed."""
SIGNALS = {"interrupt": "INT", "kill": "TERM", "force_kill": "KILL"}
TARGET_ACTIONS = ("snooze", "interrupt", "kill", "force_kill", "cleanup", "retry", "skip", "mark_failed")


@dataclass(frozen=True)
class Param:
    """The one value an action needs: typed into an Input, or picked from `choices` (value, label)."""

    label: str
    initial: str = ""
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Outcome:
    ok: bool
    lines: tuple[str, ...]


@dataclass(frozen=True)
class ControlAction:
    key: str
    heading: str
    describe: Callable[[str], list[str]]
    perform: Callable[[str], Awaitable[Outcome]]
    param: Param | None = None
    danger: bool = False
    """Stops or removes something (signals, cleanup, abort): shown with the error colour."""
    run_label: str = "Run"
    destroys: str | None = None
    """The host whose work or data it destroys (a kill, a clean-up): its name must be typed to run it."""


def refusal(
    key: str,
    target: str,
    state: TargetState,
    *,
    phase: int | None = None,
    run_open: bool = True,
    term_sent: bool = False,
    last: int = 12,
    unit: str = "phase",
) -> str | None:
    """Why `key` does not fit `target` in `state` (the engine's wording where it has one), else None."""
    if key in ("snooze", "interrupt", "kill", "force_kill"):
        if state not in _ACTIVE and key == "snooze":
            return f"{target} is {state.value}: no alarm to snooze"
        if state not in _ACTIVE:
            return f"{target} has no running step to signal"
        if key == "force_kill" and not term_sent:
            return f"send SIGTERM to {target} first (k): SIGKILL is for processes that ignore it"
        return None
    if key == "cleanup":
        return f"{target} is still running: kill it before cleaning up" if state in _ACTIVE else None
    if key in ("retry", "skip"):
        if state in (*_ACTIVE, TargetState.PENDING):
            return f"{target} is {state.value}: stop it before retrying"
        if not run_open:
            return "the run is not active"
        if key == "skip" and (phase or 0) >= last:
            return f"{target} stopped in {unit} {phase}: there is no {unit} after it"
        return None
    if key == "abort":
        return None if state in (*_ACTIVE, TargetState.PENDING) else f"{target} is {state.value}: nothing to abort"
    if key == "mark_failed" and state is TargetState.PENDING:
        # The engine would still start it when a slot frees up: aborting is what keeps it from starting.
        return f"{target} has not started: abort it from the fleet (a) to keep it from starting"
    return None


def not_ours(action: ControlAction, target: str, owner: str) -> ControlAction:
    """`action` on a migration this cockpit did not start: the confirmation names who did."""

    def describe(value: str) -> list[str]:
        return [
            f"{target}'s migration was NOT started by this cockpit. Started by: {owner}.",
            "Whoever started it may still be watching it, or act on it too: tell them first.",
            *action.describe(value),
        ]

    return replace(action, heading=f"{action.heading} (started by someone else)", describe=describe, danger=True)


def parse_phase(value: str, last: int = 12, unit: str = "phase") -> int:
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= last:
        raise ValueError(f"the {unit} is a whole number from 1 to {last}")
    return int(text)


def _output(text: str) -> tuple[str, ...]:
    lines = text.rstrip("\n").splitlines()
    if len(lines) > OUTPUT_LINES:
        lines = [f"… {len(lines) - OUTPUT_LINES} earlier lines not shown", *lines[-OUTPUT_LINES:]]
    return tuple(f"  {line}" for line in lines)


class ControlActions:
    """Builds the actions on one run's controls (the engine), for the screens to confirm and run."""

    def __init__(self, controls: RunControls) -> None:
        self.controls = controls

    def host_of(self, target: str) -> str:
        """Where the target's current step runs (the NIM master for nimadm, the target itself ...)."""
        return self.controls.step_host(target)

    @property
    def unit(self) -> str:
        """`phase` (nimadm -P) or `step` (step-by-step runbooks): what a retry starts from."""
        return self.controls.retry_unit

    @property
    def last(self) -> int:
        return self.controls.phases_total

    def state_of(self, target: str) -> TargetState:
        runner = self.controls.runners.get(target)
        return runner.progress.state if runner is not None else TargetState.PENDING

    def step_directory(self, target: str) -> str | None:
        runner = self.controls.runners.get(target)
        step = runner.current if runner is not None else None
        return step.remote.directory if step is not None else None

    def cleanup_command(self, target: str) -> str:
        """The clean-up line the engine's cleanup runs (nimadm -C, alt_rootvg_op -X ...)."""
        return self.controls.cleanup_command(target)

    def retry_commands(self, target: str, phase: int) -> list[str]:
        return self.controls.retry_commands(target, phase)

    def build(self, key: str, target: str, *, phase: int | None = None) -> ControlAction:
        """The action `key` (one of TARGET_ACTIONS, or "abort") on `target`.

        On a migration this cockpit did not start (`cockpit attach`), an action that changes a host
        says first who started it, and is shown as dangerous.
        """
        action = self._build(key, target, phase=phase)
        owner = self.controls.owner_of(target)
        if owner is None or key not in CHANGES_A_HOST:
            return action
        return not_ours(action, target, owner)

    def _build(self, key: str, target: str, *, phase: int | None = None) -> ControlAction:
        if key == "snooze":
            return self.snooze(target)
        if key in SIGNALS:
            return self.signal(target, SIGNALS[key])
        if key == "cleanup":
            return self.cleanup(target)
        if key == "retry":
            return self.retry(target, phase)
        if key == "skip":
            return self.skip(target)
        if key == "mark_failed":
            return self.mark_failed(target)
        if key == "abort":
            return self.abort(target)
        raise ValueError(f"no action {key!r}")

    # -- on one target -----------------------------------------------------------------------

    def snooze(self, target: str) -> ControlAction:
        def minutes(value: str) -> int:
            if not value.isdigit() or int(value) not in SNOOZE_MINUTES:
                raise ValueError(f"choose {', '.join(map(str, SNOOZE_MINUTES))} minutes")
            return int(value)

        def describe(value: str) -> list[str]:
            m = minutes(value)
            return [
                f"No stall alarm for {target} for the next {m} minutes (journaled as snooze {m * 60}s).",
                f"Nothing is sent to {self.host_of(target)}: the step keeps running there as it is.",
            ]

        async def perform(value: str) -> Outcome:
            m = minutes(value)
            self.controls.snooze(target, m * 60)
            return Outcome(True, (f"No stall alarm for {target} for {m} minutes.",))

        choices = tuple((str(m), f"{m} min") for m in SNOOZE_MINUTES)
        param = Param("Keep waiting for", str(DEFAULT_SNOOZE), choices=choices)
        return ControlAction("snooze", f"Keep waiting for {target}?", describe, perform, param, run_label="Snooze")

    def signal(self, target: str, signal_name: str) -> ControlAction:
        key = {v: k for k, v in SIGNALS.items()}[signal_name]
        effect = {
            "INT": "as Ctrl+C would: nimadm may stop and clean up after itself",
            "TERM": "asks them to end",
            "KILL": "ends them at once, with no chance to clean up: run nimadm -C afterwards",
        }[signal_name]

        def describe(value: str) -> list[str]:
            directory = self.step_directory(target)
            if directory is None:
                raise ValueError(f"{target} has no running step to signal")
            if self.controls.owner_of(target) is not None:  # a migration the cockpit follows, not its step
                return [
                    f"SIG{signal_name} to the migration's process and every process under it on {self.host_of(target)} "
                    f"(its log: {directory})",
                    f"SIG{signal_name} {effect}.",
                    f"{target} then ends as its log says: failed, unless it had finished.",
                ]
            return [
                f"SIG{signal_name} to the processes of step {directory} on {self.host_of(target)}",
                f"SIG{signal_name} {effect}.",
                "Every process under the step's wrapper is signalled; the wrapper then records the exit status "
                f"and {target} ends failed (retry it from its phase afterwards).",
            ]

        async def perform(value: str) -> Outcome:
            result = await self.controls.kill(target, signal_name)
            said = (result.stdout or result.stderr).strip() or f"exit {result.exit_status}"
            lines = [f"SIG{signal_name} sent to the processes of {target}'s step on {self.host_of(target)}:"]
            lines.append(f"[{self.host_of(target)}] {said}")
            if signal_name == "TERM":
                lines.append(f"If {target} does not end, K sends SIGKILL.")
            return Outcome(True, tuple(lines))

        verb = {"INT": "Interrupt", "TERM": "Terminate", "KILL": "Kill (SIGKILL)"}[signal_name]
        return ControlAction(
            key,
            f"{verb} the running step of {target}?",
            describe,
            perform,
            danger=True,
            run_label=f"Send SIG{signal_name}",
            destroys=target,
        )

    def cleanup(self, target: str) -> ControlAction:
        command = self.cleanup_command(target)
        where = self.controls.cleanup_host(target)
        nimadm = command.startswith("nimadm ")

        def describe(value: str) -> list[str]:
            why = (
                "nimadm -C is for a migration that did not clean up after itself (nimadm cleans up on its own "
                "fatal errors, not after a kill)."
                if nimadm
                else "The runbook's undo of the last step that has one: it reverses what the run left behind."
            )
            return [f"On {where}: {command}", why]

        async def perform(value: str) -> Outcome:
            result = await self.controls.cleanup(target)
            head = f"[{where}] {command}  exit {result.exit_status}"
            return Outcome(result.ok, (head, *_output(result.stdout + result.stderr)))

        verb = "nimadm -C" if nimadm else command.split()[0]
        return ControlAction(
            "cleanup", f"Clean up {target} with {verb}?", describe, perform, danger=True, destroys=target
        )

    def retry(self, target: str, phase: int | None) -> ControlAction:
        unit, last = self.unit, self.last

        def describe(value: str) -> list[str]:
            commands = self.retry_commands(target, parse_phase(value, last, unit))
            if self.controls.lockstep:
                where = "Step by step on every node that has not done it yet; a failure stops the run again:"
            else:
                where = (
                    f"On {self.host_of(target)}, one after another, each as its own step; the first that fails "
                    "stops the rest:"
                )
            return [where, *(f"  {c}" for c in commands)]

        async def perform(value: str) -> Outcome:
            n = parse_phase(value, last, unit)
            steps = len(self.retry_commands(target, n))
            self.controls.retry_from(target, n)
            return Outcome(True, (f"Retry of {target} from {unit} {n} started: {steps} steps.",))

        param = Param(f"Retry from {unit} (1-{last})", str(phase or 1))
        return ControlAction("retry", f"Retry {target} from a {unit}?", describe, perform, param, run_label="Retry")

    def skip(self, target: str) -> ControlAction:
        runner = self.controls.runners.get(target)
        stopped = (runner.progress.phase if runner is not None else None) or 0

        unit = self.unit

        def describe(value: str) -> list[str]:
            if stopped >= self.last:
                raise ValueError(f"{target} stopped in {unit} {stopped}: there is no {unit} after it")
            return [
                f"{unit.capitalize()} {stopped} is not run again; {target} goes on with {unit} {stopped + 1}.",
                f"On {self.host_of(target)}, one after another, each as its own step; the first that fails "
                "stops the rest:",
                *(f"  {c}" for c in self.retry_commands(target, stopped + 1)),
            ]

        async def perform(value: str) -> Outcome:
            self.controls.skip_phase(target)
            return Outcome(True, (f"{target} skipped {unit} {stopped}: retry from {unit} {stopped + 1} started.",))

        return ControlAction("skip", f"Skip {unit} {stopped} of {target}?", describe, perform, run_label="Skip")

    def mark_failed(self, target: str) -> ControlAction:
        def describe(value: str) -> list[str]:
            reason = value.strip()
            if not reason:
                raise ValueError("marking a target failed needs a reason")
            lines = [f"{target} is marked failed by {self.controls.operator}: {reason}"]
            if self.state_of(target) in _ACTIVE:
                lines.append(
                    f"Nothing is sent to {self.host_of(target)}: its step keeps running there. "
                    "Interrupt or kill it first if it must stop."
                )
            else:
                lines.append(f"Nothing is sent to {self.host_of(target)}.")
            return lines

        async def perform(value: str) -> Outcome:
            self.controls.mark_failed(target, value.strip())
            return Outcome(True, (f"{target} marked failed: {value.strip()}",))

        param = Param("Reason (required, journaled)", placeholder="why, e.g. NFS server down, rescheduled")
        return ControlAction("mark_failed", f"Mark {target} failed?", describe, perform, param, run_label="Mark failed")

    # -- on the fleet --------------------------------------------------------------------------

    def abort(self, target: str) -> ControlAction:
        def describe(value: str) -> list[str]:
            state = self.state_of(target)
            if state is TargetState.PENDING:
                return [
                    f"{target} will not start: it shows as blocked (aborted by the operator).",
                    "Nothing is sent to any host.",
                ]
            directory = self.step_directory(target)
            if state not in _ACTIVE or directory is None:
                raise ValueError(f"{target} is {state.value}: nothing to abort")
            return [
                f"SIGTERM to the processes of step {directory} on {self.host_of(target)}",
                f"{target} then ends failed; its troubleshoot screen (t) can clean up or retry it.",
            ]

        async def perform(value: str) -> Outcome:
            await self.controls.abort(target)
            return Outcome(True, (f"{target} aborted.",))

        # A running step is killed (its work is lost); a waiting one only stays unstarted.
        running = self.state_of(target) in _ACTIVE
        return ControlAction(
            "abort",
            f"Abort {target}?",
            describe,
            perform,
            danger=True,
            run_label="Abort",
            destroys=target if running else None,
        )

    def break_lock(self, target: str) -> ControlAction:
        """Break the lock of a cockpit that is gone and start the target (the engine refuses a live one)."""

        def describe(value: str) -> list[str]:
            refusal = self.controls.lock_refusal(target)
            if refusal is None or not refusal.breakable:
                raise ValueError(refusal.text if refusal is not None else f"{target} is not kept back by a lock")
            if refusal.kind == "foreign":
                judge = (
                    "That cockpit runs on another machine: only you can tell whether it is gone. "
                    "Breaking the lock of a cockpit that still runs puts two migrations onto one disk."
                )
            elif refusal.kind == "stale":
                judge = "That cockpit is gone: its process no longer runs on this machine."
            else:
                judge = "No cockpit said who took it (it died while taking it)."
            return [
                refusal.summary[:1].upper() + refusal.summary[1:] + ".",
                judge,
                f"The lock {refusal.host}:{refusal.path} is removed (journaled with its holder and you), "
                f"then {target} starts; a program of the runbook still running for it is refused all the same.",
            ]

        async def perform(value: str) -> Outcome:
            await self.controls.break_lock(target)
            return Outcome(True, (f"Lock broken: {target} starts.",))

        # The name is typed: a lock taken on another machine may belong to a cockpit that still runs.
        return ControlAction(
            "break_lock",
            f"Break the lock on {target}?",
            describe,
            perform,
            danger=True,
            run_label="Break lock",
            destroys=target,
        )

    def concurrency(self, target: str | None = None) -> ControlAction:
        """The concurrency of the run, or with several NIM masters of `target`'s master."""
        fleet = self.controls.gate
        master = fleet.group_of(target) if target is not None and len(fleet.gates) > 1 else None
        gate: LimitView = fleet.gates[master] if master is not None else fleet
        of = f" of {master}" if master is not None else ""

        def limit(value: str) -> int:
            text = value.strip()
            if not text.isdigit() or int(text) < 1:
                raise ValueError("concurrency is a whole number, at least 1")
            return int(text)

        def describe(value: str) -> list[str]:
            n = limit(value)
            return [
                f"At most {n} {'client' if n == 1 else 'clients'}{of} {'migrates' if n == 1 else 'migrate'} at once "
                f"(now {gate.limit}, {gate.running} running).",
                "Lowering it stops nothing that runs: it only holds back the next starts.",
            ]

        async def perform(value: str) -> Outcome:
            n = limit(value)
            await self.controls.set_concurrency(n, master)
            return Outcome(True, (f"Concurrency{of} is {n}.",))

        param = Param(f"Clients{of} at once", str(gate.limit))
        return ControlAction("concurrency", "Change the concurrency?", describe, perform, param, run_label="Set")
