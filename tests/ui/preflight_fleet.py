"""The cockpit with a real PreflightService and engine on a simulated fleet over real SSH, for UI tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from cockpit.config import load_config
from cockpit.engine.journal import Journal
from cockpit.engine.preflight import PreflightService
from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import SCENARIO_DIR, load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.preflight import PreflightScreen
from tests.ui.conftest import wait_until

NIMSH_DOWN = "lpar01"
GHOST = "lpar02"  # tiny.yaml's own trap: a ghost device on major 43


def tiny_with_nimsh_down(tmp_path: Path, *, reboot_minutes: int | None = None) -> Path:
    """tiny.yaml (nim01, lpar01, lpar02 with a ghost major) plus nimsh down on lpar01."""
    text = (SCENARIO_DIR / "tiny.yaml").read_text()
    start, end = text.index("hosts:\n"), text.index("plan:\n")
    hosts = f"hosts:\n  {NIMSH_DOWN}:\n    faults: {{nimsh_down: true}}\n"
    hosts += f"  {GHOST}:\n    faults: {{ghost_major: 43}}\n\n"
    text = text[:start] + hosts + text[end:]
    if reboot_minutes is not None:
        text = text.replace("reboot_minutes: 5", f"reboot_minutes: {reboot_minutes}")
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


@dataclass
class Cockpit:
    app: CockpitApp
    engine: RunbookRun
    service: PreflightService
    fleet: SimFleet

    @property
    def preflight(self) -> PreflightScreen:
        screen = self.app.preflight
        assert screen is not None
        return screen


def build(fleet: SimFleet, workdir: Path, title: str = "preflight") -> tuple[CockpitApp, RunbookRun, PreflightService]:
    inventory = fleet.write_inventory(workdir / "inventory.yaml")
    config = load_config(inventory)
    engine = RunbookRun(
        config,
        Journal(config.state_dir / "journal.sqlite"),
        lambda host: transport_for(host, config.ssh),
        config_path=inventory,
    )
    service = PreflightService(config, lambda host: transport_for(host, config.ssh), operator="tester")
    app = CockpitApp(engine.run, list(engine.progress), engine.log_path, title=title, preflight=service)
    return app, engine, service


@asynccontextmanager
async def cockpit_on(scenario: str | Path, workdir: Path) -> AsyncIterator[Cockpit]:
    """A fleet on loopback and the cockpit built on it as `cockpit run` does (not yet running)."""
    fleet = await SimFleet.start(load_scenario(scenario), workdir / "fleet")
    try:
        app, engine, service = build(fleet, workdir)
        try:
            yield Cockpit(app, engine, service, fleet)
        finally:
            service.close()
    finally:
        await fleet.stop()


async def preflight_ready(pilot: Pilot[None], cockpit: Cockpit, timeout: float = 30) -> PreflightScreen:
    """Wait until the preflight has answered and nothing is running on its screen."""
    await wait_until(pilot, lambda: cockpit.app.preflight is not None and cockpit.app.preflight.ready, timeout)
    await pilot.pause()
    return cockpit.preflight


@contextmanager
def fleet_in_thread(scenario: str, workdir: Path) -> Iterator[SimFleet]:
    """A SimFleet served by its own event loop in a thread: for an app that snap_compare runs in its loop."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sim-fleet", daemon=True)
    thread.start()
    try:
        fleet = asyncio.run_coroutine_threadsafe(SimFleet.start(scenario, workdir), loop).result(60)
        try:
            yield fleet
        finally:
            asyncio.run_coroutine_threadsafe(fleet.stop(), loop).result(60)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
