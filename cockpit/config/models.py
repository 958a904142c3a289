"""The configuration file: inventory (hosts), SSH settings and the migration plan.

Paths in the file are relative to the file itself (the loader resolves them). Every field is checked
on load; the loader maps a pydantic error location back to the YAML line and column.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, model_validator

from cockpit.config.notify import NotifyCommand, TerminalAlerts
from cockpit.config.problems import CrossRefError
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


def _aix_level(value: str) -> str:
    if not names.AIX_LEVEL.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an AIX level as oslevel -s prints it (VR00-TL[-SP[-YYWW]], e.g. 7300-02-01-2346)"
        )
    return value


HostLabel = Annotated[str, _shaped("host name", names.NIM_NAME)]
Address = Annotated[str, _shaped("address", names.HOST_NAME)]
UserName = Annotated[str, _shaped("user name", names.USER_NAME)]
NimObjectName = Annotated[str, AfterValidator(names.nim_name)]
VolumeGroupName = Annotated[str, AfterValidator(names.vg_name)]
DiskList = Annotated[str, AfterValidator(_disk_list)]
WholeNumber = Annotated[int, BeforeValidator(_not_bool)]
Number = Annotated[float, BeforeValidator(_not_bool)]
RemotePath = Annotated[str, AfterValidator(_remote_path)]
AixLevel = Annotated[str, AfterValidator(_aix_level)]


class Role(StrEnum):
    NIM_MASTER = "nim_master"
    CLIENT = "client"
    """A host the plan migrates or changes: a NIM client, a control workstation, a cluster node."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _ssh_config_file(value: Any) -> Any:
    # `config_file: none` (or an empty value) reads no ssh config; leaving the key out reads the default.
    if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
        return None
    return value


DEFAULT_SSH_CONFIG = Path("~/.ssh/config")
SSHConfigFile = Annotated[Path | None, BeforeValidator(_ssh_config_file)]


class SSHSettings(Strict):
    known_hosts: Path | None = None
    """known_hosts file used to verify host keys. Default: ~/.ssh/known_hosts. Never disabled."""
    client_keys: list[Path] = Field(default_factory=list)
    """Private keys offered to every host (a host's own `key` comes first)."""
    connect_timeout: Number = Field(default=15.0, gt=0, le=600)
    keepalive_interval: Number = Field(default=15.0, ge=0, le=3600)
    config_file: SSHConfigFile = DEFAULT_SSH_CONFIG
    """OpenSSH client config for what a host's entry leaves unset (Host aliases, HostName, User, Port,
    IdentityFile, ProxyJump). Left out: ~/.ssh/config if it exists; `none`: no ssh config; a file
    named here must exist. Its UserKnownHostsFile and StrictHostKeyChecking are never used."""
    agent: bool = True
    """Offer the ssh-agent's keys (SSH_AUTH_SOCK, or the ssh config's IdentityAgent) after the
    configured keys; false: never ask the agent."""

    @property
    def config_file_is_default(self) -> bool:
        """True when the file did not name one: the default is read only if it exists."""
        return "config_file" not in self.model_fields_set


def _proxy_jump(value: str) -> str:
    """`none`, a host name of `hosts` (checked against them by Config), or `[user@]host[:port]`."""
    text = value.strip()
    if text.lower() == "none":
        return "none"
    if "@" not in text and ":" not in text:
        return names.check("host name", text, names.NIM_NAME)
    m = _JUMP_SPEC.fullmatch(text)
    if m is None:
        raise ValueError(f"{value!r} is neither the name of a host in hosts nor [user@]host[:port]")
    if m["user"] is not None:
        names.check("user name", m["user"], names.USER_NAME)
    names.check("address", m["host"], names.HOST_NAME)
    if m["port"] is not None and not (m["port"].isdigit() and 1 <= int(m["port"]) <= 65535):
        raise ValueError(f"{value!r}: port {m['port']!r} is not a TCP port (1-65535)")
    return text


_JUMP_SPEC = re.compile(r"^(?:(?P<user>[^@:]*)@)?(?P<host>[^@:]+)(?::(?P<port>[^@:]*))?$")
ProxyJump = Annotated[str, AfterValidator(_proxy_jump)]


class Host(Strict):
    name: HostLabel
    """Name the cockpit shows; for a NIM client also its NIM object name unless `nim_name` is set."""
    address: Address = "127.0.0.1"
    """Host name, IP address or Host alias of the ssh config (whose HostName is then connected to)."""
    port: WholeNumber = Field(default=22, ge=1, le=65535)
    """Left out: the ssh config's Port for `address`, else 22."""
    user: UserName = "root"
    """Left out: the ssh config's User for `address`, else root."""
    key: Path | None = None
    """Private key offered first; ssh.client_keys, the ssh config's IdentityFile keys, then the agent's follow."""
    role: Role = Role.CLIENT
    transport: Literal["ssh", "local"] = "ssh"
    nim_name: NimObjectName | None = None
    """NIM object name of a client when it differs from `name` (as in `lsnim`)."""
    work_dir: RemotePath = "/var/tmp/cockpit"
    """Directory on this host where detached steps keep their output and exit status."""
    proxy_jump: ProxyJump | None = None
    """Reach this host through a jump host: the name of a host in `hosts`, or `[user@]host[:port]`
    (host may be an ssh config alias), or `none` to connect directly whatever the ssh config says.
    Left out: the ssh config's ProxyJump for `address`, else directly."""

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


