"""The configuration file: inventory (hosts), SSH settings and the migration plan.

Paths in the file are relative to the file itself (the loader resolves them). Every field is checked
on load; the loader maps a pydantic error location back to the YAML line and column.
"""

from __future__ import annotations

import datetime
import re
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


class NimadmPlan(PlanCommon):
    runbook: Literal["nimadm"] = "nimadm"
    master: str
    """Name of the host with role nim_master that runs nimadm."""
    lpp_source: NimObjectName
    spot: NimObjectName
    cache_vg: VolumeGroupName | None = None
    """Volume group on the master for local disk caching (nimadm -j)."""
    target_level: AixLevel | None = None
    """The AIX level the clients migrate to, as `oslevel -s` prints it (7300-02-01-2346; 7300-02 or
    7300-02-01 compare only that far). The preflight checks the master is not below it; left out, the
    level comes from the lpp_source's bos.rte (release and TL only)."""
    clients: list[PlanClient] = Field(min_length=1)
    phase_timing: dict[Annotated[int, Field(ge=1, le=12)], PhaseTimingOverride] = Field(default_factory=dict)
    """Per-phase overrides of the runbook's typical duration and silence threshold, in minutes."""

    def lpp_source_for(self, client: PlanClient) -> str:
        return client.lpp_source or self.lpp_source

    def spot_for(self, client: PlanClient) -> str:
        return client.spot or self.spot

    def target_level_for(self, client: PlanClient) -> str | None:
        return client.target_level or self.target_level

    @property
    def target_names(self) -> list[str]:
        return [c.host for c in self.clients]

    def target_values(self, host: str) -> dict[str, str | None]:
        """The nimadm runbook's parameter values for one client (what `plan.targets[].params` would say)."""
        client = next(c for c in self.clients if c.host == host)
        return {
            "lpp_source": self.lpp_source_for(client),
            "spot": self.spot_for(client),
            "disk": client.disk,
            "cache_vg": self.cache_vg,
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


class Config(Strict):
    ssh: SSHSettings = Field(default_factory=SSHSettings)
    hosts: list[Host] = Field(min_length=1)
    plan: Plan
    state_dir: Path = Path("cockpit-state")
    """Where run logs and the journal go (relative to the config file)."""
    alerts: TerminalAlerts = Field(default_factory=TerminalAlerts)
    """The terminal's bell and desktop notification when a target needs the operator."""
    notify: list[NotifyCommand] = Field(default_factory=list)
    """Commands run on this machine when a target needs the operator (mail, a webhook ...)."""

    @model_validator(mode="after")
    def _cross_check(self) -> Config:
        _check_references(self)
        _check_jumps(self)
        return self

    def host(self, name: str) -> Host:
        for h in self.hosts:
            if h.name == name:
                return h
        raise KeyError(name)

    @property
    def master(self) -> Host:
        """The NIM master; only for plans that name one (check `has_master`)."""
        if self.plan.master is None:
            raise LookupError("this plan has no NIM master")
        return self.host(self.plan.master)

    @property
    def has_master(self) -> bool:
        return self.plan.master is not None

    @property
    def targets(self) -> list[str]:
        """The hosts the plan migrates or changes, in plan order."""
        return self.plan.target_names


def _check_references(config: Config) -> None:
    """Host names are unique, the plan's master is a nim_master, each target a client, planned once."""
    seen: set[str] = set()
    for i, h in enumerate(config.hosts):
        if h.name in seen:
            raise CrossRefError(("hosts", i, "name"), f"duplicate host name {h.name!r}")
        seen.add(h.name)
    by_name = {h.name: h for h in config.hosts}
    plan = config.plan
    if plan.master is not None:
        master = by_name.get(plan.master)
        if master is None:
            raise CrossRefError(("plan", "master"), f"no host named {plan.master!r} in hosts")
        if master.role is not Role.NIM_MASTER:
            raise CrossRefError(("plan", "master"), f"host {master.name!r} does not have role nim_master")
    key = "clients" if isinstance(plan, NimadmPlan) else "targets"
    planned: set[str] = set()
    for i, name in enumerate(plan.target_names):
        host = by_name.get(name)
        where = ("plan", key, i, "host")
        if host is None:
            raise CrossRefError(where, f"no host named {name!r} in hosts")
        if host.role is not Role.CLIENT:
            raise CrossRefError(where, f"host {name!r} does not have role client")
        if name in planned:
            raise CrossRefError(where, f"{'client' if key == 'clients' else 'target'} {name!r} is planned twice")
        planned.add(name)


def _check_jumps(config: Config) -> None:
    """A proxy_jump that names a host names an ssh host of `hosts`, and jump hosts make no loop."""
    by_name = {h.name: h for h in config.hosts}
    for i, h in enumerate(config.hosts):
        jump = h.proxy_jump
        if jump is None or jump == "none" or "@" in jump or ":" in jump:
            continue
        where = ("hosts", i, "proxy_jump")
        target = by_name.get(jump)
        if target is None:
            raise CrossRefError(
                where, f"no host named {jump!r} in hosts (a jump host outside them: user@host or host:port)"
            )
        if target.transport != "ssh":
            raise CrossRefError(
                where, f"host {jump!r} is reached with transport {target.transport}, not ssh: it cannot be a jump host"
            )
        seen = [h.name]
        while target is not None:
            if target.name in seen:
                raise CrossRefError(where, "jump hosts make a loop: " + " -> ".join([*seen, target.name]))
            seen.append(target.name)
            nxt = target.proxy_jump
            target = by_name.get(nxt) if nxt and nxt != "none" and "@" not in nxt and ":" not in nxt else None


__all__ = [
    "Config",
    "CrossRefError",
    "Host",
    "MaintenanceWindow",
    "NimadmPlan",
    "Plan",
    "PlanClient",
    "PlanTarget",
    "Role",
    "RunbookPlan",
    "SSHSettings",
    "Strict",
]
