"""The Line-API fleet table: cursor keys, scrolling, and that a change re-renders only its own row."""

from __future__ import annotations

from cockpit.domain.models import TargetState
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.log import LogScreen
from cockpit.ui.widgets.fleet_table import FleetTable
from tests.ui.conftest import MakeApp, settle, wait_until

MANY = tuple(f"lpar{i:03d}" for i in range(60))
SMALL = (120, 20)  # header 1 + table + footer 1: fewer rows on screen than targets


def table(app: CockpitApp) -> FleetTable:
    return app.fleet.table


def page(t: FleetTable) -> int:
    return t.scrollable_content_region.height - 1  # rows below the header line


async def test_cursor_keys_move_and_scroll(make_app: MakeApp) -> None:
    app, engine = make_app(MANY)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, engine.started.is_set)
        await settle(pilot)
        t = table(app)
        assert t.row_count == len(MANY) and t.target_at_cursor() == MANY[0]
        await pilot.press("down", "down")
        assert t.target_at_cursor() == MANY[2]
        await pilot.press("pagedown")
        assert t.cursor_row == 2 + page(t)
        assert t.scroll_offset.y > 0  # the cursor's row is on screen
        assert t.scroll_offset.y <= t.cursor_row < t.scroll_offset.y + page(t)
        await pilot.press("end")
        assert t.target_at_cursor() == MANY[-1]
        assert t.scroll_offset.y == t.max_scroll_y
        await pilot.press("up")
        assert t.target_at_cursor() == MANY[-2]
        await pilot.press("home")
        assert t.target_at_cursor() == MANY[0] and t.scroll_offset.y == 0
        await pilot.press("up")  # already at the top: stays
        assert t.cursor_row == 0


async def test_enter_posts_row_selected_for_the_cursor_row(make_app: MakeApp) -> None:
    app, engine = make_app(MANY)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, engine.started.is_set)
        await settle(pilot)
        table(app).move_cursor(row=30)
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LogScreen))
        assert isinstance(app.screen, LogScreen) and app.screen.target == MANY[30]


async def test_a_change_rebuilds_only_its_own_row(make_app: MakeApp) -> None:
    app, engine = make_app(MANY)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, engine.started.is_set)
        await settle(pilot)
        t = table(app)
        rows = t._rows
        before = [row.content for row in rows]
        shown = page(t)
        assert all(c is not None for c in before[:shown])  # on screen: rendered
        assert all(c is None for c in before[shown:])  # below the screen: never rendered yet
        engine.change(MANY[3], TargetState.FAILED, 4, error="0516-082 lchangelv failed")
        await settle(pilot)
        after = [row.content for row in rows]
        assert after[3] is not None and after[3] is not before[3]
        assert t.cell_text(MANY[3], "state") == "✗ failed"
        unchanged = [i for i in range(shown) if i != 3 and after[i] is not before[i]]
        assert unchanged == []  # every other visible row kept its cached strip
        engine.change(MANY[-1], TargetState.RUNNING, 2)  # off screen: cells updated, nothing rendered
        await settle(pilot)
        assert t.cell_text(MANY[-1], "phase") == " 2/12 ██░░░░░░░░░░" and rows[-1].content is None
        await pilot.press("end")
        await pilot.pause()
        assert rows[-1].content is not None  # rendered once it scrolled into view
        line = t.render_line(1 + len(MANY) - 1 - t.scroll_offset.y)
        assert "▶ running" in line.text and MANY[-1] in line.text


async def test_header_stays_on_top_when_scrolled(make_app: MakeApp) -> None:
    app, engine = make_app(MANY)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, engine.started.is_set)
        await settle(pilot)
        t = table(app)
        await pilot.press("end")
        await pilot.pause()
        assert t.scroll_offset.y > 0
        header = t.render_line(0).text
        assert header.split() == ["target", "state", "phase", "elapsed", "last", "line"]
        assert MANY[-1] in t.render_line(page(t)).text  # the last row is the last line on screen


async def test_control_characters_in_a_line_do_not_reach_the_terminal(make_app: MakeApp) -> None:
    app, engine = make_app(MANY[:2])
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, engine.started.is_set)
        engine.change(MANY[0], TargetState.RUNNING, 6)
        engine.log(MANY[0], ["installp:\tapplying\x1b[31m bos.rte\x07"])
        await settle(pilot)
        shown = table(app).cell_text(MANY[0], "last")
        assert shown == "installp: applying\ufffd[31m bos.rte\ufffd"
        assert not any(ord(c) < 0x20 for c in table(app).render_line(1).text)
