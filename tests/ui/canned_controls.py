"""Engine controls with recorded answers, for a picture that must not change between runs (snapshots).

The real engine's probe outputs carry pids, elapsed times and temporary paths that differ on every
run; here the answers are fixed, shaped like the simulator's (built with the same domain functions
the engine uses). Behaviour is tested against the real engine over SSH (test_troubleshoot.py); this
stand-in only answers what the troubleshoot screen reads, and refuses every action loudly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cockpit.config.models import Config, Host, NimadmPlan, PlanClient, Role
from cockpit.domain import troubleshoot
from cockpit.domain.models import TargetProgress
from cockpit.domain.remote_step import RemoteStep
from cockpit.domain.troubleshoot import TroubleProbe
from cockpit.domain.window import FleetEta
from cockpit.engine.binding import Binding
from cockpit.transports.base import CommandResult

MASTER = "nim01"
RUN_ID = "r-0001"
WORK_DIR = "/var/tmp/cockpit"


@dataclass(frozen=True)
class CannedStep:
    name: str
    remote: RemoteStep


@dataclass
class CannedRunner:
    progress: TargetProgress
    current: CannedStep | None


@dataclass
class CannedGate:
    limit: int = 4
    running: int = 0
    paused: bool = False

    @property
    def gates(self) -> dict[str, CannedGate]:
        return {MASTER: self}

    def group_of(self, target: str) -> str:
        return MASTER


@dataclass(frozen=True)
class CannedProbe:
    probe: TroubleProbe
    host: str
    exit_status: int
    text: str


def ps_listing(client: str) -> str:
    """`ps -e -o pid,ppid,etime,args` on the master while nimadm of `client` hangs in phase 3."""
    rows = [
        (1, 0, "2-03:11:09", "/etc/init"),
        (40211, 1, "22:16", "/bin/sh -c /bin/sh ./cmd > out 2>&1; echo $? > rc.tmp; mv rc.tmp rc"),
        (40212, 40211, "22:16", "/bin/sh ./cmd"),
        (40215, 40212, "22:16", f"/usr/sbin/nimadm -c {client} -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y"),
        (40388, 40215, "21:40", f"/usr/lpp/bos.alt_disk_install/bin/alt_disk_mig -c {client} -P 3"),
        (40391, 40388, "21:39", f"/usr/sbin/mount {client}:/alt_inst/usr /{client}_alt/alt_inst/usr"),
        (51002, 1, "1:02:44", "/usr/sbin/nimesis -s"),
    ]
    return "    PID   PPID     ELAPSED COMMAND\n" + "\n".join(f"{p:>7} {pp:>6} {e:>11} {a}" for p, pp, e, a in rows)


@dataclass
class CannedControls:
    """RunControls for `clients`, each with a step under WORK_DIR; probes answer from `answers`."""

    clients: Sequence[str]
    operator: str = "tester"
    gate: CannedGate = field(default_factory=CannedGate)

    def __post_init__(self) -> None:
        hosts = [Host(name=MASTER, role=Role.NIM_MASTER), *(Host(name=c) for c in self.clients)]
        plan = NimadmPlan(
            master=MASTER,
            lpp_source="lpp_source_AIX72TL5",
            spot="spot_AIX72TL5",
            clients=[PlanClient(host=c, disk="hdisk2") for c in self.clients],
        )
        self.config = Config(hosts=hosts, plan=plan)
        self.runners = {
            c: CannedRunner(TargetProgress(c), CannedStep("nimadm", RemoteStep.under(WORK_DIR, RUN_ID, f"{c}.nimadm")))
            for c in self.clients
        }

    def command(self, target: str, phase: int | None = None) -> str:
        """The nimadm runbook's command, rendered as the engine renders it."""
        binding = Binding(self.config, RUN_ID)
        return binding.spec(target, binding.runbook.steps[0], 1, phase=phase).command

    def cleanup_command(self, target: str) -> str:
        undo = Binding(self.config, RUN_ID).undo(target, "nimadm")
        assert undo is not None
        return undo.command

    def cleanup_host(self, target: str) -> str:
        return MASTER

    def step_host(self, target: str) -> str:
        return MASTER

    retry_unit = "phase"
    phases_total = 12
    lockstep = False
    window = None
    eta = FleetEta(lambda phase: 300.0, 12)

    def retry_commands(self, target: str, start: int) -> list[str]:
        return [self.command(target, n) for n in range(start, 13)]

    def trouble_probes(self, target: str) -> list[TroubleProbe]:
        return troubleshoot.probes(target)

    async def probe(self, target: str, key: str) -> CannedProbe:
        spec = next(p for p in self.trouble_probes(target) if p.key == key)
        if key != "processes":
            raise AssertionError(f"no recorded answer for the {key} probe")
        where = self.trouble_step(target)
        listing = f"cockpit-step: started pid=40211 rc=-\n{ps_listing(target)}"
        return CannedProbe(spec, MASTER, 0, troubleshoot.read_step_probe(where, listing))

    def trouble_step(self, target: str) -> troubleshoot.StepWhere:
        step = self.runners[target].current
        assert step is not None
        return troubleshoot.StepWhere(step.name, step.remote.directory, MASTER, "running")

    def close(self) -> None:
        pass

    # -- actions: not part of a picture ---------------------------------------------------------

    def _refuse(self, *_args: object, **_kwargs: object) -> None:
        raise AssertionError("canned controls take no action")

    snooze = retry_from = skip_phase = mark_failed = _refuse

    async def kill(self, target: str, signal_name: str = "TERM") -> CommandResult:
        raise AssertionError("canned controls take no action")

    async def cleanup(self, target: str) -> CommandResult:
        raise AssertionError("canned controls take no action")

    async def abort(self, target: str) -> None:
        raise AssertionError("canned controls take no action")

    async def pause_starts(self) -> None:
        raise AssertionError("canned controls take no action")

    async def resume_starts(self) -> None:
        raise AssertionError("canned controls take no action")

    def owner_of(self, target: str) -> str | None:
        return None

    @property
    def run_kind(self) -> str:
        return "nimadm"

    async def set_concurrency(self, limit: int, master: str | None = None) -> None:
        raise AssertionError("canned controls take no action")
