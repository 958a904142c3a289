"""hosts_from: an Ansible inventory (INI or YAML) feeds the config's hosts; mistakes at the inventory's
FILE:LINE:COL, values checked as strictly as the config's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.config import ConfigError, Role, load_config
from cockpit.config.ansible_inventory import InventoryError, expand, read_inventory
from cockpit.config.yaml_source import Position

INI = """\
# inventory of the lab
[nim_servers]
nim01 ansible_host=192.0.2.10 ansible_user=root

[aix]
lpar[01:03] ansible_host=lpar.example.com
lpar04 ansible_host="192.0.2.24" ansible_port=2222 ansible_ssh_private_key_file=keys/lpar04 cockpit_nim_name=lpar04-nim
localnim ansible_connection=local

[aix:vars]
ansible_user = aixops

[prod:children]
aix
"""

YAML = """\
all:
  vars:
    ansible_user: nobody
  children:
    nim_servers:
      hosts:
        nim01: {ansible_host: 192.0.2.10, ansible_user: root}
    prod:
      children:
        aix:
          hosts:
            lpar[01:03]: {ansible_host: lpar.example.com}
            lpar04:
              ansible_host: 192.0.2.24
              ansible_port: 2222
              ansible_ssh_private_key_file: keys/lpar04
              cockpit_nim_name: lpar04-nim
            localnim: {ansible_connection: local}
          vars:
            ansible_user: aixops
"""

CONFIG = """\
hosts_from:
  ansible: {inventory}
  groups: {{nim_servers: nim_master, aix: client}}
plan:
  master: nim01
  lpp_source: lpp_73
  spot: spot_73
  clients:
    - {{host: lpar01, disk: hdisk1}}
    - {{host: lpar04, disk: hdisk1}}
