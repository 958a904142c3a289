"""The preflight screen with the real PreflightService and engine on the simulated fleet over real SSH.

The matrix shows what the hosts answered; a fix runs only after its confirmation and turns its cell
green on the re-check; the gate keeps a still-blocked client from starting and the fleet says why; a
waiver with a reason is journaled and lets its client go.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static
from textual.widgets._toast import Toast

from cockpit.config import Config, load_config
from cockpit.domain.models import TargetState
from cockpit.engine.journal import Journal
from cockpit.engine.preflight import PreflightReport, PreflightRunner, PreflightService, ProgressCallback
from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for
from cockpit.ui.app import CockpitApp
from cockpit.ui.asks import FIX_INTRO
from cockpit.ui.screens.confirm import ConfirmScreen, Stage
from cockpit.ui.screens.fleet import FleetScreen
from cockpit.ui.screens.preflight import PreflightScreen
from cockpit.ui.screens.waive import WaiveScreen
from cockpit.ui.screens.waivers import WaiversScreen
from tests.ui.conftest import SIZE, settle, wait_until
from tests.ui.preflight_fleet import (
    GHOST,
    NIMSH_DOWN,
    cockpit_on,
    fleet_in_thread,
    preflight_ready,
    tiny_with_nimsh_down,
)
from tests.ui.screen_text import SIZES, screen_lines, steady_cursors

# preflight.yaml: one fault per client (see the scenario's header); what each one must show, and nothing else.
PREFLIGHT_SCENARIO_CELLS: dict[str, dict[str, str]] = {
    "lpar01": {},
    "lpar02": {"nimsh.active": "✗", "nimsh.ports": "!"},  # nimsh down: nothing listens on 3901/3902 either
    "lpar03": {"nimsh.active": "✗", "nimsh.ports": "✗"},  # SAP took 3901: nimsh could not bind it
    "lpar04": {"fileset.alt_disk_install": "✗"},
    "lpar05": {"devices.ghost_major": "✗"},
    "lpar06": {"rootvg.multibos": "✗"},
    "lpar07": {"disk.target_size": "✗"},
    "lpar08": {"disk.target_free": "✗"},
    "lpar09": {"rootvg.leftover_alt": "✗"},
    "lpar10": {"nim.client_defined": "✗"},
    "lpar11": {"nim.client_master": "✗"},
    "lpar12": {"oslevel.master_not_below_target": "✗", "fileset.alt_disk_install": "✗"},
    "lpar13": {},
}


def plain(widget: Static) -> str:
    content = widget.content
    assert isinstance(content, Content)
    return content.plain


async def test_matrix_shows_exactly_the_scenarios_faults(tmp_path: Path) -> None:
    async with cockpit_on("preflight", tmp_path) as cockpit, cockpit.app.run_test(size=SIZE) as pilot:
        assert isinstance(cockpit.app.screen, PreflightScreen)  # opens on the preflight, not the fleet
        screen = await preflight_ready(pilot, cockpit)
        table = screen.table
        matrix = screen.matrix
        assert matrix is not None
        assert list(matrix.clients) == [c.name for c in load_scenario("preflight").clients]
        shown = {
            client: {check: table.cell_text(client, check) for check in matrix.checks} for client in matrix.clients
        }
        for client, expected in PREFLIGHT_SCENARIO_CELLS.items():
            flagged = {check: glyph for check, glyph in shown[client].items() if glyph != "✓"}
            assert flagged == expected, client
            verdict = "GO" if not expected else "NO-GO"
            assert table.cell_text(client, "verdict") == verdict, client
        assert screen.header.summary_text.startswith("NO-GO · go 2 · no-go 11")
        # The first cell that needs attention is under the cursor, its detail below the matrix.
        assert table.cursor_key() == ("lpar02", "nimsh.active")
        assert "nimsh is inoperative on lpar02" in screen.detail.text
        assert "[lpar02] startsrc -s nimsh" in screen.detail.text


async def test_fix_turns_the_cell_green_and_the_run_starts_that_host_not_the_blocked_one(tmp_path: Path) -> None:
    async with cockpit_on(tiny_with_nimsh_down(tmp_path), tmp_path) as cockpit:
        app = cockpit.app
        async with app.run_test(size=SIZE) as pilot:
            screen = await preflight_ready(pilot, cockpit)
            table = screen.table
            assert table.cell_text(NIMSH_DOWN, "nimsh.active") == "✗"
            assert table.cell_text(NIMSH_DOWN, "verdict") == "NO-GO"
            assert table.cell_text(GHOST, "devices.ghost_major") == "✗"

            # Open the finding: evidence, meaning and the fix with its host.
            table.move_to(NIMSH_DOWN, "nimsh.active")
            await pilot.press("enter")
            assert screen.detail.has_focus
            detail = screen.detail.text
            assert "nimsh is inoperative on lpar01" in detail
            assert "[lpar01] $ lssrc -s nimsh" in detail
            assert "What it means" in detail
            assert "[lpar01] startsrc -s nimsh" in detail
            assert "on nim01 (the NIM master): nimsh is active on nim01" in detail

            await pilot.press("f")
            modal = app.screen
            assert isinstance(modal, ConfirmScreen)
            steps = modal.body_text.splitlines()
            assert steps[0] == FIX_INTRO
            assert [line.strip() for line in steps[1:]] == ["1. [lpar01] startsrc -s nimsh"]
            assert not modal.ask.danger and modal.ask.type_name is None
            await pilot.press("y")
            await wait_until(pilot, lambda: modal.stage is Stage.DONE, timeout=20)
            assert modal.heading_text == "✓ Applied the fix for nimsh.active on lpar01."
            results = modal.body_text
            assert FIX_INTRO not in results  # it shows what ran and what came back, not what would run
            assert "✓ [lpar01] startsrc -s nimsh  exit 0" in results
            assert "0513-059 The nimsh Subsystem has been started. Subsystem PID is" in results
            assert "re-check: nimsh.active on lpar01 ✓ pass · lpar01 GO" in results
            await pilot.press("escape")
            assert app.screen is screen
            assert table.cell_text(NIMSH_DOWN, "nimsh.active") == "✓"
            assert table.cell_text(NIMSH_DOWN, "verdict") == "GO"
            assert table.cell_text(GHOST, "verdict") == "NO-GO"
            assert "Last fix applied here" in screen.detail.text

            # Start: the confirmation names who runs and who stays blocked, then the fleet takes over.
            await pilot.press("s")
            start = app.screen
            assert isinstance(start, ConfirmScreen)
            said = start.body_text.splitlines()
            assert said[0] == f"nimadm runs on nim01 for 1 client(s): {NIMSH_DOWN}"
            assert said[said.index("Not started (1), blocked by preflight:") + 1].strip() == f"■ {GHOST}"
            await pilot.press("enter")  # enter confirms as y does
            assert isinstance(app.screen, FleetScreen)
            await wait_until(pilot, lambda: not app.run_active and app.bridge.run_finished is not None, timeout=30)
            await settle(pilot)
            fleet = app.fleet.table
            assert fleet.cell_text(NIMSH_DOWN, "state") == "✓ succeeded"
            assert fleet.cell_text(NIMSH_DOWN, "phase").startswith("12/12")
            assert fleet.cell_text(GHOST, "state") == "■ blocked"
            assert fleet.cell_text(GHOST, "last").startswith("not started: devices.ghost_major: major number 43")
            assert cockpit.engine.progress[GHOST].state is TargetState.BLOCKED
            assert cockpit.engine.progress[GHOST].phase is None  # never launched
            assert app.fleet.header.title_text.endswith("finished, 1 blocked")
            assert app.fleet.header.summary_text == "ok 1 · blocked 1"


async def test_destructive_fix_needs_yes_and_a_waiver_lets_the_client_go(tmp_path: Path) -> None:
    async with cockpit_on(tiny_with_nimsh_down(tmp_path), tmp_path) as cockpit:
        app = cockpit.app
        async with app.run_test(size=SIZE) as pilot:
            screen = await preflight_ready(pilot, cockpit)
            table = screen.table
            table.move_to(GHOST, "devices.ghost_major")
            await pilot.pause()

            # The ghost cleanup deletes ODM entries: it lists its saves first and runs only once the
            # host's name is typed.
            await pilot.press("f")
            modal = app.screen
            assert isinstance(modal, ConfirmScreen)
            assert modal.ask.danger and modal.ask.type_name == GHOST
            lines = [line.strip() for line in modal.body_text.splitlines()]
            assert lines[1] == "saves first (a copy of what the fix deletes):"
            assert lines[2].startswith("1. [lpar02] odmget -q value1=43 CuDvDr > /tmp/cockpit-CuDvDr-43.")
            destructive = lines.index("then the fix, destructive (it deletes):")
            assert "[lpar02] odmdelete -q value1=43 -o CuDvDr" in " ".join(lines[destructive:])
            run = modal.query_one("#confirm-run", Button)
            await pilot.press("y", "enter")  # "y" is not the host's name: nothing runs
            assert run.disabled
            await pilot.press(*"yes", "enter")  # nor is "yes"
            assert run.disabled
            assert modal.stage is Stage.CONFIRM
            assert modal.name_field is not None
            modal.name_field.value = GHOST
            await pilot.pause()
            assert not run.disabled  # the name would run it: cancelled instead
            await pilot.press("escape")
            assert app.screen is screen
            assert table.cell_text(GHOST, "devices.ghost_major") == "✗"

            # Waive it instead, with a reason.
            await pilot.press("w")
            waive = app.screen
            assert isinstance(waive, WaiveScreen)
            await pilot.press("enter")  # no reason: stays open
            assert app.screen is waive
            reason = "change 4711: ODM entries checked by hand"
            waive.query_one("#waive-reason", Input).value = reason
            await pilot.press("enter")
            assert app.screen is screen
            await preflight_ready(pilot, cockpit)
            assert table.cell_text(GHOST, "devices.ghost_major") == "~"
            assert table.cell_text(GHOST, "verdict") == "GO"
            assert f"Waived by tester: {reason}" in screen.detail.text
            assert cockpit.service.blocked() == {NIMSH_DOWN: "nimsh.active: nimsh is inoperative on lpar01"}

    journal = Journal(cockpit.service.config.state_dir / "journal.sqlite")
    try:
        (waiver,) = journal.waivers()
        assert (waiver.check, waiver.host, waiver.reason, waiver.operator) == (
            "devices.ghost_major",
            GHOST,
            reason,
            "tester",
        )
        window = cockpit.service.config.plan.window
        assert window is None or waiver.expires_at == window.epoch(window.end)
    finally:
        journal.close()


async def test_a_waiver_of_every_host_is_confirmed_listed_and_revoked(tmp_path: Path) -> None:
    """Every host only when ticked and then confirmed (the confirmation says an error is never waived);
    `W` lists the waivers in force and revokes one after its confirmation; the matrix follows at once."""
    async with cockpit_on(tiny_with_nimsh_down(tmp_path), tmp_path) as cockpit:
        app = cockpit.app
        journal = Journal(cockpit.service.config.state_dir / "journal.sqlite")
        try:
            async with app.run_test(size=SIZE) as pilot:
                screen = await preflight_ready(pilot, cockpit)
                table = screen.table
                table.move_to(NIMSH_DOWN, "nimsh.active")
                await pilot.pause()

                async def ask_every_host() -> ConfirmScreen:
                    await pilot.press("w")
                    await wait_until(pilot, lambda: isinstance(app.screen, WaiveScreen))
                    waive = app.screen
                    assert isinstance(waive, WaiveScreen)
                    said = str(waive.query_one("#waive-text", Static).content)
                    assert "An error (a check that could not run) is never waived." in said
                    waive.query_one("#waive-reason", Input).value = "change 4711: nimsh started by the NIM team"
                    await pilot.press("tab", "space")  # the scope box: every host
                    assert waive.every_host
                    await pilot.press("enter")  # enter on the box answers the dialog
                    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
                    confirm = app.screen
                    assert isinstance(confirm, ConfirmScreen)
                    return confirm

                confirm = await ask_every_host()
                assert confirm.heading_text == "Waive nimsh.active on every host?" and confirm.ask.danger
                said = confirm.body_text
                assert "It covers now (1):" in said and f"{NIMSH_DOWN}: nimsh is inoperative on {NIMSH_DOWN}" in said
                assert "An error (a check that could not run) is never waived" in said
                await pilot.press("escape")  # not confirmed: nothing is journaled
                await wait_until(pilot, lambda: app.screen is screen)
                assert journal.waivers() == [] and table.cell_text(NIMSH_DOWN, "verdict") == "NO-GO"

                confirm = await ask_every_host()
                await pilot.press("y")
                await wait_until(pilot, lambda: app.screen is screen and screen.busy is None)
                await pilot.pause()
                assert table.cell_text(NIMSH_DOWN, "nimsh.active") == "~"
                assert table.cell_text(NIMSH_DOWN, "verdict") == "GO"
                (given,) = journal.waivers()
                assert (given.check, given.host, given.operator) == ("nimsh.active", None, "tester")

                # W: the waivers in force; enter asks to revoke the selected one.
                await pilot.press("W")
                await wait_until(pilot, lambda: isinstance(app.screen, WaiversScreen))
                listing = app.screen
                assert isinstance(listing, WaiversScreen)
                assert [w.id for w in listing.records] == [given.id]
                assert listing.options.get_option_at_index(0).prompt.plain.startswith("nimsh.active@*  until ")
                await pilot.press("enter")
                await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
                revoke = app.screen
                assert isinstance(revoke, ConfirmScreen)
                assert revoke.heading_text == "Revoke the waiver of nimsh.active on every host?"
                await pilot.press("y")
                await wait_until(pilot, lambda: app.screen is listing)
                await pilot.pause()
                assert listing.records == [] and listing.empty.display
                await pilot.press("escape")
                await wait_until(pilot, lambda: app.screen is screen)
                assert table.cell_text(NIMSH_DOWN, "nimsh.active") == "✗"
                assert table.cell_text(NIMSH_DOWN, "verdict") == "NO-GO"
                assert cockpit.service.blocked() == {
                    NIMSH_DOWN: "nimsh.active: nimsh is inoperative on lpar01",
                    GHOST: cockpit.service.blocked()[GHOST],
                }
            assert journal.waivers() == []
            (revoked,) = journal.waiver_history()
            assert revoked.revoked_by == "tester" and revoked.state(revoked.revoked_at + 1) == "revoked"  # type: ignore[operator]
        finally:
            journal.close()


async def test_a_fix_that_cannot_run_is_shown_not_swallowed(tmp_path: Path) -> None:
    # lpar01 goes down (a long reboot) between the confirmation's opening and its answer.
    async with cockpit_on(tiny_with_nimsh_down(tmp_path, reboot_minutes=20_000), tmp_path) as cockpit:
        app = cockpit.app
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            screen = await preflight_ready(pilot, cockpit)
            screen.table.move_to(NIMSH_DOWN, "nimsh.active")
            await pilot.press("f")
            modal = app.screen
            assert isinstance(modal, ConfirmScreen)
            reboot = asyncio.create_task(cockpit.fleet.reboot(NIMSH_DOWN))
            try:
                await asyncio.sleep(0.3)  # the listener is closed at once; the reboot itself lasts minutes
                await pilot.press("y")
                await wait_until(pilot, lambda: modal.stage is Stage.DONE, timeout=20)
                assert modal.heading_text == "✗ Not done: Apply the fix for nimsh.active on lpar01"
                results = modal.body_text
                assert "✗ [lpar01] startsrc -s nimsh  could not run:" in results
                assert "re-check: nimsh.active on lpar01 ? error · lpar01 NO-GO" in results
                await pilot.press("escape")
                await wait_until(pilot, lambda: bool(app.screen.query(Toast)))
                assert any("did not complete" in str(t.render()) for t in app.screen.query(Toast))
                assert screen.table.cell_text(NIMSH_DOWN, "verdict") == "NO-GO"
            finally:
                reboot.cancel()


FleetAnswer = tuple[SimFleet, PreflightReport]
PICTURE_TIME = 1_796_000_000.0
"""The clock of the pictures' waivers (2026-11-30 00:53:20 UTC)."""
PICTURE_KEY = "SHA256:Pz4xRk9oN3ZtU2lYb0p6cUVhWkJ3Tm1tR1RkS2N1dGc"
"""The preflight fleet and its answer, read once per module."""


