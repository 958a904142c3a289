"""Build the transport for a configured host (kept here so the engine never imports asyncssh)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from cockpit.config.models import Host, SSHSettings
from cockpit.transports.base import Transport, TransportError
from cockpit.transports.local import LocalTransport
from cockpit.transports.ssh import SSHTransport
from cockpit.transports.sshconfig import NO_JUMP, Hop, parse_jump


def transport_for(host: Host, ssh: SSHSettings, hosts: Sequence[Host] = ()) -> Transport:
    """The transport for `host`. `hosts` (the inventory) is needed when a proxy_jump names a host."""
    if host.transport == "local":
        return LocalTransport(host.name)
    port, user = _explicit(host)
    return SSHTransport(
        host.name,
        host.address,
        port,
        user,
        known_hosts=ssh.known_hosts,
        client_keys=_keys(host, ssh),
        connect_timeout=ssh.connect_timeout,
        keepalive_interval=ssh.keepalive_interval,
        config_files=ssh_config_files(ssh),
        jump=_jump(host, ssh, {h.name: h for h in hosts}, [host.name]),
        jump_keys=list(ssh.client_keys),
        agent=ssh.agent,
    )


def ssh_config_files(ssh: SSHSettings) -> list[Path]:
    """The ssh config to read: the one named; by default ~/.ssh/config if it exists; none for `none`."""
    if ssh.config_file is None:
        return []
    if ssh.config_file_is_default:
        try:
            default = ssh.config_file.expanduser()
        except RuntimeError:  # no home directory: no default ssh config either
            return []
        return [default] if default.is_file() else []
    return [ssh.config_file]


def _explicit(host: Host) -> tuple[int | None, str | None]:
    """Port and user when the cockpit's config sets them; None lets the ssh config (or the default) decide.

    The model's defaults (22, root) would hide a Port or User of the ssh config, so only the keys
    written in the file count (pydantic's model_fields_set).
    """
    written = host.model_fields_set
    return (host.port if "port" in written else None, host.user if "user" in written else None)


def _keys(host: Host, ssh: SSHSettings) -> list[Path]:
    return ([host.key] if host.key else []) + list(ssh.client_keys)


def _jump(host: Host, ssh: SSHSettings, by_name: dict[str, Host], seen: list[str]) -> Hop | Literal["none"] | None:
    """The hop before `host`: an inventory host (with its own jump hosts), `user@host:port`, `none`,
    or None (the ssh config decides)."""
    spec = host.proxy_jump
    if spec is None:
        return None
    if spec == NO_JUMP:
        return NO_JUMP
    if "@" in spec or ":" in spec:
        return parse_jump(spec, keys=tuple(ssh.client_keys))
    jump = by_name.get(spec)
    if jump is None:
        # Config validation makes sure the name exists; this is a caller that did not pass `hosts`.
        raise TransportError(f"{host.name}: proxy_jump {spec!r} names a host, but no inventory was given")
    if spec in seen:  # also refused by config validation
        raise TransportError(f"{host.name}: jump hosts make a loop: {' -> '.join([*seen, spec])}")
    port, user = _explicit(jump)
    return Hop(
        jump.name,
        jump.address,
        port,
        user,
        tuple(_keys(jump, ssh)),
        _jump(jump, ssh, by_name, [*seen, spec]),
    )
