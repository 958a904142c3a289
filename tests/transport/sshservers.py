"""Small real asyncssh servers on 127.0.0.1 that remember what clients did to them.

Each records the user names it was asked to authenticate, the public keys offered (in order), and
the direct-tcpip (port forwarding) requests it got; a jump server forwards to 127.0.0.1 only. A
command's output names the server it ran on and the user, so a test sees where it really ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import asyncssh


@dataclass
class Recording:
    users: list[str] = field(default_factory=list)
    offered: list[bytes] = field(default_factory=list)
    """Public key blobs the clients offered, in order, each once."""
    forwards: list[tuple[str, int]] = field(default_factory=list)
    """(host, port) of every direct-tcpip request (ssh -J asks the jump host for one)."""
    connections: int = 0


@dataclass
class TestServer:
    __test__ = False  # not a pytest test class

    name: str
    port: int
    host_key: asyncssh.SSHKey
    seen: Recording
    acceptor: asyncssh.SSHAcceptor

    @property
    def known_hosts_line(self) -> str:
        return f"[127.0.0.1]:{self.port} {self.host_key.export_public_key().decode()}"

    async def stop(self) -> None:
        self.acceptor.close()
        await self.acceptor.wait_closed()


def new_key(path: Path) -> asyncssh.SSHKey:
    """A new ed25519 key written at `path` (mode 600, as ssh-add wants it) and `path`.pub."""
    key = asyncssh.generate_private_key("ssh-ed25519", comment=path.name)
    key.write_private_key(str(path))
    path.chmod(0o600)
    key.write_public_key(str(path) + ".pub")
    return key


async def start_server(
    name: str, accepted: list[asyncssh.SSHKey], *, jump: bool = False, refuse_first: int = 0
) -> TestServer:
    """A server accepting `accepted` keys for any user; a `jump` server forwards TCP to 127.0.0.1 only.
    The first `refuse_first` connections are dropped before the banner (as sshd past MaxStartups)."""
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    seen = Recording()
    allowed = {k.public_data for k in accepted}

    class Recorder(asyncssh.SSHServer):
        def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
            seen.connections += 1
            if seen.connections <= refuse_first:
                conn.abort()

        def begin_auth(self, username: str) -> bool:
            seen.users.append(username)
            return True

        def public_key_auth_supported(self) -> bool:
            return True

        def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
            if key.public_data not in seen.offered:
                seen.offered.append(key.public_data)
            return key.public_data in allowed

        def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int) -> bool:
            seen.forwards.append((dest_host, dest_port))
            return jump and dest_host == "127.0.0.1"

    async def run(process: asyncssh.SSHServerProcess[str]) -> None:
        process.stdout.write(f"{name} {process.get_extra_info('username')} {process.command}\n")
        process.exit(0)

    acceptor = await asyncssh.listen(
        "127.0.0.1", 0, server_host_keys=[host_key], server_factory=Recorder, process_factory=run
    )
    return TestServer(name, acceptor.sockets[0].getsockname()[1], host_key, seen, acceptor)
