"""The log pane: file tail first, then live lines; exact, bounded, pausable."""

from __future__ import annotations

import html
from pathlib import Path

from textual.pilot import Pilot

from cockpit.domain.events import LogLines
from cockpit.domain.models import TargetState
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.log import LogScreen
from tests.ui import nimadm_output as out
from tests.ui.conftest import SIZE, MakeApp, settle, wait_until
from tests.ui.fake_engine import FakeClock, ScriptedEngine

HOST = "aixdb01"


def nimadm_run(host: str, phases: range) -> list[str]:
    lines = out.prologue(host)
    for number in phases:
        lines += out.phase(host, number)
    return lines


async def open_pane(pilot: Pilot[None], app: CockpitApp, target: str) -> LogScreen:
    app.open_log(target)
    await wait_until(
        pilot,
        lambda: isinstance(app.screen, LogScreen) and app.screen.target == target,
    )
    screen = app.screen
    assert isinstance(screen, LogScreen)
    await wait_until(pilot, screen.loaded.is_set)
    return screen


async def started(pilot: Pilot[None], engine: ScriptedEngine) -> None:
    await wait_until(pilot, engine.started.is_set)


async def test_file_tail_then_live_lines_exactly_once(make_app: MakeApp) -> None:
    app, engine = make_app((HOST,))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, engine)
        engine.change(HOST, TargetState.RUNNING, 3)
        lines = nimadm_run(HOST, range(1, 7))
        engine.log(HOST, lines[:60], batch=9)
        # The engine has written 25 more lines to the file but not emitted them yet.
        engine.write_file(HOST, lines[60:85])
        app.open_log(HOST)
        # ...and emits them right after the pane opened: they are both in the file and live.
        engine.emit_written(HOST, batch=4)
        await wait_until(pilot, lambda: isinstance(app.screen, LogScreen))
        screen = app.screen
        assert isinstance(screen, LogScreen)
        await wait_until(pilot, screen.loaded.is_set)
        engine.log(HOST, lines[85:], batch=5)
        await settle(pilot)
        assert list(screen.log_widget.lines) == lines
        assert lines.count("") == 6  # the blank line before each banner survived
        assert screen.log_widget.lines[-1] == "Installing software with the installp installer."


async def test_live_batch_straddling_the_file_end_is_cut_exactly(make_app: MakeApp) -> None:
    app, engine = make_app((HOST,))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, engine)
        lines = nimadm_run(HOST, range(1, 9))
        engine.log(HOST, lines[:60])
        engine.write_file(HOST, lines[60:85])  # in the file when the pane reads it, not emitted
        screen = await open_pane(pilot, app, HOST)
        engine.write_file(HOST, lines[85:])
        engine.emit_written(HOST, batch=7)  # 60-66 ... 81-87 (straddles line 85) ... to the end
        await settle(pilot)
        assert list(screen.log_widget.lines) == lines


async def test_last_line_without_newline_shows_once(make_app: MakeApp) -> None:
    app, engine = make_app((HOST,))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, engine)
        lines = nimadm_run(HOST, range(12, 13))
        engine.log(HOST, lines[:-1])
        # The stream ended without a newline: the engine wrote the bytes and emitted the line,
        # but the file holds it as an incomplete line, which the tail reader leaves out.
        with engine.log_path(HOST).open("a") as f:
            f.write(lines[-1])
        engine.emit_event(LogLines(HOST, (lines[-1],), len(lines) - 1))
        screen = await open_pane(pilot, app, HOST)
        await settle(pilot)
        assert list(screen.log_widget.lines) == lines


async def test_pause_then_resume_loses_nothing(make_app: MakeApp) -> None:
    app, engine = make_app((HOST,))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, engine)
        engine.change(HOST, TargetState.RUNNING, 5)
        lines = nimadm_run(HOST, range(1, 13))
        engine.log(HOST, lines[:40])
        screen = await open_pane(pilot, app, HOST)
        await settle(pilot)
        assert list(screen.log_widget.lines) == lines[:40]

        await pilot.press("p")
        engine.log(HOST, lines[40:150], batch=7)
        await settle(pilot)
        assert list(screen.log_widget.lines) == lines[:40]  # frozen while paused
        assert "PAUSED" in screen.header.text
        assert "110 new lines waiting" in screen.header.text

        await pilot.press("space")
        engine.log(HOST, lines[150:], batch=3)
        await settle(pilot)
        assert list(screen.log_widget.lines) == lines
        assert "FOLLOWING" in screen.header.text


