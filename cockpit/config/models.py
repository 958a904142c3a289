"""The configuration file: inventory (hosts), SSH settings and the migration plan.

Paths in the file are relative to the file itself (the loader resolves them). Every field is checked
on load; the loader maps a pydantic error location back to the YAML line and column. The value shapes
are in fields.py, the plan in plans.py; this module holds the file's top level and re-exports both.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator

from cockpit.config.fields import (
    Address,
    HostLabel,
    KeyPathLike,
    NimObjectName,
    Number,
    RemotePath,
    Role,
    Strict,
    UserName,
    WholeNumber,
)
from cockpit.config.notify import NotifyCommand, TerminalAlerts
from cockpit.config.plans import (
    PLAN_TAGS,
    FollowSettings,
    MaintenanceWindow,
    MasterGroup,
    NimadmPlan,
    PhaseTimingOverride,
    Plan,
    PlanClient,
    PlanMaster,
    PlanTarget,
    RunbookPlan,
)
from cockpit.config.problems import CrossRefError
from cockpit.domain import names


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
    "DEFAULT_SSH_CONFIG",
    "PLAN_TAGS",
    "Config",
    "CrossRefError",
    "FollowSettings",
    "Host",
    "HostsFrom",
    "KeyPathLike",
    "MaintenanceWindow",
    "MasterGroup",
    "NimadmPlan",
    "PhaseTimingOverride",
    "Plan",
    "PlanClient",
    "PlanMaster",
    "PlanTarget",
    "Role",
    "RunbookPlan",
    "SSHSettings",
    "Strict",
]