class AnsweredPreflight(PreflightService):
    """The real service, whose full check answers with the fleet's report read once for the module.

    The pictures only read the hosts: asking 14 of them over SSH again for each picture would cost a
    preflight's time each, for the same answer. A re-check of some clients still asks them.
    """

    def __init__(self, config: Config, transport_for: Any, answer: PreflightReport) -> None:
        super().__init__(config, transport_for, operator="tester")
        # A picture must not change with the day it is taken or the key the fleet made this time.
        self.book.clock = lambda: PICTURE_TIME
        self.answer = replace(answer, keys=dict.fromkeys(answer.keys, PICTURE_KEY))

    async def check(
        self, clients: Iterable[str] | None = None, on_progress: ProgressCallback | None = None
    ) -> PreflightReport:
        if clients is not None:
            return await super().check(clients, on_progress)
        self.last = self.answer
        return self.answer


@pytest.fixture(scope="module")
def preflight_fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FleetAnswer]:
    """The one-fault-per-client fleet and its preflight answer, shared by the pictures."""
    with fleet_in_thread("preflight", tmp_path_factory.mktemp("preflight-fleet")) as fleet:
        config = load_config(fleet.write_inventory(tmp_path_factory.mktemp("answer") / "inventory.yaml"))
        answer = asyncio.run(PreflightRunner(config, lambda h: transport_for(h, config.ssh)).run())
        yield fleet, answer


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC while a picture that shows a time is taken (the same picture in every time zone)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def preflight_app(fleet: FleetAnswer, workdir: Path) -> tuple[CockpitApp, PreflightService]:
    sim, answer = fleet
    config = load_config(sim.write_inventory(workdir / "inventory.yaml"))
    service = AnsweredPreflight(config, lambda h: transport_for(h, config.ssh), answer)
    journal = Journal(config.state_dir / "journal.sqlite")
    engine = RunbookRun(
        config, journal, lambda host: transport_for(host, config.ssh), config_path=workdir / "inventory.yaml"
    )
    app = CockpitApp(
        engine.run, list(engine.progress), engine.log_path, title="nimadm · preflight.yaml", preflight=service
    )
    return app, service


