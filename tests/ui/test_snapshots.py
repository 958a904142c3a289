"""SVG snapshots of the cockpit in fixed states (frozen clock, scripted engine).

Regenerate with `pytest tests/ui/test_snapshots.py --snapshot-update` only after looking at the
report's pictures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.log import LogScreen
from cockpit.ui.screens.troubleshoot import TroubleshootScreen
from tests.ui import nimadm_output as out
from tests.ui.canned_controls import CannedControls
from tests.ui.conftest import SIZE
from tests.ui.fake_engine import FakeClock, ScriptedEngine
from tests.ui.scenarios import APP, HOSTS, SEVEN, WEB, every_state, three_hosts


def cockpit(tmp_path: Path, targets: tuple[str, ...], script: Any) -> tuple[CockpitApp, ScriptedEngine]:
    clock = FakeClock()
    engine = ScriptedEngine(tmp_path, clock, script)
    return CockpitApp(engine.run, targets, engine.log_path, clock=clock), engine


async def show_log(pilot: Pilot[None], app: CockpitApp, target: str) -> LogScreen:
    app.open_log(target)
    while not (isinstance(app.screen, LogScreen) and app.screen.loaded.is_set()):
        await pilot.pause(0.01)
    app.flush()
    await pilot.pause()
    return app.screen


def test_fleet_mid_run(snap_compare: Any, tmp_path: Path) -> None:
    """Mid-run fleet with one host in every state: glyphs, colours, phase bars, elapsed, reasons."""
    app, engine = cockpit(tmp_path, SEVEN, every_state)

    async def run_before(pilot: Pilot[None]) -> None:
        await engine.reached("all")
        app.flush()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_failed_host_log(snap_compare: Any, tmp_path: Path) -> None:
    """The log pane of the host that failed in phase 11: 0516-082, then nimadm's cleanup lines."""
    app, engine = cockpit(tmp_path, HOSTS, three_hosts)

    async def run_before(pilot: Pilot[None]) -> None:
        await engine.reached("mid")
        await show_log(pilot, app, WEB)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_paused_log_with_lines_waiting(snap_compare: Any, tmp_path: Path) -> None:
    """A running host's log pane, paused: the view holds still and counts the lines waiting."""
    app, engine = cockpit(tmp_path, HOSTS, three_hosts)

    async def run_before(pilot: Pilot[None]) -> None:
        await engine.reached("mid")
        await show_log(pilot, app, APP)
        await pilot.press("p")
        engine.log(APP, out.phase(APP, 6)[7:])
        app.flush()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_troubleshoot_stalled_host(snap_compare: Any, tmp_path: Path) -> None:
    """Troubleshoot screen of a host stalled in phase 9: state, last lines, probes, its process tree, actions."""
    clock = FakeClock()
    engine = ScriptedEngine(tmp_path, clock, every_state)
    app = CockpitApp(engine.run, SEVEN, engine.log_path, clock=clock, controls=CannedControls(SEVEN))
    stalled = SEVEN[3]

    async def run_before(pilot: Pilot[None]) -> None:
        await engine.reached("all")
        app.flush()
        app.open_troubleshoot(stalled)
        while not (isinstance(app.screen, TroubleshootScreen) and app.screen.loaded.is_set()):
            await pilot.pause(0.01)
        screen = app.screen
        await pilot.press("1")
        while screen.probe_runs["processes"].count == 0:
            await pilot.pause(0.01)
        app.clear_notifications()  # the stall's toast: not part of this picture
        app.flush()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
