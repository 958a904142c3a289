"""Where one SSH hop goes and as whom: the cockpit's config first, then the OpenSSH client config.

Precedence, per value (address, port, user, keys, jump host): a value the cockpit's config sets for
the host wins; else the ssh config's value for the host's `address` (read as `ssh` reads it: Host
aliases and patterns, Match, Include, HostName, first value wins); else the default (port 22, user
root for a host of the inventory, the local user name for a jump host that is not in it, as `ssh`).

asyncssh parses the ssh config (SSHClientConnectionOptions with `config=`); this module only asks it
what it found, so the cockpit and asyncssh can never read the file differently.
"""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import asyncssh

from cockpit.config.ssh_includes import include_loop
from cockpit.transports.base import TransportError

DEFAULT_PORT = 22
NO_JUMP: Literal["none"] = "none"
"""A hop's `jump` that means "connect directly", whatever the ssh config's ProxyJump says."""

# [ssh://][user@]host[:port], as ProxyJump takes it. The shapes match cockpit.domain.names (host
# names and user names): values from an ssh config reach no shell, but a bad one should be named.
_JUMP = re.compile(
    r"^(?:ssh://)?(?:(?P<user>[A-Za-z_][A-Za-z0-9_.\-]{0,31})@)?"
    r"(?P<host>[A-Za-z0-9_][A-Za-z0-9_.\-]{0,252})(?::(?P<port>[0-9]{1,5}))?/?$"
)


@dataclass(frozen=True)
class Hop:
    """One SSH server on the way to a host (the host itself or a jump host), as the cockpit gives it.

    A field left None is "not set in the cockpit's config": the ssh config's value for `address`
    applies, else the default.
    """

    label: str
    """How messages name this hop (the host's name in the inventory, or the jump as written)."""
    address: str
    """Host name, IP address or Host alias of the ssh config."""
    port: int | None = None
    user: str | None = None
    keys: tuple[Path, ...] = ()
    """Private keys from the cockpit's config, offered first, in this order."""
    jump: Hop | Literal["none"] | None = None
    """The hop before this one; None: the ssh config's ProxyJump for `address`; "none": direct."""
    default_user: str | None = "root"
    """User when neither the cockpit nor the ssh config names one; None: the local user (as ssh)."""


@dataclass(frozen=True)
class Resolved:
    """A hop with every value decided: what is connected to, as whom, with which keys, through what."""

    hop: Hop
    host: str
    """The host name connected to (the ssh config's HostName for an alias)."""
    port: int
    user: str
    keys: list[str]
    """Key files that exist, in the order they are offered (cockpit's, then the ssh config's)."""
    missing_keys: list[str]
    """Key files the cockpit's config names that do not exist."""
    jump: Hop | None
    agent_path: str | None
    """The ssh-agent socket whose keys are offered after `keys`; None: no agent."""
    identities_only: bool = False
    """IdentitiesOnly: offer only the agent's keys that match `identities`."""
    identities: list[str] = field(default_factory=list)
    """Every key file named (cockpit's and IdentityFile), found or not: with IdentitiesOnly, an agent
    key matches one by its .pub beside it, as with ssh."""
    host_key_alias: str | None = None
    """HostKeyAlias of the ssh config: the name host keys are looked up under in known_hosts."""
    ciphers_configured: bool = False
    """The ssh config names Ciphers for this host: its order is kept (the cockpit's is not applied)."""

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def known_hosts_name(self) -> str:
        return self.host_key_alias or self.host


def parse_jump(spec: str, *, keys: tuple[Path, ...] = (), label: str | None = None) -> Hop:
    """One jump host written `[user@]host[:port]` (host may be an ssh config alias), for a hop whose
    unset values come from the ssh config, as `ssh -J` resolves them."""
    m = _JUMP.fullmatch(spec.strip())
    port = int(m["port"]) if m and m["port"] else None
    if m is None or (port is not None and not 0 < port < 65536):
        raise TransportError(f"jump host {spec!r} is not [user@]host[:port]")
    return Hop(label or spec, m["host"], port, m["user"], keys, None, default_user=None)


def parse_jump_chain(value: str, *, keys: tuple[Path, ...] = ()) -> Hop:
    """ProxyJump `a,b,c`: connect to a (through its own ProxyJump, as ssh does), then b through a,
    then c through b. Returns the last hop (c), each hop's `jump` being the one before."""
    previous: Hop | None = None
    for spec in value.split(","):
        hop = parse_jump(spec, keys=keys)
        # The first hop keeps jump=None (its own ProxyJump applies); the next ones go through it.
        previous = hop if previous is None else replace(hop, jump=previous)
    if previous is None:
        raise TransportError(f"ProxyJump {value!r} names no host")
    return previous


