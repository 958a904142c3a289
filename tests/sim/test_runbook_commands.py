"""The fake commands of the non-nimadm runbooks over real SSH (alt-disk-copy, alt-disk-mksysb, hacws,
linuxha) and the shipped scenarios for them: outputs, exit codes and the state they leave."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from cockpit.config.models import Config
from cockpit.sim import state
from cockpit.sim.aix import vg
from cockpit.sim.scenario import ScenarioError, available, load_scenario
from cockpit.sim.server import SimFleet
from tests.sim.remote import lines, ssh

RUNBOOK_SCENARIOS = (
    "alt-disk-copy",
    "alt-disk-copy-fail",
    "alt-disk-mksysb",
    "alt-disk-mksysb-fail",
    "hacws",
    "hacws-fail",
    "hacws-backup-active",
    "linuxha",
    "linuxha-fail",
)
MULTIBOS = "alt_disk_copy: 0505-218 ATTENTION: init_multibos() returned an unexpected result."
GHOST = "0516-082 /usr/sbin/lchangelv: Unable to access a special device file"


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[object]:
    fleets: list[SimFleet] = []

    async def _start(name: str) -> SimFleet:
        scenario = dataclasses.replace(load_scenario(name), time_scale=4400)
        fleet = await SimFleet.start(scenario, tmp_path / name)
        fleets.append(fleet)
        return fleet

    yield _start
    for fleet in fleets:
        await fleet.stop()


def test_every_runbook_scenario_is_shipped_and_loads() -> None:
    assert set(RUNBOOK_SCENARIOS) | {"nimadm-fail"} <= set(available())
    for name in RUNBOOK_SCENARIOS:
        scenario = load_scenario(name)
        assert scenario.master is None and scenario.runbook == name.removesuffix("-fail").removesuffix("-backup-active")
        assert 2 <= len(scenario.clients) <= 3


def test_scenario_validation_of_the_new_keys(tmp_path: Path) -> None:
    def load(text: str) -> object:
        path = tmp_path / "s.yaml"
        path.write_text(text)
        return load_scenario(path)

    base = "runbook: hacws\nclients: {names: [a, b], oslevel: 4330-11-00-0000}\n"
    assert [c.name for c in load(base).clients] == ["a", "b"]  # type: ignore[attr-defined]
    with pytest.raises(ScenarioError, match="platform must be aix or linux"):
        load(base + "hosts: {a: {platform: windows}}\n")
    with pytest.raises(ScenarioError, match=r"below_level\.level"):
        load(base + "hosts: {a: {faults: {below_level: {fileset: bos.rte, level: 4.3}}}}\n")
    with pytest.raises(ScenarioError, match="must be text"):
        load(base + "plan: {params: {enabled: yes}}\n")
    with pytest.raises(ScenarioError, match="no disk holds"):
        load(base + "hosts: {a: {varied_off: [datavg]}}\n")
    with pytest.raises(ScenarioError, match="unknown key"):
        load("runbook: linuxha\nclients: {names: [n1], platform: linux}\nhosts: {n1: {faults: {multibos: true}}}\n")
    with pytest.raises(ScenarioError, match="plan: unknown key"):
        load(base + "plan: {lpp_source: x}\n")
    linux = "runbook: linuxha\nclients: {names: [n1], platform: linux}\n"
    assert load(linux + "hosts: {n1: {faults: {fail_step: install}}}\n").clients[0].faults == {"fail_step": "install"}  # type: ignore[attr-defined]
    with pytest.raises(ScenarioError, match=r"fail_step must be a runbook step id"):
        load(linux + "hosts: {n1: {faults: {fail_step: 'rm -rf'}}}\n")


@pytest.mark.parametrize("name", ["hacws", "linuxha", "alt-disk-copy"])
async def test_inventory_of_a_runbook_scenario_is_a_valid_config(start, name: str) -> None:  # type: ignore[no-untyped-def]
    fleet: SimFleet = await start(name)
    data = yaml.safe_load(fleet.inventory_path.read_text())
    assert all(h["role"] == "client" for h in data["hosts"])
    plan = data["plan"]
    assert plan["runbook"] == name and "master" not in plan
    config = Config.model_validate(data)
    assert config.targets == [c.name for c in fleet.scenario.clients]
    if name == "hacws":
        assert [(t["host"], t.get("role")) for t in plan["targets"]] == [("cws1", "primary"), ("cws2", "backup")]
        assert plan["params"]["shared_vg"] == "spdatavg"
    if name == "alt-disk-copy":
        assert plan["targets"][0]["params"] == {"disk": "hdisk1"}


# --- alt-disk-copy ------------------------------------------------------------------------------------


async def test_alt_disk_copy_phases_one_by_one_with_updates(start) -> None:  # type: ignore[no-untyped-def]
    fleet: SimFleet = await start("alt-disk-copy")
    assert await lines(fleet, "lpar01", "oslevel -s") == ["7200-05-06-2320"]
    early = await ssh(fleet, "lpar01", "alt_disk_copy -d 'hdisk1' -P 3")
    assert early.exit_status == 1 and "0505-128" in str(early.stderr)

    one = await lines(fleet, "lpar01", "alt_disk_copy -d 'hdisk1' -P 1")
    assert one[0].startswith("## Phase 1 ###") and "Backing-up the rootvg files" in one[-1]
    assert (
        "hdisk1" in (await lines(fleet, "lpar01", "lspv"))[1]
        and "altinst_rootvg" in (await lines(fleet, "lpar01", "lspv"))[1]
    )
    assert "/alt_inst" in "\n".join(await lines(fleet, "lpar01", "lsvg -l altinst_rootvg"))
    two = await lines(fleet, "lpar01", "alt_disk_copy -d 'hdisk1' -P 2 -b 'update_all' -l '/export/lpp/7200-05-07'")
    assert two[0].startswith("## Phase 2 ###") and any("installp: APPLYING software for:" in t for t in two)
    assert any(t.startswith("bos.rte.libc") and t.endswith("SUCCESS") for t in two)
    assert (await lines(fleet, "lpar01", "alt_disk_copy -d 'hdisk1' -P 2"))[0].startswith("## Phase 2")
    bad = await ssh(fleet, "lpar01", "alt_disk_copy -d hdisk1 -P 2 -b update_all -l /export/nothing")
    assert bad.exit_status == 1 and "/export/nothing" in str(bad.stderr)

    three = await lines(fleet, "lpar01", "alt_disk_copy -d 'hdisk1' -P 3")
    assert three[-1] == "Bootlist is set to the boot disk: hdisk1 blv=hd5"
    assert await lines(fleet, "lpar01", "bootlist -m normal -o") == ["hdisk1 blv=hd5"]
    lspv = await lines(fleet, "lpar01", "lspv")
    assert lspv[1].split()[2] == "altinst_rootvg" and not lspv[1].endswith("active")
    assert "altinst_rootvg" not in await lines(fleet, "lpar01", "lsvg -o")

    assert (await ssh(fleet, "lpar01", "alt_rootvg_op -X altinst_rootvg")).exit_status == 0
    assert (await lines(fleet, "lpar01", "lspv"))[1].split()[2] == "None"
    assert await lines(fleet, "lpar01", "bootlist -m normal -o") == ["hdisk0 blv=hd5"]

    # Reboot into the updated clone: oslevel -s tells the level the updates brought.
    for phase in ("1", "2 -b b -l /export/lpp/7200-05-07", "3"):
        await lines(fleet, "lpar02", f"alt_disk_copy -d hdisk1 -P {phase}")
    await fleet.reboot("lpar02")
    assert await lines(fleet, "lpar02", "oslevel -s") == ["7200-05-07-2346"]


async def test_alt_disk_copy_phase_3_fails_on_multibos(start) -> None:  # type: ignore[no-untyped-def]
    fleet: SimFleet = await start("alt-disk-copy-fail")
    assert (await ssh(fleet, "lpar02", "alt_disk_copy -d 'hdisk1' -P 1")).exit_status == 0
    result = await ssh(fleet, "lpar02", "alt_disk_copy -d 'hdisk1' -P 3")
    assert result.exit_status != 0
    assert MULTIBOS in str(result.stderr).splitlines()
    assert (await lines(fleet, "lpar02", "lspv"))[1].split()[2] == "None"  # the clone is gone again
    assert await lines(fleet, "lpar02", "bootlist -m normal -o") == ["hdisk0 blv=hd5"]
    assert (await ssh(fleet, "lpar01", "alt_disk_copy -d hdisk1 -P 1 && alt_disk_copy -d hdisk1 -P 3")).exit_status == 0


# --- alt-disk-mksysb ----------------------------------------------------------------------------------


async def test_alt_disk_mksysb_installs_the_image_level(start) -> None:  # type: ignore[no-untyped-def]
    fleet: SimFleet = await start("alt-disk-mksysb")
    missing = await ssh(fleet, "lpar01", "alt_disk_mksysb -m '/export/mksysb/none.mksysb' -d 'hdisk1'")
    assert missing.exit_status == 1 and "/export/mksysb/none.mksysb" in str(missing.stderr)
    result = await ssh(fleet, "lpar01", "alt_disk_mksysb -m '/export/mksysb/aix72tl5.mksysb' -d 'hdisk1'")
    assert result.exit_status == 0, result.stderr
    out = str(result.stdout).splitlines()
    assert "Restoring /image.data from mksysb image." in out
    assert [t for t in out if t.startswith("## Phase")] == [f"## Phase {p} ###################" for p in (1, 2, 3)]
    assert out[-1] == "Bootlist is set to the boot disk: hdisk1 blv=hd5"
    assert (await lines(fleet, "lpar01", "lspv"))[1].split()[2] == "altinst_rootvg"
    assert await lines(fleet, "lpar01", "bootlist -m normal -o") == ["hdisk1 blv=hd5"]
    await fleet.reboot("lpar01")
    assert await lines(fleet, "lpar01", "oslevel -s") == ["7200-05-06-2320"]


async def test_alt_disk_mksysb_ghost_major_fails_and_cleans_up(start) -> None:  # type: ignore[no-untyped-def]
    fleet: SimFleet = await start("alt-disk-mksysb-fail")
    result = await ssh(fleet, "lpar02", "alt_disk_mksysb -m '/export/mksysb/aix72tl5.mksysb' -d 'hdisk1'")
    assert result.exit_status == 1
    assert GHOST in str(result.stderr).splitlines()
    assert (await lines(fleet, "lpar02", "lspv"))[1].split()[2] == "None"
    assert await lines(fleet, "lpar02", "bootlist -m normal -o") == ["hdisk0 blv=hd5"]


# --- hacws --------------------------------------------------------------------------------------------


async def test_hacws_backups_levels_and_verification(start) -> None:  # type: ignore[no-untyped-def]
    fleet: SimFleet = await start("hacws")
    for cw in ("cws1", "cws2"):
        out = await lines(fleet, cw, f"mksysb -i '/backup/{cw}.mksysb'")
        assert out[-1] == "0512-038 mksysb: Backup Completed Successfully."
        assert await lines(fleet, cw, f"ls /backup/{cw}.mksysb") == [f"/backup/{cw}.mksysb"]
        assert await lines(fleet, cw, "oslevel") == ["4.3.3.0"]
        assert await lines(fleet, cw, "oslevel -l 4.3.3.0") == []
        assert (await lines(fleet, cw, "clverify software lpp"))[-1] == "Command completed."
        assert (await ssh(fleet, cw, "clverify cluster topology check")).exit_status == 0
    assert await lines(fleet, "cws1", "lsvg -o") == ["rootvg", "spdatavg"]
    assert await lines(fleet, "cws2", "lsvg -o") == ["rootvg"]
    saved = await lines(fleet, "cws1", "savevg -f '/backup/spdatavg.savevg' 'spdatavg'")
    assert saved[-1] == "0512-038 savevg: Backup Completed Successfully."
    refused = await ssh(fleet, "cws2", "savevg -f /backup/spdatavg.savevg spdatavg")
    assert refused.exit_status == 1 and "varied on" in str(refused.stderr)

    before = await ssh(fleet, "cws1", "hacws_verify")
    assert before.exit_status == 1 and "spcw_addevents" in str(before.stderr)
    for cw in ("cws1", "cws2"):
        assert (await ssh(fleet, cw, "spcw_addevents")).exit_status == 0
    assert (await lines(fleet, "cws1", "hacws_verify"))[
        -1
    ] == "hacws_verify: HACWS verification completed successfully."
    backup = await ssh(fleet, "cws2", "hacws_verify")
    assert backup.exit_status == 1 and "primary control workstation" in str(backup.stderr)

    # restvg makes the volume group anew: over its own defined group it is refused (the restvg page:
    # target disks must belong to no volume group); once the group is gone it is restored, varied on.
    over = await ssh(fleet, "cws1", "restvg -f '/backup/spdatavg.savevg'")
    assert over.exit_status == 1 and "belongs to volume group spdatavg" in str(over.stderr)
    with state.update(str(fleet.fleet_dir), "cws1") as st:
        vg.remove_vg(st, "spdatavg")
    assert await lines(fleet, "cws1", "lsvg") == ["rootvg"]
    restored = await lines(fleet, "cws1", "restvg -f '/backup/spdatavg.savevg'")
    assert restored[0] == "Will create the Volume Group:\tspdatavg"
    assert await lines(fleet, "cws1", "lsvg -o") == ["rootvg", "spdatavg"]
    bad = await ssh(fleet, "cws1", "restvg -f /backup/cws1.mksysb")
    assert bad.exit_status == 1


async def test_hacws_fileset_below_level_on_the_backup(start) -> None:  # type: ignore[no-untyped-def]
    fleet: SimFleet = await start("hacws-fail")
    assert await lines(fleet, "cws1", "oslevel -l 4.3.3.0") == []
    assert await lines(fleet, "cws2", "oslevel") == ["4.3.2.0"]
    listing = await lines(fleet, "cws2", "oslevel -l 4.3.3.0")
    assert listing[0] == "Fileset                                 Actual Level        Maintenance Level"
    assert listing[2].split() == ["bos.rte.libc", "4.3.2.0", "4.3.3.0"]


async def test_hacws_backup_active(start) -> None:  # type: ignore[no-untyped-def]
    fleet: SimFleet = await start("hacws-backup-active")
    assert await lines(fleet, "cws1", "lsvg -o") == ["rootvg"]
    assert await lines(fleet, "cws2", "lsvg -o") == ["rootvg", "spdatavg"]
    await lines(fleet, "cws1", "spcw_addevents")
    refused = await ssh(fleet, "cws1", "hacws_verify")
    assert refused.exit_status == 1 and "active" in str(refused.stderr)
    assert (await ssh(fleet, "cws2", "savevg -f /backup/spdatavg.savevg spdatavg")).exit_status == 0


# --- linuxha ------------------------------------------------------------------------------------------

NODES = ("node1", "node2", "node3")
PKG = "/tmp/linuxha12-1.1.01-1.noarch.rpm"
OLD = "/tmp/linuxha-1.0.4-1.noarch.rpm"
ARCHIVE = "/root/old_valid_cluster_cfg.tgz"


async def daemons(fleet: SimFleet, node: str) -> list[str]:
    return [t.split()[-1] for t in await lines(fleet, node, "ps -ef") if t.split()[-1].endswith("-prodcl")]


async def test_linuxha_migration_and_back_out(start) -> None:  # type: ignore[no-untyped-def]
    fleet: SimFleet = await start("linuxha")
    five = ["cldaemon-prodcl", "cllockd-prodcl", "clnetd-prodcl", "clhbd-prodcl", "clhbd2-prodcl"]
    for node in NODES:
        assert await lines(fleet, node, "cat /etc/cluster/VERSION") == ["1.0.4"]
        assert await daemons(fleet, node) == five
        listed = await lines(fleet, node, f"tar -C /etc/cluster -czvf '{ARCHIVE}' .")
        assert "./VERSION" in listed and "./clconf.xml" in listed
        assert await lines(fleet, node, f"ls {ARCHIVE}") == [ARCHIVE]
    # the AIX commands are not on a Linux node, and the real ps still answers other forms
    assert (await ssh(fleet, "node1", "lspv")).exit_status == 127
    assert (await lines(fleet, "node1", "ps -e -o pid,ppid"))[0].split() == ["PID", "PPID"]

    assert (await lines(fleet, "node1", "clstat"))[0] == "Cluster: prodcl - UP"
    assert (await lines(fleet, "node1", "clhalt --force"))[-1] == "Cluster prodcl halted."
    assert (await lines(fleet, "node2", "clstat"))[0] == "Cluster: prodcl - DOWN"
    for node in NODES:
        assert await daemons(fleet, node) == []
        assert (await ssh(fleet, node, "rpm -e linuxha")).exit_status == 0
        assert (await ssh(fleet, node, "cat /etc/cluster/VERSION")).exit_status != 0
        out = await lines(fleet, node, f"rpm -Uvh '{PKG}'")
        assert out[0].startswith("Preparing...") and out[-1].endswith("[100%]")
        assert await lines(fleet, node, "cat /etc/cluster/VERSION") == ["1.1.01"]
    early = await ssh(fleet, "node1", "clform --noapps")
    assert early.exit_status == 1 and "clbuild" in str(early.stderr)
    assert (await ssh(fleet, "node1", "clbuild --verbose --force")).exit_status == 0
    assert (await ssh(fleet, "node1", "clbuildapp --force --vgbuild --verbose --application 'webapp'")).exit_status == 0
    assert (await ssh(fleet, "node1", "clbuildapp --force --build --verbose --application 'webapp'")).exit_status == 0
    assert (await ssh(fleet, "node1", "clbuildapp --force --build --verbose --application nope")).exit_status == 1
    assert (await ssh(fleet, "node1", "clform --noapps")).exit_status == 0
    stat = await lines(fleet, "node3", "clstat")
    assert stat[0] == "Cluster: prodcl - UP" and all(any(t.split() == [n, "UP"] for t in stat) for n in NODES)
    for node in NODES:
        assert await daemons(fleet, node) == five
        grep = await lines(fleet, node, "ps -ef | grep prodcl | grep -v grep")
        assert len(grep) == 5

    # back-out: the archive, the old package, rebuild, form
    await lines(fleet, "node1", "clhalt --force")
    for node in NODES:
        await lines(fleet, node, f"tar -C /etc/cluster -xzvf '{ARCHIVE}'")
        await lines(fleet, node, "rpm -e linuxha12")
        await lines(fleet, node, f"rpm -Uvh '{OLD}'")
        assert await lines(fleet, node, "cat /etc/cluster/VERSION") == ["1.0.4"]
    await lines(fleet, "node1", "clbuild --verbose --force")
    await lines(fleet, "node1", "clform")
    assert (await lines(fleet, "node1", "clstat"))[0] == "Cluster: prodcl - UP"


async def test_linuxha_missing_dependency_on_node2(start) -> None:  # type: ignore[no-untyped-def]
    fleet: SimFleet = await start("linuxha-fail")
    await lines(fleet, "node1", "clhalt --force")
    await lines(fleet, "node2", "rpm -e linuxha")
    result = await ssh(fleet, "node2", f"rpm -Uvh '{PKG}'")
    assert result.exit_status == 1
    assert str(result.stderr).splitlines() == [
        "error: Failed dependencies:",
        "\tperl-XML-Simple is needed by linuxha12-1.1.01-1.noarch",
    ]
    assert (await ssh(fleet, "node2", "cat /etc/cluster/VERSION")).exit_status != 0
    assert (await ssh(fleet, "node2", f"rpm -Uvh '{OLD}'")).exit_status == 0  # the back-out works
    assert await lines(fleet, "node2", "cat /etc/cluster/VERSION") == ["1.0.4"]


async def test_rpm_upgrade_to_the_installed_package_changes_nothing(start) -> None:  # type: ignore[no-untyped-def]
    fleet: SimFleet = await start("linuxha")
    again = await ssh(fleet, "node1", f"rpm -Uvh '{OLD}'")
    assert again.exit_status == 1
    assert str(again.stderr).splitlines() == ["\tpackage linuxha-1.0.4-1.noarch is already installed"]
    assert await lines(fleet, "node1", "rpm -qa") == ["linuxha-1.0.4-1"]
    assert await lines(fleet, "node1", "rpm -q linuxha") == ["linuxha-1.0.4-1"]
    absent = await ssh(fleet, "node1", "rpm -q linuxha12")
    assert absent.exit_status == 1 and str(absent.stdout).strip() == "package linuxha12 is not installed"


async def test_fail_step_fails_that_step_once_before_it_changes_anything(start) -> None:  # type: ignore[no-untyped-def]
    fleet: SimFleet = await start("linuxha")
    with state.update(str(fleet.fleet_dir), "node2") as st:
        st["faults"]["fail_step"] = "remove-old"
    # Outside the step's directory (a guard, a probe) the command is not failed.
    assert (await ssh(fleet, "node2", "rpm -q linuxha")).exit_status == 0
    step_dir = "$HOME/run1/node2.remove-old"
    failed = await ssh(fleet, "node2", f"mkdir -p {step_dir} && cd {step_dir} && rpm -e linuxha")
    assert failed.exit_status == 1
    assert str(failed.stderr).strip() == (
        "rpm: failed before changing anything (the simulator's fault fail_step: remove-old)"
    )
    assert await lines(fleet, "node2", "rpm -qa") == ["linuxha-1.0.4-1"]  # nothing changed
    # Once: the same step run again (a retry) goes through.
    assert (await ssh(fleet, "node2", f"cd {step_dir} && rpm -e linuxha")).exit_status == 0
    assert await lines(fleet, "node2", "rpm -qa") == []


async def test_nimadm_fail_scenario_fails_lpar02_in_phase_11(start) -> None:  # type: ignore[no-untyped-def]
    fleet: SimFleet = await start("nimadm-fail")
    command = "nimadm -c {} -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y 2>&1"
    failed = await ssh(fleet, "nim01", command.format("lpar02"))
    assert failed.exit_status != 0
    output = str(failed.stdout).splitlines()
    assert MULTIBOS in output and "0505-187 nimadm: Error cloning altinst_rootvg on client." in output
    assert (await ssh(fleet, "nim01", command.format("lpar01"))).exit_status == 0