async def answered(pilot: Pilot[None], app: CockpitApp) -> PreflightScreen:
    await wait_until(pilot, lambda: app.preflight is not None and app.preflight.ready, timeout=30)
    await pilot.pause()
    assert app.preflight is not None
    return app.preflight


@pytest.mark.parametrize("size", SIZES)
def test_preflight_matrix(snap_compare: Any, tmp_path: Path, preflight_fleet: FleetAnswer, size: str) -> None:
    """The matrix of the one-fault-per-client scenario with the first failing cell's detail. The client
    and its verdict never scroll away: lpar05's ghost device reads NO-GO at 80 columns too."""
    app, service = preflight_app(preflight_fleet, tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await answered(pilot, app)
        lines = screen_lines(app)
        ghost = next(line for line in lines if line.split()[:1] == ["lpar05"])
        assert ghost.split()[1] == "NO-GO"
        _left, right = screen.table.hidden_columns()
        assert [key.value for key in list(screen.table.columns)[:2]] == ["client", "verdict"]  # fixed columns
        if right:  # what scrolls out of view is said, with a cue, at the end of the legend line
            legend = next(line for line in lines if "✓ pass" in line)
            assert f"{len(right)} more check" in legend

    try:
        assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)
    finally:
        service.close()


def test_start_dialog_fits_80x24(snap_compare: Any, tmp_path: Path, preflight_fleet: FleetAnswer) -> None:
    """Eleven blocked clients: the plan scrolls, the keys and the buttons stay in view."""
    app, service = preflight_app(preflight_fleet, tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await answered(pilot, app)
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.pause()
        lines = screen_lines(app)
        assert any("y / enter confirms · n / esc cancels" in line and "Start" in line for line in lines)

    try:
        assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run_before)
    finally:
        service.close()


