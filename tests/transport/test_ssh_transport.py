"""SSHTransport against a real asyncssh server on 127.0.0.1 (port 0), as asyncssh tests itself."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest

from cockpit.transports.base import ConnectionLost, HostKeyError, TransportError
from cockpit.transports.ssh import SSHTransport


async def _script(process: asyncssh.SSHServerProcess) -> None:
    """A tiny remote side: enough to check exit codes, stream order, merging and drops."""
    cmd = process.command or ""
    if "exit 7" in cmd:
        process.stdout.write("out\n")
        process.stderr.write("err\n")
        process.exit(7)
    elif "stream" in cmd:
        for i in range(5):
            process.stdout.write(f"line {i}\n")
            await asyncio.sleep(0.01)
        process.exit(0)
    elif "hang" in cmd:
        process.stdout.write("started\n")
        await asyncio.sleep(30)
        process.exit(0)
    else:
        process.stdout.write("hello\n")
        process.exit(0)


@dataclass
class Server:
    port: int
    host_key: asyncssh.SSHKey
    client_key_path: Path
    known_hosts: Path
    acceptor: asyncssh.SSHAcceptor
    connections: list[asyncssh.SSHServerConnection]


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key_path = tmp_path / "id_ed25519"
    client_key.write_private_key(str(client_key_path))
    authorized = asyncssh.import_authorized_keys(client_key.export_public_key().decode())
    conns: list[asyncssh.SSHServerConnection] = []

    class Tracker(asyncssh.SSHServer):
        def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
            conns.append(conn)

    acceptor = await asyncssh.listen(
        "127.0.0.1",
        0,
        server_host_keys=[host_key],
        authorized_client_keys=authorized,
        process_factory=_script,
        server_factory=Tracker,
    )
    port = acceptor.sockets[0].getsockname()[1]
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {host_key.export_public_key().decode()}")
    yield Server(port, host_key, client_key_path, known, acceptor, conns)
    acceptor.close()
    await acceptor.wait_closed()


def transport(s: Server, known_hosts: Path | None = None) -> SSHTransport:
    return SSHTransport(
        "lpar01",
        "127.0.0.1",
        s.port,
        "root",
        known_hosts=known_hosts or s.known_hosts,
        client_keys=[s.client_key_path],
        connect_timeout=5,
    )


async def test_run_returns_exit_status_stdout_and_stderr_separately(server: Server) -> None:
    t = transport(server)
    result = await t.run("exit 7")
    assert (result.exit_status, result.stdout, result.stderr) == (7, "out\n", "err\n")
    await t.close()


async def test_the_key_the_host_accepted_is_known_by_its_fingerprint(server: Server) -> None:
    """`client_key` is the SHA256 fingerprint `ssh-keygen -l` prints for the key (who did what, in the record)."""
    t = transport(server)
    assert t.client_key is None  # not connected yet
    await t.connect()
    try:
        if shutil.which("ssh-keygen"):
            listed = subprocess.run(
                ["ssh-keygen", "-lf", str(server.client_key_path)], capture_output=True, text=True, check=True
            ).stdout.split()[1]
        else:
            listed = asyncssh.read_private_key(str(server.client_key_path)).get_fingerprint("sha256")
        assert t.client_key == listed and listed.startswith("SHA256:")
    finally:
        await t.close()


async def test_an_unreadable_client_key_is_one_line(server: Server, tmp_path: Path) -> None:
    garbage = tmp_path / "not_a_key"
    garbage.write_text("not a key\n")
    t = SSHTransport("lpar01", "127.0.0.1", server.port, "root", known_hosts=server.known_hosts, client_keys=[garbage])
    with pytest.raises(TransportError, match=r"^lpar01: cannot load a client key: ") as info:
        await t.connect()
    assert "\n" not in str(info.value)


async def test_start_streams_chunks_in_order_and_returns_the_status(server: Server) -> None:
    t = transport(server)
    step = await t.start("stream")
    data = b"".join([c async for c in step.chunks()])
    assert data.decode().splitlines() == [f"line {i}" for i in range(5)]
    assert await step.wait() == 0
    await t.close()


async def test_unknown_host_key_is_refused_with_a_clear_message(server: Server, tmp_path: Path) -> None:
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    with pytest.raises(HostKeyError, match=r"unknown host key for 127\.0\.0\.1:\d+"):
        await transport(server, empty).connect()


async def test_changed_host_key_is_refused_and_called_changed(server: Server, tmp_path: Path) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519")
    wrong = tmp_path / "wrong_known_hosts"
    wrong.write_text(f"[127.0.0.1]:{server.port} {other.export_public_key().decode()}")
    with pytest.raises(HostKeyError, match="HOST KEY CHANGED"):
        await transport(server, wrong).connect()


async def test_missing_known_hosts_file_is_refused_not_skipped(server: Server, tmp_path: Path) -> None:
    with pytest.raises(HostKeyError, match="does not exist"):
        await transport(server, tmp_path / "nope").connect()


async def test_closed_port_is_a_one_line_transport_error(tmp_path: Path) -> None:
    known = tmp_path / "kh"
    known.write_text("")
    t = SSHTransport("gone", "127.0.0.1", 1, "root", known_hosts=known, client_keys=[], connect_timeout=2)
    with pytest.raises(TransportError, match=r"cannot connect to 127\.0\.0\.1:1") as info:
        await t.connect()
    assert "\n" not in str(info.value)


async def test_dropped_connection_mid_command_raises_connection_lost(server: Server) -> None:
    t = transport(server)
    step = await t.start("hang")
    chunks = step.chunks()
    assert (await anext(chunks)).startswith(b"started")
    for conn in server.connections:
        conn.abort()
    rest = [c async for c in chunks]
    assert rest == []
    with pytest.raises(ConnectionLost):
        await step.wait()
    await t.close()


async def test_aes_gcm_is_preferred_unless_the_ssh_config_names_ciphers(server: Server, tmp_path: Path) -> None:
    t = transport(server)
    await t.run("hello")
    assert server.connections[-1].get_extra_info("recv_cipher") == "aes128-gcm@openssh.com"
    await t.close()
    config = tmp_path / "ssh_config"
    config.write_text("Host *\n  Ciphers chacha20-poly1305@openssh.com,aes256-ctr\n")
    t = SSHTransport(
        "lpar01",
        "127.0.0.1",
        server.port,
        "root",
        known_hosts=server.known_hosts,
        client_keys=[server.client_key_path],
        connect_timeout=5,
        config_files=[config],
    )
    await t.run("hello")
    assert server.connections[-1].get_extra_info("recv_cipher") == "chacha20-poly1305@openssh.com"
    await t.close()
