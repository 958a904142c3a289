"""The plan: what runs where and when. A nimadm plan (one NIM master and its clients, or several
masters each with theirs) or a runbook plan (targets with their parameters), the maintenance window
and how steps are followed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Field, Tag, model_validator

from cockpit.config.fields import (
    AixLevel,
    DiskList,
    KeyPathLike,
    Moment,
    NimObjectName,
    Number,
    ParamName,
    ParamValue,
    Strict,
    VolumeGroupName,
    WholeNumber,
)
from cockpit.config.problems import CrossRefError


class PlanClient(Strict):
    host: str
    """Name of a host in `hosts` with role client."""
    disk: DiskList
    """Target disk for altinst_rootvg, e.g. hdisk2 (several: "hdisk2 hdisk3")."""
    lpp_source: NimObjectName | None = None
    """Overrides the plan's lpp_source for this client (e.g. some go to 7.2, others to 7.3)."""
    spot: NimObjectName | None = None
    target_level: AixLevel | None = None
    """Overrides the plan's target_level for this client (with its own lpp_source)."""

    @property
    def disks(self) -> list[str]:
        return self.disk.split()


class PhaseTimingOverride(Strict):
    expected_minutes: Number | None = Field(default=None, gt=0)
    """Typical duration of the phase."""
    silence_minutes: Number | None = Field(default=None, gt=0)
    """No output for this long marks the phase stalled."""


class FollowSettings(Strict):
    poll: Number = Field(default=1.0, gt=0, le=60)
    """Seconds between hand-overs of a step's streamed output to the cockpit (fractions are fine: the
    cockpit's own timer). A step that must be polled instead is looked at every `poll` seconds rounded
    up to a whole number, as AIX's sleep takes whole seconds only (0.5 sleeps 1)."""
    idle_poll: Number = Field(default=2.0, gt=0, le=300)
    """Seconds between looks at a polled step once it has been silent for a while (rounded up likewise)."""
    give_up_after: Number = Field(default=1800.0, gt=0)
    """Seconds without a working connection before a host is declared unreachable."""
    mark_every: int = Field(default=15, ge=1, le=3600)
    """Seconds between the samples a step's host keeps of its output's size: what a cockpit resumed
    after a crash dates the output it missed by (to within one sample). Whole seconds (AIX's sleep)."""


class MaintenanceWindow(Strict):
    """When the change may happen. Times without a zone are this machine's local time."""

    start: Moment
    end: Moment
    cutoff: Moment | None = None
    """No host starts after this (a host started just before the end would still be migrating when
    the window closes). Default: the end."""

    @model_validator(mode="after")
    def _ordered(self) -> MaintenanceWindow:
        # Compared as instants: one time may carry a zone (+01:00) and another not (local time), and
        # Python refuses to order those two kinds of datetime.
        start, end = self.epoch(self.start), self.epoch(self.end)
        if end <= start:
            raise CrossRefError(("end",), "the window must end after it starts")
        if self.cutoff is not None and not start <= self.epoch(self.cutoff) <= end:
            raise CrossRefError(("cutoff",), "the cutoff must be within the window (start <= cutoff <= end)")
        return self

    def epoch(self, moment: datetime.datetime) -> float:
        return moment.timestamp()  # a naive datetime is local time, as documented


class PlanCommon(Strict):
    """What every plan has, whichever runbook it runs."""

    window: MaintenanceWindow | None = None
    """The maintenance window: the header counts down, hosts whose ETA passes the end are flagged,
    and after the cutoff no new host starts."""

    concurrency: WholeNumber = Field(default=4, ge=1, le=1000)
    """Targets running at the same time (independent runbooks) or hosts per step (lockstep)."""
    time_scale: Number = Field(default=1.0, gt=0, le=100)
    """Multiplies every expected duration and silence threshold (the simulator compresses time)."""
    follow: FollowSettings = Field(default_factory=FollowSettings)


