"""Every built-in runbook over real SSH on the simulator: each runs to success, and each failing variant
stops at the right step with the real error text (every documented migration as a runbook).

The fleets are the shipped scenarios (cockpit/sim/scenarios/NAME.yaml), the same `cockpit demo
--scenario NAME` runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from cockpit.config import load_config
from cockpit.domain.events import ListSink, TargetChanged
from cockpit.domain.models import TargetState
from cockpit.engine.journal import Journal
from cockpit.engine.run import ControlError, RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for

OK, FAILED, BLOCKED = TargetState.SUCCEEDED, TargetState.FAILED, TargetState.BLOCKED
SCENARIOS = Path(__file__).resolve().parents[2] / "cockpit" / "sim" / "scenarios"


async def run_scenario(name: str, tmp_path: Path, check: Callable[[RunbookRun, SimFleet], object] | None = None):  # type: ignore[no-untyped-def]
    fleet = await SimFleet.start(load_scenario(name), tmp_path / "fleet")
    try:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        engine = RunbookRun(
            config,
            Journal(config.state_dir / "journal.sqlite"),
            lambda host: transport_for(host, config.ssh),
            config_path=inventory,
        )
        sink = ListSink()
        done = await asyncio.wait_for(engine.run(sink), 120)
        if check is not None:
            result = check(engine, fleet)
            if asyncio.iscoroutine(result):
                await result
        return engine, done, sink
    finally:
        await fleet.stop()


def states(engine: RunbookRun) -> dict[str, TargetState]:
    return {t: p.state for t, p in engine.progress.items()}


def log_text(engine: RunbookRun, target: str) -> str:
    return engine.log_path(target).read_text()


async def run_on(fleet: SimFleet, engine: RunbookRun, host: str, command: str) -> str:
    transport = engine.transport_for(engine.config.host(host))
    try:
        result = await transport.run(command, timeout=30)
    finally:
        await transport.close()
    return result.stdout


async def test_alt_disk_copy_clones_updates_and_sets_the_bootlist(tmp_path: Path) -> None:
    async def after(engine: RunbookRun, fleet: SimFleet) -> None:
        for host in ("lpar01", "lpar02"):
            disk = engine.config.plan.target_values(host)["disk"]
            assert (await run_on(fleet, engine, host, "bootlist -m normal -o")).split()[0] == disk
            assert "altinst_rootvg" in await run_on(fleet, engine, host, "lspv")

    engine, done, sink = await run_scenario("alt-disk-copy", tmp_path, after)
    assert done.ok and states(engine) == {"lpar01": OK, "lpar02": OK}
    log = log_text(engine, "lpar01")
    assert "alt_disk_copy" in log or "Phase" in log or "phase" in log
    steps = [e.step for e in sink.events if isinstance(e, TargetChanged) and e.target == "lpar01" and e.step]
    assert steps[0].startswith("Phase 1: copy rootvg") and steps[-1].startswith("The bootlist names")
    # The level before is recorded for a rollback, as for nimadm.
    assert Journal(engine.config.state_dir / "journal.sqlite").fact("lpar01", "oslevel-before") is not None


async def test_alt_disk_copy_fails_in_phase_3_on_a_multibos_host_and_can_be_undone(tmp_path: Path) -> None:
    engine, _done, _ = await run_scenario("alt-disk-copy-fail", tmp_path)
    assert states(engine) == {"lpar01": OK, "lpar02": FAILED}
    failed = engine.progress["lpar02"]
    assert failed.phase == 3
    assert failed.error == "alt_disk_copy: 0505-218 ATTENTION: init_multibos() returned an unexpected result."
    assert engine.cleanup_command("lpar02") == "alt_rootvg_op -X altinst_rootvg"
    assert engine.cleanup_host("lpar02") == "lpar02"


async def test_alt_disk_mksysb_installs_the_image_and_fails_on_a_ghost_device(tmp_path: Path) -> None:
    engine, done, _ = await run_scenario("alt-disk-mksysb", tmp_path)
    assert done.ok and set(states(engine).values()) == {OK}
    engine, done, _ = await run_scenario("alt-disk-mksysb-fail", tmp_path / "fail")
    assert states(engine) == {"lpar01": OK, "lpar02": FAILED}
    assert engine.progress["lpar02"].phase == 2  # the install step
    assert engine.progress["lpar02"].error == "0516-082 /usr/sbin/lchangelv: Unable to access a special device file"


async def test_hacws_backs_up_verifies_and_runs_hacws_verify_on_the_active_primary(tmp_path: Path) -> None:
    engine, done, _ = await run_scenario("hacws", tmp_path)
    assert done.ok and states(engine) == {"cws1": OK, "cws2": OK}
    journal = Journal(engine.config.state_dir / "journal.sqlite")
    by_step = {(r.target, r.step): r.state for r in journal.steps(engine.run_id)}
    assert by_step[("cws1", "hacws-verify")] == "succeeded"
    assert ("cws2", "hacws-verify") not in by_step  # role:primary only
    assert by_step[("cws2", "backup-shared-vg")] == "skipped"  # spdatavg is not varied on there
    assert by_step[("cws1", "backup-shared-vg")] == "succeeded"
    assert "0512-038 mksysb: Backup Completed Successfully." in log_text(engine, "cws2")


async def test_hacws_stops_both_workstations_when_one_is_below_the_level(tmp_path: Path) -> None:
    engine, _done, _ = await run_scenario("hacws-fail", tmp_path)
    assert states(engine) == {"cws1": BLOCKED, "cws2": FAILED}
    assert engine.progress["cws2"].phase == 3
    assert engine.progress["cws2"].error.endswith("the last line was: 4.3.2.0")  # type: ignore[union-attr]
    assert engine.progress["cws1"].error == "stopped: cws2 failed at step 3 (level)"


async def test_hacws_verify_is_refused_while_the_backup_is_the_active_workstation(tmp_path: Path) -> None:
    engine, _done, _ = await run_scenario("hacws-backup-active", tmp_path)
    assert states(engine) == {"cws1": FAILED, "cws2": OK}
    error = engine.progress["cws1"].error or ""
    assert error.startswith("refused: cws1 is not the active control workstation (spdatavg is not varied on there)")
    journal = Journal(engine.config.state_dir / "journal.sqlite")
    verify = journal.step(engine.run_id, "cws1", "hacws-verify")
    assert verify is not None and verify.launched_at is None  # never run, only refused


async def test_linuxha_upgrades_every_node_in_lockstep(tmp_path: Path) -> None:
    async def after(engine: RunbookRun, fleet: SimFleet) -> None:
        for node in ("node1", "node2", "node3"):
            assert (await run_on(fleet, engine, node, "cat /etc/cluster/VERSION")).strip() == "1.1.01"

    engine, done, _ = await run_scenario("linuxha", tmp_path, after)
    assert done.ok and set(states(engine).values()) == {OK}
    journal = Journal(engine.config.state_dir / "journal.sqlite")
    records = journal.steps(engine.run_id)
    # Lockstep: no node started `rpm -Uvh` before every node had finished `rpm -e`.
    removed = max(r.finished_at for r in records if r.step == "remove-old")  # type: ignore[type-var]
    installed = min(r.launched_at for r in records if r.step == "install")  # type: ignore[type-var]
    assert removed <= installed
    assert {r.target for r in records if r.step == "halt"} == {"node1"}  # cluster-wide: the first node
    assert journal.fact("node2", "linuxha-version-before").value == "1.0.4"  # type: ignore[union-attr]


async def test_linuxha_stops_every_node_at_the_failed_install_and_goes_on_after_a_retry(tmp_path: Path) -> None:
    engine, _done, _ = await run_scenario("linuxha-fail", tmp_path)
    assert states(engine) == {"node1": BLOCKED, "node2": FAILED, "node3": BLOCKED}
    assert engine.progress["node2"].error == (
        "error: Failed dependencies: perl-XML-Simple is needed by linuxha12-1.1.01-1.noarch"
    )
    assert engine.progress["node2"].phase == 5
    # The log says where each step's output begins, and what ran where.
    log = log_text(engine, "node2").splitlines()
    install = "Install /tmp/linuxha12-1.1.01-1.noarch.rpm (on node2): rpm -Uvh /tmp/linuxha12-1.1.01-1.noarch.rpm"
    marker = log.index(f"=== step 5/12: {install}")
    assert log[marker + 1] == "error: Failed dependencies:"
    assert not any(line.startswith("=== step 3/12") for line in log)  # clhalt ran on node1 only
    journal = Journal(engine.config.state_dir / "journal.sqlite")
    assert journal.step(engine.run_id, "node1", "build") is not None
    assert journal.step(engine.run_id, "node1", "build").launched_at is None  # type: ignore[union-attr]
    with pytest.raises(ControlError, match="the run is not active"):
        engine.retry_from("node2", 5)


async def test_a_lockstep_retry_goes_on_from_the_failed_step_without_redoing_what_nodes_did(tmp_path: Path) -> None:
    from cockpit.sim import state

    fleet = await SimFleet.start(load_scenario("linuxha-fail"), tmp_path / "fleet")
    try:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        engine = RunbookRun(
            config,
            Journal(config.state_dir / "journal.sqlite"),
            lambda host: transport_for(host, config.ssh),
            config_path=inventory,
        )
        sink = ListSink()
        run = asyncio.create_task(engine.run(sink, keep_open=True))
        while engine.progress["node2"].state is not FAILED or engine.scheduler.busy:
            await asyncio.sleep(0.05)
        lines = engine.retry_commands("node2", 5)
        # node1 and node3 did step 5 (rpm -Uvh) already: only node2 installs, then every node goes on.
        assert lines[0] == "node2: rpm -Uvh /tmp/linuxha12-1.1.01-1.noarch.rpm"
        assert not any(line.startswith(("node1: rpm -Uvh", "node3: rpm -Uvh")) for line in lines)
        # The operator installs the missing dependency on node2 (here: the simulator forgets it).
        with state.update(str(fleet.fleet_dir), "node2") as st:
            st["linuxha"]["missing"] = []
            for pkg in st["linuxha"]["rpm_files"].values():
                pkg["requires"] = []
        engine.retry_from("node2", 5)
        while not all(p.state.finished for p in engine.progress.values()) or engine.scheduler.busy:
            await asyncio.sleep(0.05)
        assert states(engine) == {"node1": OK, "node2": OK, "node3": OK}
        journal = Journal(config.state_dir / "journal.sqlite")
        installs = sorted(
            (r.target, r.step, r.state) for r in journal.steps(engine.run_id) if r.step.startswith("install")
        )
        assert installs == [
            ("node1", "install", "succeeded"),
            ("node2", "install", "failed"),
            ("node2", "install-r1", "succeeded"),
            ("node3", "install", "succeeded"),
        ]
        assert (await run_on(fleet, engine, "node2", "cat /etc/cluster/VERSION")).strip() == "1.1.01"
        engine.close()
        await asyncio.wait_for(run, 30)
    finally:
        await fleet.stop()


async def test_nimadm_succeeds_on_every_client_and_its_failing_variant_stops_in_phase_11(tmp_path: Path) -> None:
    text = (SCENARIOS / "nimadm.yaml").read_text().replace("time_scale: 185", "time_scale: 1100")
    (tmp_path / "nimadm.yaml").write_text(text.replace("count: 8", "count: 3"))
    engine, done, _ = await run_scenario(str(tmp_path / "nimadm.yaml"), tmp_path / "ok")
    assert done.ok and set(states(engine).values()) == {OK}
    engine, _done, _ = await run_scenario("nimadm-fail", tmp_path / "fail")  # the engine alone: no preflight gate
    assert states(engine) == {"lpar01": OK, "lpar02": FAILED}
    assert engine.progress["lpar02"].phase == 11
    assert (
        engine.progress["lpar02"].error
        == "alt_disk_copy: 0505-218 ATTENTION: init_multibos() returned an unexpected result."
    )
