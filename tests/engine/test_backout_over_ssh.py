"""Cluster back-outs over real SSH (issue: guided rollback, point 6): after a Linuxha.net upgrade,
`cockpit rollback CONFIG --yes` restores the archived /etc/cluster and the previous package on every
node and forms the cluster again; without --yes it only shows the steps and changes nothing."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from cockpit.commands import backout
from cockpit.config import load_config
from cockpit.config.runbooks import load_runbook
from cockpit.domain.events import ListSink
from cockpit.engine.journal import Journal
from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for

NODES = ("node1", "node2", "node3")


async def on(config, host: str, command: str) -> str:  # type: ignore[no-untyped-def]
    transport = transport_for(config.host(host), config.ssh)
    try:
        return (await transport.run(command, timeout=30)).stdout
    finally:
        await transport.close()


async def test_linuxha_back_out_restores_the_old_version_on_every_node(tmp_path: Path) -> None:
    fleet = await SimFleet.start(load_scenario("linuxha"), tmp_path / "fleet")
    try:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        upgrade = RunbookRun(
            config,
            Journal(config.state_dir / "journal.sqlite"),
            lambda h: transport_for(h, config.ssh),
            config_path=inventory,
        )
        assert (await upgrade.run(ListSink())).ok
        assert {(await on(config, n, "cat /etc/cluster/VERSION")).strip() for n in NODES} == {"1.1.01"}

        runbook = load_runbook("linuxha")
        shown = io.StringIO()
        # Without --yes: the plan with its exact commands, exit 2, nothing changed.
        code = await asyncio.to_thread(backout.run, config, inventory, runbook, (), yes=False, out=shown)
        assert code == backout.EXIT_USAGE
        text = shown.getvalue()
        assert "tar -C /etc/cluster -xzvf /root/old_valid_cluster_cfg.tgz" in text
        assert "rpm -Uvh /tmp/linuxha-1.0.4-1.noarch.rpm" in text
        assert "on node1, node2, node3" in text and text.rstrip().endswith("add --yes to run these steps.")
        assert (await on(config, "node2", "cat /etc/cluster/VERSION")).strip() == "1.1.01"

        # Half a cluster cannot go back on its own.
        err = io.StringIO()
        code = await asyncio.to_thread(backout.run, config, inventory, runbook, ("node2",), yes=True, err=err)
        assert code == backout.EXIT_USAGE and "backs out every node together" in err.getvalue()

        done = io.StringIO()
        code = await asyncio.to_thread(backout.run, config, inventory, runbook, (), yes=True, out=done)
        assert code == backout.EXIT_OK, done.getvalue()
        assert {(await on(config, n, "cat /etc/cluster/VERSION")).strip() for n in NODES} == {"1.0.4"}
        assert "UP" in await on(config, "node1", "clstat")
        journal = Journal(config.state_dir / "journal.sqlite")
        runs = [r for r in journal.runs() if r.runbook == "linuxha-backout"]
        assert len(runs) == 1
        actions = [(action, detail) for _, _, action, detail, _ in journal.actions(runs[0].run_id)]
        assert ("backout", "linuxha: confirmed with --yes") in actions
    finally:
        await fleet.stop()