async def test_max_lines_bound_holds_from_file_live_and_paused(make_app: MakeApp) -> None:
    app, engine = make_app((HOST,), log_max_lines=100)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, engine)
        lines = [f"installp: {i:05d} bos.rte.libc 7.2.5.101 APPLY SUCCESS" for i in range(2_000)]
        engine.log(HOST, lines[:250])
        screen = await open_pane(pilot, app, HOST)
        assert list(screen.log_widget.lines) == lines[150:250]

        engine.log(HOST, lines[250:1_000], batch=33)
        await settle(pilot)
        assert list(screen.log_widget.lines) == lines[900:1_000]

        await pilot.press("p")
        engine.log(HOST, lines[1_000:], batch=17)
        await settle(pilot)
        assert screen.log_widget.line_count == 100
        await pilot.press("p")
        await settle(pilot)
        assert list(screen.log_widget.lines) == lines[-100:]


async def test_pane_for_a_host_without_a_log_file_yet(make_app: MakeApp) -> None:
    app, engine = make_app((HOST,))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, engine)
        screen = await open_pane(pilot, app, HOST)
        assert screen.log_widget.line_count == 0
        assert screen.note is None
        engine.change(HOST, TargetState.RUNNING)
        engine.log(HOST, out.prologue(HOST))
        await settle(pilot)
        assert list(screen.log_widget.lines) == out.prologue(HOST)


async def test_header_tracks_state_and_phase_live(make_app: MakeApp) -> None:
    app, engine = make_app((HOST,))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, engine)
        engine.change(HOST, TargetState.RUNNING, 10)
        screen = await open_pane(pilot, app, HOST)
        assert screen.header.text.startswith(f"{HOST} · ▶ running · phase 10/12")
        engine.change(HOST, TargetState.RUNNING, 11)
        engine.log(HOST, out.phase11_ghost_device_failure(HOST))
        engine.change(HOST, TargetState.FAILED, error=out.GHOST_DEVICE_ERROR, exit_status=1)
        await settle(pilot)
        text = screen.header.text
        assert text.startswith(f"{HOST} · ✗ failed · phase 11/12")
        assert out.GHOST_DEVICE_ERROR in text
        assert screen.log_widget.lines[-1] == "Bootlist is set to the boot disk: hdisk0 blv=hd5"


async def test_opening_another_log_replaces_the_pane(make_app: MakeApp) -> None:
    other = "aixweb02"
    app, engine = make_app((HOST, other))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, engine)
        engine.log(HOST, ["Initializing the NIM master."])
        engine.log(other, [f"Initializing NIM client {other}."])
        await open_pane(pilot, app, HOST)
        screen = await open_pane(pilot, app, other)
        assert list(screen.log_widget.lines) == [f"Initializing NIM client {other}."]
        assert sum(isinstance(s, LogScreen) for s in app.screen_stack) == 1
        assert app.bridge.feed is not None and app.bridge.feed.target == other


async def test_unreadable_log_file_falls_back_to_recent_lines(tmp_path: Path) -> None:
    clock = FakeClock()
    engine = ScriptedEngine(tmp_path, clock)
    # The UI is pointed at a directory: reading it fails, unlike a file that is merely missing.
    app = CockpitApp(engine.run, (HOST,), lambda _target: tmp_path, clock=clock, tail_lines=30)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, engine)
        lines = nimadm_run(HOST, range(1, 4))
        engine.log(HOST, lines)
        screen = await open_pane(pilot, app, HOST)
        assert screen.note is not None and "unreadable" in screen.note
        assert list(screen.log_widget.lines) == lines[-30:]
        engine.log(HOST, ["Phase 3 done (synthetic)."])
        await settle(pilot)
        assert list(screen.log_widget.lines) == [*lines[-30:], "Phase 3 done (synthetic)."]


def on_screen(app: CockpitApp) -> str:
    """The text the terminal shows now (what the compositor painted, not what the widgets hold)."""
    svg = app.export_screenshot()
    return html.unescape(svg).replace("\xa0", " ")


async def test_a_full_pane_shows_the_newest_lines_not_stale_ones(make_app: MakeApp) -> None:
    app, engine = make_app((HOST,), log_max_lines=30)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, engine)
        engine.change(HOST, TargetState.RUNNING, 1)
        screen = await open_pane(pilot, app, HOST)
        for n in range(60):  # one line per flush, as a slow phase prints
            engine.log(HOST, [f"{HOST} progress line {n:03d}"])
            await settle(pilot)
        shown = on_screen(app)
        assert list(screen.log_widget.lines)[-1] == f"{HOST} progress line 059"
        assert f"{HOST} progress line 059" in shown
        assert f"{HOST} progress line 029" not in shown  # dropped from the Log, so not on screen either
