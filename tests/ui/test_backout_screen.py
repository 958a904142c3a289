"""The cluster back-out in the TUI, with the real engine over real SSH: Linuxha.net upgraded on three
simulated nodes, then `b` shows the back-out's steps with their exact commands and hosts, nothing runs
until the runbook's name is typed, and the nodes are back on 1.0.4 with the verdict green."""

from __future__ import annotations

import functools
from pathlib import Path

from cockpit.commands.tui.rollback import cluster_backout
from cockpit.config import load_config
from cockpit.domain.models import TargetState
from cockpit.engine.journal import Journal
from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.confirm import ConfirmScreen, Stage
from tests.ui.conftest import SIZE, wait_until


async def version(config, node: str) -> str:  # type: ignore[no-untyped-def]
    transport = transport_for(config.host(node), config.ssh)
    try:
        return (await transport.run("cat /etc/cluster/VERSION", timeout=30)).stdout.strip()
    finally:
        await transport.close()


async def test_b_backs_out_a_cluster_after_confirmation(tmp_path: Path) -> None:
    fleet = await SimFleet.start(load_scenario("linuxha"), tmp_path / "fleet")
    try:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        engine = RunbookRun(
            config,
            Journal(config.state_dir / "journal.sqlite"),
            lambda h: transport_for(h, config.ssh),
            config_path=inventory,
            operator="tester",
        )
        app = CockpitApp(
            functools.partial(engine.run, keep_open=True),
            list(engine.progress),
            engine.log_path,
            title="linuxha",
            controls=engine,
            backout=cluster_backout(engine),
        )
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: all(p.state is TargetState.SUCCEEDED for p in engine.progress.values()), 60)
            assert await version(config, "node2") == "1.1.01"
            await pilot.press("b")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10)
            screen = app.screen
            assert isinstance(screen, ConfirmScreen)
            plan = screen.body_text
            assert "rpm -Uvh /tmp/linuxha-1.0.4-1.noarch.rpm" in plan and "on node1, node2, node3" in plan
            assert screen.ask.type_name == "linuxha"  # it removes the new release on every node
            await pilot.press("y", "enter")  # a letter of the name, not the name: nothing runs
            assert screen.stage is Stage.CONFIRM and await version(config, "node2") == "1.1.01"
            await pilot.press("backspace", *"linuxha", "enter")
            await wait_until(pilot, lambda: screen.stage is Stage.DONE, 60)
            said = screen.body_text
            assert screen.outcome is not None and screen.outcome.ok, said
            assert screen.heading_text == "✓ Back-out of linuxha done."
            assert "✓ Back-out of linuxha done on node1, node2, node3" in said
            assert "finished: 3 succeeded" in said
            assert {await version(config, n) for n in ("node1", "node2", "node3")} == {"1.0.4"}
            await pilot.press("escape")
            await pilot.press("q")
    finally:
        await fleet.stop()
