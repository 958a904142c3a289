"""What every part of a run shares: which run it is, its plan, its journal and its targets' live state."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cockpit.config.models import Config, Host
from cockpit.config.runbook import RunbookFile
from cockpit.domain.events import EventSink, ListSink
from cockpit.domain.models import TargetProgress
from cockpit.engine.binding import Binding, StepSpec
from cockpit.engine.journal import Journal, StepRecord
from cockpit.engine.limiter import FleetGate
from cockpit.engine.target import TargetRunner
from cockpit.transports.base import CommandResult, Transport, TransportError

TransportFactory = Callable[[Host], Transport]


def new_run_id(clock: Callable[[], float] = time.time) -> str:
    t = clock()
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(t)) + f"-{int(t * 1000) % 1000:03d}"


class NothingToResume(Exception):
    """`--resume` was asked for but the journal holds no unfinished run of this config."""


class ControlError(Exception):
    """An operator action that does not fit the target's state; the message says why."""


@dataclass(eq=False)
class RunContext:
    """The state the parts of a run share (scheduler, operator controls, probes, window watch, facts).

    One object, so that what the scheduler sets up when the run starts (the runners, the sink) is
    what the controls and the probes see: none of them keeps a copy that could go stale.
    """

    config: Config
    journal: Journal
    binding: Binding
    run_id: str
    config_key: str
    """The resolved config path (`<memory>` without one): the journal's key for `--resume`."""
    transport_for: TransportFactory
    clock: Callable[[], float]
    operator: str
    """Who is at the keyboard: every operator action is journaled with this name."""
    progress: dict[str, TargetProgress]
    gate: FleetGate
    """The concurrency limits: one per NIM master (a plan with one master, or none, has one)."""
    sink: EventSink = field(default_factory=ListSink)
    """Where the run's events go; the scheduler replaces it when the run starts."""
    runners: dict[str, TargetRunner] = field(default_factory=dict)
    """One per target, made when the run starts (empty before)."""
    kind: str = ""
    """What the journal calls the run (`cockpit runs`): the runbook's name, or `attach`."""
    adopted: dict[str, StepSpec] = field(default_factory=dict)
    """Targets whose migration someone else started: followed from its log, never launched (attach)."""

    @property
    def run_kind(self) -> str:
        return self.kind or self.runbook.name

    @property
    def runbook(self) -> RunbookFile:
        return self.binding.runbook

    @property
    def targets(self) -> list[str]:
        return self.binding.targets

    @property
    def lockstep(self) -> bool:
        """Cluster runbooks: a step ends on every host before the next begins."""
        return self.runbook.mode == "lockstep"

    def records(self, target: str) -> list[StepRecord]:
        """The target's steps in this run's journal, every attempt."""
        return self.journal.target_steps(self.run_id, target)

    def launched(self, target: str) -> bool:
        """Whether a step of the target was ever launched in this run (a restart re-attaches to it)."""
        return any(r.launched_at is not None for r in self.records(target))

    def act(self, target: str | None, action: str, detail: str) -> None:
        """Journal an operator's action with who did it (None: an action on the whole run)."""
        self.journal.record_action(self.run_id, target, action, detail, self.operator)

    def runner(self, target: str) -> TargetRunner:
        if target not in self.runners:
            raise ControlError(f"{target} is not a target of this run")
        return self.runners[target]

    async def run_on(self, host: Host, command: str, timeout: float = 60) -> CommandResult:
        """One command on `host` over a connection of its own; a transport failure is a ControlError."""
        transport = self.transport_for(host)
        try:
            return await transport.run(command, timeout=timeout)
        except TransportError as exc:
            raise ControlError(str(exc)) from exc
        finally:
            await transport.close()
