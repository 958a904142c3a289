"""A preflight fix never runs under a migration: while a run (this cockpit's or another's) holds a
client's lock, a fix on that client, or on its NIM master, is refused with the holder and changes
nothing; once the lock is given back the same fix runs. Over SSH to the simulator."""

from __future__ import annotations

from pathlib import Path

from cockpit.config import load_config
from cockpit.domain.host_lock import Holder, HostLock
from cockpit.engine.preflight import PreflightService
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for
from tests.sim.remote import lines
from tests.ui.preflight_fleet import NIMSH_DOWN, tiny_with_nimsh_down

OTHER = Holder("bob", "jump2", "20261206-030000-002", 777, 1_765_000_000, "fedcba9876543210")


async def test_a_fix_on_a_client_a_migration_holds_is_refused_then_runs_once_the_lock_is_back(tmp_path: Path) -> None:
    async with await SimFleet.start(load_scenario(tiny_with_nimsh_down(tmp_path)), tmp_path / "fleet") as fleet:
        config = load_config(fleet.write_inventory(tmp_path / "inventory.yaml"))
        service = PreflightService(config, lambda h: transport_for(h, config.ssh), operator="tester")
        try:
            report = await service.check()
            finding = next(f for f in report.findings[NIMSH_DOWN] if f.check == "nimsh.active" and f.host == NIMSH_DOWN)
            assert finding.blocking
            master = config.master_of(NIMSH_DOWN)
            assert master is not None
            lock = HostLock(master.work_dir, NIMSH_DOWN)
            assert (await lines(fleet, master.name, lock.take_script(OTHER)))[0] == "cockpit-lock: taken"

            (refused,) = await service.apply_fix(finding)
            assert not refused.ok and refused.result is None
            assert refused.error is not None and refused.error.startswith(
                f"a migration holds {NIMSH_DOWN}'s lock at {master.name}:{lock.directory}: bob@jump2"
            )
            assert "inoperative" in "\n".join(await lines(fleet, NIMSH_DOWN, "lssrc -s nimsh"))  # nothing ran

            await lines(fleet, master.name, lock.release_script(OTHER.token))
            outcomes = await service.apply_fix(finding)
            assert [o.ok for o in outcomes] == [True]
            assert "active" in (await lines(fleet, NIMSH_DOWN, "lssrc -s nimsh"))[-1]
        finally:
            service.close()
