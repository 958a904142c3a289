"""The configuration file: inventory (hosts), SSH settings and the migration plan.

Paths in the file are relative to the file itself. Every field is checked on load; the loader maps
a pydantic error location back to the YAML line and column.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cockpit.domain import names


class Role(StrEnum):
    NIM_MASTER = "nim_master"
    CLIENT = "client"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _pattern(kind: str, pattern: object):  # type: ignore[no-untyped-def]
    def check(value: str) -> str:
        return names.check(kind, value, pattern)  # type: ignore[arg-type]

    return check


class SSHSettings(Strict):
    known_hosts: Path | None = None
    """known_hosts file used to verify host keys. Default: ~/.ssh/known_hosts. Never disabled."""
    client_keys: list[Path] = Field(default_factory=list)
    """Private keys offered to every host (a host's own `key` comes first)."""
    connect_timeout: float = Field(default=15.0, gt=0, le=600)
    keepalive_interval: float = Field(default=15.0, ge=0, le=3600)


class Host(Strict):
    name: str
    """Name the cockpit shows; for a NIM client also its NIM object name unless `nim_name` is set."""
    address: str = "127.0.0.1"
    port: int = Field(default=22, ge=1, le=65535)
    user: str = "root"
    key: Path | None = None
    role: Role = Role.CLIENT
    transport: Literal["ssh", "local"] = "ssh"
    nim_name: str | None = None
    """NIM object name of a client when it differs from `name` (as in `lsnim`)."""

    _name = field_validator("name")(classmethod(lambda cls, v: names.check("host name", v, names.NIM_NAME)))
    _address = field_validator("address")(
        classmethod(lambda cls, v: names.check("address", v, names.HOST_NAME))
    )
    _user = field_validator("user")(classmethod(lambda cls, v: names.check("user name", v, names.USER_NAME)))
    _nim = field_validator("nim_name")(
        classmethod(lambda cls, v: v if v is None else names.check("NIM object name", v, names.NIM_NAME))
    )

    @property
    def nim_object(self) -> str:
        return self.nim_name or self.name


class PlanClient(Strict):
    host: str
    """Name of a host in `hosts` with role client."""
    disk: str
    """Target disk for altinst_rootvg, e.g. hdisk2 (several: "hdisk2 hdisk3")."""
    lpp_source: str | None = None
    """Overrides the plan's lpp_source for this client (e.g. some go to 7.2, others to 7.3)."""
    spot: str | None = None

    _disk = field_validator("disk")(
        classmethod(lambda cls, v: " ".join(names.disk_name(d) for d in v.split()) if v.split() else names.disk_name(v))
    )
    _lpp = field_validator("lpp_source", "spot")(
        classmethod(lambda cls, v: v if v is None else names.nim_name(v))
    )

    @property
    def disks(self) -> list[str]:
        return self.disk.split()


class NimadmPlan(Strict):
    runbook: Literal["nimadm"] = "nimadm"
    master: str
    """Name of the host with role nim_master that runs nimadm."""
    lpp_source: str
    spot: str
    cache_vg: str | None = None
    """Volume group on the master for local disk caching (nimadm -j)."""
    concurrency: int = Field(default=4, ge=1, le=1000)
    clients: list[PlanClient] = Field(min_length=1)

    _res = field_validator("lpp_source", "spot")(classmethod(lambda cls, v: names.nim_name(v)))
    _vg = field_validator("cache_vg")(classmethod(lambda cls, v: v if v is None else names.vg_name(v)))

    def lpp_source_for(self, client: PlanClient) -> str:
        return client.lpp_source or self.lpp_source

    def spot_for(self, client: PlanClient) -> str:
        return client.spot or self.spot


class Config(Strict):
    ssh: SSHSettings = Field(default_factory=SSHSettings)
    hosts: list[Host] = Field(min_length=1)
    plan: NimadmPlan
    state_dir: Path = Path("cockpit-state")
    """Where run logs and the journal go (relative to the config file)."""

    @model_validator(mode="after")
    def _cross_check(self) -> Config:
        seen: set[str] = set()
        for i, h in enumerate(self.hosts):
            if h.name in seen:
                raise CrossRefError(("hosts", i, "name"), f"duplicate host name {h.name!r}")
            seen.add(h.name)
        by_name = {h.name: h for h in self.hosts}
        master = by_name.get(self.plan.master)
        if master is None:
            raise CrossRefError(("plan", "master"), f"no host named {self.plan.master!r} in hosts")
        if master.role is not Role.NIM_MASTER:
            raise CrossRefError(("plan", "master"), f"host {master.name!r} does not have role nim_master")
        planned: set[str] = set()
        for i, c in enumerate(self.plan.clients):
            host = by_name.get(c.host)
            if host is None:
                raise CrossRefError(("plan", "clients", i, "host"), f"no host named {c.host!r} in hosts")
            if host.role is not Role.CLIENT:
                raise CrossRefError(("plan", "clients", i, "host"), f"host {c.host!r} does not have role client")
            if c.host in planned:
                raise CrossRefError(("plan", "clients", i, "host"), f"client {c.host!r} is planned twice")
            planned.add(c.host)
        return self

    def host(self, name: str) -> Host:
        for h in self.hosts:
            if h.name == name:
                return h
        raise KeyError(name)

    @property
    def master(self) -> Host:
        return self.host(self.plan.master)


class CrossRefError(ValueError):
    """A reference between sections is wrong; carries the location of the offending key."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


PositiveSeconds = Annotated[float, Field(gt=0)]