def test_destructive_fix_dialog_fits_80x24(snap_compare: Any, tmp_path: Path, preflight_fleet: FleetAnswer) -> None:
    """The ghost device's fix: saves first, the destructive commands, and the host's name to type."""
    app, service = preflight_app(preflight_fleet, tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await answered(pilot, app)
        screen.table.move_to("lpar05", "devices.ghost_major")
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.pause()
        lines = screen_lines(app)
        assert any("Type the host's name, lpar05, to run it:" in line for line in lines), "\n".join(lines)
        assert any("enter confirms · esc cancels" in line for line in lines)
        await steady_cursors(pilot)

    try:
        assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run_before)
    finally:
        service.close()


def test_waive_dialog_fits_80x24(snap_compare: Any, tmp_path: Path, preflight_fleet: FleetAnswer, utc: None) -> None:
    """What is waived, until when and who is recorded, the reason and the scope, all in view."""
    app, service = preflight_app(preflight_fleet, tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await answered(pilot, app)
        screen.table.move_to("lpar05", "devices.ghost_major")
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, WaiveScreen))
        await pilot.pause()
        lines = screen_lines(app)
        assert any(
            "enter confirms · tab, space: every host · esc cancels" in line and "Waive" in line for line in lines
        )
        assert any("every host, not only lpar05 (asks to confirm)" in line for line in lines), "\n".join(lines)
        await steady_cursors(pilot)

    try:
        assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run_before)
    finally:
        service.close()
