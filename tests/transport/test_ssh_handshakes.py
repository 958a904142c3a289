"""Many handshakes at once: bounded, retried when the server turns them away, never when it is final.

A run opens one connection per client at the same moment. A stock OpenSSH sshd drops connections
beyond its MaxStartups; the transport must queue its handshakes and try a refused one again, but a
wrong host key or a refused key must fail at once (retrying them would only hide the problem).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from cockpit.transports.base import HostKeyError, TransportError
from cockpit.transports.ssh import MAX_HANDSHAKES, HandshakeGate, SSHTransport
from tests.e2e.openssh import find_sshd, free_port, keygen, public_key


class Counting(asyncssh.SSHServer):
    """Counts connections; aborts the first `refuse` of them before the banner (as sshd past MaxStartups)."""

    refuse = 0
    seen = 0
    pending = 0  # connected, not yet authenticated
    most_pending = 0

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        cls = type(self)
        cls.seen += 1
        self._authed = False
        if cls.seen <= cls.refuse:
            conn.abort()
            self._counted = False
            return
        self._counted = True
        cls.pending += 1
        cls.most_pending = max(cls.most_pending, cls.pending)

    def auth_completed(self) -> None:
        self._done()

    def connection_lost(self, exc: Exception | None) -> None:
        self._done()

    def _done(self) -> None:
        if self._counted:
            self._counted = False
            type(self).pending -= 1


async def _serve(tmp_path: Path, refuse: int = 0) -> tuple[asyncssh.SSHAcceptor, type[Counting], Path, Path, int]:
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    key_path = tmp_path / "id_ed25519"
    client_key.write_private_key(str(key_path))
    counting = type("Server", (Counting,), {"refuse": refuse, "seen": 0, "pending": 0, "most_pending": 0})

    async def hello(process: asyncssh.SSHServerProcess) -> None:
        process.stdout.write("hello\n")
        process.exit(0)

    acceptor = await asyncssh.listen(
        "127.0.0.1",
        0,
        server_host_keys=[host_key],
        authorized_client_keys=asyncssh.import_authorized_keys(client_key.export_public_key().decode()),
        process_factory=hello,
        server_factory=counting,
    )
    port = acceptor.sockets[0].getsockname()[1]
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {host_key.export_public_key().decode()}")
    return acceptor, counting, known, key_path, port


def _client(port: int, known: Path, key: Path, **kwargs: object) -> SSHTransport:
    return SSHTransport("lpar01", "127.0.0.1", port, "root", known_hosts=known, client_keys=[key], **kwargs)  # type: ignore[arg-type]


async def test_a_handshake_turned_away_is_tried_again_until_accepted(tmp_path: Path) -> None:
    acceptor, server, known, key, port = await _serve(tmp_path, refuse=3)
    try:
        t = _client(port, known, key, retry_delays=(0.01, 0.01, 0.01, 0.01))
        await t.connect()
        assert (await t.run("hello")).stdout == "hello\n"
        assert server.seen == 4  # three refused, the fourth accepted
        await t.close()
    finally:
        acceptor.close()


async def test_retries_end_with_one_line_that_says_how_many_attempts(tmp_path: Path) -> None:
    acceptor, server, known, key, port = await _serve(tmp_path, refuse=100)
    try:
        t = _client(port, known, key, retry_delays=(0.01, 0.01))
        with pytest.raises(TransportError, match=r"cannot connect to 127\.0\.0\.1:\d+: .*\(3 attempts\)") as info:
            await t.connect()
        assert "\n" not in str(info.value)
        assert server.seen == 3
    finally:
        acceptor.close()


async def test_a_changed_host_key_is_final_not_retried(tmp_path: Path) -> None:
    acceptor, server, _, key, port = await _serve(tmp_path)
    try:
        wrong = tmp_path / "wrong_known_hosts"
        other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
        wrong.write_text(f"[127.0.0.1]:{port} {other}")
        with pytest.raises(HostKeyError, match="HOST KEY CHANGED"):
            await _client(port, wrong, key, retry_delays=(0.01, 0.01)).connect()
        assert server.seen == 1
    finally:
        acceptor.close()


async def test_a_refused_key_is_final_not_retried(tmp_path: Path) -> None:
    acceptor, server, known, _, port = await _serve(tmp_path)
    try:
        stranger = tmp_path / "stranger"
        asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(stranger))
        with pytest.raises(TransportError, match="authentication refused"):
            await _client(port, known, stranger, retry_delays=(0.01, 0.01)).connect()
        assert server.seen == 1
    finally:
        acceptor.close()


async def test_handshakes_in_flight_never_exceed_the_process_cap(tmp_path: Path) -> None:
    acceptor, server, known, key, port = await _serve(tmp_path)
    clients = [_client(port, known, key) for _ in range(60)]  # the process-wide gate (no gate given)
    try:
        await asyncio.gather(*(c.connect() for c in clients))
        assert server.seen == 60
        assert 1 < server.most_pending <= MAX_HANDSHAKES
    finally:
        await asyncio.gather(*(c.close() for c in clients))
        acceptor.close()


async def test_the_gate_narrows_when_refused_and_widens_again_when_accepted() -> None:
    gate = HandshakeGate(ceiling=8)
    gate.refused()
    gate.refused()
    assert gate.limit == 2
    for _ in range(200):
        gate.accepted()
    assert gate.limit == 8


# --- a real OpenSSH sshd --------------------------------------------------------------------------


@pytest.fixture
def sshd_factory(tmp_path: Path) -> Iterator[object]:
    if find_sshd() is None:
        pytest.skip("OpenSSH sshd not installed (`make sshd`: tests/setup_sshd.sh installs openssh-server)")
    started: list[subprocess.Popen[bytes]] = []

    def start(max_startups: str) -> tuple[int, Path, Path]:
        host_key, client_key = keygen(tmp_path / "host_ed25519"), keygen(tmp_path / "client_ed25519")
        authorized = tmp_path / "authorized_keys"
        authorized.write_text(public_key(client_key) + "\n")
        authorized.chmod(0o600)
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        port = free_port()
        config = tmp_path / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    f"Port {port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {host_key}",
                    f"PidFile {tmp_path / 'sshd.pid'}",
                    f"AuthorizedKeysFile {authorized}",
                    "StrictModes no",
                    "UsePAM no",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    f"MaxStartups {max_startups}",
                ]
            )
            + "\n"
        )
        log = tmp_path / "sshd.log"
        with log.open("wb") as err:
            proc = subprocess.Popen([find_sshd(), "-D", "-e", "-f", str(config)], stderr=err, start_new_session=True)  # type: ignore[list-item]
        started.append(proc)
        deadline = time.monotonic() + 10
        while f"port {port}" not in log.read_text(errors="replace"):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise AssertionError(f"sshd did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.05)
        known = tmp_path / "known_hosts"
        known.write_text(f"[127.0.0.1]:{port} {public_key(host_key)}\n")
        return port, known, client_key

    yield start
    for proc in started:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)


@pytest.mark.sshd
@pytest.mark.parametrize("max_startups", ["10:30:100", "3:100:3"])  # stock; and below our own cap of 8
async def test_200_clients_connect_at_once_to_an_sshd_with_a_startup_limit(sshd_factory, max_startups: str) -> None:  # type: ignore[no-untyped-def]
    port, known, key = sshd_factory(max_startups)
    user = pwd.getpwuid(os.geteuid()).pw_name
    clients = [
        SSHTransport(f"lpar{i:03d}", "127.0.0.1", port, user, known_hosts=known, client_keys=[key]) for i in range(200)
    ]
    try:
        results = await asyncio.gather(*(c.connect() for c in clients), return_exceptions=True)
        failed = [str(r) for r in results if isinstance(r, BaseException)]
        assert failed == [], f"{len(failed)} of 200 failed, e.g. {failed[:3]}"
    finally:
        await asyncio.gather(*(c.close() for c in clients))
