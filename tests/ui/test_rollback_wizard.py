"""The rollback wizard in the TUI, with the real engine over real SSH to the simulated fleet.

The cockpit migrates lpar01 (rootvg on hdisk0, datavg on hdisk1, target hdisk2), then the wizard is
opened on it from the fleet (`b`, or the command palette): from the not-yet-rebooted state (bootlist
back to hdisk0, verified, then the migrated disk cleaned up) and from the rebooted state (a wrong disk
refused with the reason, then bootlist, reboot, wait, verified on the recorded level). Every step
changing the host is confirmed first; the journal holds the wizard's run and every step.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from cockpit.commands.tui.rollback import rollback_wizard
from cockpit.domain.models import TargetState
from cockpit.engine.rollback import Backoff, RollbackWizard
from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.sim.state import read
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.choose_disk import ChooseDisk
from cockpit.ui.screens.confirm import ConfirmScreen
from cockpit.ui.screens.rollback import RollbackScreen, Stage
from tests.engine.test_engine_over_ssh import make_engine
from tests.rollback.fleet import NEW, OLD, host_view, reboot_over_ssh, scenario
from tests.ui.conftest import SIZE, wait_until

HOST = "lpar01"
MIGRATED = [["hdisk0", "rootvg", "active"], ["hdisk1", "datavg", "active"], ["hdisk2", "altinst_rootvg"]]


@dataclass
class Cockpit:
    app: CockpitApp
    engine: RunbookRun
    fleet: SimFleet
    wizards: list[RollbackWizard]

    def rollback_runs(self) -> list[tuple[str, str | None]]:
        return [(r.run_id, r.outcome) for r in self.engine.journal.runs() if r.runbook == "rollback"]


@asynccontextmanager
async def cockpit(tmp_path: Path) -> AsyncIterator[Cockpit]:
    """`cockpit run` as cockpit.commands.tui.run builds it (controls, keep_open, the rollback wizard) on one client."""
    fleet = await SimFleet.start(load_scenario(scenario(tmp_path)), tmp_path / "fleet")
    try:
        engine = make_engine(fleet.write_inventory(tmp_path / "inventory.yaml"), operator="tester")
        wizards: list[RollbackWizard] = []

        def wizard() -> RollbackWizard:
            w = rollback_wizard(engine, backoff=Backoff(0.1, 2.0, 1.0), reboot_timeout=30)
            wizards.append(w)
            return w

        app = CockpitApp(
            functools.partial(engine.run, keep_open=True),
            list(engine.progress),
            engine.log_path,
            title="rollback",
            controls=engine,
            rollback=wizard,
        )
        yield Cockpit(app, engine, fleet, wizards)
    finally:
        await fleet.stop()


async def migrated(pilot: Pilot[None], c: Cockpit) -> None:
    await wait_until(pilot, lambda: c.engine.progress[HOST].state is TargetState.SUCCEEDED, timeout=60)


async def open_wizard(pilot: Pilot[None], c: Cockpit) -> RollbackScreen:
    app = c.app
    app.fleet.table.move_cursor(row=app.fleet.table.get_row_index(HOST))
    await pilot.press("b")
    await wait_until(pilot, lambda: isinstance(app.screen, RollbackScreen))
    screen = app.screen
    assert isinstance(screen, RollbackScreen)
    await read_done(pilot, screen)
    return screen


async def read_done(pilot: Pilot[None], screen: RollbackScreen) -> None:
    await wait_until(pilot, lambda: HOST in screen.walks and screen.walks[HOST].busy is None, timeout=30)
    await pilot.pause()


async def confirm(pilot: Pilot[None], *, answer: str = "y") -> str:
    """Press n, expect the confirmation, answer it; return what it said would run.

    `y`: every step that changes the host asks for its name: `y` alone is refused, the name and enter run it.
    """
    app = pilot.app
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    modal = app.screen
    assert isinstance(modal, ConfirmScreen)
    assert modal.ask.type_name == HOST
    said = modal.body_text
    if answer == "y":
        await pilot.press("y", "enter")  # typed into the name field: not the name, nothing runs
        assert app.screen is modal and modal.confirm_button.disabled
        await pilot.press("backspace", *HOST, "enter")
    else:
        await pilot.press(answer)
    await wait_until(pilot, lambda: app.screen is not modal)
    return said


async def step(pilot: Pilot[None], screen: RollbackScreen, *, answer: str | None = "y", timeout: float = 30) -> str:
    """Run the next step (confirming it when the wizard asks) and wait until it is done."""
    said = await confirm(pilot, answer=answer) if answer is not None else ""
    if answer is None:
        await pilot.press("n")
    await pilot.pause()
    await wait_until(pilot, lambda: screen.walks[HOST].busy is None, timeout=timeout)
    await pilot.pause()
    return said


async def test_not_rebooted_host_is_rolled_back_verified_and_cleaned_up_step_by_step(tmp_path: Path) -> None:
    async with cockpit(tmp_path) as c:
        async with c.app.run_test(size=SIZE) as pilot:
            await migrated(pilot, c)
            assert (await host_view(c.fleet, HOST))[1] == ["hdisk2 blv=hd5"]
            screen = await open_wizard(pilot, c)
            walk = screen.walks[HOST]
            assert walk.stage is Stage.STEPS and walk.assessment is not None
            text = screen.detail_text
            assert f"{HOST}  not rebooted" in text
            assert "previous system (rootvg): boot this to go back · booted from (bootinfo -b)" in text
            assert "migrated system · first in bootlist" in text
            assert "bootlist -m normal -o   hdisk2 blv=hd5" in text
            assert f"oslevel -s now          {OLD}" in text
            assert f"before the migration    {OLD}  (run {c.engine.run_id}," in text
            assert "bootlist -m normal hdisk0" in text and "alt_rootvg_op -X altinst_rootvg" in text
            assert "next: n runs bootlist -m normal hdisk0 on lpar01 (asks first)" in text

            # Cancelled: nothing runs.
            said = await confirm(pilot, answer="escape")
            assert said.startswith("on lpar01:  bootlist -m normal hdisk0")
            assert (await host_view(c.fleet, HOST))[1] == ["hdisk2 blv=hd5"]
            assert not walk.results

            await step(pilot, screen)  # bootlist -m normal hdisk0, confirmed
            assert walk.results["set-bootlist"].ok
            await step(pilot, screen, answer=None)  # bootlist -m normal -o: read-only, no confirmation
            assert walk.stage is Stage.VERIFIED, screen.detail_text
            assert (
                "✓ VERIFIED: lpar01 runs 7100-05-03-1838 from hdisk0, and the bootlist names it" in screen.detail_text
            )
            assert await host_view(c.fleet, HOST) == (OLD, ["hdisk0 blv=hd5"], MIGRATED)
            # The fleet behind the wizard says so; the migration's record too.
            await wait_until(pilot, lambda: c.app.bridge.views[HOST].state is TargetState.ROLLED_BACK)
            c.app.flush()
            assert c.app.fleet.table.cell_text(HOST, "state") == "↺ rolled back"
            last = c.engine.journal.last_states(c.engine.run_id)[HOST]
            assert last["state"] == "rolled-back" and last["reason"].endswith("verified back on hdisk0")

            # The proving reboot is offered, not needed: skipped; then the clean-up, read again, each confirmed.
            assert "n reboots lpar01 to prove the old disk boots; s skips it" in screen.detail_text
            await pilot.press("s")
            await pilot.press("n")
            await wait_until(pilot, lambda: walk.stage is Stage.CLEANUP and walk.busy is None)
            said = await step(pilot, screen)
            assert said.startswith("on lpar01:  alt_rootvg_op -X altinst_rootvg")
            assert "it cannot be booted afterwards" in said
            said = await step(pilot, screen)
            assert said.startswith("on lpar01:  chpv -C hdisk2")
            assert walk.stage is Stage.CLEANED, screen.detail_text
            assert "✓ clean-up verified: lspv shows hdisk2 in no volume group" in screen.detail_text
            level, bootlist, lspv = await host_view(c.fleet, HOST)
            assert (level, bootlist, lspv[2]) == (OLD, ["hdisk0 blv=hd5"], ["hdisk2", "None"])

            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(c.app.screen, RollbackScreen) and screen.closed.is_set())

        # The journal: one rollback run, verified, with every step the wizard ran.
        (run_id, outcome), *more = c.rollback_runs()
        assert not more and outcome == "verified" and run_id == c.wizards[0].run_id
        steps = [(s.step, s.state, s.command) for s in c.engine.journal.steps(run_id)]
        assert steps == [
            ("set-bootlist", "succeeded", "bootlist -m normal hdisk0"),
            ("check-bootlist", "succeeded", "bootlist -m normal -o"),
            ("cleanup", "succeeded", "alt_rootvg_op -X altinst_rootvg"),
            ("clear-hdisk2", "succeeded", "chpv -C hdisk2"),
        ]
        actions = [(t, a, o) for _, t, a, _, o in c.engine.journal.actions(run_id)]
        assert actions == [
            (HOST, "rollback:set-bootlist", "tester"),
            (HOST, "rollback:check-bootlist", "tester"),
            (HOST, "rollback:cleanup", "tester"),
            (HOST, "rollback:clear-hdisk2", "tester"),
        ]
        kinds = [k for _, _, k, _ in c.engine.journal.events(run_id)]
        assert kinds == ["rollback-assessed", "rollback-verified"]


async def test_opening_the_wizard_only_to_look_writes_no_run(tmp_path: Path) -> None:
    """A look (the host read, the plan shown, a step offered and declined) is not a rollback: no journal
    run, and the migration stays the latest run of the record."""
    async with cockpit(tmp_path) as c:
        async with c.app.run_test(size=SIZE) as pilot:
            await migrated(pilot, c)
            screen = await open_wizard(pilot, c)
            assert "bootlist -m normal hdisk0" in screen.detail_text
            said = await confirm(pilot, answer="escape")
            assert said.startswith("on lpar01:  bootlist -m normal hdisk0")
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(c.app.screen, RollbackScreen) and screen.closed.is_set())
        assert c.rollback_runs() == [] and not c.wizards[0].journaled
        assert [(r.run_id, r.kind) for r in c.engine.journal.runs()] == [(c.engine.run_id, "migration")]
        assert (await host_view(c.fleet, HOST))[1] == ["hdisk2 blv=hd5"]


async def test_rebooted_host_refuses_a_wrong_disk_then_reboots_back_onto_the_recorded_level(tmp_path: Path) -> None:
    async with cockpit(tmp_path) as c:
        async with c.app.run_test(size=SIZE) as pilot:
            await migrated(pilot, c)
            await reboot_over_ssh(c.fleet, HOST)
            before = await host_view(c.fleet, HOST)
            assert before[0] == NEW
            boots = read(str(c.fleet.fleet_dir), HOST)["boot_count"]

            # From the command palette this time.
            c.app.action_command_palette()
            await wait_until(pilot, lambda: c.app.screen.__class__.__name__ == "CommandPalette")
            await pilot.press(*"Roll back: lpar01")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(c.app.screen, RollbackScreen))
            screen = c.app.screen
            assert isinstance(screen, RollbackScreen)
            await read_done(pilot, screen)
            walk = screen.walks[HOST]
            text = screen.detail_text
            assert f"{HOST}  rebooted" in text
            assert "previous system (old_rootvg): boot this to go back" in text
            assert "running system · migrated system · booted from (bootinfo -b) · first in bootlist" in text
            assert [s.command for s in walk.required] == [
                "bootlist -m normal hdisk0",
                "bootlist -m normal -o",
                "shutdown -Fr",
            ]

            # A wrong choice: the data disk. Refused with the reason (shown in the chooser too), nothing changes.
            await pilot.press("d")
            await wait_until(pilot, lambda: isinstance(c.app.screen, ChooseDisk))
            await pilot.press("down", "enter")  # hdisk0, hdisk1: the second
            await wait_until(pilot, lambda: isinstance(c.app.screen, RollbackScreen))
            await read_done(pilot, screen)
            walk = screen.walks[HOST]
            reason = "hdisk1 belongs to datavg, a data volume group: no boot image of the previous system is on it"
            assert walk.stage is Stage.REFUSED and walk.disk == "hdisk1"
            assert f"✗ REFUSED: {reason}" in screen.detail_text
            await pilot.press("n")  # nothing to run on a refused host
            await pilot.pause()
            assert not isinstance(c.app.screen, ConfirmScreen)
            assert await host_view(c.fleet, HOST) == before

            # The right disk: the wizard's plan again; bootlist, check, reboot (each change confirmed).
            await pilot.press("d")
            await wait_until(pilot, lambda: isinstance(c.app.screen, ChooseDisk))
            await pilot.press("enter")  # hdisk0
            await wait_until(pilot, lambda: isinstance(c.app.screen, RollbackScreen))
            await read_done(pilot, screen)
            walk = screen.walks[HOST]
            assert walk.stage is Stage.STEPS and walk.disk == "hdisk0"
            await step(pilot, screen)
            await step(pilot, screen, answer=None)
            said = await confirm(pilot)
            assert said.startswith("on lpar01:  shutdown -Fr")
            assert "reconnects with backoff (0.1s doubling up to 1s)" in said
            await wait_until(pilot, lambda: "waiting for lpar01 to come back" in screen.detail_text, timeout=10)
            await wait_until(pilot, lambda: walk.busy is None, timeout=60)
            await pilot.pause()
            assert walk.results["reboot"].ok and "went down and answered again after" in walk.results["reboot"].detail
            assert walk.stage is Stage.VERIFIED, screen.detail_text
            assert f"✓ VERIFIED: lpar01 runs {OLD} from hdisk0" in screen.detail_text
            assert f"✓ level    oslevel -s {OLD}, recorded before the migration {OLD}" in screen.detail_text
            assert await host_view(c.fleet, HOST) == (OLD, ["hdisk0 blv=hd5"], MIGRATED)
            assert read(str(c.fleet.fleet_dir), HOST)["boot_count"] == boots + 1

            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(c.app.screen, RollbackScreen) and screen.closed.is_set())

        (run_id, outcome), *more = c.rollback_runs()
        assert not more and outcome == "verified"
        journal = c.engine.journal
        assert [(s.step, s.state) for s in journal.steps(run_id)][:3] == [
            ("set-bootlist", "succeeded"),
            ("check-bootlist", "succeeded"),
            ("reboot", "succeeded"),
        ]
        actions = [(a, d) for _, _, a, d, _ in journal.actions(run_id)]
        assert actions[0] == ("rollback-refused", reason)
        assert [a for a, _ in actions[1:]] == ["rollback:set-bootlist", "rollback:check-bootlist", "rollback:reboot"]
        events = [(k, d) for _, _, k, d in journal.events(run_id)]
        assert [k for k, _ in events] == [
            "rollback-assessed",
            "rollback-assessed",
            "rollback-assessed",
            "rollback-reboot",
            "rollback-verified",
        ]
        assert events[3][1]["ok"] is True and events[4][1]["ok"] is True
        # The migration's record points at the rollback that changed its host.
        pointers = [d for _, t, a, d, _ in journal.actions(c.engine.run_id) if a == "rollback"]
        assert pointers == [f"rollback run {run_id}: verified"]


async def test_a_running_migration_is_not_rolled_back(tmp_path: Path) -> None:
    async with cockpit(tmp_path) as c, c.app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, lambda: c.engine.progress[HOST].state is TargetState.RUNNING, timeout=30)
        c.app.fleet.table.move_cursor(row=c.app.fleet.table.get_row_index(HOST))
        await pilot.press("b")
        await pilot.pause()
        assert not isinstance(c.app.screen, RollbackScreen)
        assert c.wizards == []
        await migrated(pilot, c)