def _moment(value: Any) -> Any:
    # YAML reads `2026-12-05 22:00` as text and `2026-12-05T22:00:00` as a datetime; a bare date would
    # be midnight, which is never what a window means: ask for the time.
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        raise ValueError(f"{value.isoformat()} is a date without a time; write e.g. '{value.isoformat()} 22:00'")
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a date and time like '2026-12-05 22:00'") from None
    return value


Moment = Annotated[datetime.datetime, BeforeValidator(_moment)]


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


def _param_value(value: Any) -> Any:
    # A runbook parameter is text. YAML reads `4.3.3.0` as text but `1.10` as the number 1.1 and
    # `yes` as true: refuse those rather than guess; whole numbers are harmless and become text.
    if isinstance(value, bool):
        raise ValueError("expected text, got a YAML boolean; put the value in quotes")
    if isinstance(value, float):
        raise ValueError(f"expected text, got the number {value!r}; put the value in quotes (e.g. '1.10')")
    if isinstance(value, int):
        return str(value)
    return value


ParamValue = Annotated[str, BeforeValidator(_param_value)]
ParamName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,30}$")]


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


KeyPathLike = tuple[str | int, ...]


class HostsFrom(Strict):
    """Hosts read from an inventory another tool keeps, instead of listing them again under `hosts`."""

    ansible: Path
    """An Ansible inventory file, INI or YAML (relative to this file): ansible_host, ansible_port,
    ansible_user, ansible_ssh_private_key_file, ansible_connection (ssh or local) per host."""
    groups: dict[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")], Role] | None = None
    """Inventory groups to take and the role their hosts get (e.g. {nim_servers: nim_master, aix: client}).
    Left out: every host of the inventory; those in a group named nim_master get that role, the others client."""


class Config(Strict):
    # For editors: hosts listed here, read from an inventory, or both.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [{"required": ["hosts"], "properties": {"hosts": {"minItems": 1}}}, {"required": ["hosts_from"]}]
        }
    )

    ssh: SSHSettings = Field(default_factory=SSHSettings)
    hosts: list[Host] = Field(default_factory=list)
    hosts_from: HostsFrom | None = None
    """Hosts from an Ansible inventory; `hosts` may then be left out or add hosts of its own."""
    plan: Plan
    state_dir: Path = Path("cockpit-state")
    """Where run logs and the journal go (relative to the config file)."""
    alerts: TerminalAlerts = Field(default_factory=TerminalAlerts)
    """The terminal's bell and desktop notification when a target needs the operator."""
    notify: list[NotifyCommand] = Field(default_factory=list)
    """Commands run on this machine when a target needs the operator (mail, a webhook ...)."""

    @model_validator(mode="after")
    def _cross_check(self) -> Config:
        from cockpit.config.references import check_jumps, check_references

        if not self.hosts:
            raise CrossRefError(("hosts",), "no hosts: list them under hosts, or read them with hosts_from")
        check_references(self)
        check_jumps(self)
        return self

    def host(self, name: str) -> Host:
        # Indexed once (keyed by the list it is built from: model_copy carries the cache along).
        cached = self.__dict__.get("_cached_hosts")
        if cached is None or cached[0] != id(self.hosts):
            cached = (id(self.hosts), {h.name: h for h in self.hosts})
            self.__dict__["_cached_hosts"] = cached
        found = cached[1].get(name)
        if found is None:
            raise KeyError(name)
        return found

    @property
    def master(self) -> Host:
        """The NIM master of a plan with one (check `has_master`; with several, `master_of(target)`)."""
        names = self.plan.master_names
        if not names:
            raise LookupError("this plan has no NIM master")
        if len(names) > 1:
            raise LookupError(f"this plan has {len(names)} NIM masters: ask for the master of a target")
        return self.host(names[0])

    @property
    def has_master(self) -> bool:
        return bool(self.plan.master_names)

    @property
    def masters(self) -> list[Host]:
        """Every NIM master of the plan, in plan order (none for runbooks without one)."""
        return [self.host(n) for n in self.plan.master_names]

    def master_of(self, target: str) -> Host | None:
        """The NIM master that migrates `target` (None when the plan has none)."""
        name = self.plan.master_of(target)
        return self.host(name) if name is not None else None

    @property
    def targets(self) -> list[str]:
        """The hosts the plan migrates or changes, in plan order."""
        return self.plan.target_names


__all__ = [
    "Config",
    "CrossRefError",
    "Host",
    "HostsFrom",
    "MaintenanceWindow",
    "MasterGroup",
    "NimadmPlan",
    "Plan",
    "PlanClient",
    "PlanMaster",
    "PlanTarget",
    "Role",
    "RunbookPlan",
    "SSHSettings",
    "Strict",
]
