"""End to end against a real OpenSSH sshd on 127.0.0.1: `cockpit run --headless` as an operator runs it.

One sshd per simulated host of the `tiny` scenario (no asyncssh simulator server): each gives its
sessions that host's environment with sshd_config SetEnv, so the fake AIX commands run under a real
sshd through the login shell, and nimadm on the master changes the clients' state in the shared fleet
directory. Host keys are verified against a known_hosts file written from each sshd's host key.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from cockpit.domain.remote_step import RemoteStep
from cockpit.engine.follow import FollowPolicy, StepFollower
from cockpit.sim import state
from cockpit.sim.inventory import inventory_text
from cockpit.sim.scenario import Scenario, load_scenario
from cockpit.sim.seed import seed
from cockpit.sim.session import session_env
from cockpit.transports.base import CommandResult
from cockpit.transports.ssh import SSHTransport
from tests.e2e.openssh import (
    OpenSSHServer,
    SSHDFailed,
    descendants,
    find_sshd,
    keygen,
    kill_sessions,
    public_key,
    start_sshd,
)

pytestmark = pytest.mark.sshd

MASTER, GOOD, GHOST = "nim01", "lpar01", "lpar02"
TARGET_DISK = "hdisk2"
GHOST_ERROR = "0516-082 /usr/sbin/lchangelv: Unable to access a special device file"
BANNER = re.compile(r"^Executing nimadm phase (\d+)\.$", re.MULTILINE)
STATE_LINE = re.compile(r"^\d\d:\d\d:\d\d (\S+)\s+(\S+)\s*(.*)$")
RUN_TIMEOUT = 60.0  # seconds for one `cockpit run`; a run of the tiny scenario takes about 4 s


@dataclass
class Fleet:
    """A seeded simulated fleet served by one real sshd per host."""

    root: Path
    fleet_dir: Path
    scenario: Scenario
    servers: dict[str, OpenSSHServer]
    client_key: Path
    known_hosts: Path

    def host_dir(self, host: str) -> Path:
        return Path(state.host_dir(str(self.fleet_dir), host))

    def write_config(self, name: str, *, known_hosts: Path, master_work_dir: Path) -> Path:
        """An inventory in the simulator's format for these sshds, with its own state dir (next to it)
        and the master's step directory at `master_work_dir`, so tests never see each other's runs.
        """
        path = self.root / name / "inventory.yaml"
        path.parent.mkdir(parents=True)
        work_dirs = {h.name: self.host_dir(h.name) / "var" / "tmp" / "cockpit" for h in self.scenario.hosts}
        work_dirs[MASTER] = master_work_dir
        ports = {host: server.port for host, server in self.servers.items()}
        user = self.servers[MASTER].user
        text = inventory_text(self.scenario, ports, known_hosts, self.client_key, path, user, work_dirs)
        data = yaml.safe_load(text)
        data["state_dir"] = "state"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    def transport(self, host: str) -> SSHTransport:
        server = self.servers[host]
        return SSHTransport(
            host,
            "127.0.0.1",
            server.port,
            server.user,
            known_hosts=self.known_hosts,
            client_keys=[self.client_key],
            connect_timeout=10,
        )

    def remote(self, host: str, *commands: str) -> list[CommandResult]:
        """Run commands on `host` through its sshd, one connection, host key verified."""

        async def run_all() -> list[CommandResult]:
            transport = self.transport(host)
            try:
                return [await transport.run(c, timeout=30) for c in commands]
            finally:
                await transport.close()

        return asyncio.run(run_all())


def start_or_fail(workdir: Path, env: dict[str, str], client_key: Path) -> OpenSSHServer:
    """An sshd that is installed but does not start fails the test with its log: never a skip."""
    try:
        return start_sshd(workdir, env, client_key=client_key)
    except SSHDFailed as exc:
        failure = f"sshd for {workdir.name}: {exc}"
    pytest.fail(failure, pytrace=False)  # outside `except`: the log, not a chained traceback


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Fleet]:
    if find_sshd() is None:
        pytest.skip(
            "OpenSSH sshd not found (looked in /usr/sbin, /usr/local/sbin and PATH); "
            "`make sshd` (tests/setup_sshd.sh, as root) installs openssh-server"
        )
    root = tmp_path_factory.mktemp("openssh")
    scenario = load_scenario("tiny")
    fleet_dir = root / "fleet"
    seed(str(fleet_dir), scenario)
    # Finalizers run last-registered first: the sshds stop, then whatever their sessions left running.
    request.addfinalizer(lambda: kill_sessions(state.FLEET_ENV, str(fleet_dir)))
    client_key = keygen(root / "client_ed25519")
    servers: dict[str, OpenSSHServer] = {}
    for host in scenario.hosts:
        env = session_env(fleet_dir, host.name, time_scale=scenario.time_scale)
        server = start_or_fail(root / "sshd" / host.name, env, client_key)
        request.addfinalizer(server.stop)
        servers[host.name] = server
    known_hosts = root / "known_hosts"
    known_hosts.write_text("".join(s.known_hosts_line for s in servers.values()))
    yield Fleet(root, fleet_dir, scenario, servers, client_key, known_hosts)


def run_cockpit(config: Path) -> subprocess.CompletedProcess[str]:
    """`cockpit run CONFIG --headless` in a child process, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}  # only the configured key
    try:
        return subprocess.run(
            [sys.executable, "-m", "cockpit", "run", str(config), "--headless", "--no-preflight"],
            cwd=config.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"cockpit run did not finish within {RUN_TIMEOUT:g} s; output so far:\n{exc.stdout}\n{exc.stderr}")


