"""Faults of the cockpit's own environment: one line naming the path and the problem, exit 2.

A state_dir that is a file, /dev/null or a path through a file; a damaged journal; an ssh config
that Includes itself; a disk that fills up during a run (a file size limit in the cockpit's process
stands in for it: no mount needed). A host is never shown FAILED because the cockpit's storage failed.
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import signal
import stat
import sys
from pathlib import Path

import pytest

from cockpit.engine.journal import Journal
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from tests.engine.test_engine_over_ssh import scenario_file

SAMPLE = Path(__file__).resolve().parents[2] / "sample_configs" / "nimadm-lab.yaml"
STATE_DIR_LINE = next(i for i, t in enumerate(SAMPLE.read_text().splitlines(), 1) if t.startswith("state_dir:"))


async def cockpit(*args: str, timeout: float = 90, **popen: object) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cockpit",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        **popen,  # type: ignore[arg-type]
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def plan_with(tmp_path: Path, state_dir: str, extra: str = "") -> Path:
    """The lab sample with another state_dir, beside what it names (its notify scripts)."""
    shutil.copytree(SAMPLE.parent / "notify", tmp_path / "notify", dirs_exist_ok=True)
    text = SAMPLE.read_text().replace("state_dir: state/lab", f"state_dir: {state_dir}")
    assert text.splitlines()[STATE_DIR_LINE - 1] == f"state_dir: {state_dir}"
    plan = tmp_path / "plan.yaml"
    plan.write_text(text.replace("ssh:\n", f"ssh:\n{extra}", 1) if extra else text)
    return plan


COMMANDS = [
    ("validate",),
    ("check",),
    ("run", "--headless"),
    ("run", "--headless", "--resume"),
    ("runs",),
    ("report", "latest"),
    ("watch",),
]


@pytest.mark.parametrize(
    ("state_dir", "problem"),
    [
        ("afile", "{tmp}/afile is a file, not a directory"),
        ("/dev/null", "/dev/null is a character device, not a directory"),
        ("afile/sub", "{tmp}/afile/sub goes through {tmp}/afile, which is a file, not a directory"),
    ],
)
async def test_a_state_dir_that_is_not_a_directory_is_one_line_for_every_command(
    tmp_path: Path, state_dir: str, problem: str
) -> None:
    (tmp_path / "afile").write_text("not a directory\n")
    plan = plan_with(tmp_path, state_dir)
    expected = f"{plan}:{STATE_DIR_LINE}:12: state_dir: {problem.format(tmp=tmp_path)}\n"
    results = await asyncio.gather(*(cockpit(c[0], str(plan), *c[1:]) for c in COMMANDS))
    for command, (status, out, err) in zip(COMMANDS, results, strict=True):
        assert (status, out, err) == (2, "", expected), command
    assert (tmp_path / "afile").read_text() == "not a directory\n"


async def test_a_damaged_journal_is_one_line_for_every_command(tmp_path: Path) -> None:
    plan = plan_with(tmp_path, "state")
    (tmp_path / "state").mkdir()
    junk = b"SQLite format 3\x00" + os.urandom(8000)
    (tmp_path / "state" / "journal.sqlite").write_bytes(junk)
    journal = tmp_path / "state" / "journal.sqlite"
    for command in COMMANDS[1:]:  # one after another: two `run` at once are one too many (state dir lock)
        status, out, err = await cockpit(command[0], str(plan), *command[1:])
        assert status == 2 and out == "", command
        assert err.startswith(f"cockpit: the journal {journal} cannot be used: "), (command, err)
        assert len(err.splitlines()) == 1 and "Traceback" not in err and "internal error" not in err
    assert journal.read_bytes() == junk  # reported, never "repaired" or overwritten


async def test_an_ssh_config_that_includes_itself_is_named_with_its_line(tmp_path: Path) -> None:
    first, second = tmp_path / "ssh_a", tmp_path / "ssh_b"
    first.write_text(f"Host *\n  User root\nInclude {second}\n")
    second.write_text(f"# loops back\nInclude={first}\n")
    plan = plan_with(tmp_path, "state", extra=f"  config_file: {first}\n")
    text = plan.read_text().replace("  config_file: none\n", "")
    plan.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("  config_file:"))
    loop = f"{first} -> {second} -> {first}"
    said = f"Include makes a loop ({loop}): ssh would read these files forever"
    expected = f"{plan}:{line}:16: ssh.config_file: {second}:2: {said}\n"
    for command in (("validate",), ("check",), ("run", "--headless")):
        assert await cockpit(command[0], str(plan), *command[1:]) == (2, "", expected)
    assert not (tmp_path / "state").exists()  # refused before anything was made


def _file_size_limit(limit: int) -> None:
    """In the child: writes past `limit` bytes fail with EFBIG (as ENOSPC does on a full disk)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


