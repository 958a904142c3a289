"""Operator controls on a real run over SSH: kill a stalled client, retry it from its phase, and more."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cockpit.domain.events import ListSink, TargetChanged
from cockpit.domain.models import TargetState
from cockpit.engine.run import ControlError
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from tests.engine.test_engine_over_ssh import make_engine, scenario_file, wait_for

HANG_IN_3 = "hosts:\n  lpar01:\n    faults: {hang_phase: 3}\n  lpar02: {}\n"


async def test_stalled_client_is_killed_and_retried_from_its_phase_to_success(tmp_path: Path) -> None:
    fleet = await SimFleet.start(load_scenario(scenario_file(tmp_path, hosts_block=HANG_IN_3)), tmp_path / "fleet")
    try:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        engine = make_engine(inventory)
        sink = ListSink()
        run = asyncio.create_task(engine.run(sink, keep_open=True))
        await wait_for(lambda: engine.progress["lpar01"].state is TargetState.STALLED, 30)
        assert engine.progress["lpar01"].phase == 3

        # Inspect: the step's process tree on the master shows nimadm still there, waiting.
        tree = await engine.probe("lpar01", "processes")
        assert tree.host == "nim01" and tree.exit_status == 0
        assert "aixcmd.py nimadm -c lpar01" in tree.text
        nim = await engine.probe("lpar01", "lsnim")
        assert nim.text.startswith("lpar01:")
        mounts = await engine.probe("lpar01", "nfs_mounts")
        assert "lpar01   /alt_inst/usr" in mounts.text and "/lpar01_alt/alt_inst/usr nfs3" in mounts.text
        alt_mig = await engine.probe("lpar01", "alt_mig_log")
        assert alt_mig.exit_status == 0 and "Executing nimadm phase 3." in alt_mig.text

        with pytest.raises(ControlError, match="stop it before retrying"):
            engine.retry_from("lpar01", 3)
        result = await engine.kill("lpar01", "TERM")
        assert "sent SIGTERM" in result.stdout
        await wait_for(lambda: engine.progress["lpar01"].state is TargetState.FAILED, 30)
        assert engine.progress["lpar01"].exit_status == 143

        engine.retry_from("lpar01", 3)
        await wait_for(lambda: engine.progress["lpar01"].state.finished, 30)
        assert engine.progress["lpar01"].state is TargetState.SUCCEEDED
        assert engine.progress["lpar01"].phase == 12
        await wait_for(lambda: engine.progress["lpar02"].state.finished, 30)
        engine.close()
        finished = await asyncio.wait_for(run, 10)
        assert "lpar01" in finished.succeeded

        # The log reads as one run: phases 1-3, the kill, then phases 3..12 of the retry, each banner once
        # except phase 3 (started, hung, retried).
        text = engine.log_path("lpar01").read_text()
        banners = [
            int(line.split()[-1].rstrip(".")) for line in text.splitlines() if line.startswith("Executing nimadm phase")
        ]
        assert banners == [1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        # Every action is in the journal with who did it.
        actions = [a[2] for a in engine.journal.actions(engine.run_id)]
        assert actions == ["probe"] * 4 + ["kill-term", "retry"]
        steps = [s.step for s in engine.journal.target_steps(engine.run_id, "lpar01")]
        assert steps == ["nimadm"] + [f"nimadm-P{n}-r1" for n in range(3, 13)]
        # The stall was announced and the retry reason too.
        reasons = [e.reason for e in sink.events if isinstance(e, TargetChanged) and e.target == "lpar01"]
        assert any(r and r.startswith("stalled: silent for") for r in reasons)
        assert "retry from phase 3" in reasons
    finally:
        await fleet.stop()


async def test_pause_starts_abort_a_waiting_client_and_raise_concurrency(tmp_path: Path) -> None:
    fleet = await SimFleet.start(load_scenario(scenario_file(tmp_path)), tmp_path / "fleet")
    try:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        engine = make_engine(inventory)
        await engine.gate.set_limit(1)
        await engine.pause_starts()
        run = asyncio.create_task(engine.run(ListSink()))
        await asyncio.sleep(0.5)
        assert all(p.state is TargetState.PENDING for p in engine.progress.values())  # paused: nothing starts
        await engine.abort("lpar02")
        assert engine.progress["lpar02"].state is TargetState.BLOCKED
        await engine.resume_starts()
        await engine.set_concurrency(2)
        finished = await asyncio.wait_for(run, 30)
        assert finished.succeeded == ("lpar01",)
        assert engine.progress["lpar02"].error and "aborted by" in engine.progress["lpar02"].error
        actions = [a[2] for a in engine.journal.actions(engine.run_id)]
        assert actions == ["pause-starts", "abort", "resume-starts", "concurrency"]
    finally:
        await fleet.stop()


async def test_mark_failed_and_snooze_are_journaled(tmp_path: Path) -> None:
    fleet = await SimFleet.start(load_scenario(scenario_file(tmp_path, hosts_block=HANG_IN_3)), tmp_path / "fleet")
    try:
        engine = make_engine(fleet.write_inventory(tmp_path / "inventory.yaml"))
        run = asyncio.create_task(engine.run(ListSink(), keep_open=True))
        await wait_for(lambda: engine.progress["lpar01"].state is TargetState.STALLED, 30)
        engine.snooze("lpar01", 3600)
        assert engine.progress["lpar01"].state is TargetState.RUNNING  # the alarm is off for an hour
        with pytest.raises(ControlError, match="needs a reason"):
            engine.mark_failed("lpar01", " ")
        await engine.kill("lpar01", "KILL")
        await wait_for(lambda: engine.progress["lpar01"].state is TargetState.FAILED, 30)
        engine.mark_failed("lpar01", "NFS server down, rescheduled")
        assert "rescheduled" in (engine.progress["lpar01"].error or "")
        await wait_for(lambda: engine.progress["lpar02"].state.finished, 30)
        engine.close()
        await asyncio.wait_for(run, 10)
        actions = [(a[2], a[3]) for a in engine.journal.actions(engine.run_id)]
        assert actions[0] == ("snooze", "3600s")
        assert actions[-1] == ("mark-failed", "NFS server down, rescheduled")
    finally:
        await fleet.stop()
