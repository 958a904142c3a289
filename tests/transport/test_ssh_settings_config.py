"""The config keys of SSH as operators have it: ssh.config_file, ssh.agent, hosts[].proxy_jump.

Bad values are reported as FILE:LINE:COL by the loader, like every other key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.config.loader import load_config
from cockpit.config.models import DEFAULT_SSH_CONFIG, SSHSettings
from cockpit.config.problems import ConfigError
from cockpit.transports.factory import ssh_config_files

BASE = """\
ssh:
  known_hosts: known_hosts
{ssh}hosts:
  - name: nim01
    address: 192.0.2.10
    role: nim_master
  - name: jump
    address: 192.0.2.1
  - name: lpar01
    address: 192.0.2.21
{lpar01}plan:
  master: nim01
  lpp_source: lpp_7300
  spot: spot_7300
  clients:
    - host: lpar01
      disk: hdisk1
"""


def write(tmp_path: Path, ssh: str = "", lpar01: str = "", jump: str = "") -> Path:
    path = tmp_path / "cockpit.yaml"
    text = BASE.format(ssh=ssh, lpar01=lpar01)
    if jump:
        text = text.replace("    address: 192.0.2.1\n", "    address: 192.0.2.1\n" + jump)
    path.write_text(text)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("value", ["jump", "none", "NONE", "ops@bastion", "bastion:2222", "ops@10.0.0.1:22"])
def test_proxy_jump_accepts_a_host_name_none_or_user_at_host_port(tmp_path: Path, value: str) -> None:
    config = load_config(write(tmp_path, lpar01=f"    proxy_jump: {value}\n"))
    expected = "none" if value.lower() == "none" else value
    assert config.host("lpar01").proxy_jump == expected


def test_a_proxy_jump_naming_no_host_is_reported_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, lpar01="    proxy_jump: jumpp\n")
    assert problems(path) == [
        f"{path}:11:17: hosts[2].proxy_jump: no host named 'jumpp' in hosts "
        "(a jump host outside them: user@host or host:port)"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("'root;rm@bastion'", "user name 'root;rm' is not a valid user name"),
        ("ops@bas$tion", "address 'bas$tion' is not a valid address"),
        ("bastion:0", "port '0' is not a TCP port (1-65535)"),
        ("bastion:ssh", "port 'ssh' is not a TCP port (1-65535)"),
        ("a@b@c", "is neither the name of a host in hosts nor [user@]host[:port]"),
        ("'jump host'", "host name 'jump host' is not a valid host name"),
    ],
)
def test_a_proxy_jump_of_a_bad_shape_is_reported(tmp_path: Path, value: str, message: str) -> None:
    path = write(tmp_path, lpar01=f"    proxy_jump: {value}\n")
    [line] = problems(path)
    assert line.startswith(f"{path}:11:17: hosts[2].proxy_jump: ")
    assert message in line


def test_jump_hosts_that_make_a_loop_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path, lpar01="    proxy_jump: jump\n", jump="    proxy_jump: lpar01\n")
    assert problems(path) == [f"{path}:9:17: hosts[1].proxy_jump: jump hosts make a loop: jump -> lpar01 -> jump"]


def test_a_host_cannot_be_its_own_jump_host(tmp_path: Path) -> None:
    path = write(tmp_path, lpar01="    proxy_jump: lpar01\n")
    assert problems(path) == [f"{path}:11:17: hosts[2].proxy_jump: jump hosts make a loop: lpar01 -> lpar01"]


def test_a_local_host_cannot_be_a_jump_host(tmp_path: Path) -> None:
    path = write(tmp_path, lpar01="    proxy_jump: jump\n", jump="    transport: local\n")
    assert problems(path) == [
        f"{path}:12:17: hosts[2].proxy_jump: host 'jump' is reached with transport local, not ssh: "
        "it cannot be a jump host"
    ]


def test_config_file_left_out_is_the_default_read_only_if_it_exists(tmp_path: Path) -> None:
    ssh = load_config(write(tmp_path)).ssh
    assert ssh.config_file == DEFAULT_SSH_CONFIG and ssh.config_file_is_default
    assert ssh.agent is True


@pytest.mark.parametrize("value", ["none", "None", "", "null"])
def test_config_file_none_or_empty_reads_no_ssh_config(tmp_path: Path, value: str) -> None:
    ssh = load_config(write(tmp_path, ssh=f"  config_file: {value}\n")).ssh
    assert ssh.config_file is None
    assert ssh_config_files(ssh) == []


def test_a_named_config_file_is_relative_to_the_config_and_always_read(tmp_path: Path) -> None:
    ssh = load_config(write(tmp_path, ssh="  config_file: ssh/config\n  agent: false\n")).ssh
    assert ssh.config_file == tmp_path / "ssh" / "config"
    assert ssh_config_files(ssh) == [tmp_path / "ssh" / "config"]  # missing: the transport says so
    assert ssh.agent is False


def test_the_default_ssh_config_is_read_when_it_exists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert ssh_config_files(SSHSettings()) == []
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "config").write_text("Host *\n")
    assert ssh_config_files(SSHSettings()) == [tmp_path / ".ssh" / "config"]
    assert ssh_config_files(SSHSettings(config_file=None)) == []


def test_agent_must_be_a_boolean(tmp_path: Path) -> None:
    path = write(tmp_path, ssh="  agent: sometimes\n")
    [line] = problems(path)
    assert line.startswith(f"{path}:3:10: ssh.agent: ")
