"""The simulator for attach and several masters: a host's `ps -e -o` lists its own processes only, lsnim
says what a running nimadm does (Cstate, info) and how a failed one ended, alt_disk_copy writes its
log, scenario `attach` has migrations running before any cockpit comes, scenario `masters` two NIM
databases."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cockpit.domain.attach import LSNIM_COMMAND, PS_COMMAND, find_migrations, parse_lsnim, parse_ps
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from tests.sim.remote import lines, ssh

NIMADM = "nimadm -c {c} -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y"


async def test_attach_scenario_has_migrations_running_when_the_fleet_is_up(tmp_path: Path) -> None:
    scenario = load_scenario("attach")
    assert scenario.attach and [c.name for c in scenario.clients if c.running] == [
        "lpar01",
        "lpar02",
        "lpar03",
        "lpar04",
    ]
    async with await SimFleet.start(scenario, tmp_path / "fleet") as fleet:
        master = parse_ps("\n".join(await lines(fleet, "nim01", PS_COMMAND)))
        running = find_migrations(master, "nim01", ["nimadm"])
        assert [f.client for f in running] == ["lpar01", "lpar02", "lpar03"]
        assert all(f.chain and f.chain[0].args.startswith("/bin/sh -c nimadm") for f in running)
        client = parse_ps("\n".join(await lines(fleet, "lpar04", PS_COMMAND)))
        assert [f.kind for f in find_migrations(client, "lpar04", ["alt_disk_copy"])] == ["alt_disk_copy"]
        # Each host sees its own processes only (they all run on this one machine).
        assert not find_migrations(client, "lpar04", ["nimadm"])
        assert not find_migrations(master, "nim01", ["alt_disk_copy"])
        for _ in range(100):  # nimadm records the migration after its pre-checks
            states = parse_lsnim("\n".join(await lines(fleet, "nim01", LSNIM_COMMAND)))
            if states["lpar01"].busy and states["lpar01"].info:
                break
            await asyncio.sleep(0.1)
        assert states["lpar01"].cstate == "alt_disk_install operation is being performed" and states["lpar01"].info
        assert not states["lpar05"].busy
        log = await lines(fleet, "lpar04", "tail -n 3 /var/adm/ras/alt_disk_inst.log")
        assert log and any("Phase" in line or "Calling mkszfile" in line or "Creating" in line for line in log)


async def test_a_failed_nimadm_shows_in_lsnim_with_its_error(tmp_path: Path) -> None:
    async with await SimFleet.start(load_scenario("tiny"), tmp_path / "fleet") as fleet:
        done = await ssh(fleet, "nim01", NIMADM.format(c="lpar02"))  # lpar02: a ghost device, phase 11
        assert done.exit_status == 1
        state = parse_lsnim("\n".join(await lines(fleet, "nim01", "lsnim -l lpar02")))["lpar02"]
        assert state.cstate == "ready for a NIM operation" and state.result == "failure"
        assert state.info.startswith("0516-082")


async def test_two_masters_each_with_its_own_clients(tmp_path: Path) -> None:
    scenario = load_scenario("masters")
    assert [m.name for m in scenario.masters] == ["nim01", "nim02"] and scenario.master_concurrency == {"nim01": 3}
    assert [scenario.master_of(c).name for c in scenario.clients] == ["nim01"] * 4 + ["nim02"] * 4  # type: ignore[union-attr]
    async with await SimFleet.start(scenario, tmp_path / "fleet") as fleet:
        one = await lines(fleet, "nim01", "lsnim -t standalone")
        two = await lines(fleet, "nim02", "lsnim -t standalone")
        assert [line.split()[0] for line in one] == ["lpar01", "lpar02", "lpar03", "lpar04"]
        assert [line.split()[0] for line in two] == ["lpar05", "lpar06", "lpar07", "lpar08"]
        assert "NIM_MASTER_HOSTNAME=nim02" in " ".join(await lines(fleet, "lpar06", "cat /etc/niminfo"))
        # A client of nim02 is not nim01's: nimadm there refuses it.
        refused = await ssh(fleet, "nim01", NIMADM.format(c="lpar06"))
        assert refused.exit_status != 0 and "0042-053" in str(refused.stdout) + str(refused.stderr)
