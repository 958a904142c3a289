"""The demo as a newcomer sees it: the real engine over real SSH to the simulated fleet, in the TUI.

Every row moves through the 12 phases; the client with the ghost device ends failed in phase 11
showing the 0516-082 line; the others end succeeded; a failed client's log pane holds its whole log.
"""

from __future__ import annotations

from pathlib import Path

from cockpit.config import load_config
from cockpit.domain.events import FanOutSink, ListSink, TargetChanged
from cockpit.domain.lines import clean
from cockpit.domain.models import TargetState
from cockpit.engine.journal import Journal
from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.log import LogScreen
from tests.ui.conftest import SIZE, settle, wait_until

SCENARIOS = Path(__file__).resolve().parents[2] / "cockpit" / "sim" / "scenarios"
GHOST = "lpar05"


def scenario(tmp_path: Path) -> Path:
    """The pure migration demo (8 clients to 7.2) with one trap: a ghost device major on lpar05."""
    text = (SCENARIOS / "nimadm.yaml").read_text().replace("hosts: {}", "hosts:\n  lpar05: {faults: {ghost_major: 43}}")
    path = tmp_path / "nimadm-ghost.yaml"
    path.write_text(text)
    return path


ERROR = "0516-082 /usr/sbin/lchangelv: Unable to access a special device file"


async def test_demo_fleet_migrates_live_in_the_cockpit_to_the_end(tmp_path: Path) -> None:
    fleet = await SimFleet.start(load_scenario(scenario(tmp_path)), tmp_path / "fleet")
    try:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        # All eight at once keeps the test to one migration's length (~18 s) instead of two waves.
        config = config.model_copy(update={"plan": config.plan.model_copy(update={"concurrency": 8})})
        engine = RunbookRun(
            config,
            Journal(config.state_dir / "journal.sqlite"),
            lambda host: transport_for(host, config.ssh),
            config_path=inventory,
        )
        targets = [s.target for s in engine.steps]
        assert len(targets) == 8
        seen = ListSink()  # the same event stream the app gets, recorded to check every phase went by
        app = CockpitApp(lambda sink: engine.run(FanOutSink(sink, seen)), targets, engine.log_path, title="demo")
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: not app.run_active and app.bridge.run_finished is not None, timeout=150)
            await settle(pilot)
            table = app.fleet.table
            for t in targets:
                if t == GHOST:
                    assert table.cell_text(t, "state") == "✗ failed"
                    assert table.cell_text(t, "phase").startswith("11/12")
                    assert table.cell_text(t, "last") == f"phase 11: {ERROR}"
                else:
                    assert table.cell_text(t, "state") == "✓ succeeded", t
                    assert table.cell_text(t, "phase").startswith("12/12")
            # Every row was told every phase, in order, live.
            for t in targets:
                phases = [e.phase for e in seen.events if isinstance(e, TargetChanged) and e.target == t and e.phase]
                expected = list(range(1, 12 if t == GHOST else 13))
                assert list(dict.fromkeys(phases)) == expected, (t, phases)
            assert app.fleet.header.summary_text == "ok 7 · failed 1"
            assert engine.progress[GHOST].state is TargetState.FAILED

            # Open the failed client's log: the pane shows the whole log, ending with the cleanup lines.
            table.move_cursor(row=targets.index(GHOST))
            await pilot.press("enter")
            assert isinstance(app.screen, LogScreen)
            log_widget = app.screen.log_widget
            file_lines = [clean(x) for x in engine.log_path(GHOST).read_text().splitlines()]
            await wait_until(pilot, lambda: len(log_widget.lines) >= len(file_lines), timeout=10)
            assert list(log_widget.lines)[-len(file_lines) :] == file_lines
            assert ERROR in file_lines
            assert file_lines[-1] == "Bootlist is set to the boot disk: hdisk0 blv=hd5"
    finally:
        await fleet.stop()
