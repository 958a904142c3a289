"""The simulated AIX fleet over real SSH on 127.0.0.1 (asyncssh client, host keys checked against the
known_hosts the fleet writes): nimadm output and state, the ghost-device failure, -P order, reboot.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncssh
import pytest
import yaml

from cockpit.config.models import Config
from cockpit.sim.scenario import SCENARIO_DIR, load_scenario
from cockpit.sim.server import SimFleet
from tests.sim.remote import connect, lines, ssh

DATA = Path(__file__).parent / "data"
NIMADM = "nimadm -c {client} -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y"
BANNER = re.compile(r"^Executing nimadm phase (\d+)\.$")
RULE = "+" + "-" * 77 + "+"


@pytest.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimFleet]:
    """The tiny scenario as shipped: a nimadm run takes about 3 s."""
    async with await SimFleet.start("tiny", tmp_path / "sim") as running:
        yield running


@pytest.fixture
async def fast(tmp_path: Path) -> AsyncIterator[SimFleet]:
    """The tiny scenario at 4x its speed (a run in ~0.8 s), a reboot still ~0.3 s without SSH."""
    scenario = dataclasses.replace(load_scenario("tiny"), time_scale=4400, reboot_minutes=22)
    async with await SimFleet.start(scenario, tmp_path / "sim") as running:
        yield running


def phases(output: str) -> list[int]:
    return [int(m.group(1)) for m in map(BANNER.match, output.splitlines()) if m]


async def test_inventory_is_a_valid_config_for_the_fleet(fleet: SimFleet) -> None:
    data = yaml.safe_load(fleet.inventory_path.read_text())
    config = Config.model_validate(data)
    assert [h.name for h in config.hosts] == ["nim01", "lpar01", "lpar02"]
    assert {h.name: h.port for h in config.hosts} == fleet.hosts
    assert config.plan.master == "nim01" and [c.disk for c in config.plan.clients] == ["hdisk2", "hdisk2"]
    base = fleet.inventory_path.parent
    assert (base / config.ssh.known_hosts).read_text() == fleet.known_hosts_path.read_text()
    assert (base / config.ssh.client_keys[0]).read_bytes() == fleet.client_key_path.read_bytes()
    known = fleet.known_hosts_path.read_text().splitlines()
    assert sorted(line.split()[0] for line in known) == sorted(f"[127.0.0.1]:{p}" for p in fleet.hosts.values())
    assert all(line.split()[1] == "ssh-ed25519" for line in known)


async def test_inventory_written_elsewhere_points_back_at_the_fleet_files(fleet: SimFleet, tmp_path: Path) -> None:
    other = fleet.write_inventory(tmp_path / "elsewhere" / "fleet.yaml")
    config = Config.model_validate(yaml.safe_load(other.read_text()))
    assert (other.parent / config.ssh.known_hosts).resolve() == fleet.known_hosts_path


async def test_nimadm_run_prints_the_real_output_and_leaves_consistent_state(fleet: SimFleet) -> None:
    assert await lines(fleet, "lpar01", "oslevel -s") == ["7100-05-03-1838"]
    result = await ssh(fleet, "nim01", NIMADM.format(client="lpar01") + " 2>&1")
    assert result.exit_status == 0
    output = str(result.stdout).splitlines()
    assert phases(result.stdout) == list(range(1, 13))

    # The installp body (assumed, not in the source) is as long as the scenario says ...
    start = output.index("Installing software with the installp installer.") + 1
    end = output.index("Executing nimadm phase 7.") - 1
    assert end - start == load_scenario("tiny").installp_lines
    # ... and everything else is the field report's real run, line for line.
    expected = [t for t in (DATA / "nimadm_qiita_run.txt").read_text().splitlines() if not t.startswith("# ")]
    assert output[:start] + output[end:] == expected

    # Banners: a blank line and a rule before each, except phase 7 which follows installp directly.
    for i, text in enumerate(output):
        if BANNER.match(text):
            assert output[i - 1] == RULE and output[i + 1] == RULE
            assert (output[i - 2] == "") == (text != "Executing nimadm phase 7.")

    rows = await lines(fleet, "lpar01", "lspv")
    pvids = [row.split()[1] for row in rows]
    assert all(re.fullmatch(r"00f6[0-9a-f]{12}", p) for p in pvids)
    assert rows == [  # altinst_rootvg is varied off after nimadm, so it has no state column
        f"hdisk0          {pvids[0]}                    rootvg          active",
        f"hdisk1          {pvids[1]}                    None",
        f"hdisk2          {pvids[2]}                    altinst_rootvg",
    ]
    assert await lines(fleet, "lpar01", "bootlist -m normal -o") == ["hdisk2 blv=hd5"]
    assert await lines(fleet, "lpar01", "oslevel -s") == ["7100-05-03-1838"]  # not before the reboot
    log = Path(fleet.fleet_dir, "hosts", "nim01", "var", "adm", "ras", "alt_mig", "lpar01_alt_mig.log")
    assert log.read_text().splitlines() == output


async def test_reboot_boots_the_new_disk_and_comes_back_with_the_same_host_key(fast: SimFleet) -> None:
    assert (await ssh(fast, "nim01", NIMADM.format(client="lpar01"))).exit_status == 0
    conn = await connect(fast, "lpar01")
    try:
        result = await asyncio.wait_for(conn.run("shutdown -Fr"), 10)
        assert result.exit_status != 0  # the reboot killed the session before shutdown returned
    except (asyncssh.ConnectionLost, asyncssh.DisconnectError, ConnectionError):
        pass  # or the connection dropped first: both happen on a real host
    finally:
        conn.close()

    refused = 0
    deadline = time.monotonic() + 10
    while True:
        try:
            back = await connect(fast, "lpar01")  # known_hosts check: the host key did not change
            break
        except OSError:
            refused += 1
            assert time.monotonic() < deadline, "lpar01 did not come back"
            await asyncio.sleep(0.02)
    async with back:
        assert refused > 0, "the host never refused connections while rebooting"
        assert str((await back.run("oslevel -s")).stdout).split() == ["7200-05-06-2320"]
        lspv = [[row.split()[0], *row.split()[2:]] for row in str((await back.run("lspv")).stdout).splitlines()]
    assert lspv == [["hdisk0", "old_rootvg"], ["hdisk1", "None"], ["hdisk2", "rootvg", "active"]]

    # Rollback: bootlist back to the old disk, reboot, the old level again.
    assert await lines(fast, "lpar01", "bootlist -m normal hdisk0; bootlist -m normal -o") == ["hdisk0 blv=hd5"]
    await fast.reboot("lpar01")
    assert await lines(fast, "lpar01", "oslevel -s; lspv | cut -c1-6,53-") == [
        "7100-05-03-1838",
        "hdisk0rootvg          active",
        "hdisk1None",
        "hdisk2altinst_rootvg",
    ]


async def test_ghost_major_client_fails_in_phase_11_and_is_rolled_back(fast: SimFleet) -> None:
    result = await ssh(fast, "nim01", NIMADM.format(client="lpar02") + " 2>&1")
    assert result.exit_status != 0
    output = str(result.stdout).splitlines()
    assert phases(result.stdout) == list(range(1, 12))
    failed_at = output.index("Changing logical volume names in volume group descriptor area.")
    assert output[failed_at + 1 :] == [
        "0516-082 /usr/sbin/lchangelv: Unable to access a special device file",
        "0505-187 nimadm: Error cloning altinst_rootvg on client.",
        "Cleaning up alt_disk_migration on the NIM master.",
        "Cleaning up alt_disk_migration on client lpar02.",
        "Client alt_disk_install command: alt_disk_install -M 7.2 -X",
        "Bootlist is set to the boot disk: hdisk0 blv=hd5",
    ]
    assert [row.split()[2] for row in await lines(fast, "lpar02", "lspv")] == ["rootvg", "None", "None"]
    assert await lines(fast, "lpar02", "bootlist -m normal -o") == ["hdisk0 blv=hd5"]
    assert "   Cstate_result  = failure" in await lines(fast, "nim01", "lsnim -l lpar02")


async def test_error_lines_go_to_stderr(fast: SimFleet) -> None:
    result = await ssh(fast, "nim01", NIMADM.format(client="lpar02") + " -P 1")
    assert result.exit_status == 0
    result = await ssh(fast, "nim01", NIMADM.format(client="lpar02") + " -P 1")
    assert result.exit_status != 0
    assert "0505-" in str(result.stderr) and "0505-" not in str(result.stdout)


async def test_phases_run_one_at_a_time_only_in_order(fast: SimFleet) -> None:
    nimadm = NIMADM.format(client="lpar01")
    refused = await ssh(fast, "nim01", f"{nimadm} -P 3")
    assert refused.exit_status != 0
    assert re.search(r"^0505-\d{3} nimadm: Phase 3 cannot run .*phase 2 has not completed", str(refused.stderr), re.M)
    assert phases(refused.stdout) == []
    assert [row.split()[2] for row in await lines(fast, "lpar01", "lspv")] == ["rootvg", "None", "None"]

    one = await ssh(fast, "nim01", f"{nimadm} -P1")
    assert one.exit_status == 0 and phases(one.stdout) == [1]
    assert (await lines(fast, "lpar01", "lspv"))[2].split()[2:] == ["altinst_rootvg", "active"]
    assert (await ssh(fast, "nim01", f"{nimadm} -P 3")).exit_status != 0
    two = await ssh(fast, "nim01", f"{nimadm} -P 2")
    assert two.exit_status == 0 and phases(two.stdout) == [2]

    # A leftover altinst_rootvg blocks a new run until nimadm -C cleans it.
    again = await ssh(fast, "nim01", nimadm)
    # AIX's own words (0505-126) do not name the volume group; lspv does.
    assert again.exit_status != 0
    assert "0505-126 alt_disk_install- target disk hdisk2 has a volume group assigned to it." in str(again.stderr)
    assert (await lines(fast, "lpar01", "lspv"))[2].split()[2] == "altinst_rootvg"
    clean = await ssh(fast, "nim01", "nimadm -C -c lpar01 -s spot_AIX72TL5")
    assert clean.exit_status == 0
    assert str(clean.stdout).splitlines()[-1] == "Bootlist is set to the boot disk: hdisk0 blv=hd5"
    assert [row.split()[2] for row in await lines(fast, "lpar01", "lspv")] == ["rootvg", "None", "None"]


async def test_unknown_client_key_is_refused(fleet: SimFleet, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger"
    stranger.write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_private_key())
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(fleet, "lpar01", key=stranger)


async def test_any_user_name_is_accepted_with_the_fleet_key(fleet: SimFleet) -> None:
    async with asyncssh.connect(
        "127.0.0.1",
        fleet.hosts["nim01"],
        username="padmin",
        client_keys=[str(fleet.client_key_path)],
        known_hosts=str(fleet.known_hosts_path),
        config=None,
        agent_path=None,
    ) as conn:
        assert str((await conn.run("hostname; echo $USER")).stdout).split() == ["nim01", "padmin"]


async def test_nim_and_src_commands(fast: SimFleet) -> None:
    missing = await ssh(fast, "nim01", "lsnim -l lpar99")
    assert missing.exit_status == 53
    assert str(missing.stderr).strip() == '0042-053 lsnim: there is no NIM object named "lpar99"'
    assert [row.split()[0] for row in await lines(fast, "nim01", "lsnim -t standalone")] == ["lpar01", "lpar02"]
    assert (await ssh(fast, "lpar01", "lsnim")).exit_status == 127  # not a NIM master

    assert (await lines(fast, "lpar01", "stopsrc -s nimsh; lssrc -s nimsh")) == [
        "0513-044 The nimsh Subsystem was requested to stop.",
        "Subsystem         Group            PID          Status",
        " nimsh            nimclient                     inoperative",
    ]
    down = await ssh(fast, "nim01", NIMADM.format(client="lpar01"))
    assert down.exit_status != 0 and phases(down.stdout) == []
    started = await lines(fast, "lpar01", "startsrc -s nimsh; lssrc -s nimsh")
    pid = re.fullmatch(r"0513-059 The nimsh Subsystem has been started\. Subsystem PID is (\d+)\.", started[0])
    assert pid is not None
    assert started[2] == f" nimsh            nimclient        {pid.group(1):<13}active"


async def test_bootlist_refuses_a_disk_that_does_not_exist(fleet: SimFleet) -> None:
    bad = await ssh(fleet, "lpar01", "bootlist -m normal hdisk9")
    assert bad.exit_status != 0 and "hdisk9" in str(bad.stderr)
    assert await lines(fleet, "lpar01", "bootlist -m normal hdisk1 hdisk0; bootlist -m normal -o") == [
        "hdisk1 blv=hd5",
        "hdisk0 blv=hd5",
    ]


async def test_a_dropped_connection_does_not_kill_the_command(fast: SimFleet) -> None:
    home = Path(fast.fleet_dir, "hosts", "nim01", "home")
    conn = await connect(fast, "nim01")
    process = await conn.create_process("sleep 0.5; hostname > attached.tmp; mv attached.tmp attached.out")
    nimadm = NIMADM.format(client="lpar01")
    detached = await conn.run(f"nohup sh -c '{nimadm} -P 1; echo $? > rc.tmp; mv rc.tmp rc' > run.log 2>&1 & echo $!")
    assert detached.exit_status == 0
    await asyncio.sleep(0.1)
    assert fast.disconnect("nim01") == 1
    ended = await asyncio.wait_for(process.wait(), 5)
    assert ended.exit_status is None and ended.exit_signal is None  # the client saw the drop, no status
    deadline = time.monotonic() + 10
    while not (home / "rc").exists() or not (home / "attached.out").exists():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert (home / "attached.out").read_text() == "nim01\n"
    assert (home / "rc").read_text() == "0\n"
    assert phases((home / "run.log").read_text()) == [1]
    # Once it has ended, `kill -0` finds it gone, as a cockpit checking a detached run expects.
    pid = str(detached.stdout).strip()
    while (await ssh(fast, "nim01", f"kill -0 {pid}")).exit_status == 0:
        assert time.monotonic() < deadline, f"process {pid} still there after it ended"
        await asyncio.sleep(0.05)


async def test_restart_on_the_same_workdir_keeps_keys_and_state(tmp_path: Path) -> None:
    async with await SimFleet.start("tiny", tmp_path / "sim") as first:
        assert (await ssh(first, "lpar01", "bootlist -m normal hdisk1")).exit_status == 0
        known_hosts = first.known_hosts_path.read_text()
    async with await SimFleet.start("tiny", tmp_path / "sim") as second:
        assert second.known_hosts_path.read_text() == known_hosts  # same keys, same ports when free
        assert await lines(second, "lpar01", "bootlist -m normal -o") == ["hdisk1 blv=hd5"]


async def test_hosts_override_keeps_faults_on_hosts_that_exist() -> None:
    five = load_scenario("demo", hosts=5)
    assert [c.name for c in five.clients] == ["lpar01", "lpar02", "lpar03", "lpar04", "lpar05"]
    assert five.clients[4].faults == {"ghost_major": 43}
    assert five.clients[2].faults == {"nimsh_down": True} and not five.clients[2].nimsh_active
    assert [c.name for c in load_scenario("demo", hosts=4).clients if c.faults] == ["lpar03"]
    assert [c.name for c in load_scenario("nimadm", hosts=4).clients if c.faults] == []
    assert len(load_scenario("demo", hosts=120).clients) == 120


async def test_a_hung_phase_stops_printing_and_keeps_the_client_busy(tmp_path: Path) -> None:
    scenario = yaml.safe_load((SCENARIO_DIR / "tiny.yaml").read_text())
    scenario["hosts"]["lpar01"] = {"faults": {"hang_phase": 3}}
    scenario["timing"]["time_scale"] = 4400
    (tmp_path / "hang.yaml").write_text(yaml.safe_dump(scenario))
    async with await SimFleet.start(load_scenario(tmp_path / "hang.yaml"), tmp_path / "sim") as fleet:
        nimadm = NIMADM.format(client="lpar01")
        pid = (await lines(fleet, "nim01", f"{nimadm} > run.log 2>&1 & echo $!"))[0]
        log = Path(fleet.fleet_dir, "hosts", "nim01", "home", "run.log")
        deadline = time.monotonic() + 10
        while "Executing nimadm phase 3." not in log.read_text():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        size = log.stat().st_size
        await asyncio.sleep(0.3)
        assert log.stat().st_size == size, "a hung phase prints nothing more"
        assert "phase 4" not in log.read_text()
        assert await lines(fleet, "nim01", "lsnim -a Cstate lpar01") == [
            "lpar01:",
            "   Cstate         = alt_disk_install operation is being performed",
        ]
        second = await ssh(fleet, "nim01", nimadm)
        assert second.exit_status != 0 and "already running for client lpar01" in str(second.stderr)

        assert (await ssh(fleet, "nim01", f"kill {pid}")).exit_status == 0
        clean = await ssh(fleet, "nim01", "nimadm -C -c lpar01 -s spot_AIX72TL5")
        assert clean.exit_status == 0, clean.stderr
        assert [row.split()[2] for row in await lines(fleet, "lpar01", "lspv")] == ["rootvg", "None", "None"]
