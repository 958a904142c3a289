"""What the UI uses of the engine's operator controls, as protocols (the UI never imports the engine).

`RunbookRun` satisfies `RunControls`. Every control is journaled by the engine itself; the UI only
asks first, calls, and shows what came back. Refusals arrive as the engine's ControlError, whose
one-line message is meant for the operator (see `error_text`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from cockpit.domain.troubleshoot import StepWhere, TroubleProbe
from cockpit.domain.window import FleetEta, Window

if TYPE_CHECKING:
    from cockpit.config.models import Config
    from cockpit.domain.models import TargetProgress
    from cockpit.transports.base import CommandResult

CONTROL_ERROR = "ControlError"
"""Class name of the engine's refusals; matched by name so that the UI does not import the engine."""


class OutputView(Protocol):
    @property
    def directory(self) -> str:
        """Where the step's output is: its step directory, or the log of a migration it follows."""
        ...


class StepView(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def remote(self) -> OutputView: ...


class RunnerView(Protocol):
    @property
    def current(self) -> StepView | None:
        """The step running now: what a kill signals and what the process probe looks at."""
        ...

    @property
    def progress(self) -> TargetProgress: ...


class LimitView(Protocol):
    @property
    def limit(self) -> int: ...

    @property
    def running(self) -> int: ...

    @property
    def paused(self) -> bool: ...


class GateView(LimitView, Protocol):
    """The run's concurrency: the fleet's totals, and one limit per NIM master (`gates`)."""

    @property
    def gates(self) -> Mapping[str, LimitView]: ...

    def group_of(self, target: str) -> str: ...


class ProbeResult(Protocol):
    @property
    def probe(self) -> TroubleProbe: ...

    @property
    def host(self) -> str: ...

    @property
    def exit_status(self) -> int: ...

    @property
    def text(self) -> str: ...


class LockRefusalView(Protocol):
    """Why a target was not started for another cockpit's lock (engine/host_locks.Refusal)."""

    @property
    def text(self) -> str:
        """The one line, with what the operator may do about it."""
        ...

    @property
    def summary(self) -> str:
        """Who holds the lock where (without the advice)."""
        ...

    @property
    def kind(self) -> str:
        """held | stale | foreign | unknown | busy | error | unreachable"""
        ...

    @property
    def breakable(self) -> bool: ...

    @property
    def host(self) -> str: ...

    @property
    def path(self) -> str: ...


class RunControls(Protocol):
    """The operator's controls over a running migration (RunbookRun)."""

    @property
    def config(self) -> Config: ...

    @property
    def operator(self) -> str: ...

    @property
    def runners(self) -> Mapping[str, RunnerView]: ...

    @property
    def gate(self) -> GateView: ...

    @property
    def retry_unit(self) -> str: ...

    @property
    def run_kind(self) -> str:
        """The runbook's name, or `attach` (migrations the cockpit found running and follows)."""
        ...

    @property
    def lockstep(self) -> bool: ...

    @property
    def window(self) -> Window | None: ...

    @property
    def eta(self) -> FleetEta: ...

    @property
    def phases_total(self) -> int: ...

    def step_host(self, target: str) -> str: ...
    def owner_of(self, target: str) -> str | None:
        """Who started the target's migration when it was not this cockpit (`cockpit attach`), else None."""
        ...

    def retry_commands(self, target: str, start: int) -> list[str]: ...
    def cleanup_command(self, target: str) -> str: ...
    def cleanup_host(self, target: str) -> str: ...

    def close(self) -> None: ...

    def snooze(self, target: str, seconds: float) -> None: ...

    async def kill(self, target: str, signal_name: str = "TERM") -> CommandResult: ...

    async def cleanup(self, target: str) -> CommandResult: ...

    def retry_from(self, target: str, phase: int, *, skip: frozenset[int] = frozenset()) -> None: ...

    def skip_phase(self, target: str) -> None: ...

    def mark_failed(self, target: str, reason: str) -> None: ...

    async def abort(self, target: str) -> None: ...

    def lock_refusal(self, target: str) -> LockRefusalView | None: ...

    async def break_lock(self, target: str) -> None: ...

    async def pause_starts(self) -> None: ...

    async def resume_starts(self) -> None: ...

    async def set_concurrency(self, limit: int, master: str | None = None) -> None: ...

    def trouble_probes(self, target: str) -> list[TroubleProbe]: ...

    def trouble_step(self, target: str) -> StepWhere | None:
        """The step troubleshooting is about (running, else the last that ran); None: none started."""
        ...

    async def probe(self, target: str, key: str) -> ProbeResult: ...


def error_text(exc: BaseException) -> str:
    """The engine's refusal as it worded it; anything else with its type, so a bug is not mistaken for one."""
    if any(cls.__name__ == CONTROL_ERROR for cls in type(exc).__mro__):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