def state_lines(stdout: str, target: str) -> list[str]:
    """The printed state lines of `target`, time stamp dropped and blanks collapsed."""
    found = []
    for line in stdout.splitlines():
        m = STATE_LINE.match(line)
        if m and m.group(1) == target:
            found.append(" ".join(line.split()[1:]))
    return found


def banners(log: str) -> list[int]:
    return [int(n) for n in BANNER.findall(log)]


def session_count(server: OpenSSHServer) -> int:
    return server.log_text().count("Starting session:")


def test_nimadm_run_over_openssh_one_client_succeeds_one_fails_in_phase_11(fleet: Fleet) -> None:
    work_dir = fleet.host_dir(MASTER) / "var" / "tmp" / "cockpit-run"
    config = fleet.write_config("run", known_hosts=fleet.known_hosts, master_work_dir=work_dir)

    result = run_cockpit(config)
    output = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"

    assert result.returncode == 1, output
    good, ghost = state_lines(result.stdout, GOOD), state_lines(result.stdout, GHOST)
    assert good[-1] == f"{GOOD} SUCCEEDED phase 12/12", output
    assert ghost[-1] == f"{GHOST} FAILED phase 11/12 failed in phase 11 {GHOST_ERROR}", output
    good_phases = [int(m) for line in good for m in re.findall(r"phase (\d+)/12", line)]
    assert good_phases == sorted(good_phases) and good_phases[0] == 1, output
    assert not [line for line in good if "FAILED" in line or "UNREACHABLE" in line], output
    assert re.search(r"finished: 1 succeeded, 1 not succeeded: lpar02$", result.stdout, re.MULTILINE), output

    # The per-client logs hold nimadm's output exactly as it was printed on the master.
    logs = sorted((config.parent / "state" / "runs").glob("*/logs"))
    assert len(logs) == 1, logs
    assert f"logs: {logs[0]}" in result.stdout or f"logs: {logs[0].relative_to(config.parent)}" in result.stdout
    good_log = (logs[0] / f"{GOOD}.log").read_text()
    ghost_log = (logs[0] / f"{GHOST}.log").read_text()
    assert banners(good_log) == list(range(1, 13)), good_log
    assert banners(ghost_log) == list(range(1, 12)), ghost_log
    assert GHOST_ERROR in ghost_log.splitlines(), ghost_log

    # The steps ran detached on the master, each in the step directory of this run.
    run_id = logs[0].parent.name
    assert (work_dir / run_id / f"{GOOD}.nimadm" / "rc").read_text().strip() == "0"
    assert (work_dir / run_id / f"{GHOST}.nimadm" / "rc").read_text().strip() != "0"

    # The clients, seen through their own sshd: the new rootvg is on the target disk and boots next
    # on the good one; the ghost one was rolled back and still boots its old disk.
    hostname, lspv, bootlist = fleet.remote(GOOD, "hostname", "lspv", "bootlist -m normal -o")
    assert hostname.stdout.strip() == GOOD
    assert [row.split()[2] for row in lspv.stdout.splitlines() if row.split()[0] == TARGET_DISK] == [
        "altinst_rootvg"
    ], lspv
    assert bootlist.ok and bootlist.stdout.split()[0] == TARGET_DISK, bootlist
    hostname, lspv, bootlist = fleet.remote(GHOST, "hostname", "lspv", "bootlist -m normal -o")
    assert hostname.stdout.strip() == GHOST
    assert "altinst_rootvg" not in lspv.stdout, lspv
    assert bootlist.stdout.splitlines() == ["hdisk0 blv=hd5"], bootlist


