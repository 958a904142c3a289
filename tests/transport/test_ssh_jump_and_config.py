"""SSH as operators have it, on loopback with real servers: ssh config aliases, precedence, ProxyJump.

The target and the jump host are real asyncssh servers on 127.0.0.1 (tests/transport/sshservers.py);
the jump server records the direct-tcpip requests it forwards, so a test sees that the connection
to the target really went through it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest

from cockpit.config.loader import load_config
from cockpit.config.models import Host, SSHSettings
from cockpit.transports.base import HostKeyError, TransportError
from cockpit.transports.factory import transport_for
from cockpit.transports.ssh import SSHTransport
from tests.transport.sshservers import TestServer, new_key, start_server


@dataclass
class Lab:
    dir: Path
    key: Path
    """The client key both servers accept."""
    target: TestServer
    jump: TestServer
    known_hosts: Path
    """Both servers' keys."""

    def ssh_config(self, text: str) -> Path:
        path = self.dir / "ssh_config"
        path.write_text(text)
        return path


@pytest.fixture(autouse=True)
def no_agent_and_a_local_user(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # No ssh-agent of the machine running the tests may help or hurt; and a local user name that
    # is not root, to tell ssh's default (the local user) from the cockpit's (root).
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(var, "operator1")
    yield


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[Lab]:
    key_path = tmp_path / "id_ed25519"
    key = new_key(key_path)
    target = await start_server("target", [key])
    jump = await start_server("jump", [key], jump=True)
    known = tmp_path / "known_hosts"
    known.write_text(target.known_hosts_line + "\n" + jump.known_hosts_line + "\n")
    try:
        yield Lab(tmp_path, key_path, target, jump, known)
    finally:
        await target.stop()
        await jump.stop()


def inventory(lab: Lab, hosts: str, ssh: str = "  config_file: none\n") -> Path:
    """A cockpit config (nimadm plan on lpar01) with these host entries; paths relative to it."""
    path = lab.dir / "cockpit.yaml"
    path.write_text(
        "ssh:\n  known_hosts: known_hosts\n  client_keys: [id_ed25519]\n"
        + ssh
        + "hosts:\n  - name: nim01\n    address: 192.0.2.10\n    role: nim_master\n"
        + hosts
        + "plan:\n  master: nim01\n  lpp_source: lpp_7300\n  spot: spot_7300\n"
        "  clients:\n    - host: lpar01\n      disk: hdisk1\n"
    )
    return path


async def run_on(path: Path, host: str = "lpar01", command: str = "oslevel -s") -> tuple[str, SSHTransport]:
    config = load_config(path)
    transport = transport_for(config.host(host), config.ssh, config.hosts)
    assert isinstance(transport, SSHTransport)
    try:
        result = await transport.run(command)
    finally:
        await transport.close()
    assert result.exit_status == 0
    return result.stdout, transport


# --- ProxyJump ------------------------------------------------------------------------------------------


async def test_proxy_jump_naming_a_host_of_the_inventory_runs_the_command_on_the_target_through_it(lab: Lab) -> None:
    path = inventory(
        lab,
        f"  - name: jump\n    address: 127.0.0.1\n    port: {lab.jump.port}\n    user: jumper\n"
        f"  - name: lpar01\n    address: 127.0.0.1\n    port: {lab.target.port}\n    proxy_jump: jump\n",
    )
    out, transport = await run_on(path)
    assert out == "target root oslevel -s\n"
    assert lab.jump.seen.users == ["jumper"]
    assert lab.jump.seen.forwards == [("127.0.0.1", lab.target.port)]  # the target was reached through it
    assert [hop.hop.label for hop in transport.route] == ["jump", "lpar01"]


async def test_proxy_jump_of_the_ssh_config_goes_through_the_jump_host_with_its_alias_values(lab: Lab) -> None:
    lab.ssh_config(
        f"Host bastion\n  HostName 127.0.0.1\n  Port {lab.jump.port}\n  User ops\n"
        f"Host lpar-alias\n  HostName 127.0.0.1\n  Port {lab.target.port}\n  User aixadm\n  ProxyJump bastion\n"
        f"Host *\n  IdentityFile {lab.key}\n"
    )
    path = inventory(lab, "  - name: lpar01\n    address: lpar-alias\n", ssh="  config_file: ssh_config\n")
    out, transport = await run_on(path)
    assert out == "target aixadm oslevel -s\n"
    assert lab.jump.seen.users == ["ops"]
    assert lab.jump.seen.forwards == [("127.0.0.1", lab.target.port)]
    assert [(h.host, h.port, h.user) for h in transport.route] == [
        ("127.0.0.1", lab.jump.port, "ops"),
        ("127.0.0.1", lab.target.port, "aixadm"),
    ]


async def test_a_jump_written_user_at_host_port_is_used_with_that_user(lab: Lab) -> None:
    path = inventory(
        lab,
        f"  - name: lpar01\n    address: 127.0.0.1\n    port: {lab.target.port}\n"
        f"    proxy_jump: ops@127.0.0.1:{lab.jump.port}\n",
    )
    out, _ = await run_on(path)
    assert out == "target root oslevel -s\n"
    assert lab.jump.seen.users == ["ops"]
    assert lab.jump.seen.forwards == [("127.0.0.1", lab.target.port)]


async def test_a_jump_without_a_user_is_the_local_user_as_with_ssh(lab: Lab) -> None:
    path = inventory(
        lab,
        f"  - name: lpar01\n    address: 127.0.0.1\n    port: {lab.target.port}\n"
        f"    proxy_jump: 127.0.0.1:{lab.jump.port}\n",
    )
    await run_on(path)
    assert lab.jump.seen.users == ["operator1"]


async def test_a_chain_of_two_jump_hosts_is_followed_in_order(lab: Lab) -> None:
    # inner accepts another key, named by its IdentityFile only: a chain's hops are resolved each by its alias.
    inner_key = lab.dir / "inner_key"
    inner = await start_server("inner", [new_key(inner_key)], jump=True)
    try:
        (lab.dir / "known_hosts").write_text(
            "\n".join([lab.target.known_hosts_line, lab.jump.known_hosts_line, inner.known_hosts_line]) + "\n"
        )
        lab.ssh_config(
            f"Host outer\n  HostName 127.0.0.1\n  Port {lab.jump.port}\n"
            f"Host inner\n  HostName 127.0.0.1\n  Port {inner.port}\n  IdentityFile {inner_key}\n"
            f"Host lpar-alias\n  HostName 127.0.0.1\n  Port {lab.target.port}\n  ProxyJump outer,inner\n"
        )
        path = inventory(lab, "  - name: lpar01\n    address: lpar-alias\n", ssh="  config_file: ssh_config\n")
        out, transport = await run_on(path)
        assert out == "target root oslevel -s\n"
        assert lab.jump.seen.forwards == [("127.0.0.1", inner.port)]
        assert inner.seen.forwards == [("127.0.0.1", lab.target.port)]
        assert [h.hop.label for h in transport.route] == ["outer", "inner", "lpar01"]
    finally:
        await inner.stop()


async def test_proxy_jump_none_connects_directly_whatever_the_ssh_config_says(lab: Lab) -> None:
    lab.ssh_config(f"Host lpar-alias\n  HostName 127.0.0.1\n  ProxyJump 127.0.0.1:{lab.jump.port}\n")
    hosts = f"  - name: lpar01\n    address: lpar-alias\n    port: {lab.target.port}\n"
    out, _ = await run_on(inventory(lab, hosts + "    proxy_jump: none\n", ssh="  config_file: ssh_config\n"))
    assert out == "target root oslevel -s\n"
    assert lab.jump.seen.connections == 0
    # The same host without `proxy_jump: none` takes the ssh config's jump host: the test can fail.
    await run_on(inventory(lab, hosts, ssh="  config_file: ssh_config\n"))
    assert lab.jump.seen.forwards == [("127.0.0.1", lab.target.port)]


def _jump_inventory(lab: Lab) -> Path:
    return inventory(
        lab,
        f"  - name: jump\n    address: 127.0.0.1\n    port: {lab.jump.port}\n"
        f"  - name: lpar01\n    address: 127.0.0.1\n    port: {lab.target.port}\n    proxy_jump: jump\n",
    )


async def test_an_unknown_jump_host_key_is_refused_and_the_target_never_reached(lab: Lab) -> None:
    lab.known_hosts.write_text(lab.target.known_hosts_line + "\n")  # the target only
    with pytest.raises(
        HostKeyError, match=rf"^lpar01: jump host jump: unknown host key for 127\.0\.0\.1:{lab.jump.port}:"
    ):
        await run_on(_jump_inventory(lab))
    assert lab.jump.seen.users == []  # refused before authenticating
    assert lab.target.seen.connections == 0


async def test_a_changed_jump_host_key_is_refused_and_called_changed(lab: Lab) -> None:
    impostor = await start_server("impostor", [])
    try:
        other_key = impostor.known_hosts_line.split(" ", 1)[1]
    finally:
        await impostor.stop()
    lab.known_hosts.write_text(f"{lab.target.known_hosts_line}\n[127.0.0.1]:{lab.jump.port} {other_key}\n")
    with pytest.raises(HostKeyError, match=r"^lpar01: jump host jump: HOST KEY CHANGED"):
        await run_on(_jump_inventory(lab))
    assert lab.target.seen.connections == 0


async def test_an_unknown_target_key_behind_a_known_jump_host_is_refused_too(lab: Lab) -> None:
    lab.known_hosts.write_text(lab.jump.known_hosts_line + "\n")  # the jump host only
    with pytest.raises(HostKeyError, match=rf"^lpar01: unknown host key for 127\.0\.0\.1:{lab.target.port}:"):
        await run_on(_jump_inventory(lab))
    assert lab.jump.seen.forwards == [("127.0.0.1", lab.target.port)]  # through the jump, then refused
    assert lab.target.seen.users == []


async def test_a_jump_host_that_refuses_to_forward_is_a_clear_error(lab: Lab) -> None:
    path = inventory(
        lab,
        f"  - name: lpar01\n    address: 127.0.0.1\n    port: {lab.target.port}\n"
        f"    proxy_jump: 127.0.0.1:{lab.target.port}\n",  # the target is no jump host: it refuses
    )
    with pytest.raises(TransportError, match=rf"^lpar01: cannot connect to 127\.0\.0\.1:{lab.target.port} via "):
        await run_on(path)


async def test_a_proxy_jump_loop_in_the_ssh_config_is_named_not_followed_forever(lab: Lab) -> None:
    lab.ssh_config("Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n")
    path = inventory(lab, "  - name: lpar01\n    address: a\n", ssh="  config_file: ssh_config\n")
    with pytest.raises(TransportError, match="ProxyJump loop"):
        await run_on(path)


# --- the ssh config's values and the cockpit's ------------------------------------------------------------


async def test_a_host_alias_resolves_hostname_user_port_and_identityfile(lab: Lab) -> None:
    lab.ssh_config(
        f"Host lpar-alias\n  HostName 127.0.0.1\n  Port {lab.target.port}\n  User aixadm\n  IdentityFile {lab.key}\n"
    )
    path = inventory(lab, "  - name: lpar01\n    address: lpar-alias\n", ssh="  config_file: ssh_config\n")
    # The key only the ssh config names: without IdentityFile the server would refuse.
    path.write_text(path.read_text().replace("  client_keys: [id_ed25519]\n", ""))
    out, transport = await run_on(path)
    assert out == "target aixadm oslevel -s\n"
    assert [(h.host, h.port, h.user, h.keys) for h in transport.route] == [
        ("127.0.0.1", lab.target.port, "aixadm", [str(lab.key)])
    ]
    assert lab.jump.seen.connections == 0


async def test_values_set_in_the_cockpit_config_win_over_the_ssh_config(lab: Lab) -> None:
    lab.ssh_config("Host 127.0.0.1\n  Port 1\n  User nobody\n")  # port 1: nothing listens there
    hosts = f"  - name: lpar01\n    address: 127.0.0.1\n    port: {lab.target.port}\n    user: admin\n"
    out, _ = await run_on(inventory(lab, hosts, ssh="  config_file: ssh_config\n"))
    assert out == "target admin oslevel -s\n"


async def test_without_a_user_anywhere_the_user_is_root_not_the_local_user(lab: Lab) -> None:
    lab.ssh_config(f"Host lpar-alias\n  HostName 127.0.0.1\n  Port {lab.target.port}\n")
    out, _ = await run_on(
        inventory(lab, "  - name: lpar01\n    address: lpar-alias\n", ssh="  config_file: ssh_config\n")
    )
    assert out == "target root oslevel -s\n"


async def test_config_file_none_reads_no_ssh_config(lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "config").write_text(f"Host lpar-alias\n  HostName 127.0.0.1\n  Port {lab.target.port}\n")
    monkeypatch.setenv("HOME", str(home))
    # Default: ~/.ssh/config is read.
    out, _ = await run_on(inventory(lab, "  - name: lpar01\n    address: lpar-alias\n", ssh=""))
    assert out == "target root oslevel -s\n"
    # `none`: the alias means nothing, the name does not resolve.
    with pytest.raises(TransportError, match=r"^lpar01: cannot connect to lpar-alias:22"):
        await run_on(inventory(lab, "  - name: lpar01\n    address: lpar-alias\n"))


async def test_a_named_ssh_config_that_does_not_exist_is_an_error_not_ignored(lab: Lab) -> None:
    path = inventory(lab, "  - name: lpar01\n    address: 127.0.0.1\n", ssh="  config_file: nowhere/ssh_config\n")
    with pytest.raises(TransportError, match=r"ssh config file .*nowhere/ssh_config does not exist"):
        await run_on(path)


async def test_the_ssh_configs_known_hosts_settings_are_never_used(lab: Lab) -> None:
    # An ssh config that would accept anything must not weaken the check.
    lab.ssh_config("Host *\n  UserKnownHostsFile /dev/null\n  StrictHostKeyChecking no\n")
    lab.known_hosts.write_text("")
    hosts = f"  - name: lpar01\n    address: 127.0.0.1\n    port: {lab.target.port}\n"
    with pytest.raises(HostKeyError, match="unknown host key"):
        await run_on(inventory(lab, hosts, ssh="  config_file: ssh_config\n"))


def test_the_factory_takes_only_values_written_in_the_file_as_the_cockpits() -> None:
    written = Host.model_validate({"name": "lpar01", "address": "lpar-alias"})
    transport = transport_for(written, SSHSettings(config_file=None))
    assert isinstance(transport, SSHTransport)
    assert (transport.port, transport.user) == (None, None)  # the ssh config, else 22 / root, decides
    explicit = Host.model_validate({"name": "lpar01", "address": "x", "port": 22, "user": "root"})
    transport = transport_for(explicit, SSHSettings(config_file=None))
    assert isinstance(transport, SSHTransport)
    assert (transport.port, transport.user) == (22, "root")


async def test_an_unknown_key_of_a_jump_host_from_the_ssh_config_is_refused(
    lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even where ~/.ssh/known_hosts would trust it: every hop is checked against the cockpit's file.
    (tmp_path / "home" / ".ssh").mkdir(parents=True)
    (tmp_path / "home" / ".ssh" / "known_hosts").write_text(lab.jump.known_hosts_line + "\n")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    lab.known_hosts.write_text(lab.target.known_hosts_line + "\n")
    lab.ssh_config(
        f"Host bastion\n  HostName 127.0.0.1\n  Port {lab.jump.port}\n"
        f"Host lpar-alias\n  HostName 127.0.0.1\n  Port {lab.target.port}\n  ProxyJump bastion\n"
    )
    path = inventory(lab, "  - name: lpar01\n    address: lpar-alias\n", ssh="  config_file: ssh_config\n")
    with pytest.raises(
        HostKeyError, match=rf"^lpar01: jump host bastion: unknown host key for 127\.0\.0\.1:{lab.jump.port}"
    ):
        await run_on(path)
    assert lab.target.seen.connections == 0


async def test_a_proxycommand_of_the_ssh_config_is_not_run(lab: Lab) -> None:
    # A ProxyCommand would reach the host outside the cockpit's host-key checks: it is not used.
    flag = lab.dir / "proxycommand-ran"
    lab.ssh_config(f"Host lpar-alias\n  HostName 127.0.0.1\n  ProxyCommand touch {flag}\n")
    hosts = f"  - name: lpar01\n    address: lpar-alias\n    port: {lab.target.port}\n"
    out, _ = await run_on(inventory(lab, hosts, ssh="  config_file: ssh_config\n"))
    assert out == "target root oslevel -s\n"
    assert not flag.exists()


async def test_a_jump_host_that_turns_handshakes_away_is_retried_like_any_host(lab: Lab) -> None:
    busy = await start_server("busy", [asyncssh.read_private_key(str(lab.key))], jump=True, refuse_first=2)
    try:
        lab.known_hosts.write_text(f"{lab.target.known_hosts_line}\n{busy.known_hosts_line}\n")
        path = inventory(
            lab,
            f"  - name: lpar01\n    address: 127.0.0.1\n    port: {lab.target.port}\n"
            f"    proxy_jump: 127.0.0.1:{busy.port}\n",
        )
        config = load_config(path)
        transport = transport_for(config.host("lpar01"), config.ssh, config.hosts)
        assert isinstance(transport, SSHTransport)
        transport.retry_delays = (0.01, 0.01, 0.01)
        try:
            assert (await transport.run("true")).stdout == "target root true\n"
        finally:
            await transport.close()
        assert busy.seen.connections == 3  # two turned away, the third forwarded
        assert busy.seen.forwards == [("127.0.0.1", lab.target.port)]
        transport.retry_delays = (0.01,)
        busy.seen.connections = -5  # six more refusals: more than the retries
        with pytest.raises(
            TransportError, match=r"^lpar01: jump host 127\.0\.0\.1:\d+: cannot connect .*\(2 attempts\)"
        ):
            await transport.connect()
    finally:
        await busy.stop()
