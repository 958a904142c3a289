"""Every file in sample_configs/ loads, stays on loopback/documentation addresses, and connects nowhere."""

from __future__ import annotations

import ipaddress
import random
import socket
from pathlib import Path

import pytest

from cockpit.config import (
    Config,
    ConfigError,
    Host,
    NimadmPlan,
    PlanClient,
    Role,
    SSHSettings,
    load_config,
)
from cockpit.config.models import FollowSettings, HostsFrom, PhaseTimingOverride, PlanMaster
from cockpit.config.notify import NotifyCommand, TerminalAlerts

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "sample_configs"
SCHEMA = (
    Config,
    SSHSettings,
    Host,
    NimadmPlan,
    PlanClient,
    PhaseTimingOverride,
    FollowSettings,
    TerminalAlerts,
    NotifyCommand,
    PlanMaster,
    HostsFrom,
)
SAMPLES = sorted(SAMPLES_DIR.glob("*.yaml")) + sorted(SAMPLES_DIR.glob("*.yml"))

# RFC 5737 documentation networks and loopback; RFC 2606/6761 reserved names.
DOC_NETWORKS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
DOC_DOMAINS = ("example.com", "example.net", "example.org", "localhost")


def is_safe_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        host = address.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in DOC_DOMAINS)
    return ip.is_loopback or any(ip in net for net in DOC_NETWORKS) or str(ip).startswith("2001:db8:")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network use while loading a config: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_expected_samples_exist() -> None:
    names = {p.name for p in SAMPLES}
    assert {"nimadm-lab.yaml", "nimadm-mixed-levels.yaml", "local-master.yaml"} <= names
    assert {"nimadm-several-masters.yaml", "hosts-from-ansible.yaml"} <= names
    # One sample per built-in runbook, and one running an operator's own runbook file.
    assert {"alt-disk-copy.yaml", "alt-disk-mksysb.yaml", "hacws.yaml", "linuxha.yaml", "own-runbook.yaml"} <= names


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_sample_loads(sample: Path, no_network: None) -> None:
    config = load_config(sample)
    for master in config.masters:
        assert master.role is Role.NIM_MASTER
    assert config.targets
    assert config.state_dir.is_absolute()
    for host in config.hosts:
        assert host.transport == "local" or is_safe_address(host.address), (host.name, host.address)


def test_lab_sample_shape() -> None:
    config = load_config(SAMPLES_DIR / "nimadm-lab.yaml")
    roles = [h.role for h in config.hosts]
    assert roles.count(Role.NIM_MASTER) == 1 and roles.count(Role.CLIENT) == 3
    assert len(config.plan.clients) == 3


def test_mixed_levels_sample_has_per_client_levels() -> None:
    config = load_config(SAMPLES_DIR / "nimadm-mixed-levels.yaml")
    plan = config.plan
    lpp_sources = {plan.lpp_source_for(c) for c in plan.clients}
    assert any("7200" in s for s in lpp_sources) and any("7300" in s for s in lpp_sources)
    assert plan.cache_vg


def test_local_master_sample_runs_nimadm_locally() -> None:
    config = load_config(SAMPLES_DIR / "local-master.yaml")
    assert config.master.transport == "local"


FORMAT_SAMPLES = ("nimadm-lab.yaml", "nimadm-several-masters.yaml", "hosts-from-ansible.yaml")
"""The lab sample, and the two that show the other forms (several masters, hosts from an inventory)."""


def test_lab_samples_document_every_key() -> None:
    """The lab sample teaches the format; the samples of the other forms (several masters instead of
    one, hosts from an inventory) show their keys. Together: every key of the schema, each commented."""
    keys_seen: dict[str, bool] = {}
    for sample in FORMAT_SAMPLES:
        lines = (SAMPLES_DIR / sample).read_text().splitlines()
        for i, line in enumerate(lines):
            stripped = line.strip().removeprefix("- ")
            if not stripped or stripped.startswith("#") or ":" not in stripped:
                continue
            key = stripped.split(":", 1)[0]
            commented = "#" in line or (i > 0 and lines[i - 1].strip().startswith("#"))
            keys_seen[key] = keys_seen.get(key, False) or commented
    undocumented = sorted(k for k, ok in keys_seen.items() if not ok)
    assert not undocumented
    schema_keys = {name for model in SCHEMA for name in model.model_fields}
    assert sorted(schema_keys - set(keys_seen)) == [], "the lab samples should show every key of the schema"


def test_damaged_samples_never_escape_as_tracebacks(tmp_path: Path) -> None:
    """Random byte damage to a sample gives a Config or ConfigError with one-line problems, nothing else."""
    rng = random.Random(20240601)
    original = (SAMPLES_DIR / "nimadm-lab.yaml").read_bytes()
    alphabet = b":-[]{}&*!|>'\"#%@`,? \t\n\\x\x00\xff\xc3"
    target = tmp_path / "damaged.yaml"
    for _ in range(400):
        data = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data))
            action = rng.randrange(3)
            if action == 0:
                del data[at : at + rng.randint(1, 8)]
            elif action == 1:
                data[at:at] = bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 3)))
            else:
                data[at] = rng.choice(alphabet)
        target.write_bytes(bytes(data))
        try:
            load_config(target)
        except ConfigError as exc:
            for problem in exc.problems:
                line = str(problem)
                assert line.startswith(f"{target}:") and "\n" not in line, line


@pytest.mark.parametrize(
    ("sample", "runbook", "first_command"),
    [
        ("alt-disk-copy.yaml", "alt-disk-copy", "alt_disk_copy -d hdisk1 -P 1"),
        ("alt-disk-mksysb.yaml", "alt-disk-mksysb", "ls -l /export/mksysb/aix73tl3_gold.mksysb"),
        ("hacws.yaml", "hacws", "mksysb -i /backup/cws1.mksysb"),
        ("linuxha.yaml", "linuxha", "cat /etc/cluster/VERSION"),
        ("own-runbook.yaml", "aix-health", "lppchk -v"),
    ],
)
def test_runbook_samples_bind_to_their_runbook(sample: str, runbook: str, first_command: str) -> None:
    from cockpit.engine.binding import Binding

    binding = Binding(load_config(SAMPLES_DIR / sample), "r1")
    assert binding.runbook.name == runbook
    assert binding.steps(binding.targets[0])[0].command == first_command