async def test_a_full_disk_never_fails_a_host_and_the_run_ends_truthfully(tmp_path: Path) -> None:
    # Long logs (installp lines) so that they too outgrow the limit during the run.
    scenario = scenario_file(tmp_path)
    scenario.write_text(scenario.read_text().replace("installp_lines: 120", "installp_lines: 8000"))
    fleet = await SimFleet.start(load_scenario(scenario), tmp_path / "fleet")
    try:
        plan = fleet.write_inventory(tmp_path / "inventory.yaml")
        Journal(tmp_path / "cockpit-state" / "journal.sqlite").close()  # an existing journal, as in a window
        limit = 160 * 1024  # room for the journal (and its alert tables) to take the run's first rows
        status, out, err = await cockpit(
            "run", str(plan), "--headless", "--no-preflight", preexec_fn=lambda: _file_size_limit(limit)
        )
        state = tmp_path / "cockpit-state"
        assert status == 2, out + err
        assert "internal error" not in out + err and "Traceback" not in err
        lines = out.splitlines()
        # Each host as it really ended: lpar01 migrated, lpar02 failed on its ghost device.
        assert any(t[9:].split()[:2] == ["lpar01", "SUCCEEDED"] for t in lines)
        failed = next(t for t in lines if t[9:].split()[:2] == ["lpar02", "FAILED"])
        assert failed.endswith("0516-082 /usr/sbin/lchangelv: Unable to access a special device file")
        told = [t[9:] for t in lines if t[9:].startswith("cockpit: cannot write ")]
        assert any(t.startswith(f"cockpit: cannot write {state}/journal.sqlite (") for t in told)
        logs = next(state.glob("runs/*/logs"))
        assert any(t.startswith(f"cockpit: cannot write {logs}/lpar0") and "(File too large)" in t for t in told)
        assert lines[-2].endswith("finished: 1 succeeded, 1 not succeeded: lpar02")
        assert err.count("\n") == 1 and err.startswith(f"cockpit: {state}/journal.sqlite: ")
        assert "the hosts were followed to the end" in err
        # A log is what the host printed up to where writing stopped: no gap, nothing twice.
        work = fleet.fleet_dir / "hosts" / "nim01" / "var" / "tmp" / "cockpit"
        for target in ("lpar01", "lpar02"):
            local = (logs / f"{target}.log").read_bytes()
            remote = next(work.glob(f"*/{target}.nimadm/out")).read_bytes()
            assert 0 < len(local) <= limit and remote.startswith(local)
        assert any(
            len((logs / f"{t}.log").read_bytes()) < len(next(work.glob(f"*/{t}.nimadm/out")).read_bytes())
            for t in ("lpar01", "lpar02")
        )
        # With room again the journal is whole: the record reads it.
        runs_status, runs_out, _ = await cockpit("runs", str(plan))
        assert runs_status == 0 and "nimadm" in runs_out
    finally:
        await fleet.stop()


async def test_the_state_dir_journal_and_logs_are_private(tmp_path: Path) -> None:
    fleet = await SimFleet.start(load_scenario(scenario_file(tmp_path)), tmp_path / "fleet")
    try:
        plan = fleet.write_inventory(tmp_path / "inventory.yaml")
        state = tmp_path / "cockpit-state"
        state.mkdir(mode=0o755)  # left by an older cockpit, as open as the umask made it
        os.chmod(state, 0o755)
        old = Journal(state / "journal.sqlite")
        old.close()
        os.chmod(state / "journal.sqlite", 0o644)
        status, _, err = await cockpit("run", str(plan), "--headless", "--no-preflight")
        assert status == 1, err  # lpar02's ghost device
    finally:
        await fleet.stop()

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(state) == 0o700 and mode(state / "journal.sqlite") == 0o600
    assert all(mode(p) == 0o700 for p in state.glob("runs/**") if p.is_dir())
    logs = list(state.glob("runs/*/logs/*.log"))
    assert logs and all(mode(p) == 0o600 for p in logs)
    assert all(mode(p) == 0o600 for p in state.iterdir() if p.is_file())
