"""Faults of the `preflight` scenario over real SSH: each one shows in the output of the command that
reveals it, as AIX prints it; each fix the preflight offers changes the host so the same command shows
the clean output and nimadm then runs; and the preflight's own parsers, fed by the simulator, fail
exactly the expected check on exactly the expected client.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator
from pathlib import Path

import asyncssh
import pytest
import yaml

from cockpit.config.models import Config
from cockpit.domain.preflight import ClientContext, PreflightSession, Status
from cockpit.sim.scenario import SCENARIO_DIR, ScenarioError, load_scenario
from cockpit.sim.server import SimFleet
from tests.sim.remote import connect, lines, ssh
from tests.unit.preflight import samples

DATA = Path(__file__).resolve().parents[1] / "data"
NIMADM = "nimadm -c {client} -l {lpp} -s {spot} -d hdisk2 -Y"
BANNER = re.compile(r"^Executing nimadm phase (\d+)\.$")
UNMOUNTS = [
    f"forced unmount of {fs}"
    for fs in (
        "/alt_inst/var/adm/ras/livedump",
        "/alt_inst/var",
        "/alt_inst/usr",
        "/alt_inst/tmp",
        "/alt_inst/opt",
        "/alt_inst/home",
        "/alt_inst/admin",
        "/alt_inst",
    )
    for _ in (1, 2)
]
# What each fault of the scenario makes the preflight fail (a client's own lpp_source/SPOT: see below).
FAULT_CHECKS = {
    "nimsh_down": {"nimsh.active"},
    "port_taken": {"nimsh.ports", "nimsh.active"},  # nimsh cannot bind 3901, so it is down too
    "ghost_major": {"devices.ghost_major"},
    "multibos": {"rootvg.multibos"},
    "disk_too_small": {"disk.target_size"},
    "disk_in_use": {"disk.target_free"},
    "leftover_alt": {"rootvg.leftover_alt"},
    "nim_undefined": {"nim.client_defined"},
    "niminfo_master": {"nim.client_master"},
}


@pytest.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimFleet]:
    """The preflight scenario, a nimadm run in about 0.8 s."""
    scenario = dataclasses.replace(load_scenario("preflight"), time_scale=4400)
    async with await SimFleet.start(scenario, tmp_path / "sim") as running:
        yield running


def nimadm(client: str, lpp: str = "lpp_source_AIX72TL5", spot: str = "spot_AIX72TL5") -> str:
    return NIMADM.format(client=client, lpp=lpp, spot=spot)


def phases(output: str) -> list[int]:
    return [int(m.group(1)) for m in map(BANNER.match, output.splitlines()) if m]


def listener(netstat: list[str], port: int) -> str:
    """The PCB of the socket listening on `port` in `netstat -Aan` output."""
    found = [row.split()[0] for row in netstat if f" *.{port} " in row and row.endswith("LISTEN")]
    assert len(found) == 1, (port, netstat)
    return found[0]


# --- nimsh ----------------------------------------------------------------------------------------------


async def test_nimsh_down_until_started_then_it_holds_both_ports(fleet: SimFleet) -> None:
    assert await lines(fleet, "lpar02", "lssrc -s nimsh") == samples.LSSRC_INOPERATIVE.splitlines()
    netstat = await lines(fleet, "lpar02", "netstat -Aan")
    assert not [row for row in netstat if ".390" in row]
    refused = await ssh(fleet, "nim01", nimadm("lpar02"))
    assert refused.exit_status != 0 and phases(str(refused.stdout)) == []
    assert '0042-001 nim: processing error encountered on "lpar02":' in str(refused.stderr)

    started = await lines(fleet, "lpar02", "startsrc -s nimsh")
    pid = re.fullmatch(r"0513-059 The nimsh Subsystem has been started\. Subsystem PID is (\d+)\.", started[0])
    assert pid is not None
    netstat = await lines(fleet, "lpar02", "netstat -Aan")
    for port in (3901, 3902):
        held = await lines(fleet, "lpar02", f"rmsock {listener(netstat, port)} tcpcb")
        socket = r"The socket 0x[0-9a-f]{16} is being held by proccess "
        assert re.fullmatch(socket + pid.group(1) + r" \(nimsh\)\.", held[0])
    assert (await ssh(fleet, "nim01", nimadm("lpar02") + " -P 1")).exit_status == 0


async def test_a_sap_message_server_on_3901_shows_in_netstat_and_rmsock(fleet: SimFleet) -> None:
    netstat = await lines(fleet, "lpar03", "netstat -Aan")
    assert netstat[:2] == samples.NETSTAT_AAN_AIX73.splitlines()[:2]
    pcb = listener(netstat, 3901)
    assert f"{pcb} tcp4       0      0  *.3901                *.*                   LISTEN" in netstat
    held = await lines(fleet, "lpar03", f"rmsock {pcb} tcpcb")
    assert re.fullmatch(r"The socket 0x[0-9a-f]{16} is being held by proccess \d+ \(msg_server\)\.", held[0])
    # nimsh could not bind 3901: it is down, nothing listens on 3902, and starting it does not help.
    assert "inoperative" in (await lines(fleet, "lpar03", "lssrc -s nimsh"))[1]
    assert not any("*.3902 " in line for line in netstat)
    assert "has been started" in (await lines(fleet, "lpar03", "startsrc -s nimsh"))[0]
    assert "inoperative" in (await lines(fleet, "lpar03", "lssrc -s nimsh"))[1]
    plain = await lines(fleet, "lpar03", "netstat -an")
    assert "tcp4       0      0  *.3901                 *.*                    LISTEN" in plain
    refused = await ssh(fleet, "nim01", nimadm("lpar03"))
    assert refused.exit_status != 0 and "port 3901" in str(refused.stderr) and phases(str(refused.stdout)) == []


# --- bos.alt_disk_install.rte and levels -----------------------------------------------------------------


async def test_spot_without_the_fileset_fails_the_precheck_until_nim_cust_installs_it(fleet: SimFleet) -> None:
    master = await lines(fleet, "nim01", "lslpp -lcq bos.alt_disk_install.rte")
    assert master[0] == samples.LSLPP_LCQ.strip()
    spot = "nim -o showres -a lslpp_flags=Lc spot_AIX72TL5_media"
    assert not [row for row in await lines(fleet, "nim01", spot) if "alt_disk" in row]

    result = await ssh(fleet, "nim01", nimadm("lpar04", spot="spot_AIX72TL5_media") + " 2>&1")
    assert result.exit_status != 0
    expected = (DATA / "nimadm_precheck_fail_qiita.log").read_text()  # the field report's, verbatim
    expected = expected.replace("adachi-AIX7", "lpar04").replace("spot_AIX72TL5", "spot_AIX72TL5_media")
    assert str(result.stdout).splitlines() == expected.splitlines()[1:]

    cust = "nim -o cust -a lpp_source=lpp_source_AIX72TL5 -a filesets=bos.alt_disk_install.rte spot_AIX72TL5_media"
    installed = await lines(fleet, "nim01", cust)
    assert installed[-2:] == [
        "bos.alt_disk_install.rte    7.2.5.101       USR         APPLY       SUCCESS",
        "bos.alt_disk_install.rte    7.2.5.101       ROOT        APPLY       SUCCESS",
    ]
    listing = [row for row in await lines(fleet, "nim01", spot) if "alt_disk" in row]
    assert listing == [
        "bos.alt_disk_install:bos.alt_disk_install.rte:7.2.5.101: : :C:F:Alternate Disk Installation Runtime"
        ": : : : : : :0:0:/:2320"
    ]
    assert (await ssh(fleet, "nim01", nimadm("lpar04", spot="spot_AIX72TL5_media") + " -P 1")).exit_status == 0


async def test_a_73_spot_does_not_match_a_72_master(fleet: SimFleet) -> None:
    assert await lines(fleet, "nim01", "oslevel -s") == ["7200-05-06-2320"]
    images = await lines(fleet, "nim01", "nim -o showres -a installp_flags=L lpp_source_AIX73TL3")
    assert "bos.rte:bos.rte:7.3.3.100::S:T:::::N:Base Operating System Runtime ::::0::" in images
    result = await ssh(fleet, "nim01", nimadm("lpar12", "lpp_source_AIX73TL3", "spot_AIX73TL3"))
    assert result.exit_status != 0 and phases(str(result.stdout)) == []
    assert str(result.stderr).splitlines() == [
        "0505-205 nimadm: The level of bos.alt_disk_install.rte installed in SPOT",
        "spot_AIX73TL3 (7.3.3.100) does not match the NIM master's level (7.2.5.101).",
    ]
    # nim -o cust installs the lpp_source's level: from the 7.3 lpp_source it cannot bring the SPOT to 7.2.
    cust = "nim -o cust -a lpp_source=lpp_source_AIX73TL3 -a filesets=bos.alt_disk_install.rte spot_AIX73TL3"
    assert (await ssh(fleet, "nim01", cust)).exit_status == 0
    assert (await ssh(fleet, "nim01", nimadm("lpar12", "lpp_source_AIX73TL3", "spot_AIX73TL3"))).exit_status != 0


# --- the ghost device -------------------------------------------------------


async def test_ghost_major_shows_everywhere_and_its_cleanup_lets_nimadm_succeed(fleet: SimFleet) -> None:
    assert await lines(fleet, "lpar05", "lvlstmajor") == ["43,45..50,60..."]
    ghost = [
        "brw-rw----    1 root     system       43,  0 Nov 20 10:00 hdisk9",
        "crw-rw----    1 root     system       43,  0 Nov 20 10:00 rhdisk9",
    ]
    assert [row for row in await lines(fleet, "lpar05", "cd /dev; ls -al") if "43," in row] == ghost
    assert [row for row in await lines(fleet, "lpar05", "ls -al /dev") if "43," in row] == ghost
    odm = ["", "CuDvDr:", '\tresource = "devno"', '\tvalue1 = "43"', '\tvalue2 = "0"', '\tvalue3 = "hdisk9"']
    assert await lines(fleet, "lpar05", "odmget -q value1=43 CuDvDr") == odm
    assert await lines(fleet, "lpar05", "odmget -q 'resource=devno and value1=43' CuDvDr") == odm

    # alt_disk_copy -DV names the major in its trace; being a real clone it then fails as nimadm would.
    copy = await ssh(fleet, "lpar05", "alt_disk_copy -d hdisk2 -DV")
    assert copy.exit_status == 1
    assert "+ ALT_MAJOR_NUM=43" in str(copy.stderr).splitlines()
    assert str(copy.stderr).splitlines()[-1] == "0516-082 /usr/sbin/lchangelv: Unable to access a special device file"
    assert [row.split()[2] for row in await lines(fleet, "lpar05", "lspv")] == ["rootvg", "None", "None"]

    # The field report's cleanup (the rm goes to the simulated /dev, never the real one).
    assert await lines(fleet, "lpar05", "rm /dev/hdisk9; cd /dev && rm rhdisk9") == []
    assert Path("/dev/null").exists()
    deleted = await lines(fleet, "lpar05", "odmdelete -q value1=43 -o CuDvDr")
    assert deleted == ["0518-307 odmdelete: 1 objects deleted."]
    assert await lines(fleet, "lpar05", "odmget -q value1=43 CuDvDr; savebase") == []
    assert [row for row in await lines(fleet, "lpar05", "ls -al /dev") if "43," in row] == []
    gone = await ssh(fleet, "lpar05", "ls -al /dev/hdisk9")
    assert gone.exit_status != 0 and str(gone.stderr).strip() == "ls: 0653-341 The file /dev/hdisk9 does not exist."

    result = await ssh(fleet, "nim01", nimadm("lpar05"))
    assert result.exit_status == 0, result.stderr
    assert phases(str(result.stdout)) == list(range(1, 13))
    assert (await lines(fleet, "lpar05", "lspv"))[2].split()[2:] == ["altinst_rootvg"]
    assert await lines(fleet, "lpar05", "lvlstmajor") == ["45..50,60..."]  # 43 is altinst_rootvg's now


# --- rootvg and the target disk ---------------------------------------------------------------------------


async def test_multibos_fails_phase_11_until_multibos_r(fleet: SimFleet) -> None:
    standby = [row for row in await lines(fleet, "lpar06", "lsvg -l rootvg") if row.startswith("bos_")]
    assert standby == [
        "bos_hd5             boot       1       1       1    closed/syncd  N/A",
        "bos_hd4             jfs2       16      16      1    closed/syncd  /bos_inst",
        "bos_hd2             jfs2       96      96      1    closed/syncd  /bos_inst/usr",
        "bos_hd9var          jfs2       32      32      1    closed/syncd  /bos_inst/var",
        "bos_hd10opt         jfs2       48      48      1    closed/syncd  /bos_inst/opt",
    ]
    result = await ssh(fleet, "nim01", nimadm("lpar06") + " 2>&1")
    assert result.exit_status != 0
    output = str(result.stdout).splitlines()
    assert phases(str(result.stdout)) == list(range(1, 12))
    # The shape of the published multibos failure (Chris Gibson's blog; SOURCES.md `gibson-multibos`) from phase 11 on.
    expected = (DATA / "nimadm_multibos_phase11_constructed.log").read_text().replace("adachi-AIX7", "lpar06")
    start = "Cloning altinst_rootvg on client, Phase 3."
    tail = expected.splitlines()[expected.splitlines().index(start) :]
    assert output[output.index(start) :] == tail
    assert tail[3] == "alt_disk_copy: 0505-218 ATTENTION: init_multibos() returned an unexpected result."
    assert tail[4:20] == UNMOUNTS
    assert await lines(fleet, "lpar06", "bootlist -m normal -o") == ["hdisk0 blv=hd5"]

    removed = await lines(fleet, "lpar06", "multibos -R")
    assert removed[-1] == "Return Status = SUCCESS"
    assert not [row for row in await lines(fleet, "lpar06", "lsvg -l rootvg") if row.startswith("bos_")]
    assert (await ssh(fleet, "nim01", nimadm("lpar06"))).exit_status == 0


async def test_target_disk_too_small_or_in_a_vg(fleet: SimFleet) -> None:
    rootvg = await lines(fleet, "lpar07", "lsvg rootvg")
    assert rootvg[4] == "LVs:                12                       USED PPs:       308 (19712 megabytes)"
    assert await lines(fleet, "lpar07", "bootinfo -s hdisk2") == ["10240"]
    small = await ssh(fleet, "nim01", nimadm("lpar07") + " 2>&1")
    assert small.exit_status != 0 and phases(str(small.stdout)) == [1]
    output = str(small.stdout).splitlines()
    at = output.index("Checking disk sizes.")
    # The published failure (IBM/ansible-power-aix issue 278): LVM cannot allocate the clone's first LV.
    assert output[at + 1 : at + 7] == [
        "Creating cloned rootvg volume group and associated logical volumes.",
        "Creating logical volume alt_hd5.",
        "0516-404 allocp: This system cannot fulfill the allocation request.",
        "\tThere are not enough free partitions or not enough physical volumes ",
        "\tto keep strictness and satisfy allocation requests.  The command",
        "\tshould be retried with different allocation characteristics.",
    ]
    assert output[at + 7] == "0505-187 nimadm: Error cloning altinst_rootvg on client."

    pv = (await lines(fleet, "lpar08", "lspv"))[2]
    assert re.fullmatch(r"hdisk2          00f6[0-9a-f]{12}                    datavg          active", pv)
    assert (await lines(fleet, "lpar08", "lsvg -o")) == ["rootvg", "datavg"]
    busy = await ssh(fleet, "nim01", nimadm("lpar08"))
    assert busy.exit_status != 0
    assert "0505-126 alt_disk_install- target disk hdisk2 has a volume group assigned to it." in str(busy.stderr)


async def test_leftover_old_rootvg_goes_with_alt_rootvg_op_x_and_chpv_c(fleet: SimFleet) -> None:
    assert [row.split()[2:] for row in await lines(fleet, "lpar09", "lspv")] == [
        ["rootvg", "active"],
        ["old_rootvg"],  # varied off: no state column
        ["None"],
    ]
    asleep = await ssh(fleet, "lpar09", "lsvg old_rootvg")
    assert asleep.exit_status != 0
    assert str(asleep.stderr).strip() == "0516-010 lsvg: Volume group must be varied on; use varyonvg command."
    refused = await ssh(fleet, "nim01", nimadm("lpar09"))
    assert refused.exit_status != 0 and "old_rootvg" in str(refused.stderr)

    assert await lines(fleet, "lpar09", "alt_rootvg_op -X old_rootvg; chpv -C hdisk1") == []
    assert [row.split()[2] for row in await lines(fleet, "lpar09", "lspv")] == ["rootvg", "None", "None"]
    missing = await ssh(fleet, "lpar09", "alt_rootvg_op -X old_rootvg")
    assert missing.exit_status != 0 and "0516-306" in str(missing.stderr)
    assert (await ssh(fleet, "nim01", nimadm("lpar09") + " -P 1")).exit_status == 0


# --- NIM identity ---------------------------------------------------------------------------------------


async def test_undefined_client_and_niminfo_naming_another_master(fleet: SimFleet) -> None:
    missing = await ssh(fleet, "nim01", "lsnim -l lpar10")
    assert missing.exit_status == 53
    assert str(missing.stderr) == '0042-053 lsnim: there is no NIM object named "lpar10"\n'

    niminfo = await lines(fleet, "lpar11", "cat /etc/niminfo")
    assert "export NIM_MASTER_HOSTNAME=nim02" in niminfo and "export NIM_NAME=lpar11" in niminfo
    assert "export NIM_MASTER_HOSTNAME=nim01" in await lines(fleet, "lpar01", "cat /etc/niminfo")
    denied = await ssh(fleet, "nim01", nimadm("lpar11"))
    assert denied.exit_status != 0 and "0042-008 nimsh: Request denied - nim01" in str(denied.stderr)
    # Every other cat, ls and rm is the system's own.
    assert await lines(fleet, "lpar11", "echo kept > f; cat f; ls f; rm f; ls") == ["kept", "f"]


# --- the preflight's parsers on the simulator's output -----------------------------------------------------


def contexts(fleet: SimFleet, clients: set[str] | None = None) -> list[ClientContext]:
    """One ClientContext per planned client, from the inventory the fleet wrote (per-client overrides)."""
    config = Config.model_validate(yaml.safe_load(fleet.inventory_path.read_text()))
    plan = config.plan
    return [
        ClientContext(
            client=c.host,
            master=plan.master,
            lpp_source=plan.lpp_source_for(c),
            spot=plan.spot_for(c),
            disks=tuple(c.disks),
        )
        for c in plan.clients
        if clients is None or c.host in clients
    ]


async def preflight(fleet: SimFleet, ctxs: list[ClientContext]) -> PreflightSession:
    """Run every pending probe over SSH (one connection per host, a few sessions each) and record it."""
    session = PreflightSession(ctxs)
    conns: dict[str, asyncssh.SSHClientConnection] = {}
    limits: dict[str, asyncio.Semaphore] = {}
    try:
        while batch := session.pending():
            for host in {hc.host for hc in batch} - set(conns):
                conns[host], limits[host] = await connect(fleet, host), asyncio.Semaphore(4)

            async def run(host: str, command: str) -> asyncssh.SSHCompletedProcess:
                async with limits[host]:
                    return await conns[host].run(command)

            results = await asyncio.gather(*(run(hc.host, hc.command) for hc in batch))
            for hc, r in zip(batch, results, strict=True):
                session.record(hc.host, hc.command, r.exit_status, str(r.stdout), str(r.stderr))
    finally:
        for conn in conns.values():
            conn.close()
    return session


def expected_failures() -> dict[str, set[str]]:
    """Client -> the checks its faults (scenario file) must fail; a client's own SPOT or lpp_source fails
    the fileset check, and a 7.3 lpp_source also the master level."""
    scenario = load_scenario("preflight")
    spots = {r.name: r for r in scenario.resources}
    expected = {}
    for c in scenario.clients:
        checks = set().union(*(FAULT_CHECKS[k] for k in c.faults))
        if c.spot and "bos.alt_disk_install.rte" not in spots[c.spot].filesets:
            checks.add("fileset.alt_disk_install")
        if c.lpp_source and spots[c.lpp_source].oslevel > scenario.master.oslevel:
            checks |= {"fileset.alt_disk_install", "oslevel.master_not_below_target"}
        expected[c.name] = checks
    return expected


async def test_preflight_fails_exactly_the_faulty_checks_and_its_fixes_make_the_clients_go(fleet: SimFleet) -> None:
    expected = expected_failures()
    assert expected["lpar01"] == expected["lpar13"] == set()
    assert sum(1 for checks in expected.values() if checks) == 11
    session = await preflight(fleet, contexts(fleet))
    findings = session.findings()
    verdict = session.verdict()
    for client, checks in expected.items():
        assert not [f for f in findings[client] if f.status is Status.ERROR], client  # every output parsed
        failed = {f.check for f in findings[client] if f.status is Status.FAIL}
        assert failed == checks, client
        assert (verdict.host(client).decision.value == "go") == (not checks), client

    # Apply the fixes the findings offer (not the saves_first: they write to the real /tmp).
    fixable = {c for c, fs in findings.items() if any(f.remediation.commands for f in fs if f.status is Status.FAIL)}
    assert fixable == {"lpar02", "lpar03", "lpar04", "lpar05", "lpar06", "lpar09"}
    # lpar03's rmsock fix names the SAP message server on 3901 (moving SAP is the operator's): it clears nothing.
    [sap] = [c for f in findings["lpar03"] if f.check == "nimsh.ports" for c in f.remediation.commands]
    assert sap.command.startswith("rmsock ") and "(msg_server)" in str((await ssh(fleet, sap.host, sap.command)).stdout)
    fixable.discard("lpar03")
    for client in sorted(fixable):
        for f in findings[client]:
            for fix in f.remediation.commands if f.status is Status.FAIL else ():
                done = await ssh(fleet, fix.host, fix.command)
                assert done.exit_status == 0, (fix, done.stderr)

    again = await preflight(fleet, contexts(fleet, fixable))
    for client, fs in again.findings().items():
        assert not [f for f in fs if f.status in (Status.FAIL, Status.ERROR)], (client, fs)
        assert again.verdict().host(client).decision.value == "go"


async def test_demo_has_the_three_seed_traps_and_go_on_the_clean_clients(tmp_path: Path) -> None:
    async with await SimFleet.start("demo", tmp_path / "demo") as demo:
        plan = yaml.safe_load(demo.inventory_path.read_text())["plan"]
        overrides = {c["host"]: (c.get("lpp_source"), c.get("spot")) for c in plan["clients"] if len(c) > 2}
        assert overrides == {h: ("lpp_source_AIX73TL3", "spot_AIX73TL3") for h in ("lpar07", "lpar08")}
        session = await preflight(demo, contexts(demo))
    to_73 = {"fileset.alt_disk_install", "oslevel.master_not_below_target"}
    expected = {"lpar03": {"nimsh.active"}, "lpar05": {"devices.ghost_major"}, "lpar07": to_73, "lpar08": to_73}
    verdict = session.verdict()
    for client, findings in session.findings().items():
        assert not [f for f in findings if f.status is Status.ERROR], client
        assert {f.check for f in findings if f.status is Status.FAIL} == expected.get(client, set()), client
        assert (verdict.host(client).decision.value == "go") == (client not in expected), client


@pytest.mark.parametrize(
    ("where", "faults", "message"),
    [
        ("master", {"disk_too_small": True}, "master.faults: unknown key(s) disk_too_small"),
        ("lpar01", {"port_taken": {"port": 99999, "process": "x"}}, "port_taken.port must be a whole number"),
        ("lpar01", {"leftover_alt": "datavg"}, "leftover_alt must name altinst_rootvg or old_rootvg"),
        ("lpar01", {"leftover_alt": {"vg": "old_rootvg", "disk": "hdisk0"}}, "must be a disk in no volume group"),
        ("lpar01", {"disk_in_use": "rootvg"}, "disk_in_use must be a data volume group"),
        ("lpar01", {"ghost_major": True}, "ghost_major must be a whole number"),
    ],
)
def test_scenario_refuses_faults_it_cannot_simulate(
    tmp_path: Path, where: str, faults: dict[str, object], message: str
) -> None:
    data = yaml.safe_load((SCENARIO_DIR / "tiny.yaml").read_text())
    if where == "master":
        data["master"]["faults"] = faults
    else:
        data["hosts"] = {where: {"faults": faults}}
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError, match=re.escape(message)):
        load_scenario(tmp_path / "bad.yaml")
