"""A host rolled back after the run shows it in the fleet (its own glyph and words, the summary), and
`Roll back` is offered only for hosts that started and are not rolled back already (palette and `b`)."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from cockpit.domain.events import TargetChanged
from cockpit.domain.models import TargetState
from tests.ui.conftest import SIZE, MakeApp, settle, wait_until
from tests.ui.fake_engine import ScriptedEngine

DB, WEB, APP = HOSTS = ("aixdb01", "aixweb02", "aixapp03")


async def two_done_one_never_started(engine: ScriptedEngine) -> None:
    """aixdb01 and aixweb02 migrate; aixapp03 never starts (blocked by the gate); then aixdb01 is rolled back."""
    engine.start_run(HOSTS)
    engine.change(APP, TargetState.BLOCKED, reason="not started: nimsh.active")
    for host in (DB, WEB):
        engine.change(host, TargetState.RUNNING, 1)
        engine.clock.advance(600)
        engine.change(host, TargetState.SUCCEEDED, 12)
    engine.finish_run((DB, WEB), (APP,))
    await engine.checkpoint("migrated")
    engine.clock.advance(300)
    engine.emit_event(
        TargetChanged(
            DB,
            TargetState.ROLLED_BACK,
            12,
            12,
            engine.clock(),
            started_at=1000.0,
            finished_at=1600.0,
            reason="rollback run rollback-1: verified back on hdisk0",
        )
    )
    await engine.checkpoint("rolled back")


async def palette_hits(pilot: Pilot[None], query: str) -> list[str]:
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*query)
    await pilot.pause(0.5)
    commands = app.screen.query_one(CommandList)
    hits = [str(commands.get_option_at_index(i).prompt).split("\n")[0] for i in range(commands.option_count)]
    await pilot.press("escape")
    await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette))
    return hits


async def test_a_rolled_back_host_shows_it_and_is_not_offered_a_rollback(make_app: MakeApp) -> None:
    opened: list[object] = []
    app, engine = make_app(HOSTS, two_done_one_never_started, rollback=lambda: opened.append("wizard"))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await engine.reached("migrated")
        await settle(pilot)
        rolls = [h for h in await palette_hits(pilot, "Roll back:") if h.startswith("Roll back: ")]
        assert rolls == [f"Roll back: {DB}", f"Roll back: {WEB}"]  # not aixapp03: it never started

        # `b` on the host that never started says why and opens nothing.
        app.fleet.table.move_cursor(row=app.fleet.table.get_row_index(APP))
        await pilot.press("b")
        await pilot.pause()
        assert opened == []
        assert any(
            "aixapp03 never started in this run: nothing to roll back" in str(n.message) for n in app._notifications
        )

        engine.release("migrated")
        await engine.reached("rolled back")
        await settle(pilot)
        assert app.bridge.views[DB].state is TargetState.ROLLED_BACK
        table = app.fleet.table
        assert table.cell_text(DB, "state") == "↺ rolled back"
        assert table.cell_text(DB, "elapsed") == "10:00"  # the migration's time, not the time since
        assert table.cell_text(DB, "last").startswith("rollback run rollback-1: verified back on hdisk0")
        assert "rolled back 1" in app.fleet.header.summary_text
        rolls = [h for h in await palette_hits(pilot, "Roll back:") if h.startswith("Roll back: ")]
        assert rolls == [f"Roll back: {WEB}"]
        app.fleet.table.move_cursor(row=app.fleet.table.get_row_index(DB))
        await pilot.press("b")
        await pilot.pause()
        assert opened == []
        assert any(
            "aixdb01 is rolled back already (rollback run rollback-1" in str(n.message) for n in app._notifications
        )
        engine.release("rolled back")
