"""`cockpit check` and the preflight gate of `cockpit run`, as an operator runs them, on the demo fleet.

The demo carries the three traps of the field report (SOURCES.md): nimsh not started (lpar03), a ghost device major
number (lpar05), and clients planned with a SPOT whose bos.alt_disk_install.rte level differs from
the master's (lpar07, lpar08 to 7.3).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cockpit.engine.journal import Journal
from cockpit.sim.server import SimFleet

EXPECTED_FAILS = {
    "lpar03": {"nimsh.active"},
    "lpar05": {"devices.ghost_major"},
    "lpar07": {"fileset.alt_disk_install", "oslevel.master_not_below_target"},
    "lpar08": {"fileset.alt_disk_install", "oslevel.master_not_below_target"},
}


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Path]:
    fleet = await SimFleet.start("demo", tmp_path / "fleet")
    try:
        yield fleet.write_inventory(tmp_path / "inventory.yaml")
    finally:
        await fleet.stop()


async def cockpit(*args: str, timeout: float = 90) -> tuple[int, str, str]:
    """Run the cockpit; returns (exit status, stdout, stderr), kept apart so JSON is parsed alone."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cockpit", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_check_json_names_the_three_seed_traps_on_exactly_their_hosts(demo: Path) -> None:
    status, out, err = await cockpit("check", str(demo), "--format", "json")
    assert status == 1
    assert err == ""  # nothing on stderr: no library's warning reaches the operator
    report = json.loads(out)
    assert report["verdict"] == "no-go"
    fails = {
        h["host"]: {f["check"] for f in h["findings"] if f["status"] in ("fail", "error")} for h in report["hosts"]
    }
    assert {h: c for h, c in fails.items() if c} == EXPECTED_FAILS
    verdicts = {h["host"]: h["verdict"] for h in report["hosts"]}
    assert verdicts == {f"lpar0{i}": ("no-go" if f"lpar0{i}" in EXPECTED_FAILS else "go") for i in range(1, 9)}
    ghost = next(
        f
        for h in report["hosts"]
        if h["host"] == "lpar05"
        for f in h["findings"]
        if f["check"] == "devices.ghost_major"
    )
    assert ghost["severity"] == "inhibitor"
    commands = [c["command"] for c in ghost["remediation"]["commands"]]
    assert commands[0].startswith("odmget -q value1=43 CuDvDr > /tmp/cockpit-CuDvDr-43.")  # saved first
    assert "odmdelete -q value1=43 -o CuDvDr" in commands and commands[-1] == "savebase"
    nimsh = next(
        f
        for h in report["hosts"]
        if h["host"] == "lpar03"
        for f in h["findings"]
        if f["check"] == "nimsh.active" and f["status"] == "fail"
    )
    assert nimsh["host"] == "lpar03" and nimsh["summary"] == "nimsh is inoperative on lpar03"
    assert [c["command"] for c in nimsh["remediation"]["commands"]] == ["startsrc -s nimsh"]
    assert {e["command"] for e in nimsh["evidence"]} >= {"lssrc -s nimsh"}


async def test_waiver_from_the_command_line_is_journaled_and_turns_the_host_go(demo: Path) -> None:
    status, _, err = await cockpit("check", str(demo), "--waive", "nimsh.active@lpar03")
    assert status == 2 and "a reason is required" in err
    status, out, _ = await cockpit(
        "check", str(demo), "--format", "json", "--waive", "nimsh.active@lpar03=nimsh started by hand at 01:10"
    )
    verdicts = {h["host"]: h["verdict"] for h in json.loads(out)["hosts"]}
    assert verdicts["lpar03"] == "go" and verdicts["lpar05"] == "no-go"
    state_dir = demo.parent / "cockpit-state"
    journal = Journal(state_dir / "journal.sqlite")
    (waiver,) = journal.waivers()
    assert (waiver.check, waiver.host, waiver.reason) == ("nimsh.active", "lpar03", "nimsh started by hand at 01:10")
    journal.close()


async def test_run_does_not_start_a_host_with_an_unwaived_inhibitor_and_says_why(demo: Path) -> None:
    status, out, err = await cockpit("run", str(demo), "--headless", timeout=120)
    assert "Warning" not in err
    assert status == 1
    assert "preflight: no-go - 4 go, 4 blocked" in out
    lines = out.splitlines()
    for host in EXPECTED_FAILS:
        (line,) = [x for x in lines if x.split()[1:2] == [host]]
        assert "BLOCKED" in line and "not started:" in line
    assert "lpar03" in out and "nimsh.active: " in next(x for x in lines if " lpar03 " in x)
    for host in ("lpar01", "lpar02", "lpar04", "lpar06"):
        assert any(x.split()[1:3] == [host, "SUCCEEDED"] for x in lines), host
    # A blocked host was never launched on the master.
    assert not any("running" in x for x in lines if " lpar05 " in x)


async def test_check_shows_its_progress_and_runs_a_hosts_probes_in_few_sessions(demo: Path) -> None:
    from cockpit.config import load_config
    from cockpit.engine.preflight import PreflightProgress, PreflightRunner
    from cockpit.transports.factory import transport_for
    from cockpit.transports.ssh import SSHTransport

    config = load_config(demo)
    sessions: dict[str, int] = {}

    class Counting(SSHTransport):
        async def run(self, command: str, *, timeout: float | None = None):  # type: ignore[no-untyped-def]
            sessions[self.name] = sessions.get(self.name, 0) + 1
            return await super().run(command, timeout=timeout)

    def counting(host):  # type: ignore[no-untyped-def]
        t = transport_for(host, config.ssh)
        t.__class__ = Counting
        return t

    seen: list[PreflightProgress] = []
    report = await PreflightRunner(config, counting).run(on_progress=seen.append)
    assert seen[-1].probes_done == seen[-1].probes_planned == report.commands_run
    assert seen[-1].hosts_done == seen[-1].hosts_total == 9  # the master and 8 clients
    assert [p.probes_done for p in seen] == sorted(p.probes_done for p in seen)
    assert report.commands_run > 90
    # A round's probes of a host share a session: 2 rounds (lvlstmajor -> odmget) per client; the
    # master's per-client `lsnim -l` in batches.
    assert max(v for k, v in sessions.items() if k != "nim01") <= 2
    assert sum(sessions.values()) < report.commands_run / 4
    # And the same findings as before: the three traps on exactly their hosts.
    fails = {h: {f.check for f in fs if f.status.value in ("fail", "error")} for h, fs in report.findings.items()}
    assert {h: c for h, c in fails.items() if c} == EXPECTED_FAILS


async def test_check_prints_progress_on_stderr_when_asked_and_keeps_stdout_json(demo: Path) -> None:
    status, out, err = await cockpit("check", str(demo), "--format", "json", "--progress")
    assert status == 1 and json.loads(out)["verdict"] == "no-go"
    assert err.splitlines()[-1].startswith("preflight: ") and " probes on 9 hosts in " in err