class PlanMaster(Strict):
    """One NIM master of a plan with several: its own clients and how many of them run at once."""

    host: str
    """Name of a host in `hosts` with role nim_master."""
    concurrency: WholeNumber | None = Field(default=None, ge=1, le=1000)
    """Clients of this master migrating at the same time (default: the plan's `concurrency`)."""
    lpp_source: NimObjectName | None = None
    """This master's lpp_source when it differs from the plan's (each master has its own NIM database)."""
    spot: NimObjectName | None = None
    cache_vg: VolumeGroupName | None = None
    """Volume group on this master for local disk caching (nimadm -j); default: the plan's."""
    clients: list[PlanClient] = Field(min_length=1)


@dataclass(frozen=True)
class MasterGroup:
    """A master and the clients it migrates, as a plan in either form names them."""

    master: str
    concurrency: int
    clients: tuple[PlanClient, ...]
    lpp_source: str
    spot: str
    cache_vg: str | None
    where: KeyPathLike
    """Where the group's clients are written: ("clients",) or ("masters", i, "clients")."""


class NimadmPlan(PlanCommon):
    # For editors: one master with its clients, or several masters each with theirs.
    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": ["master", "clients"]}, {"required": ["masters"]}]}
    )

    runbook: Literal["nimadm"] = "nimadm"
    master: str | None = None
    """Name of the host with role nim_master that runs nimadm (a plan with one master)."""
    masters: list[PlanMaster] = Field(default_factory=list)
    """Several NIM masters, each with its own clients and concurrency (instead of master and clients)."""
    lpp_source: NimObjectName
    spot: NimObjectName
    cache_vg: VolumeGroupName | None = None
    """Volume group on the master for local disk caching (nimadm -j)."""
    target_level: AixLevel | None = None
    """The AIX level the clients migrate to, as `oslevel -s` prints it (7300-02-01-2346; 7300-02 or
    7300-02-01 compare only that far). The preflight checks the master is not below it; left out, the
    level comes from the lpp_source's bos.rte (release and TL only)."""
    clients: list[PlanClient] = Field(default_factory=list)
    """The clients of `master` (a plan with one master; with `masters`, each lists its own)."""
    phase_timing: dict[Annotated[int, Field(ge=1, le=12)], PhaseTimingOverride] = Field(default_factory=dict)
    """Per-phase overrides of the runbook's typical duration and silence threshold, in minutes."""

    @model_validator(mode="after")
    def _one_form(self) -> NimadmPlan:
        if self.masters:
            if self.master is not None:
                raise CrossRefError(("master",), "give either master and clients, or masters (each with its clients)")
            if self.clients:
                raise CrossRefError(("clients",), "with masters, each master lists its own clients")
        elif self.master is None:
            raise CrossRefError(("master",), "required key is missing (or give masters, each with its clients)")
        elif "clients" not in self.model_fields_set:
            raise CrossRefError(("clients",), "required key is missing")
        elif not self.clients:
            raise CrossRefError(("clients",), "should have at least 1 item, not 0")
        return self

    @property
    def groups(self) -> tuple[MasterGroup, ...]:
        """Every master with its clients, in plan order (one group for the one-master form)."""
        return self._index()[0]

    def _index(self) -> tuple[tuple[MasterGroup, ...], dict[str, tuple[PlanClient, MasterGroup]]]:
        # Built once per plan: a fleet of 1,000 must not scan the plan for each question about a
        # client. Keyed by what it is built from, as model_copy(update=...) carries the cache along.
        key = (id(self.master), id(self.masters), id(self.clients), self.concurrency)
        cached = self.__dict__.get("_cached_index")
        if cached is None or cached[0] != key:
            groups = self._build_groups()
            by_host = {c.host: (c, g) for g in groups for c in g.clients}
            cached = (key, groups, by_host)
            self.__dict__["_cached_index"] = cached
        return cached[1], cached[2]

    def _build_groups(self) -> tuple[MasterGroup, ...]:
        if not self.masters:
            assert self.master is not None
            group = MasterGroup(
                self.master,
                self.concurrency,
                tuple(self.clients),
                self.lpp_source,
                self.spot,
                self.cache_vg,
                ("clients",),
            )
            return (group,)
        return tuple(
            MasterGroup(
                m.host,
                m.concurrency or self.concurrency,
                tuple(m.clients),
                m.lpp_source or self.lpp_source,
                m.spot or self.spot,
                m.cache_vg or self.cache_vg,
                ("masters", i, "clients"),
            )
            for i, m in enumerate(self.masters)
        )

    @property
    def _by_host(self) -> dict[str, tuple[PlanClient, MasterGroup]]:
        return self._index()[1]

    @property
    def all_clients(self) -> list[PlanClient]:
        """Every client of every master, in plan order."""
        return [c for g in self.groups for c in g.clients]

    @property
    def master_names(self) -> list[str]:
        return [g.master for g in self.groups]

    def master_of(self, host: str) -> str | None:
        found = self._by_host.get(host)
        return found[1].master if found is not None else None

    def group_of(self, host: str) -> MasterGroup:
        return self._by_host[host][1]

    def lpp_source_for(self, client: PlanClient) -> str:
        return client.lpp_source or self.group_of(client.host).lpp_source

    def spot_for(self, client: PlanClient) -> str:
        return client.spot or self.group_of(client.host).spot

    def cache_vg_for(self, client: PlanClient) -> str | None:
        return self.group_of(client.host).cache_vg

    def target_level_for(self, client: PlanClient) -> str | None:
        return client.target_level or self.target_level

    @property
    def target_names(self) -> list[str]:
        return [c.host for c in self.all_clients]

    def target_values(self, host: str) -> dict[str, str | None]:
        """The nimadm runbook's parameter values for one client (what `plan.targets[].params` would say)."""
        client = self._by_host[host][0]
        return {
            "lpp_source": self.lpp_source_for(client),
            "spot": self.spot_for(client),
            "disk": client.disk,
            "cache_vg": self.cache_vg_for(client),
        }

    def role_of(self, host: str) -> str | None:
        return None


