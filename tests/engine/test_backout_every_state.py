"""Cluster back-outs from every state an upgrade can stop in, over real SSH.

The forward run of each cluster runbook is failed at each of its steps in turn (the simulator's
`fail_step` fault: the step's command fails on one host before it changes anything; in lockstep the
other hosts have done that step already), then `cockpit rollback CONFIG --yes` runs the back-out.
Whatever the step, the back-out must complete and leave the cluster on the old version with its
service up: each back-out step looks at the host before it acts. Small clusters, a fast clock.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest

from cockpit.config import load_config
from cockpit.config.models import Config
from cockpit.config.runbooks import load_runbook
from cockpit.domain.events import ListSink
from cockpit.domain.models import TargetState
from cockpit.engine.journal import Journal
from cockpit.engine.run import RunbookRun
from cockpit.sim import state
from cockpit.sim.aix import vg
from cockpit.sim.scenario import Scenario, load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for
from tests.rollback.fleet import cockpit

TIME_SCALE = 20000  # one AIX minute is 3 ms: the steps' own pace is not what these tests look at
LINUXHA = load_runbook("linuxha")
HACWS = load_runbook("hacws")
DAEMONS = ["cldaemon-prodcl", "cllockd-prodcl", "clnetd-prodcl", "clhbd-prodcl", "clhbd2-prodcl"]


ONLY_ON = {"backup-shared-vg": "cws1"}
"""Steps whose guard passes over every host but one (savevg runs where spdatavg is varied on)."""


def failing_at(name: str, step_id: str, hosts: int | None = None) -> Scenario:
    """The shipped scenario `name` with step `step_id` failing on one host: the first target for a step
    run once for the cluster (`first`, `role:primary`), else the last (so the others did the step)."""
    scenario = dataclasses.replace(load_scenario(name, hosts=hosts), time_scale=TIME_SCALE)
    runbook = load_runbook(scenario.runbook)
    step = next(s for s in runbook.steps if s.id == step_id)
    clients = list(scenario.clients)
    index = 0 if step.on == "first" else len(clients) - 1
    if step.on.startswith("role:"):
        index = next(i for i, c in enumerate(clients) if c.target_role == step.on[5:])
    if step_id in ONLY_ON:
        index = next(i for i, c in enumerate(clients) if c.name == ONLY_ON[step_id])
    clients[index] = dataclasses.replace(clients[index], faults={**clients[index].faults, "fail_step": step_id})
    return dataclasses.replace(scenario, clients=tuple(clients))


async def on(config: Config, host: str, command: str) -> tuple[int, list[str]]:
    transport = transport_for(config.host(host), config.ssh)
    try:
        result = await transport.run(command, timeout=30)
    finally:
        await transport.close()
    return result.exit_status, result.stdout.splitlines()


async def upgrade(config: Config, inventory: Path) -> RunbookRun:
    engine = RunbookRun(
        config,
        Journal(config.state_dir / "journal.sqlite"),
        lambda h: transport_for(h, config.ssh),
        config_path=inventory,
    )
    try:
        await asyncio.wait_for(engine.run(ListSink()), 60)
    finally:
        engine.journal.close()
    return engine


def assert_failed_at(engine: RunbookRun, step_id: str) -> None:
    """The forward run stopped at `step_id` on the host the fault was on (not earlier, not later)."""
    index = next(i for i, s in enumerate(engine.binding.runbook.steps, start=1) if s.id == step_id)
    failed = {t: p for t, p in engine.progress.items() if p.state is TargetState.FAILED}
    assert len(failed) == 1, {t: p.state for t, p in engine.progress.items()}
    (progress,) = failed.values()
    assert progress.phase == index and "fail_step" in (progress.error or ""), progress.error


async def linuxha_is_back(config: Config, nodes: list[str]) -> None:
    """Every node on the old package and its version file, the five daemons, the cluster and its application up."""
    for node in nodes:
        assert await on(config, node, "rpm -qa") == (0, ["linuxha-1.0.4-1"]), node
        assert await on(config, node, "cat /etc/cluster/VERSION") == (0, ["1.0.4"]), node
        _, ps = await on(config, node, "ps -ef")
        assert [line.split()[-1] for line in ps if line.split()[-1].endswith("-prodcl")] == DAEMONS, node
    _, stat = await on(config, nodes[0], "clstat")
    assert stat[0] == "Cluster: prodcl - UP"
    assert stat[-1].split() == ["webapp", nodes[0], "RUNNING"]


@pytest.mark.parametrize("step_id", [s.id for s in LINUXHA.steps])
async def test_linuxha_back_out_completes_after_a_failure_at_any_step(step_id: str, tmp_path: Path) -> None:
    async with await SimFleet.start(failing_at("linuxha", step_id, hosts=2), tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        assert_failed_at(await upgrade(config, inventory), step_id)

        done = await cockpit("rollback", str(inventory), "--yes", "--headless")
        assert done.exit_status == 0, done.out + done.err
        assert "Back-out of linuxha done on node1, node2." in done.out
        await linuxha_is_back(config, ["node1", "node2"])


async def test_linuxha_fail_backs_out_with_the_cockpit_command(tmp_path: Path) -> None:
    """The field's failure (node2 lacks a dependency of the new package): node1 has the new package,
    node2 none; the back-out removes it only where it is, reinstalls the old one everywhere, forms."""
    scenario = dataclasses.replace(load_scenario("linuxha-fail"), time_scale=TIME_SCALE)
    async with await SimFleet.start(scenario, tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        engine = await upgrade(config, inventory)
        assert engine.progress["node2"].state is TargetState.FAILED
        assert (await on(config, "node2", "rpm -qa")) == (0, [])  # the old package went in step 4

        done = await cockpit("rollback", str(inventory), "--yes", "--headless")
        assert done.exit_status == 0, done.out + done.err
        assert "skipped remove-new: linuxha12 is not installed on node2" in done.out
        await linuxha_is_back(config, ["node1", "node2", "node3"])
        # The upgrade's record says each node is back; so do the back-out's last lines.
        reason = f"linuxha run {engine.run_id}: back-out run "
        assert [line.split()[1:4] for line in done.out.splitlines() if reason in line] == [
            [node, "ROLLED", "BACK"] for node in ("node1", "node2", "node3")
        ]
        report = await cockpit("report", str(inventory), engine.run_id)
        assert "| node2 | failed, then ↺ rolled back |" in report.out
        assert "| node1 | blocked, then ↺ rolled back |" in report.out
        runs = await cockpit("runs", str(inventory), "--format", "json")
        counts = {r["runbook"]: (r["succeeded"], r["failed"]) for r in json.loads(runs.out)}
        assert counts == {"linuxha": (0, 3), "linuxha-backout": (3, 0)}  # the upgrade's counts stay its own
        # Run again on a cluster that is back: every step finds nothing to do, and says so.
        again = await cockpit("rollback", str(inventory), "--yes", "--headless")
        assert again.exit_status == 0, again.out + again.err
        assert "skipped halt-new" in again.out and "skipped form: prodcl runs on node1 already" in again.out
        await linuxha_is_back(config, ["node1", "node2", "node3"])


async def hacws_is_back(config: Config, level: str = "4.3.3.0") -> None:
    """Both control workstations at the level they had, the shared volume group varied on on the active one."""
    for cw in ("cws1", "cws2"):
        assert await on(config, cw, "oslevel") == (0, [level]), cw
    assert "spdatavg" in (await on(config, "cws1", "lsvg -o"))[1]
    assert "spdatavg" not in (await on(config, "cws2", "lsvg -o"))[1]


@pytest.mark.parametrize("step_id", [s.id for s in HACWS.steps])
async def test_hacws_back_out_completes_after_a_failure_at_any_step(step_id: str, tmp_path: Path) -> None:
    async with await SimFleet.start(failing_at("hacws", step_id), tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        assert_failed_at(await upgrade(config, inventory), step_id)

        done = await cockpit("rollback", str(inventory), "--yes", "--headless")
        assert done.exit_status == 0, done.out + done.err
        assert "skipped restore-shared-vg: spdatavg is defined on cws1: nothing to restore" in done.out
        await hacws_is_back(config)


async def test_hacws_back_out_restores_a_lost_shared_volume_group_and_fails_without_its_image(tmp_path: Path) -> None:
    scenario = dataclasses.replace(load_scenario("hacws"), time_scale=TIME_SCALE)
    async with await SimFleet.start(scenario, tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        assert all(p.state is TargetState.SUCCEEDED for p in (await upgrade(config, inventory)).progress.values())
        # The install between the runs lost spdatavg on the primary: the back-out makes it again.
        with state.update(str(fleet.fleet_dir), "cws1") as st:
            vg.remove_vg(st, "spdatavg")
        done = await cockpit("rollback", str(inventory), "--yes", "--headless")
        assert done.exit_status == 0, done.out + done.err
        assert "skipped restore-shared-vg" not in done.out
        journal = Journal(config.state_dir / "journal.sqlite")
        backout_run = journal.runs()[-1].run_id
        restored = journal.step(backout_run, "cws1", "restore-shared-vg")
        assert restored is not None and restored.state == "succeeded" and restored.exit_status == 0
        await hacws_is_back(config)
        # Lost again, and its savevg image gone too: the back-out cannot bring it back and says so.
        with state.update(str(fleet.fleet_dir), "cws1") as st:
            vg.remove_vg(st, "spdatavg")
        (fleet.fleet_dir / "hosts" / "cws1" / "root" / "backup" / "spdatavg.savevg").unlink()
        failed = await cockpit("rollback", str(inventory), "--yes", "--headless")
        assert failed.exit_status == 1
        assert "Back-out of hacws did not complete: cws1" in failed.out
