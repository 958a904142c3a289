"""The maintenance window over real SSH (issue: the window, the record ...): past the cutoff no new
host starts and the cockpit says why; a host whose ETA passes the window's end is flagged. The
engine's clock is injected: the test moves it past the cutoff instead of waiting for it."""

from __future__ import annotations

import asyncio
import datetime
import time
from pathlib import Path

import yaml

from cockpit.config import load_config
from cockpit.domain.events import ListSink, TargetChanged
from cockpit.domain.models import TargetState
from cockpit.engine.journal import Journal
from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for

SCENARIOS = Path(__file__).resolve().parents[2] / "cockpit" / "sim" / "scenarios"


class Clock:
    """Wall-clock time plus an offset the test can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def local(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch).isoformat(sep=" ", timespec="seconds")


async def start(tmp_path: Path, window: dict[str, float], concurrency: int) -> tuple[SimFleet, Path]:
    text = (SCENARIOS / "tiny.yaml").read_text().replace("concurrency: 2", f"concurrency: {concurrency}")
    text = text.replace("count: 2", "count: 3").replace("faults: {ghost_major: 43}", "faults: {}")
    (tmp_path / "scenario.yaml").write_text(text)
    fleet = await SimFleet.start(load_scenario(tmp_path / "scenario.yaml"), tmp_path / "fleet")
    inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
    data = yaml.safe_load(inventory.read_text())
    data["plan"]["window"] = {key: local(value) for key, value in window.items()}
    inventory.write_text(yaml.safe_dump(data, sort_keys=False))
    return fleet, inventory


async def test_past_the_cutoff_no_new_host_starts(tmp_path: Path) -> None:
    now = time.time()
    fleet, inventory = await start(tmp_path, {"start": now - 60, "end": now + 7200, "cutoff": now + 3600}, 1)
    try:
        config = load_config(inventory)
        clock = Clock()
        engine = RunbookRun(
            config,
            Journal(config.state_dir / "journal.sqlite", clock),
            lambda h: transport_for(h, config.ssh),
            config_path=inventory,
            clock=clock,
        )
        sink = ListSink()
        run = asyncio.create_task(engine.run(sink))
        while engine.progress["lpar01"].state is not TargetState.RUNNING:
            await asyncio.sleep(0.02)
        clock.offset = 3700  # an hour and a bit later: past the cutoff, inside the window
        done = await asyncio.wait_for(run, 120)
        states = {t: p.state for t, p in engine.progress.items()}
        assert states == {"lpar01": TargetState.SUCCEEDED, "lpar02": TargetState.BLOCKED, "lpar03": TargetState.BLOCKED}
        assert engine.progress["lpar02"].error is not None
        assert engine.progress["lpar02"].error.startswith("not started: the window's cutoff (")
        assert not done.ok
        journal = Journal(config.state_dir / "journal.sqlite")
        assert journal.step(engine.run_id, "lpar02", "nimadm").launched_at is None  # type: ignore[union-attr]
        actions = [a for _, _, a, detail, _ in journal.actions(engine.run_id)]
        assert "cutoff" in actions
    finally:
        await fleet.stop()


async def test_a_host_whose_eta_passes_the_end_is_flagged(tmp_path: Path) -> None:
    now = time.time()
    fleet, inventory = await start(tmp_path, {"start": now - 600, "end": now + 60, "cutoff": now + 30}, 3)
    try:
        config = load_config(inventory)
        clock = Clock()
        engine = RunbookRun(
            config,
            Journal(config.state_dir / "journal.sqlite", clock),
            lambda h: transport_for(h, config.ssh),
            config_path=inventory,
            clock=clock,
        )
        sink = ListSink()
        run = asyncio.create_task(engine.run(sink))
        deadline = time.monotonic() + 60
        while not all(p.state is TargetState.RUNNING for p in engine.progress.values()):
            assert time.monotonic() < deadline, {t: p.state for t, p in engine.progress.items()}
            await asyncio.sleep(0.02)
        assert not engine.window_watch.flagged  # a three-second run fits a window with a minute left
        clock.offset = 70  # later: whatever is left of the runs now ends after the window
        await asyncio.wait_for(run, 120)
        flagged = [
            e.target for e in sink.events if isinstance(e, TargetChanged) and (e.reason or "").startswith("ETA ")
        ]
        assert sorted(flagged) == ["lpar01", "lpar02", "lpar03"]  # once each
        journal = Journal(config.state_dir / "journal.sqlite")
        kinds = [(t, kind) for _, t, kind, _ in journal.events(engine.run_id) if kind == "eta-past-window"]
        assert sorted(kinds) == [(t, "eta-past-window") for t in ("lpar01", "lpar02", "lpar03")]
        assert {p.state for p in engine.progress.values()} == {TargetState.SUCCEEDED}  # flagged, never stopped
    finally:
        await fleet.stop()
