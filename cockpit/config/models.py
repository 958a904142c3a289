"""The configuration file: inventory (hosts), SSH settings and the migration plan.

Paths in the file are relative to the file itself (the loader resolves them). Every field is checked
on load; the loader maps a pydantic error location back to the YAML line and column.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from cockpit.domain import names


def _shaped(kind: str, pattern: re.Pattern[str]) -> AfterValidator:
    """A validator that accepts only values of the shape `pattern` (see cockpit.domain.names)."""

    def check(value: str) -> str:
        return names.check(kind, value, pattern)

    return AfterValidator(check)


def _disk_list(value: str) -> str:
    """One or more disks separated by blanks, normalised to single spaces ("hdisk2 hdisk3")."""
    disks = value.split()
    if not disks:
        return names.disk_name(value)  # raises: a blank value names no disk
    return " ".join(names.disk_name(d) for d in disks)


def _not_bool(value: Any) -> Any:
    # YAML 1.1 reads yes/no/on/off/true/false as booleans and pydantic would turn them into 1/0:
    # `port: yes` must be an error, not port 1.
    if isinstance(value, bool):
        word = "true" if value else "false"
        raise ValueError(f"expected a number, got {word} (YAML reads yes/no/on/off/true/false as booleans)")
    return value


def _remote_path(value: str) -> str:
    if not _REMOTE_PATH.fullmatch(value) or "/../" in value + "/":
        raise ValueError(f"{value!r} is not a plain absolute path (letters, digits, _ . - /)")
    return value.rstrip("/") or "/"


_REMOTE_PATH = re.compile(r"^/[A-Za-z0-9_./\-]*$")

HostLabel = Annotated[str, _shaped("host name", names.NIM_NAME)]
Address = Annotated[str, _shaped("address", names.HOST_NAME)]
UserName = Annotated[str, _shaped("user name", names.USER_NAME)]
NimObjectName = Annotated[str, AfterValidator(names.nim_name)]
VolumeGroupName = Annotated[str, AfterValidator(names.vg_name)]
DiskList = Annotated[str, AfterValidator(_disk_list)]
WholeNumber = Annotated[int, BeforeValidator(_not_bool)]
Number = Annotated[float, BeforeValidator(_not_bool)]
RemotePath = Annotated[str, AfterValidator(_remote_path)]


class Role(StrEnum):
    NIM_MASTER = "nim_master"
    CLIENT = "client"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SSHSettings(Strict):
    known_hosts: Path | None = None
    """known_hosts file used to verify host keys. Default: ~/.ssh/known_hosts. Never disabled."""
    client_keys: list[Path] = Field(default_factory=list)
    """Private keys offered to every host (a host's own `key` comes first)."""
    connect_timeout: Number = Field(default=15.0, gt=0, le=600)
    keepalive_interval: Number = Field(default=15.0, ge=0, le=3600)


class Host(Strict):
    name: HostLabel
    """Name the cockpit shows; for a NIM client also its NIM object name unless `nim_name` is set."""
    address: Address = "127.0.0.1"
    port: WholeNumber = Field(default=22, ge=1, le=65535)
    user: UserName = "root"
    key: Path | None = None
    role: Role = Role.CLIENT
    transport: Literal["ssh", "local"] = "ssh"
    nim_name: NimObjectName | None = None
    """NIM object name of a client when it differs from `name` (as in `lsnim`)."""
    work_dir: RemotePath = "/var/tmp/cockpit"
    """Directory on this host where detached steps keep their output and exit status."""

    @property
    def nim_object(self) -> str:
        return self.nim_name or self.name


class PlanClient(Strict):
    host: str
    """Name of a host in `hosts` with role client."""
    disk: DiskList
    """Target disk for altinst_rootvg, e.g. hdisk2 (several: "hdisk2 hdisk3")."""
    lpp_source: NimObjectName | None = None
    """Overrides the plan's lpp_source for this client (e.g. some go to 7.2, others to 7.3)."""
    spot: NimObjectName | None = None

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
    """Seconds between looks at a growing step output on the remote host (AIX sleep: whole seconds)."""
    idle_poll: Number = Field(default=2.0, gt=0, le=300)
    """Seconds between looks once a step has been silent for a while."""
    give_up_after: Number = Field(default=1800.0, gt=0)
    """Seconds without a working connection before a host is declared unreachable."""


class NimadmPlan(Strict):
    runbook: Literal["nimadm"] = "nimadm"
    master: str
    """Name of the host with role nim_master that runs nimadm."""
    lpp_source: NimObjectName
    spot: NimObjectName
    cache_vg: VolumeGroupName | None = None
    """Volume group on the master for local disk caching (nimadm -j)."""
    concurrency: WholeNumber = Field(default=4, ge=1, le=1000)
    clients: list[PlanClient] = Field(min_length=1)
    time_scale: Number = Field(default=1.0, gt=0, le=100)
    """Multiplies every expected duration and silence threshold (the simulator compresses time)."""
    phase_timing: dict[Annotated[int, Field(ge=1, le=12)], PhaseTimingOverride] = Field(default_factory=dict)
    """Per-phase overrides of the runbook's typical duration and silence threshold, in minutes."""
    follow: FollowSettings = Field(default_factory=FollowSettings)

    def lpp_source_for(self, client: PlanClient) -> str:
        return client.lpp_source or self.lpp_source

    def spot_for(self, client: PlanClient) -> str:
        return client.spot or self.spot


class CrossRefError(ValueError):
    """A reference between sections is wrong; carries the location of the offending key.

    Raised inside a model validator, so pydantic reports it at the model's location; the loader adds
    `loc` (relative to that model) to point at the key itself.
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


class Config(Strict):
    ssh: SSHSettings = Field(default_factory=SSHSettings)
    hosts: list[Host] = Field(min_length=1)
    plan: NimadmPlan
    state_dir: Path = Path("cockpit-state")
    """Where run logs and the journal go (relative to the config file)."""

    @model_validator(mode="after")
    def _cross_check(self) -> Config:
        _check_references(self)
        return self

    def host(self, name: str) -> Host:
        for h in self.hosts:
            if h.name == name:
                return h
        raise KeyError(name)

    @property
    def master(self) -> Host:
        return self.host(self.plan.master)


def _check_references(config: Config) -> None:
    """Host names are unique, the plan's master is a nim_master, each client a client, planned once."""
    seen: set[str] = set()
    for i, h in enumerate(config.hosts):
        if h.name in seen:
            raise CrossRefError(("hosts", i, "name"), f"duplicate host name {h.name!r}")
        seen.add(h.name)
    by_name = {h.name: h for h in config.hosts}
    plan = config.plan
    master = by_name.get(plan.master)
    if master is None:
        raise CrossRefError(("plan", "master"), f"no host named {plan.master!r} in hosts")
    if master.role is not Role.NIM_MASTER:
        raise CrossRefError(("plan", "master"), f"host {master.name!r} does not have role nim_master")
    planned: set[str] = set()
    for i, c in enumerate(plan.clients):
        host = by_name.get(c.host)
        if host is None:
            raise CrossRefError(("plan", "clients", i, "host"), f"no host named {c.host!r} in hosts")
        if host.role is not Role.CLIENT:
            raise CrossRefError(("plan", "clients", i, "host"), f"host {c.host!r} does not have role client")
        if c.host in planned:
            raise CrossRefError(("plan", "clients", i, "host"), f"client {c.host!r} is planned twice")
        planned.add(c.host)


__all__ = [
    "Config",
    "CrossRefError",
    "Host",
    "NimadmPlan",
    "PlanClient",
    "Role",
    "SSHSettings",
    "Strict",
]
