"""The fleet screen, driven by a scripted nimadm run over three hosts."""

from __future__ import annotations

import asyncio

from textual.color import Color
from textual.widgets._toast import Toast

from cockpit.domain.models import TargetState
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.confirm import ConfirmScreen
from cockpit.ui.screens.fleet import FleetScreen
from cockpit.ui.screens.log import LogScreen
from cockpit.ui.widgets.fleet_table import FleetTable
from tests.ui import nimadm_output as out
from tests.ui.conftest import SIZE, MakeApp, settle, wait_until
from tests.ui.fake_engine import ScriptedEngine
from tests.ui.scenarios import APP, DB, HOSTS, WEB, three_hosts


def table(app: CockpitApp) -> FleetTable:
    return app.fleet.table


async def test_rows_show_how_each_host_ended(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, three_hosts)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        engine.release("mid")
        await wait_until(pilot, lambda: not app.run_active)
        await settle(pilot)
        t = table(app)
        assert t.cell_text(DB, "state") == "✓ succeeded"
        assert t.cell_text(DB, "phase") == "12/12 ████████████"
        assert t.cell_text(WEB, "state") == "✗ failed"
        assert t.cell_text(WEB, "phase") == "11/12 ███████████░"
        assert t.cell_text(WEB, "last") == f"phase 11: {out.GHOST_DEVICE_ERROR}"
        assert t.cell_text(APP, "state") == "✓ succeeded"
        assert t.cell_text(APP, "phase") == "12/12 ████████████"
        assert t.cell_text(APP, "last") == f"Cleaning up alt_disk_migration on client {APP}."
        header = app.fleet.header
        assert header.summary_text == "ok 2 · failed 1"
        assert "finished, 1 failed" in header.title_text


async def test_mid_run_row_and_elapsed_ticking(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, three_hosts)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        t = table(app)
        assert t.cell_text(APP, "state") == "▶ running"
        assert t.cell_text(APP, "phase") == " 6/12 ██████░░░░░░"
        assert t.cell_text(APP, "last") == "Expanding /alt_inst/opt client filesystem."
        before_app, before_db = t.cell_text(APP, "elapsed"), t.cell_text(DB, "elapsed")
        assert before_db == "1:00:00"
        engine.clock.advance(65)
        await settle(pilot)
        minutes, seconds = (int(x) for x in before_app.split(":")[-2:])
        after = t.cell_text(APP, "elapsed").split(":")[-2:]
        assert int(after[0]) * 60 + int(after[1]) == minutes * 60 + seconds + 65
        assert t.cell_text(DB, "elapsed") == before_db  # finished: no longer ticking
        assert app.fleet.header.summary_text == "running 1 · ok 1 · failed 1"


async def test_enter_opens_the_highlighted_hosts_log_and_escape_returns(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, three_hosts)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        await pilot.press("down", "enter")
        assert isinstance(app.screen, LogScreen)
        assert app.screen.target == WEB
        await pilot.press("escape")
        assert isinstance(app.screen, FleetScreen)
        assert app.bridge.feed is None  # the closed pane no longer collects lines


async def test_state_colours_come_from_the_theme(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, three_hosts)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        t = table(app)
        assert t.cell_color(WEB, "state") == "error"
        seen = set()
        for theme in ("textual-dark", "nord"):
            app.theme = theme
            await settle(pilot)
            expected = Color.parse(app.get_css_variables()["error"]).rich_color
            y = 1 + t.get_row_index(WEB) - t.scroll_offset.y  # below the header line
            segment = next(s for s in t.render_line(y) if "failed" in s.text)
            assert segment.style is not None and segment.style.color == expected, theme
            seen.add(expected)
        assert len(seen) == 2  # the two themes' errors differ: the test can tell them apart


async def test_engine_error_is_a_notification_not_a_crash(make_app: MakeApp) -> None:
    async def breaks(engine: ScriptedEngine) -> None:
        engine.start_run(HOSTS)
        engine.change(DB, TargetState.RUNNING, 3)
        await asyncio.sleep(0)
        raise RuntimeError("lost the SSH connection to nim01")

    app, _engine = make_app(HOSTS, breaks)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query(Toast)))
        toast = str(app.screen.query_one(Toast).render())
        assert "RuntimeError: lost the SSH connection to nim01" in toast
        assert app.is_running
        assert "engine error" in app.fleet.header.title_text
        assert table(app).cell_text(DB, "phase") == " 3/12 ███░░░░░░░░░"


async def test_quit_asks_while_the_run_goes_on(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, three_hosts)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        assert "nimadm keeps running on the NIM master" in app.screen.body_text
        await pilot.press("n")
        assert isinstance(app.screen, FleetScreen)
        assert app.is_running
        await pilot.press("q", "y")
        await wait_until(pilot, lambda: not app.is_running)