"""


def write(tmp_path: Path, inventory: str, name: str, config: str = CONFIG) -> Path:
    (tmp_path / name).write_text(inventory)
    path = tmp_path / "cockpit.yaml"
    path.write_text(config.format(inventory=name))
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(("inventory", "name"), [(INI, "hosts.ini"), (YAML, "hosts.yml")], ids=["ini", "yaml"])
def test_an_inventory_feeds_the_hosts(tmp_path: Path, inventory: str, name: str) -> None:
    config = load_config(write(tmp_path, inventory, name))
    hosts = {h.name: h for h in config.hosts}
    assert list(hosts) == ["nim01", "lpar01", "lpar02", "lpar03", "lpar04", "localnim"]
    nim = hosts["nim01"]
    assert (nim.role, nim.address, nim.user) == (Role.NIM_MASTER, "192.0.2.10", "root")
    lpar = hosts["lpar04"]
    assert (lpar.role, lpar.address, lpar.port, lpar.user) == (Role.CLIENT, "192.0.2.24", 2222, "aixops")
    assert lpar.key == tmp_path / "keys" / "lpar04"  # relative to the inventory's directory
    assert lpar.nim_object == "lpar04-nim"
    assert hosts["lpar02"].address == "lpar.example.com" and hosts["lpar02"].user == "aixops"
    assert hosts["localnim"].transport == "local"
    assert config.hosts_from is not None and config.hosts_from.ansible == tmp_path / name


def test_without_groups_every_host_is_taken_and_the_nim_master_group_makes_masters(tmp_path: Path) -> None:
    inventory = INI.replace("[nim_servers]", "[nim_master]")
    config_text = CONFIG.replace("  groups: {{nim_servers: nim_master, aix: client}}\n", "")
    config = load_config(write(tmp_path, inventory, "hosts", config_text))
    roles = {h.name: h.role for h in config.hosts}
    assert roles["nim01"] is Role.NIM_MASTER and roles["lpar03"] is Role.CLIENT and len(roles) == 6


def test_a_host_without_ansible_host_is_reached_by_its_inventory_name(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, INI.replace("lpar[01:03] ansible_host=lpar.example.com", "lpar[01:03]"), "hosts")
    )
    assert config.host("lpar01").address == "lpar01"


@pytest.mark.parametrize(
    ("inventory", "name", "old", "new", "expected"),
    [
        # A value of the wrong shape: where it was written, which host and variable, the config's words.
        (
            INI,
            "hosts.ini",
            "ansible_port=2222",
            "ansible_port=twenty",
            "hosts.ini:7:47: lpar04.ansible_port: expected a whole number, got 'twenty'",
        ),
        (
            YAML,
            "hosts.yml",
            "ansible_port: 2222",
            "ansible_port: yes",
            "hosts.yml:15:29: lpar04.ansible_port: expected a number, got true",
        ),
        # An address that would reach a shell with a `;` in it.
        (
            INI,
            "hosts.ini",
            'ansible_host="192.0.2.24"',
            'ansible_host="x;reboot"',
            "hosts.ini:7:21: lpar04.ansible_host: address 'x;reboot' is not a valid address",
        ),
        # A group variable shared by three hosts: one line, naming them.
        (
            INI,
            "hosts.ini",
            "ansible_user = aixops",
            "ansible_user = aix ops",
            "hosts.ini:11:16: lpar01.ansible_user: user name 'aix ops' is not a valid user name",
        ),
        (
            YAML,
            "hosts.yml",
            "ansible_connection: local",
            "ansible_connection: winrm",
            "hosts.yml:18:44: localnim.ansible_connection: should be 'ssh' or 'local'",
        ),
        # Syntax of the inventory itself.
        (INI, "hosts.ini", "[prod:children]", "[prod:kids]", "hosts.ini:13:1: unknown section kind :kids"),
        (
            INI,
            "hosts.ini",
            "lpar[01:03]",
            "lpar[03:01]",
            "hosts.ini:6:1: 'lpar[03:01]': the range ends before it starts",
        ),
        (
            INI,
            "hosts.ini",
            'ansible_host="192.0.2.24"',
            'ansible_host="192.0.2.24',
            "hosts.ini:7:8: a quote is not closed on this line",
        ),
        (
            YAML,
            "hosts.yml",
            "    prod:\n",
            "    prod:\n      hostz: {}\n",
            "hosts.yml:9:7: unknown key 'hostz' in group 'prod'",
        ),
        (YAML, "hosts.yml", "all:\n", "all: [\n", "hosts.yml:3:17: invalid YAML"),
    ],
    ids=[
        "ini-port",
        "yaml-port",
        "ini-address",
        "ini-group-var",
        "yaml-connection",
        "ini-section",
        "ini-range",
        "ini-quote",
        "yaml-key",
        "yaml-syntax",
    ],
)
def test_a_bad_line_is_reported_at_the_inventory_position(
    tmp_path: Path, inventory: str, name: str, old: str, new: str, expected: str
) -> None:
    assert inventory.count(old) == 1
    found = problems(write(tmp_path, inventory.replace(old, new), name))
    assert len(found) == 1, found
    assert found[0].startswith(f"{tmp_path}/{expected}"), found[0]
    if "ansible_user" in expected:
        assert found[0].endswith("(also for lpar02, lpar03, lpar04, localnim)")


def test_config_side_mistakes_stay_at_the_config_position(tmp_path: Path) -> None:
    path = write(tmp_path, INI, "hosts.ini", CONFIG.replace("aix: client", "aixx: client"))
    groups = "its groups: nim_servers, aix, prod"
    assert problems(path) == [
        f"{path}:3:37: hosts_from.groups.aixx: no group 'aixx' in {tmp_path}/hosts.ini ({groups})"
    ]
    path = write(tmp_path, INI, "missing.ini")
    (tmp_path / "missing.ini").unlink()
    assert problems(path) == [f"{path}:2:12: hosts_from.ansible: {tmp_path}/missing.ini: no such file"]
    path = write(tmp_path, INI, "hosts.ini", CONFIG.replace("aix: client", "aix: clients"))
    assert problems(path)[0].startswith(f"{path}:3:42: hosts_from.groups.aix: should be 'nim_master' or 'client'")


def test_a_host_in_the_inventory_and_the_config_is_reported_in_the_config(tmp_path: Path) -> None:
    config = CONFIG.replace("plan:\n", "hosts:\n  - {{name: lpar02, address: 192.0.2.99}}\nplan:\n")
    path = write(tmp_path, INI, "hosts.ini", config)
    assert problems(path) == [f"{path}:5:12: hosts[0].name: duplicate host name 'lpar02'"]


def test_a_host_in_two_roles_is_refused(tmp_path: Path) -> None:
    inventory = INI + "[nim_servers]\nlpar02\n"
    path = write(tmp_path, inventory, "hosts.ini")
    why = "host 'lpar02' is in groups aix (client), nim_servers (nim_master): one role per host"
    assert problems(path) == [f"{tmp_path}/hosts.ini:6:1: lpar02: {why}"]


def test_precedence_all_then_outer_then_inner_groups_then_the_host(tmp_path: Path) -> None:
    path = tmp_path / "inv.ini"
    path.write_text(
        "[all:vars]\nv=all\nw=all\n[outer:children]\ninner\n[outer:vars]\nv=outer\nw=outer\n"
        "[inner]\nh1 w=host\n[inner:vars]\nv=inner\n"
    )
    inventory = read_inventory(path)
    variables = inventory.variables("h1")
    assert {k: v.value for k, v in variables.items()} == {"v": "inner", "w": "host"}
    assert variables["v"].at == Position(12, 3)
    assert inventory.groups_of("h1") == {"all", "inner", "outer"}


def test_ranges() -> None:
    at = Position(1, 1)
    assert expand("lpar[01:03]", at) == ["lpar01", "lpar02", "lpar03"]
    assert expand("n[a:c]x", at) == ["nax", "nbx", "ncx"]
    assert expand("l[1:5:2]", at) == ["l1", "l3", "l5"]
    assert expand("r[1:2]c[1:2]", at) == ["r1c1", "r1c2", "r2c1", "r2c2"]
    with pytest.raises(InventoryError, match="more than"):
        expand("l[0:99999999]", at)
    with pytest.raises(InventoryError, match="a number to a number"):
        expand("l[1:c]", at)


def test_the_samples_inventories_give_the_same_hosts() -> None:
    samples = Path(__file__).resolve().parents[2] / "sample_configs" / "inventory"
    ini, yml = read_inventory(samples / "aix.ini"), read_inventory(samples / "aix.yml")
    assert list(ini.hosts) == list(yml.hosts)
    for name in ini.hosts:
        assert {k: v.value for k, v in ini.variables(name).items()} == {
            k: v.value for k, v in yml.variables(name).items()
        }
