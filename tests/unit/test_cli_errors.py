"""Bad input at the command line: one clear line per problem, exit 2, never a traceback."""

import subprocess
import sys
from pathlib import Path

import pytest


def cockpit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cockpit", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("command", ["validate", "check", "run", "rollback"])
def test_malformed_config_gives_file_line_column_and_exit_2(tmp_path: Path, command: str) -> None:
    bad = tmp_path / "plan.yaml"
    bad.write_text("hosts:\n  - name: nim01\n    role: nim_master\n    port: 99999\nplan: {}\n")
    extra = ["--host", "lpar01"] if command == "rollback" else []
    proc = cockpit(command, str(bad), *extra)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{bad}:4:11: hosts[0].port: should be less than or equal to 65535, got 99999 (a number)" in proc.stderr
    assert all(line.startswith(str(bad)) for line in proc.stderr.splitlines())


def test_missing_file_and_bad_usage_exit_2() -> None:
    proc = cockpit("validate", "/nonexistent/plan.yaml")
    assert (
        proc.returncode == 2
        and proc.stderr.strip() == "/nonexistent/plan.yaml: cannot read the file: No such file or directory"
    )
    proc = cockpit("run")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "error:" in proc.stderr


def test_valid_sample_validates(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_configs" / "nimadm-lab.yaml"
    proc = cockpit("validate", str(sample))
    assert proc.returncode == 0 and "valid: 4 hosts" in proc.stdout


def test_an_unknown_demo_scenario_is_one_line_and_exit_2() -> None:
    proc = cockpit("demo", "--scenario", "nope", "--headless")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert proc.stderr.strip().startswith("cockpit: no scenario 'nope' (shipped: alt-disk-copy,")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_check_of_a_plan_without_preflight_checks_is_one_line_and_exit_2() -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_configs" / "linuxha.yaml"
    proc = cockpit("check", str(sample))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert proc.stderr.strip().startswith("cockpit: check: the preflight checks are those of a nimadm plan;")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_dry_run_shows_every_step_and_writes_nothing(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_configs" / "linuxha.yaml"
    config = tmp_path / "linuxha.yaml"
    config.write_text(sample.read_text())  # next to it the state dir would appear: it must not
    proc = cockpit("run", str(config), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "runbook linuxha (lockstep): Linuxha.net 1.0 to 1.1 upgrade"
    # Lockstep: step by step across the nodes; cluster-wide steps on the first node only.
    assert lines[1:4] == [
        f"{n}: version-before on {n} (root@192.0.2.6{i}:22): cat /etc/cluster/VERSION"
        for i, n in ((1, "node1"), (2, "node2"), (3, "node3"))
    ]
    assert sum(": halt on " in line for line in lines) == 1
    assert lines[-1] == "concurrency 3; nothing was run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["linuxha.yaml"]