async def test_quit_is_immediate_once_the_run_ended(make_app: MakeApp) -> None:
    async def short(engine: ScriptedEngine) -> None:
        engine.start_run(HOSTS)
        engine.finish_run(succeeded=(), failed=())

    app, _engine = make_app(HOSTS, short)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: not app.run_active)
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)


async def test_autostart_off_waits_for_the_operator(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, three_hosts, autostart=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not engine.started.is_set()
        await pilot.press("s")
        await engine.reached("mid")
        assert app.run_active


async def test_a_target_first_seen_in_events_gets_a_row(make_app: MakeApp) -> None:
    app, engine = make_app((DB,))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, engine.started.is_set)
        engine.change("aixlate-long-name-09", TargetState.RUNNING, 2)
        await settle(pilot)
        t = table(app)
        assert t.row_count == 2
        assert t.cell_text("aixlate-long-name-09", "target") == "aixlate-long-name-09"
        assert t.cell_text("aixlate-long-name-09", "phase") == " 2/12 ██░░░░░░░░░░"


async def test_clicking_a_row_then_clicking_it_again_opens_its_log(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, three_hosts)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        row_y = 1 + HOSTS.index(APP)  # below the column labels
        await pilot.click("#fleet", offset=(3, row_y))
        assert table(app).target_at_cursor() == APP
        await pilot.click("#fleet", offset=(3, row_y))
        await wait_until(pilot, lambda: isinstance(app.screen, LogScreen))
        assert isinstance(app.screen, LogScreen) and app.screen.target == APP


async def test_rows_that_only_printed_wait_for_a_full_flush(make_app: MakeApp) -> None:
    app, engine = make_app((DB,))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, engine.started.is_set)
        engine.change(DB, TargetState.RUNNING, 1)
        engine.log(DB, out.phase(DB, 1)[:6])
        await settle(pilot)
        engine.log(DB, ["Checking disk sizes."])
        engine.change(DB, TargetState.RUNNING, 2)  # a state change is drawn on every flush...
        app.flush(full=False)
        assert table(app).cell_text(DB, "phase") == " 2/12 ██░░░░░░░░░░"
        engine.log(DB, ["Creating logical volume alt_hd5."])
        app.flush(full=False)  # ...a new last line alone waits for a full one
        assert table(app).cell_text(DB, "last") == "Checking disk sizes."
        app.flush()
        assert table(app).cell_text(DB, "last") == "Creating logical volume alt_hd5."


async def test_fleet_catches_up_after_a_log_pane_closes(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, three_hosts)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        app.open_log(WEB)
        await wait_until(pilot, lambda: isinstance(app.screen, LogScreen))
        engine.release("mid")
        await wait_until(pilot, lambda: not app.run_active)
        app.flush()
        assert table(app).cell_text(APP, "state") == "▶ running"  # hidden: not redrawn yet
        await pilot.press("escape")
        assert table(app).cell_text(APP, "state") == "✓ succeeded"
        assert table(app).cell_text(APP, "last") == f"Cleaning up alt_disk_migration on client {APP}."
        assert app.fleet.header.summary_text == "ok 2 · failed 1"


async def test_stalled_row_counts_the_silence(make_app: MakeApp) -> None:
    app, engine = make_app((DB,))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, engine.started.is_set)
        engine.change(DB, TargetState.RUNNING, 6)
        engine.log(DB, out.phase(DB, 6))
        engine.clock.advance(600)
        engine.change(DB, TargetState.STALLED, reason="stalled: silent for 10m00s in phase 6 (threshold 10m00s)")
        await settle(pilot)
        last = "Installing software with the installp installer."
        assert table(app).cell_text(DB, "last") == f"silent 10:00 · {last}"
        engine.clock.advance(5)
        await settle(pilot)
        assert table(app).cell_text(DB, "last") == f"silent 10:05 · {last}"


async def test_last_line_column_fits_a_narrow_terminal(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, three_hosts)
    async with app.run_test(size=(100, 20)) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        t = table(app)
        shown = t.cell_text(WEB, "last")
        assert shown.startswith("phase 11: 0516-082") and shown.endswith("…")
        assert t.virtual_size.width <= t.size.width  # no sideways scrolling
        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        assert t.cell_text(WEB, "last") == f"phase 11: {out.GHOST_DEVICE_ERROR}"


async def test_freeze_gc_is_opt_in(make_app: MakeApp) -> None:
    import gc

    gc.unfreeze()
    for freeze in (False, True):
        app, _engine = make_app((DB,), freeze_gc=freeze)
        try:
            async with app.run_test(size=SIZE) as pilot:
                await pilot.pause()
                assert (gc.get_freeze_count() > 0) is freeze
        finally:
            gc.unfreeze()  # process-wide: leave the test session as it was
