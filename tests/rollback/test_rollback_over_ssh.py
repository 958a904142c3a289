"""Rollback over real SSH to the simulated fleet: from the not-yet-rebooted state, from the rebooted one,
a refused target, a changed host key, and a reboot with nothing to boot."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncssh
import pytest

from cockpit.config import load_config
from cockpit.domain.events import ListSink
from cockpit.domain.host_lock import Holder, HostLock
from cockpit.domain.models import TargetState
from cockpit.domain.rollback import Refused, Situation
from cockpit.engine.journal import Journal
from cockpit.engine.rollback import Backoff, RollbackWizard
from cockpit.engine.run import LEVEL_BEFORE
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.sim.state import read
from cockpit.transports.factory import transport_for
from tests.engine.test_engine_over_ssh import make_engine
from tests.rollback.fleet import NEW, OLD, cockpit, host_view, reboot_over_ssh, scenario
from tests.sim.remote import lines


def wizard_for(inventory: Path) -> RollbackWizard:
    config = load_config(inventory)
    journal = Journal(config.state_dir / "journal.sqlite")
    return RollbackWizard(
        config, lambda h: transport_for(h, config.ssh), journal, "tester", backoff=Backoff(0.1, 2.0, 1.0)
    )


def rollback_runs(inventory: Path) -> list[tuple[str, str | None]]:
    journal = Journal(load_config(inventory).state_dir / "journal.sqlite")
    try:
        return [(r.run_id, r.outcome) for r in journal.runs() if r.runbook == "rollback"]
    finally:
        journal.close()


async def migrate(inventory: Path) -> str:
    """The nimadm run as `cockpit run --no-preflight` does it (every client must succeed); returns its run id."""
    engine = make_engine(inventory)
    try:
        finished = await asyncio.wait_for(engine.run(ListSink()), 60)
        assert finished.succeeded == tuple(engine.targets) and not finished.failed
        return engine.run_id
    finally:
        engine.journal.close()


async def test_not_rebooted_host_goes_back_by_its_bootlist_then_the_migrated_disk_is_freed(tmp_path: Path) -> None:
    async with await SimFleet.start(load_scenario(scenario(tmp_path, clients=2)), tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        # lpar02 is migrated through the master but the cockpit cannot reach it over SSH: no level recorded.
        inventory.write_text(inventory.read_text().replace(f"port: {fleet.hosts['lpar02']}\n", "port: 1\n"))
        run_id = await migrate(inventory)
        journal = Journal(load_config(inventory).state_dir / "journal.sqlite")
        assert journal.fact("lpar01", LEVEL_BEFORE).value == OLD  # type: ignore[union-attr]
        assert journal.fact("lpar02", LEVEL_BEFORE) is None
        assert [t for _, t, kind, _ in journal.events(run_id) if kind == "oslevel-before-unknown"] == ["lpar02"]
        assert (await host_view(fleet, "lpar01"))[1] == ["hdisk2 blv=hd5"]

        wizard = wizard_for(inventory)
        try:
            assessment = await wizard.assess("lpar01")
            assert assessment.situation is Situation.NOT_REBOOTED and assessment.old_disk == "hdisk0"
            # The wizard never reboots into what would not boot the old system: not the migrated disk ...
            reboot = next(s for s in wizard.plan("lpar01", reboot=True) if s.id == "reboot")
            boots = read(str(fleet.fleet_dir), "lpar01")["boot_count"]
            outcome = await wizard.execute(reboot)
            assert (
                not outcome.ok and "not rebooted: the bootlist starts with hdisk2 blv=hd5, not hdisk0" in outcome.detail
            )
            # ... nor an empty bootlist.
            await lines(fleet, "lpar01", "bootlist -m normal -i")
            outcome = await wizard.execute(reboot)
            assert outcome.detail == "not rebooted: the bootlist is empty: the host would not boot"
            assert read(str(fleet.fleet_dir), "lpar01")["boot_count"] == boots
            await lines(fleet, "lpar01", "bootlist -m normal hdisk2")  # as nimadm left it
            wizard.finish("failed")
        finally:
            await wizard.close()
            wizard.journal.close()

        # A selection is read as a whole: one host that cannot be read changes nothing anywhere.
        both = await cockpit("rollback", str(inventory), "--host", "lpar01", "--host", "lpar02", "--yes", "--headless")
        assert both.exit_status == 1
        assert "lpar02: cannot read where it stands: lpar02: cannot connect to 127.0.0.1:1" in both.out
        assert "nothing was changed" in both.out and (await host_view(fleet, "lpar01"))[1] == ["hdisk2 blv=hd5"]

        proposed = await cockpit("rollback", str(inventory), "--host", "lpar01", "--headless")
        assert proposed.exit_status == 2
        assert "      1. bootlist -m normal hdisk0" in proposed.out
        assert "nothing was changed; re-run with --yes to do it" in proposed.out
        # Only looking writes nothing: no run "proposed" to take the place of the migration in the record.
        assert "journal: nothing written (without --yes this was a look, not a rollback)" in proposed.out
        assert (await host_view(fleet, "lpar01"))[1] == ["hdisk2 blv=hd5"]

        done = await cockpit("rollback", str(inventory), "--host", "lpar01", "--yes", "--headless")
        assert done.exit_status == 0, done.out + done.err
        assert "lpar01: verified: running 7100-05-03-1838 from hdisk0, the bootlist names it" in done.out
        assert await host_view(fleet, "lpar01") == (
            OLD,
            ["hdisk0 blv=hd5"],
            [["hdisk0", "rootvg", "active"], ["hdisk1", "datavg", "active"], ["hdisk2", "altinst_rootvg"]],
        )
        rollback_id = rollback_runs(inventory)[-1][0]
        # The migration's record now says where the host is: rolled back (lpar02 stays migrated).
        report = await cockpit("report", str(inventory), run_id)
        assert "| lpar01 | succeeded, then ↺ rolled back |" in report.out
        assert "| lpar02 | succeeded |" in report.out
        assert f"rollback run {rollback_id}: verified back on hdisk0" in report.out
        as_json = json.loads((await cockpit("report", str(inventory), run_id, "--format", "json")).out)
        by_name = {t["target"]: t for t in as_json["targets"]}
        assert by_name["lpar01"]["outcome"] == "succeeded" and by_name["lpar02"]["rolled_back"] is None
        assert by_name["lpar01"]["rolled_back"]["detail"] == f"rollback run {rollback_id}: verified back on hdisk0"
        steps = [(s.step, s.state, s.command) for s in journal.steps(rollback_id)]
        assert steps[:2] == [
            ("set-bootlist", "succeeded", "bootlist -m normal hdisk0"),
            ("check-bootlist", "succeeded", "bootlist -m normal -o"),
        ]

        cleaned = await cockpit("rollback", str(inventory), "--host", "lpar01", "--yes", "--cleanup", "--headless")
        assert cleaned.exit_status == 0, cleaned.out + cleaned.err
        assert "lpar01: rolled back:" in cleaned.out
        assert "lpar01: clean-up verified: lspv shows hdisk2 in no volume group" in cleaned.out
        level, bootlist, lspv = await host_view(fleet, "lpar01")
        assert (level, bootlist, lspv[2]) == (OLD, ["hdisk0 blv=hd5"], ["hdisk2", "None"])
        assert [o for _, o in rollback_runs(inventory)] == ["failed", "failed", "verified", "verified"]
        # The migration's record points at the rollbacks that changed its host.
        pointers = [d for _, t, action, d, _ in journal.actions(run_id) if action == "rollback"]
        assert len(pointers) == 3 and pointers[-1].endswith(": verified")
        journal.close()


async def test_rebooted_host_is_rebooted_back_onto_the_recorded_level(tmp_path: Path) -> None:
    async with await SimFleet.start(load_scenario(scenario(tmp_path)), tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        run_id = await migrate(inventory)
        await reboot_over_ssh(fleet, "lpar01")
        migrated = await host_view(fleet, "lpar01")
        assert migrated == (
            NEW,
            ["hdisk2 blv=hd5"],
            [["hdisk0", "old_rootvg"], ["hdisk1", "datavg", "active"], ["hdisk2", "rootvg", "active"]],
        )

        # A wrong choice of disk is refused with the reason, and nothing changes on the host.
        boots = read(str(fleet.fleet_dir), "lpar01")["boot_count"]
        datavg = await cockpit("rollback", str(inventory), "--host", "lpar01", "--disk", "hdisk1", "--yes", "--reboot")
        assert datavg.exit_status == 2
        assert datavg.out.splitlines()[0].startswith("lpar01: rebooted: running 7200-05-06-2320 from hdisk2")
        reason = "hdisk1 belongs to datavg, a data volume group: no boot image of the previous system is on it"
        assert f"refused: lpar01: {reason}" in datavg.out
        running = await cockpit("rollback", str(inventory), "--host", "lpar01", "--disk", "hdisk2", "--yes", "--reboot")
        assert running.exit_status == 2 and "hdisk2 holds the running rootvg (7200-05-06-2320)" in running.out
        assert await host_view(fleet, "lpar01") == migrated
        assert read(str(fleet.fleet_dir), "lpar01")["boot_count"] == boots

        done = await cockpit("rollback", str(inventory), "--host", "lpar01", "--yes", "--reboot")
        assert done.exit_status == 0, done.out + done.err
        assert "rollback runs headless here (same checks); the guided wizard is `b` in the cockpit" in done.err
        assert "lpar01: [3/3] shutdown -Fr" in done.out
        assert "lpar01:       ok: went down and answered again after" in done.out
        assert (
            "lpar01: check level    ok   oslevel -s 7100-05-03-1838, recorded before the migration 7100-05-03-1838"
            in (done.out)
        )
        assert await host_view(fleet, "lpar01") == (
            OLD,
            ["hdisk0 blv=hd5"],
            [["hdisk0", "rootvg", "active"], ["hdisk1", "datavg", "active"], ["hdisk2", "altinst_rootvg"]],
        )

        journal = Journal(load_config(inventory).state_dir / "journal.sqlite")
        try:
            assert [o for _, o in rollback_runs(inventory)] == ["refused", "refused", "verified"]
            rollback_id = rollback_runs(inventory)[-1][0]
            assert [(s.step, s.state) for s in journal.steps(rollback_id)] == [
                ("set-bootlist", "succeeded"),
                ("check-bootlist", "succeeded"),
                ("reboot", "succeeded"),
                ("cleanup", "offered"),
                ("clear-hdisk2", "offered"),
            ]
            events = {kind: detail for _, _, kind, detail in journal.events(rollback_id)}
            assert events["rollback-assessed"]["situation"] == "rebooted"
            assert events["rollback-assessed"]["recorded_in"] == run_id
            assert events["rollback-reboot"]["ok"] is True
            assert events["rollback-verified"]["ok"] is True
            actions = [a for _, _, a, _, _ in journal.actions(rollback_id)]
            assert actions == ["rollback:set-bootlist", "rollback:check-bootlist", "rollback:reboot"]
        finally:
            journal.close()


async def test_a_changed_host_key_after_the_reboot_is_refused(tmp_path: Path) -> None:
    async with await SimFleet.start(load_scenario(scenario(tmp_path)), tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        wizard = wizard_for(inventory)
        try:
            await wizard.assess("lpar01")  # connected with the trusted key
            port = fleet.hosts["lpar01"]
            other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().split()[1]
            known = fleet.known_hosts_path.read_text().splitlines()
            fleet.known_hosts_path.write_text(
                "\n".join(f"[127.0.0.1]:{port} ssh-ed25519 {other}" if f"]:{port} " in k else k for k in known) + "\n"
            )
            outcome = await wizard.reboot_and_wait("lpar01", timeout=15)
            assert not outcome.ok and "HOST KEY CHANGED" in outcome.detail
            assert "lpar01" not in wizard.rebooted
        finally:
            await wizard.close()
            wizard.journal.close()


async def test_a_reboot_with_nothing_to_boot_never_comes_back(tmp_path: Path) -> None:
    # What the cockpit refuses to do, the simulator makes visible: a bootlist of a free disk leaves the LPAR
    # in its firmware.
    async with await SimFleet.start(load_scenario(scenario(tmp_path)), tmp_path / "fleet") as fleet:
        assert await lines(fleet, "lpar01", "bootlist -m normal hdisk2; bootinfo -b") == ["hdisk0"]
        await fleet.reboot("lpar01")
        await asyncio.sleep(0.5)  # longer than the scenario's reboot
        assert fleet.is_down("lpar01")
        st = read(str(fleet.fleet_dir), "lpar01")
        assert st["halted"] == "no boot image on any bootlist device: hdisk2" and st["boot_disk"] == "hdisk0"
        try:
            await lines(fleet, "lpar01", "true")
        except (OSError, asyncssh.HostKeyNotVerifiable):
            # Refused, or (the suite runs in parallel) another test's server took the freed port and
            # answered with a key that is not lpar01's: refused too. Either way lpar01 did not answer.
            pass
        else:
            raise AssertionError("lpar01 answered with nothing to boot")


async def test_a_migration_that_holds_the_clients_lock_refuses_its_rollback(tmp_path: Path) -> None:
    """Another cockpit migrating lpar01 holds its lock on the master: the wizard says who and changes nothing."""
    async with await SimFleet.start(load_scenario(scenario(tmp_path)), tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        await migrate(inventory)
        config = load_config(inventory)
        master = config.master_of("lpar01")
        assert master is not None
        lock = HostLock(master.work_dir, "lpar01")
        other = Holder("alice", "laptop2", "20261206-020000-001", 4242, 1_765_000_000, "0123456789abcdef")
        assert (await lines(fleet, master.name, lock.take_script(other)))[0] == "cockpit-lock: taken"
        bootlist = (await host_view(fleet, "lpar01"))[1]
        wizard = wizard_for(inventory)
        try:
            assessment = await wizard.assess("lpar01")
            assert assessment.refused
            held = f"a migration holds lpar01's lock at {master.name}:{lock.directory}: alice@laptop2"
            assert held in assessment.reason
            assert "run 20261206-020000-001, cockpit pid 4242" in assessment.reason
            with pytest.raises(Refused, match="a migration holds lpar01's lock"):
                wizard.plan("lpar01", reboot=False)
            assert (await host_view(fleet, "lpar01"))[1] == bootlist  # nothing changed on the client
            # The migration ends and gives its lock back: the same wizard now offers the rollback.
            await lines(fleet, master.name, lock.release_script(other.token))
            assessment = await wizard.assess("lpar01")
            assert not assessment.refused and assessment.situation is Situation.NOT_REBOOTED
        finally:
            await wizard.close()
            wizard.journal.close()


async def test_the_rollback_holds_the_migration_lock_from_its_first_change_until_it_closes(tmp_path: Path) -> None:
    """No migration of lpar01 can start while its rollback changes it: the rollback holds the same lock."""
    async with await SimFleet.start(load_scenario(scenario(tmp_path)), tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        await migrate(inventory)
        master = load_config(inventory).master_of("lpar01")
        assert master is not None
        lock = HostLock(master.work_dir, "lpar01")
        wizard = wizard_for(inventory)
        try:
            await wizard.assess("lpar01")
            assert (await lines(fleet, master.name, lock.read_script()))[0] == "cockpit-lock: released"  # a look
            step = next(s for s in wizard.plan("lpar01", reboot=False) if s.changes_host)
            assert (await wizard.execute(step)).ok
            held = await lines(fleet, master.name, lock.read_script())
            assert held[0] == "cockpit-lock: held" and f"run={wizard.run_id}" in held
            # A migration of lpar01 from another cockpit is now refused, naming the rollback's run.
            engine = make_engine(inventory)
            try:
                finished = await asyncio.wait_for(engine.run(ListSink()), 60)
            finally:
                engine.journal.close()
            assert "lpar01" in finished.failed and "lpar01" not in finished.succeeded
            assert engine.progress["lpar01"].state is TargetState.BLOCKED
            assert wizard.run_id in (engine.progress["lpar01"].error or "")
        finally:
            await wizard.close()
            wizard.journal.close()
        assert (await lines(fleet, master.name, lock.read_script()))[0] == "cockpit-lock: released"