class PlanTarget(Strict):
    host: str
    """Name of a host in `hosts` that this runbook runs on."""
    role: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,30}$")] | None = None
    """The target's role when the runbook has roles (hacws: primary, backup)."""
    params: dict[ParamName, ParamValue] = Field(default_factory=dict)
    """Values for this target only (e.g. its disk); they override the plan's `params`."""


class RunbookPlan(PlanCommon):
    runbook: str = Field(min_length=1)
    """A built-in runbook (alt-disk-copy, alt-disk-mksysb, hacws, linuxha, nimadm) or the path of a
    runbook file of your own (ending in .yaml, relative to this file)."""
    master: str | None = None
    """The NIM master, for runbooks with steps that run there."""
    params: dict[ParamName, ParamValue] = Field(default_factory=dict)
    """Values of the runbook's parameters for every target."""
    targets: list[PlanTarget] = Field(min_length=1)
    """The hosts the runbook runs on, in order (`first` steps run on the first)."""

    @property
    def target_names(self) -> list[str]:
        return [t.host for t in self.targets]

    def target_values(self, host: str) -> dict[str, str | None]:
        """Run-wide values overridden by the target's own (defaults are the runbook's business)."""
        target = next(t for t in self.targets if t.host == host)
        return {**self.params, **target.params}

    def role_of(self, host: str) -> str | None:
        return next(t.role for t in self.targets if t.host == host)

    @property
    def master_names(self) -> list[str]:
        return [self.master] if self.master is not None else []

    def master_of(self, host: str) -> str | None:
        return self.master


def _plan_kind(value: Any) -> str:
    runbook = value.get("runbook", "nimadm") if isinstance(value, dict) else getattr(value, "runbook", "nimadm")
    return "nimadm" if runbook == "nimadm" and not (isinstance(value, dict) and "targets" in value) else "runbook"


Plan = Annotated[
    Annotated[NimadmPlan, Tag("nimadm")] | Annotated[RunbookPlan, Tag("runbook")],
    Discriminator(_plan_kind),
]
PLAN_TAGS = ("nimadm", "runbook")
"""The union tags pydantic puts in error locations (the loader drops them)."""
