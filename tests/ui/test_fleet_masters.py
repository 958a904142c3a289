"""The fleet of a plan with several NIM masters: rows grouped under a line per master with its counts,
`g` showing one master's clients at a time, the cursor never on a master's line; an action on a
migration the cockpit did not start names who did before it is confirmed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from cockpit.domain.models import TargetState
from cockpit.ui.app import CockpitApp
from cockpit.ui.control_actions import ControlActions
from cockpit.ui.fleet_groups import FleetGroups, group_key
from cockpit.ui.widgets.fleet_table import FleetTable
from tests.ui.canned_controls import CannedControls
from tests.ui.conftest import SIZE, MakeApp, settle, wait_until
from tests.ui.fake_engine import FakeClock, ScriptedEngine

HOSTS = ("par01", "par02", "par03", "lyo01", "lyo02")
MASTERS = {"par01": "nimpar", "par02": "nimpar", "par03": "nimpar", "lyo01": "nimlyo", "lyo02": "nimlyo"}


def rows(t: FleetTable) -> list[str]:
    return [r.name for r in t._rows]


async def some_running(engine: ScriptedEngine) -> None:
    engine.start_run(HOSTS)
    engine.change("par01", TargetState.RUNNING, 6)
    engine.change("par02", TargetState.SUCCEEDED, 12)
    engine.change(
        "lyo01", TargetState.FAILED, 11, error="0516-082 /usr/sbin/lchangelv: Unable to access a special device file"
    )
    engine.change("lyo02", TargetState.RUNNING, 2)
    await engine.checkpoint("mid")


async def test_rows_are_grouped_by_master_with_counts_and_m_filters(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, some_running, groups=MASTERS)
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        t = app.fleet.table
        assert rows(t) == [group_key("nimpar"), "par01", "par02", "par03", group_key("nimlyo"), "lyo01", "lyo02"]
        line = t._rows[0].cells[0][0]
        assert line == "▾ nimpar · 3 clients: 1 running, 1 waiting, 1 succeeded"
        assert t._rows[4].cells[0][0] == "▾ nimlyo · 2 clients: 1 running, 1 failed"
        assert t.target_at_cursor() == "par01"  # never on a master's line
        await pilot.press("down", "down", "down")
        assert t.target_at_cursor() == "lyo01"  # over nimlyo's line
        await pilot.press("up")
        assert t.target_at_cursor() == "par03"
        await pilot.press("g")
        await settle(pilot)
        assert rows(t) == [group_key("nimpar"), "par01", "par02", "par03"] and t.only == "nimpar"
        assert "master nimpar only" in app.fleet.header.title_text
        # A change on a master not shown still counts on its line when it shows again.
        engine.change("lyo02", TargetState.SUCCEEDED, 12)
        await settle(pilot)
        assert "lyo02" not in rows(t)
        await pilot.press("g")
        await settle(pilot)
        assert rows(t) == [group_key("nimlyo"), "lyo01", "lyo02"]
        assert t._rows[0].cells[0][0] == "▾ nimlyo only (g: next) · 2 clients: 1 succeeded, 1 failed"
        assert t.cell_text("lyo02", "state") == "✓ succeeded"
        await pilot.press("g")
        await settle(pilot)
        assert len(rows(t)) == 7 and t.only is None


async def test_one_master_is_the_plain_fleet_without_the_key(make_app: MakeApp) -> None:
    app, engine = make_app(HOSTS, some_running, groups=dict.fromkeys(HOSTS, "nim01"))
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        t = app.fleet.table
        assert t.groups is None and rows(t) == list(HOSTS)
        assert app.fleet.check_action("next_master", ()) is False


def test_counts_move_one_step_per_change() -> None:
    groups = FleetGroups({"a": "m1", "b": "m1", "c": "m2"})
    assert groups.note("a", TargetState.RUNNING) == "m1"
    assert groups.note("a", TargetState.RUNNING) is None  # the same state: nothing to redraw
    groups.note("b", TargetState.RUNNING)
    groups.note("a", TargetState.SUCCEEDED)
    assert groups.line("m1") == "▾ m1 · 2 clients: 1 running, 1 succeeded"
    assert groups.rows(["c", "a", "x", "b"]) == [group_key("m1"), "a", "b", group_key("m2"), "c", "x"]
    assert groups.next_filter(None) == "m1" and groups.next_filter("m1") == "m2" and groups.next_filter("m2") is None


def test_an_action_on_someone_elses_migration_names_them_first() -> None:
    class Attached(CannedControls):
        def owner_of(self, target: str) -> str | None:
            return "root (pid 4300 on nim01, started 02:31:05) via: -ksh (pid 4210, root)"

    controls = Attached(["lpar01"])
    controls.runners["lpar01"].progress.state = TargetState.RUNNING
    actions = ControlActions(controls)
    kill = actions.build("kill", "lpar01")
    assert kill.danger and kill.heading.endswith("(started by someone else)")
    lines = kill.describe("")
    assert lines[0].startswith("lpar01's migration was NOT started by this cockpit. Started by: root (pid 4300")
    assert any(line.startswith("SIGTERM to the migration's process") for line in lines)
    snooze = actions.build("snooze", "lpar01")  # changes nothing on a host: no warning
    assert "NOT started" not in " ".join(snooze.describe("10"))


def test_fleet_grouped_by_master(snap_compare: Any, tmp_path: Path) -> None:
    """Two masters, each line with its counts, their clients under it."""
    clock = FakeClock()
    engine = ScriptedEngine(tmp_path, clock, some_running)
    app = CockpitApp(engine.run, HOSTS, engine.log_path, clock=clock, groups=MASTERS)

    async def run_before(pilot: Pilot[None]) -> None:
        await engine.reached("mid")
        app.flush()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_fleet_one_master_shown_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    """`g`: nimlyo's clients alone, at 80 columns."""
    clock = FakeClock()
    engine = ScriptedEngine(tmp_path, clock, some_running)
    app = CockpitApp(engine.run, HOSTS, engine.log_path, clock=clock, groups=MASTERS)

    async def run_before(pilot: Pilot[None]) -> None:
        await engine.reached("mid")
        app.flush()
        await pilot.press("g", "g")
        app.flush()
        await wait_until(pilot, lambda: app.fleet.table.only == "nimlyo")
        app.clear_notifications()  # the toasts' timeouts would make the picture depend on the machine's speed
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def test_concurrency_is_each_masters_own() -> None:
    class Limit:
        def __init__(self, limit: int, running: int) -> None:
            self.limit, self.running, self.paused = limit, running, False

    class TwoMasters:
        gates = {"nimpar": Limit(3, 2), "nimlyo": Limit(2, 1)}
        limit, running, paused = 5, 3, False

        def group_of(self, target: str) -> str:
            return MASTERS[target]

    set_to: list[tuple[int, str | None]] = []

    class Controls(CannedControls):
        async def set_concurrency(self, limit: int, master: str | None = None) -> None:
            set_to.append((limit, master))

    controls = Controls(["lyo01"])
    controls.gate = TwoMasters()  # type: ignore[assignment]
    action = ControlActions(controls).concurrency("lyo01")
    assert (
        action.param is not None and action.param.label == "Clients of nimlyo at once" and action.param.initial == "2"
    )
    assert action.describe("4")[0] == "At most 4 clients of nimlyo migrate at once (now 2, 1 running)."
    outcome = await action.perform("4")
    assert set_to == [(4, "nimlyo")] and outcome.lines == ("Concurrency of nimlyo is 4.",)
