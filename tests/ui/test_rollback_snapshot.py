"""SVG snapshots of the rollback wizard on a not-yet-rebooted host, read over real SSH from the simulator.

lpar01 got an alternate rootvg on hdisk2 (alt_disk_copy, which also points the bootlist at it): the
state nimadm leaves before the reboot. The journal holds the level recorded before, at a fixed time and
run id, and the wizard's own run id is fixed, so the picture is the same on every run. The fleet behind
it is the scripted one of the other snapshots (it is covered by the wizard). Regenerate with
`pytest tests/ui/test_rollback_snapshot.py --snapshot-update` only after looking at the picture.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from cockpit.config import load_config
from cockpit.engine.journal import Journal
from cockpit.engine.rollback import RollbackWizard
from cockpit.engine.run import LEVEL_BEFORE
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.confirm import ConfirmScreen
from cockpit.ui.screens.rollback import RollbackScreen
from tests.rollback.fleet import OLD, scenario
from tests.sim.remote import lines
from tests.ui.fake_engine import FakeClock, ScriptedEngine
from tests.ui.screen_text import SIZES, screen_lines, steady_cursors

RECORDED_AT = 1795000000.0  # 2026-11-18 (UTC)


class Loop:
    """An event loop in a thread for the fleet: snap_compare runs the app in a loop of its own."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(scope="module")
def not_rebooted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """lpar01 cloned to hdisk2 and its level recorded; shared by the pictures (the wizard only reads)."""
    tmp_path = tmp_path_factory.mktemp("not-rebooted")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
        loop = Loop()
        fleet: SimFleet = loop.run(SimFleet.start(load_scenario(scenario(tmp_path)), tmp_path / "fleet"))
        try:
            inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
            loop.run(lines(fleet, "lpar01", "alt_disk_copy -d hdisk2"))
            assert loop.run(lines(fleet, "lpar01", "bootlist -m normal -o")) == ["hdisk2 blv=hd5"]
            journal = Journal(load_config(inventory).state_dir / "journal.sqlite", clock=lambda: RECORDED_AT)
            journal.start_run("20261118-020000-000", "nimadm", str(inventory))
            journal.record_fact("20261118-020000-000", "lpar01", LEVEL_BEFORE, OLD)
            journal.close()
            yield inventory
        finally:
            loop.run(fleet.stop())
            loop.close()
    time.tzset()


def wizard_app(inventory: Path, workdir: Path) -> tuple[CockpitApp, Journal]:
    config = load_config(inventory)
    journal = Journal(config.state_dir / "journal.sqlite")
    clock = FakeClock()
    engine = ScriptedEngine(workdir / "engine", clock, None)

    def wizard() -> RollbackWizard:
        return RollbackWizard(
            config, lambda h: transport_for(h, config.ssh), journal, "tester", run_id="rollback-snapshot"
        )

    app = CockpitApp(engine.run, ("lpar01",), engine.log_path, clock=clock, autostart=False, rollback=wizard)
    return app, journal


async def wizard_read(pilot: Pilot[None], app: CockpitApp) -> RollbackScreen:
    app.open_rollback(["lpar01"])
    deadline = time.monotonic() + 30
    while not (isinstance(app.screen, RollbackScreen) and "lpar01" in app.screen.walks):
        assert time.monotonic() < deadline, f"the wizard did not open: {app.screen}"
        await pilot.pause(0.01)
    screen = app.screen
    while screen.walks["lpar01"].busy is not None:
        assert time.monotonic() < deadline, f"lpar01 was not read: {screen.walks['lpar01']}"
        await pilot.pause(0.02)
    await pilot.pause()
    return screen


@pytest.mark.parametrize("size", SIZES)
def test_rollback_wizard_not_rebooted(snap_compare: Any, tmp_path: Path, not_rebooted: Path, size: str) -> None:
    """Where lpar01 stands (disks and what each holds, bootlist, booted disk, levels) and the proposed steps;
    the host list says which hosts are ticked without colour ([x] / [ ])."""
    app, journal = wizard_app(not_rebooted, tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await wizard_read(pilot, app)
        assert any("[x] lpar01" in line for line in screen_lines(app))

    try:
        assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)
    finally:
        journal.close()


def test_rollback_step_confirmation_fits_80x24(snap_compare: Any, tmp_path: Path, not_rebooted: Path) -> None:
    """The bootlist change asks for the host's name, as every destructive step of the cockpit does."""
    app, journal = wizard_app(not_rebooted, tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await wizard_read(pilot, app)
        await pilot.press("n")
        while not isinstance(app.screen, ConfirmScreen):
            await pilot.pause(0.01)
        await pilot.pause()
        lines = screen_lines(app)
        assert any("Type the host's name, lpar01, to run it:" in line for line in lines), "\n".join(lines)
        assert any("enter confirms · esc cancels" in line for line in lines)
        await steady_cursors(pilot)

    try:
        assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run_before)
    finally:
        journal.close()
