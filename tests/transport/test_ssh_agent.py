"""ssh-agent: a real `ssh-agent` on a socket of its own, keys added with `ssh-add`, real servers.

The agent's keys are offered, and only after the configured ones (asyncssh by itself puts them
first); `ssh.agent: false` never asks the agent.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest

from cockpit.config.models import Host, SSHSettings
from cockpit.transports.base import TransportError
from cockpit.transports.factory import transport_for
from cockpit.transports.ssh import SSHTransport
from tests.transport.sshservers import TestServer, new_key, start_server

AGENT_START_TIMEOUT = 10.0
pytestmark = pytest.mark.real  # OpenSSH's ssh-agent and ssh-add: under CI=true they must be there


@dataclass
class Agent:
    socket: Path
    key: Path
    """The key held by the agent (the servers accept it)."""
    public: asyncssh.SSHKey


@pytest.fixture
def agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Agent]:
    if shutil.which("ssh-agent") is None or shutil.which("ssh-add") is None:
        pytest.skip("ssh-agent / ssh-add not installed (Debian: openssh-client)")
    socket = tmp_path / "agent.sock"
    process = subprocess.Popen(
        ["ssh-agent", "-D", "-a", str(socket)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + AGENT_START_TIMEOUT
        while not socket.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"ssh-agent did not create {socket} (status {process.poll()})")
            time.sleep(0.02)
        key_path = tmp_path / "agent_key"
        key = new_key(key_path)
        env = {**os.environ, "SSH_AUTH_SOCK": str(socket)}
        subprocess.run(["ssh-add", "-q", str(key_path)], env=env, check=True, capture_output=True)
        # Only the agent has the key from here on: a connection that succeeds used the agent.
        key_path.unlink()
        monkeypatch.setenv("SSH_AUTH_SOCK", str(socket))
        monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.ssh/id_* or ~/.ssh/config of the machine
        yield Agent(socket, key_path, key)
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(5)


@pytest.fixture
async def server(agent: Agent, tmp_path: Path) -> AsyncIterator[tuple[TestServer, Path]]:
    target = await start_server("target", [agent.public])
    known = tmp_path / "known_hosts"
    known.write_text(target.known_hosts_line + "\n")
    try:
        yield target, known
    finally:
        await target.stop()


def host(target: TestServer, **extra: object) -> Host:
    return Host.model_validate({"name": "lpar01", "address": "127.0.0.1", "port": target.port, **extra})


async def test_the_agents_key_is_used_when_no_key_is_configured(agent: Agent, server: tuple[TestServer, Path]) -> None:
    target, known = server
    transport = transport_for(host(target), SSHSettings(known_hosts=known, config_file=None))
    try:
        result = await transport.run("oslevel -s")
    finally:
        await transport.close()
    assert result.stdout == "target root oslevel -s\n"
    assert target.seen.offered == [agent.public.public_data]


async def test_configured_keys_are_offered_before_the_agents(
    agent: Agent, server: tuple[TestServer, Path], tmp_path: Path
) -> None:
    target, known = server
    own = tmp_path / "own_key"
    own_public = new_key(own)  # offered, refused by the server, then the agent's key is tried
    transport = transport_for(host(target, key=str(own)), SSHSettings(known_hosts=known, config_file=None))
    try:
        result = await transport.run("oslevel -s")
    finally:
        await transport.close()
    assert result.exit_status == 0
    assert target.seen.offered == [own_public.public_data, agent.public.public_data]
    # The key on record is the one the host accepted (the agent's), not the first one offered.
    assert transport.client_key == agent.public.get_fingerprint("sha256")  # type: ignore[attr-defined]


async def test_agent_false_never_asks_the_agent(agent: Agent, server: tuple[TestServer, Path]) -> None:
    target, known = server
    transport = transport_for(host(target), SSHSettings(known_hosts=known, config_file=None, agent=False))
    with pytest.raises(TransportError, match=r"^lpar01: authentication refused for root@127\.0\.0\.1:\d+$"):
        await transport.connect()
    assert target.seen.offered == []


async def test_identities_only_offers_only_the_agent_keys_of_the_identity_files(
    agent: Agent, server: tuple[TestServer, Path], tmp_path: Path
) -> None:
    target, known = server
    other = tmp_path / "other_key"
    new_key(other)
    config = tmp_path / "ssh_config"
    config.write_text(f"Host *\n  IdentitiesOnly yes\n  IdentityFile {other}\n")
    transport = SSHTransport(
        "lpar01", "127.0.0.1", target.port, None, known_hosts=known, client_keys=[], config_files=[config]
    )
    with pytest.raises(TransportError, match="authentication refused"):
        await transport.connect()
    assert agent.public.public_data not in target.seen.offered  # the agent's key is not an IdentityFile
    # Its public half next to the IdentityFile line makes it one: then the agent signs with it.
    (tmp_path / "agent_key.pub").write_text(agent.public.export_public_key().decode())
    config.write_text(f"Host *\n  IdentitiesOnly yes\n  IdentityFile {agent.key}\n")
    try:
        assert (await transport.run("true")).stdout == "target root true\n"
    finally:
        await transport.close()
