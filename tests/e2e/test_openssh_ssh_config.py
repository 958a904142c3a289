"""SSH as operators have it, against real OpenSSH sshds on 127.0.0.1: an ssh config Host alias, and a
ProxyJump through one sshd to another.

That the connection to the target came through the jump host is read from the kernel: while the
session is open, the target sees a client port (SSH_CONNECTION) whose socket belongs to a process of
the jump host's sshd (Linux /proc).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cockpit.config.models import Host, SSHSettings
from cockpit.transports.factory import transport_for
from cockpit.transports.ssh import SSHTransport
from tests.e2e.openssh import OpenSSHServer, SSHDFailed, descendants, find_sshd, keygen, start_sshd

pytestmark = pytest.mark.sshd


@dataclass
class Pair:
    dir: Path
    key: Path
    jump: OpenSSHServer
    target: OpenSSHServer
    known_hosts: Path


def _start(workdir: Path, key: Path) -> OpenSSHServer:
    try:
        return start_sshd(workdir, {}, client_key=key)
    except SSHDFailed as exc:
        failure = f"sshd for {workdir.name}: {exc}"
    pytest.fail(failure, pytrace=False)  # installed but not starting is a failure, never a skip


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pair]:
    if find_sshd() is None:
        pytest.skip("OpenSSH sshd not found; `make sshd` (tests/setup_sshd.sh, as root) installs openssh-server")
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)  # only the keys the test names
    key = keygen(tmp_path / "client_ed25519")
    jump = _start(tmp_path / "jump", key)
    try:
        target = _start(tmp_path / "target", key)
    except BaseException:
        jump.stop()
        raise
    known = tmp_path / "known_hosts"
    known.write_text(jump.known_hosts_line + target.known_hosts_line)
    try:
        yield Pair(tmp_path, key, jump, target, known)
    finally:
        target.stop()
        jump.stop()


def transport(pair: Pair, config: str) -> SSHTransport:
    path = pair.dir / "ssh_config"
    path.write_text(config)
    host = Host.model_validate({"name": "lpar01", "address": "lpar-alias"})
    made = transport_for(host, SSHSettings(known_hosts=pair.known_hosts, config_file=path))
    assert isinstance(made, SSHTransport)
    return made


async def test_an_ssh_config_alias_with_hostname_user_port_and_identityfile_reaches_sshd(pair: Pair) -> None:
    t = pair.target
    ssh = transport(
        pair, f"Host lpar-alias\n  HostName 127.0.0.1\n  Port {t.port}\n  User {t.user}\n  IdentityFile {pair.key}\n"
    )
    try:
        result = await ssh.run("id -un")
    finally:
        await ssh.close()
    assert (result.exit_status, result.stdout) == (0, f"{t.user}\n")
    assert f"Accepted publickey for {t.user} from 127.0.0.1" in t.log_text()
    assert "Accepted publickey" not in pair.jump.log_text()


def _socket_owners(local_port: int) -> set[int]:
    """Pids holding the TCP socket bound to 127.0.0.1:`local_port` (Linux /proc)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        address, port = fields[1].split(":")
        if address == "0100007F" and int(port, 16) == local_port:
            inodes.add(fields[9])
    owners = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    owners.add(int(pid))
        except OSError:
            continue
    return owners


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc to see who holds a socket")
async def test_proxy_jump_through_a_real_sshd_reaches_the_target_through_it(pair: Pair) -> None:
    j, t = pair.jump, pair.target
    ssh = transport(
        pair,
        f"Host bastion\n  HostName 127.0.0.1\n  Port {j.port}\n  User {j.user}\n"
        f"Host lpar-alias\n  HostName 127.0.0.1\n  Port {t.port}\n  User {t.user}\n  ProxyJump bastion\n"
        f"Host *\n  IdentityFile {pair.key}\n",
    )
    try:
        result = await ssh.run('echo "$SSH_CONNECTION"; id -un')
        assert result.exit_status == 0, result
        client_port = int(result.stdout.split()[1])
        # While the session is open: the target's client socket belongs to the jump host's sshd.
        owners = _socket_owners(client_port)
        assert owners, f"no process holds 127.0.0.1:{client_port}"
        assert owners <= set(descendants(j.process.pid)), (owners, descendants(j.process.pid))
    finally:
        await ssh.close()
    assert result.stdout.split()[-1] == t.user
    assert [(hop.port, hop.user) for hop in ssh.route] == [(j.port, j.user), (t.port, t.user)]
    assert f"Accepted publickey for {j.user} from 127.0.0.1" in j.log_text()
