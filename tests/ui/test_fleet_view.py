"""The fleet seen through a filter and a sort: `f` steps through state filters, `/` filters by text
(a name, an error, a last line), `o` steps through sorts; masters' lines stay over their clients;
the cursor keeps its target (what the fleet's keys act on) while rows come, go and move; a target
whose state changes moves in or out of the filter by itself. One test drives 1,000 rows."""

from __future__ import annotations

from collections import deque

from cockpit.domain.events import TargetChanged
from cockpit.domain.models import TargetState
from cockpit.ui.bridge import TargetView
from cockpit.ui.fleet_groups import group_key
from cockpit.ui.fleet_view import FleetView
from cockpit.ui.widgets.fleet_table import REORDER_EVERY, FleetTable
from tests.ui.conftest import SIZE, MakeApp, settle, wait_until
from tests.ui.fake_engine import ScriptedEngine

HOSTS = ("par01", "par02", "par03", "lyo01", "lyo02")
MASTERS = {"par01": "nimpar", "par02": "nimpar", "par03": "nimpar", "lyo01": "nimlyo", "lyo02": "nimlyo"}
LCHANGELV = "0516-082 /usr/sbin/lchangelv: Unable to access a special device file"


def rows(t: FleetTable) -> list[str]:
    return [r.name for r in t._rows]


async def some_running(engine: ScriptedEngine) -> None:
    engine.start_run(HOSTS)
    engine.change("par01", TargetState.RUNNING, 6)
    engine.change("par02", TargetState.SUCCEEDED, 12)
    engine.change("lyo01", TargetState.FAILED, 11, error=LCHANGELV)
    engine.change("lyo02", TargetState.RUNNING, 2)
    engine.log("par01", ["installp: APPLYING software for: bos.rte 7.3.2.0"])
    await engine.checkpoint("mid")


def view(name: str, state: TargetState, phase: int | None = None, *, error: str | None = None) -> TargetView:
    change = TargetChanged(target=name, state=state, phase=phase, phases_total=12, at=0.0, error=error)
    return TargetView(name, deque(), change)


def test_the_view_orders_and_filters_without_textual() -> None:
    views = {
        "b": view("b", TargetState.SUCCEEDED, 12),
        "a": view("a", TargetState.RUNNING, 7),
        "d": view("d", TargetState.FAILED, 3, error=LCHANGELV),
        "c": view("c", TargetState.PENDING),
    }
    plain = FleetView()
    assert plain.plain and plain.order(views) == ["b", "a", "d", "c"]
    attention = plain.next_states()
    assert attention.state_label == "needs attention" and attention.order(views) == ["d"]
    assert attention.next_states().order(views) == ["a"]  # running
    assert FleetView(text="LCHANGELV").order(views) == ["d"]  # the error, case aside
    assert FleetView().with_text(" lyo ").text == "lyo"
    by_state = plain.next_sort()
    assert by_state.sort_label == "problems first" and by_state.order(views) == ["d", "a", "c", "b"]
    assert by_state.next_sort().order(views) == ["c", "d", "a", "b"]  # least progress: no phase yet first
    assert by_state.next_sort().next_sort().order(views) == ["a", "b", "c", "d"]
    assert by_state.next_sort().next_sort().next_sort().plain  # round to the plan's order
    assert attention.summary(1, 4) == "needs attention: 1/4"
    assert FleetView(text="lpar", sort="name").summary(3, 4) == "“lpar”: 3/4, name"
    # What may move a target: its state under a state filter, its phase under the progress sort.
    assert attention.relevant(views["a"]) != attention.relevant(view("a", TargetState.FAILED, 7))
    progress = FleetView(sort="progress")
    assert progress.relevant(views["a"]) != progress.relevant(view("a", TargetState.RUNNING, 8))
    assert plain.relevant(views["a"]) == ()


async def test_f_filters_by_state_and_a_target_moves_in_by_itself(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, some_running, groups=MASTERS)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        t = app.fleet.table
        await pilot.press("down", "down", "down")
        assert t.target_at_cursor() == "lyo01"
        await pilot.press("f")  # needs attention
        await settle(pilot)
        assert rows(t) == [group_key("nimpar"), group_key("nimlyo"), "lyo01"]
        assert t.target_at_cursor() == "lyo01" and t.shown == 1
        assert "needs attention · 1/5" in app.fleet.header.title_text
        # The masters' lines still count every client of theirs.
        assert t._rows[0].cells[0][0] == "▾ nimpar · 3 clients: 1 running, 1 waiting, 1 succeeded"
        engine.change("par03", TargetState.FAILED, 1, error="0042-001 nimadm: processing error")
        await settle(pilot)
        await wait_until(pilot, lambda: "par03" in rows(t), timeout=REORDER_EVERY + 5)
        assert rows(t) == [group_key("nimpar"), "par03", group_key("nimlyo"), "lyo01"]
        assert t.target_at_cursor() == "lyo01"  # the cursor kept its target as a row came in above it
        await pilot.press("f")  # running
        await settle(pilot)
        assert rows(t) == [group_key("nimpar"), "par01", group_key("nimlyo"), "lyo02"]
        assert t.target_at_cursor() in ("par01", "lyo02")
        await pilot.press("f", "f")  # waiting, done
        await settle(pilot)
        assert rows(t) == [group_key("nimpar"), "par02", group_key("nimlyo")]
        await pilot.press("g")  # one master alone, still through the filter
        await settle(pilot)
        assert rows(t) == [group_key("nimpar"), "par02"] and t.target_at_cursor() == "par02"
        await pilot.press("g", "g", "f")  # every master, every state
        await settle(pilot)
        assert len(rows(t)) == 7 and t.view.plain and "/5" not in app.fleet.header.title_text