def test_changed_host_key_of_the_master_is_refused_and_nothing_runs(fleet: Fleet) -> None:
    master = fleet.servers[MASTER]
    impostor = keygen(fleet.root / "impostor_ed25519")
    known_hosts = fleet.root / "known_hosts.changed"
    entries = [s.known_hosts_line for host, s in fleet.servers.items() if host != MASTER]
    entries.append(f"[127.0.0.1]:{master.port} {public_key(impostor)}\n")
    known_hosts.write_text("".join(entries))
    work_dir = fleet.host_dir(MASTER) / "var" / "tmp" / "cockpit-hostkey"
    config = fleet.write_config("hostkey", known_hosts=known_hosts, master_work_dir=work_dir)
    sessions_before = session_count(master)

    result = run_cockpit(config)
    output = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"

    assert result.returncode == 1, output
    refusal = f"{MASTER}: HOST KEY CHANGED for 127.0.0.1:{master.port}"
    for target in (GOOD, GHOST):
        lines = state_lines(result.stdout, target)
        assert len(lines) == 1 and lines[0].startswith(f"{target} UNREACHABLE"), output
        assert refusal in lines[0], output
    assert " running " not in result.stdout, output
    assert not work_dir.exists(), sorted(work_dir.rglob("*"))
    assert session_count(master) == sessions_before, master.log_text()
    assert known_hosts.read_text() == "".join(entries)  # the cockpit never "fixes" known_hosts itself


def _ignores_sigint(pid: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << 1))
    raise AssertionError(f"no SigIgn for {pid}")


def test_a_kept_step_outlives_its_connection_and_sigint_reaches_it_under_openssh(fleet: Fleet) -> None:
    """The step runs in the foreground of its SSH session: sshd (no pty) neither ends it when the
    cockpit's connection goes nor starts it with SIGINT ignored, so the troubleshoot interrupt reaches
    it, and it cleans up before its status is written."""
    step = RemoteStep(str(fleet.host_dir(MASTER) / "var" / "tmp" / "cockpit-int" / "run1" / "lpar01.step"))
    command = "sh -c 'trap \"echo cleaning up; exit 7\" INT; echo ready; while :; do sleep 1; done'"
    out = Path(step.directory) / "out"
    policy = FollowPolicy(poll=0.2, idle_poll=1)

    async def scenario() -> tuple[int, bytes]:
        first = fleet.transport(MASTER)
        chunks: list[bytes] = []
        started = asyncio.create_task(StepFollower(first, step, policy, lambda _: None).run(command, chunks.append))
        for _ in range(500):
            if out.exists() and out.read_bytes() == b"ready\n":
                break
            await asyncio.sleep(0.02)
        await first.close()  # the cockpit goes away: its connection closes under the step
        started.cancel()
        await asyncio.sleep(1.0)
        root = int((Path(step.directory) / "pid").read_text())
        helpers = (Path(step.directory) / "helper").read_text().split()
        theirs = {p for h in helpers for p in [int(h), *descendants(int(h))]}  # its tail, its timing sampler
        mine = [p for p in descendants(root) if p not in theirs]
        assert mine, "the step did not outlive its connection"
        assert not any(_ignores_sigint(p) for p in mine), "the step's processes ignore SIGINT"
        again = fleet.transport(MASTER)
        try:
            killed = await again.run(step.kill_script("INT"), timeout=30)
            assert killed.exit_status == 0, killed.stderr
            rest: list[bytes] = []
            status = await asyncio.wait_for(
                StepFollower(again, step, policy, lambda _: None).follow(len(b"".join(chunks)), rest.append), 60
            )
        finally:
            await again.close()
        return status, b"".join(chunks) + b"".join(rest)

    status, output = asyncio.run(scenario())
    assert status == 7  # the step's own status, once its clean-up was done
    assert output == b"ready\ncleaning up\n"
