"""`cockpit watch` shows what the cockpit driving the run shows: each host's elapsed time, its ETA and
the window's countdown.

One run of the real engine over SSH on the simulator, with two cockpits on it at once: the driving
one (the engine's events, its controls, its ETA model) and a read-only one on the journal, built as
`cockpit watch` builds it. One fake clock stamps the engine's events and the journal's rows and is
both cockpits' clock; it runs fast while the hosts work, then stops, so both views are read at the
same moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import time
from pathlib import Path

from textual.pilot import Pilot

from cockpit.commands.tui.observe import run_timing
from cockpit.config import load_config
from cockpit.domain.models import TargetState
from cockpit.engine.journal import Journal
from cockpit.engine.observe import JournalObserver
from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for
from cockpit.ui.app import CockpitApp
from cockpit.ui.bridge import Changes
from tests.engine.test_engine_over_ssh import scenario_file
from tests.ui.conftest import SIZE, wait_until
from tests.ui.fake_engine import FakeClock

HANG_IN_6 = "hosts:\n  lpar01:\n    faults: {hang_phase: 6}\n  lpar02:\n    faults: {ghost_major: 43}\n"
COLUMNS = ("state", "phase", "elapsed", "eta")


def shown(app: CockpitApp, target: str) -> dict[str, str]:
    return {column: app.fleet.table.cell_text(target, column) for column in COLUMNS}


def same(watcher: CockpitApp, driver: CockpitApp, target: str) -> bool:
    """The watcher holds the driver's last change of `target` (what the journal keeps of it)."""
    seen, told = watcher.bridge.views[target].change, driver.bridge.views[target].change
    fields = ("state", "phase", "at", "started_at", "finished_at", "error", "reason", "step")
    return seen is not None and told is not None and all(getattr(seen, f) == getattr(told, f) for f in fields)


def countdown(app: CockpitApp) -> str:
    """The window's countdown in the header (`4h10m left`)."""
    parts = [p for p in app.fleet.header.title_text.split(" · ") if p.endswith(" left") or "window" in p]
    assert len(parts) == 1, app.fleet.header.title_text
    return parts[0]


async def test_watch_shows_the_drivers_elapsed_eta_and_window(tmp_path: Path) -> None:
    scenario = dataclasses.replace(load_scenario(scenario_file(tmp_path, hosts_block=HANG_IN_6)), window_minutes=3000)
    clock = FakeClock(time.time())
    async with await SimFleet.start(scenario, tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        engine = RunbookRun(
            config,
            Journal(config.state_dir / "journal.sqlite", clock=clock),
            lambda h: transport_for(h, config.ssh),
            config_path=inventory,
            clock=clock,
        )
        driver = CockpitApp(
            functools.partial(engine.run, keep_open=True),
            list(engine.progress),
            engine.log_path,
            title="run",
            controls=engine,
            clock=clock,
        )
        window, eta = run_timing(config, engine.runbook.name)
        assert window is not None and eta is not None
        observer = JournalObserver(config.state_dir, engine.run_id, eta=eta, clock=clock)
        watcher = CockpitApp(
            observer.run, [], observer.log_path, title="watch", read_only=True, clock=clock, window=window, eta=eta
        )

        async def tick() -> None:  # the clock keeps time while the hosts work
            while True:
                await asyncio.sleep(0.05)
                clock.advance(0.05)

        ticking = asyncio.create_task(tick())
        try:
            async with driver.run_test(size=SIZE) as dp:
                # lpar02 fails in phase 11 (its ghost device), lpar01 hangs in phase 6: a run that stays put.
                await wait_until(dp, lambda: engine.progress["lpar02"].state is TargetState.FAILED, timeout=60)
                await wait_until(dp, lambda: engine.progress["lpar01"].phase == 6, timeout=60)
                await dp.pause(1.5)  # time goes by before the watcher is opened (as `cockpit watch` later on)
                ticking.cancel()
                async with watcher.run_test(size=SIZE) as wp:
                    await compare(driver, dp, watcher, wp, clock)
        finally:
            ticking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticking
            engine.close()
            engine.journal.close()


async def compare(driver: CockpitApp, dp: Pilot[None], watcher: CockpitApp, wp: Pilot[None], clock: FakeClock) -> None:
    # The watcher reads the journal a poll later: wait until it has every change the driver has.
    await wait_until(wp, lambda: all(same(watcher, driver, t) for t in ("lpar01", "lpar02")), timeout=10)
    for later in (0, 95, 1800):  # the same moment on both, as the clock moves on
        clock.advance(later)
        await dp.pause(0.3)  # the driver may notice the silence (stalled): the watcher follows
        await wait_until(wp, lambda: all(same(watcher, driver, t) for t in ("lpar01", "lpar02")))
        for app in (driver, watcher):  # no await from here on: both are drawn at the same moment
            app.flush()
            app.fleet.apply(Changes(), clock(), tick=True, lines=True, visible=True)
        for target in ("lpar01", "lpar02"):
            assert shown(watcher, target) == shown(driver, target), (later, target)
        assert countdown(watcher) == countdown(driver)
    running = shown(driver, "lpar01")
    assert running["state"] in ("▶ running", "◐ stalled") and running["phase"].startswith(" 6/12")
    assert running["eta"] != "" and running["elapsed"] != ""
    assert shown(driver, "lpar02")["eta"] == ""  # finished: no ETA