async def test_slash_finds_by_name_error_or_last_line_and_escape_clears(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, some_running)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        t = app.fleet.table
        await pilot.press("slash")
        assert app.fleet.find.display and app.fleet.find.has_focus
        await pilot.press("l", "y", "o")  # typed into the find line, not taken as the fleet's keys
        await settle(pilot)
        assert rows(t) == ["lyo01", "lyo02"] and t.target_at_cursor() == "lyo01"
        assert "“lyo” · 2/5" in app.fleet.header.title_text
        await pilot.press("enter")  # kept; the table has the keys again
        assert t.has_focus and app.fleet.find.display
        await pilot.press("down")
        assert t.target_at_cursor() == "lyo02"
        await pilot.press("escape")
        await settle(pilot)
        assert rows(t) == list(HOSTS) and t.target_at_cursor() == "lyo02" and not app.fleet.find.display
        await pilot.press("slash", *"0516-082")  # an error's message number
        await settle(pilot)
        assert rows(t) == ["lyo01"]
        app.fleet.find.value = "bos.rte"  # a last line
        await settle(pilot)
        assert rows(t) == ["par01"]
        app.fleet.find.value = "no such thing"
        await settle(pilot)
        assert rows(t) == [] and t.target_at_cursor() is None and t.shown == 0
        await pilot.press("escape")
        await settle(pilot)
        assert rows(t) == list(HOSTS)


async def test_o_sorts_and_the_cursor_keeps_its_target(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, some_running)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        t = app.fleet.table
        await pilot.press("down", "down")
        assert t.target_at_cursor() == "par03"
        await pilot.press("o")  # problems first
        await settle(pilot)
        assert rows(t) == ["lyo01", "par01", "lyo02", "par03", "par02"]
        assert t.target_at_cursor() == "par03" and "sorted: problems first" in app.fleet.header.title_text
        # A row that changes state moves (a few times a second at most), the cursor with its target.
        engine.change("par03", TargetState.FAILED, 1, error="0042-001 nimadm: processing error")
        await settle(pilot)
        await wait_until(pilot, lambda: rows(t)[:2] == ["par03", "lyo01"], timeout=REORDER_EVERY + 5)
        assert t.target_at_cursor() == "par03" and t.cursor_row == 0  # failed both: the plan's order
        await pilot.press("o")  # least progress first
        await settle(pilot)
        assert rows(t) == ["par03", "lyo02", "par01", "lyo01", "par02"]
        await pilot.press("o")  # by name
        await settle(pilot)
        assert rows(t) == ["lyo01", "lyo02", "par01", "par02", "par03"]
        await pilot.press("o")  # the plan's order again
        await settle(pilot)
        assert rows(t) == list(HOSTS) and t.view.plain


THOUSAND = tuple(f"lpar{i:04d}" for i in range(1, 1001))
MASTERS_OF_THOUSAND = {name: f"nim{i // 250 + 1:02d}" for i, name in enumerate(THOUSAND)}


async def thousand_moving(engine: ScriptedEngine) -> None:
    engine.start_run(THOUSAND)
    for i, name in enumerate(THOUSAND):
        if i % 100 == 7:
            engine.change(name, TargetState.FAILED, 4, error=f"0516-404 allocp: not enough resources ({name})")
        elif i % 3:
            engine.change(name, TargetState.RUNNING, 1 + i % 11)
    await engine.checkpoint("mid")


async def test_a_thousand_rows_scroll_filter_and_sort(make_app: MakeApp) -> None:
    app, engine = make_app(THOUSAND, thousand_moving, groups=MASTERS_OF_THOUSAND)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        t = app.fleet.table
        assert t.row_count == 1004 and t.shown == 1000  # four masters' lines
        await pilot.press("end")
        assert t.target_at_cursor() == "lpar1000" and t.scroll_y > 900
        await pilot.press("pageup")
        assert t.target_at_cursor() not in (None, "lpar1000") and t.cursor_row < 1003
        await pilot.press("f")  # needs attention: the ten failed
        await settle(pilot)
        assert t.shown == 10 and round(t.scroll_y) == 0
        await pilot.press("slash", *"lpar0508")
        await settle(pilot)
        assert rows(t) == [group_key("nim01"), group_key("nim02"), group_key("nim03"), "lpar0508", group_key("nim04")]
        await pilot.press("escape", "f", "f", "f", "f", "o")  # every state again, problems first
        await settle(pilot)
        assert t.shown == 1000 and t.view.sort == "state"
        # Sorted within each master's clients: nim01's three failed first, then its running ones.
        assert rows(t)[:5] == [group_key("nim01"), "lpar0008", "lpar0108", "lpar0208", "lpar0002"]
        await pilot.press("pagedown")
        # Every row changing at once re-lays the rows out once, not once a target.
        for i, name in enumerate(THOUSAND):
            if i % 3 == 1:
                engine.change(name, TargetState.SUCCEEDED, 12)
        await settle(pilot)
        await wait_until(pilot, lambda: t._reorder_timer is None, timeout=REORDER_EVERY + 5)
        views = app.bridge.views
        succeeded = [n for n in rows(t) if n in views and views[n].state is TargetState.SUCCEEDED]
        assert len(succeeded) == 333 and rows(t)[-1] in succeeded