def _agent_path(options: asyncssh.SSHClientConnectionOptions, use_agent: bool) -> str | None:
    """The agent socket as ssh finds it: IdentityAgent of the ssh config, else SSH_AUTH_SOCK."""
    if not use_agent:
        return None
    configured = options.config.get("IdentityAgent", ())
    if configured is None:  # IdentityAgent none
        return None
    if configured == () or configured == "SSH_AUTH_SOCK":
        return os.environ.get("SSH_AUTH_SOCK") or None
    text = str(configured)
    if text.startswith("$"):
        return os.environ.get(text[1:]) or None
    return str(Path(text).expanduser())


async def resolve(hop: Hop, *, config_files: tuple[Path, ...], jump_keys: tuple[Path, ...], agent: bool) -> Resolved:
    """Decide `hop`'s host, port, user, keys, jump host and agent (see the module's precedence)."""
    if not config_files:
        return _without_config(hop, agent)
    files = ", ".join(str(p) for p in config_files)
    loop = include_loop(config_files)
    if loop is not None:
        raise TransportError(f"{hop.label}: cannot read the ssh config {files}: {loop}")
    try:
        # No keys, known_hosts or agent here: only the ssh config's answers are wanted. `config=[]`
        # (not `()`, which asyncssh reads as "the default ~/.ssh/config") when none is configured.
        options = await asyncssh.SSHClientConnectionOptions.construct(
            config=[str(p) for p in config_files],
            host=hop.address,
            client_keys=None,
            known_hosts=None,
            agent_path=None,
        )
    except (OSError, ValueError, asyncssh.Error) as exc:
        raise TransportError(f"{hop.label}: cannot read the ssh config {files}: {exc}") from exc
    except RecursionError:  # nested past what include_loop follows (a glob that grows as it is read ...)
        raise TransportError(f"{hop.label}: cannot read the ssh config {files}: its Includes never end") from None
    config = options.config
    configured_user = config.get("User")
    user = hop.user or (str(configured_user) if configured_user else None) or hop.default_user or _local_user()
    port = hop.port if hop.port is not None else int(options.port or DEFAULT_PORT)

    identity_files = [Path(str(f)).expanduser() for f in list(config.get("IdentityFile", None) or [])]
    keys = [str(k) for k in hop.keys if k.is_file()]
    missing = [str(k) for k in hop.keys if not k.is_file()]
    # A missing IdentityFile is skipped without a word, as ssh does (Host * blocks name keys that
    # only some machines have).
    keys += [str(k) for k in identity_files if k.is_file() and str(k) not in keys]

    jump: Hop | None
    if isinstance(hop.jump, Hop):
        jump = hop.jump
    elif hop.jump == NO_JUMP:
        jump = None
    else:
        proxy_jump = config.get("ProxyJump")  # None when absent or `ProxyJump none`
        jump = parse_jump_chain(str(proxy_jump), keys=jump_keys) if proxy_jump else None

    return Resolved(
        hop=hop,
        host=str(options.host or hop.address),
        port=port,
        user=user,
        keys=keys,
        missing_keys=missing,
        jump=jump,
        agent_path=_agent_path(options, agent),
        identities_only=bool(config.get("IdentitiesOnly", False)),
        identities=[str(k) for k in (*hop.keys, *identity_files)],
        host_key_alias=options.host_key_alias,
        ciphers_configured=config.get("Ciphers") is not None,
    )


def _local_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "root"


def _without_config(hop: Hop, agent: bool) -> Resolved:
    """`resolve` when no ssh config is read (the simulator, `config_file: none`): no file, no thread."""
    jump = hop.jump if isinstance(hop.jump, Hop) else None
    return Resolved(
        hop=hop,
        host=hop.address,
        port=hop.port if hop.port is not None else DEFAULT_PORT,
        user=hop.user or hop.default_user or _local_user(),
        keys=[str(k) for k in hop.keys if k.is_file()],
        missing_keys=[str(k) for k in hop.keys if not k.is_file()],
        jump=jump,
        agent_path=(os.environ.get("SSH_AUTH_SOCK") or None) if agent else None,
        identities=[str(k) for k in hop.keys],
    )
