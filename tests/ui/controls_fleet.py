"""The cockpit as `cockpit run` builds it (engine controls, keep_open) on a simulated fleet over real SSH."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.ui.app import CockpitApp
from tests.engine.test_controls_over_ssh import HANG_IN_3
from tests.engine.test_engine_over_ssh import make_engine, scenario_file

__all__ = ["HANG_IN_3", "OPERATOR", "Controlled", "controlled_cockpit"]

OPERATOR = "tester"


@dataclass
class Controlled:
    app: CockpitApp
    engine: RunbookRun
    fleet: SimFleet

    def actions(self) -> list[tuple[str | None, str, str, str]]:
        """(target, action, detail, operator) of every journaled control, in order."""
        return [(t, a, d, o) for _at, t, a, d, o in self.engine.journal.actions(self.engine.run_id)]


@asynccontextmanager
async def controlled_cockpit(
    tmp_path: Path, hosts_block: str | None = None, *, autostart: bool = True
) -> AsyncIterator[Controlled]:
    """tiny.yaml (optionally with other per-host faults) on loopback, and the cockpit with the engine's controls."""
    fleet = await SimFleet.start(load_scenario(scenario_file(tmp_path, hosts_block=hosts_block)), tmp_path / "fleet")
    try:
        engine = make_engine(fleet.write_inventory(tmp_path / "inventory.yaml"), operator=OPERATOR)
        app = CockpitApp(
            functools.partial(engine.run, keep_open=True),
            list(engine.progress),
            engine.log_path,
            title="troubleshoot",
            autostart=autostart,
            controls=engine,
            resume_command="cockpit run inventory.yaml --resume",
        )
        yield Controlled(app, engine, fleet)
    finally:
        await fleet.stop()
