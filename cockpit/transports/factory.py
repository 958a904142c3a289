"""Build the transport for a configured host (kept here so the engine never imports asyncssh)."""

from __future__ import annotations

from cockpit.config.models import Host, SSHSettings
from cockpit.transports.base import Transport
from cockpit.transports.local import LocalTransport
from cockpit.transports.ssh import SSHTransport


def transport_for(host: Host, ssh: SSHSettings) -> Transport:
    if host.transport == "local":
        return LocalTransport(host.name)
    keys = ([host.key] if host.key else []) + list(ssh.client_keys)
    return SSHTransport(
        host.name,
        host.address,
        host.port,
        host.user,
        known_hosts=ssh.known_hosts,
        client_keys=keys,
        connect_timeout=ssh.connect_timeout,
        keepalive_interval=ssh.keepalive_interval,
    )
