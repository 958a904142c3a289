"""Troubleshooting in the TUI with the real engine over real SSH to the simulated fleet.

A client hangs in phase 3 (the simulator's hang_phase): the row says stalled and a notification
says so; its troubleshoot screen shows the last lines and runs probes; it is killed and retried from
phase 3 to success, each action confirmed first and journaled with who did it. The fleet controls
pause starts, change the concurrency and abort a waiting host.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Button, Input
from textual.widgets._toast import Toast

from cockpit.domain.models import TargetState
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.confirm import ConfirmScreen, Stage
from cockpit.ui.screens.fleet import FleetScreen
from cockpit.ui.screens.troubleshoot import TroubleshootScreen
from tests.ui.conftest import SIZE, settle, wait_until
from tests.ui.controls_fleet import HANG_IN_3, OPERATOR, controlled_cockpit

HUNG = "lpar01"


async def open_modal(pilot: Pilot[None], key: str) -> ConfirmScreen:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
    modal = pilot.app.screen
    assert isinstance(modal, ConfirmScreen)
    return modal


async def confirmed(pilot: Pilot[None], modal: ConfirmScreen, *keys: str) -> str:
    """Confirm with `keys`, wait for the engine's answer, close the modal; return what it said (heading first)."""
    await pilot.press(*keys)
    await wait_until(pilot, lambda: modal.stage is Stage.DONE, timeout=30)
    said = f"{modal.heading_text}\n{modal.body_text}"
    await pilot.press("escape")
    await wait_until(pilot, lambda: pilot.app.screen is not modal)
    return said


async def troubleshoot(pilot: Pilot[None], app: CockpitApp, target: str) -> TroubleshootScreen:
    app.fleet.table.move_cursor(row=app.fleet.table.get_row_index(target))
    await pilot.press("t")
    await wait_until(pilot, lambda: isinstance(app.screen, TroubleshootScreen))
    screen = app.screen
    assert isinstance(screen, TroubleshootScreen) and screen.target == target
    await wait_until(pilot, screen.loaded.is_set)
    return screen


async def stalled(pilot: Pilot[None], app: CockpitApp) -> None:
    await wait_until(pilot, lambda: app.fleet.table.cell_text(HUNG, "state") == "◐ stalled", timeout=30)


async def test_stalled_host_is_inspected_killed_and_retried_from_its_phase_to_success(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with controlled_cockpit(tmp_path, HANG_IN_3) as cockpit:
        app, engine = cockpit.app, cockpit.engine
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            table = app.fleet.table
            await stalled(pilot, app)
            assert table.cell_text(HUNG, "phase").strip().startswith("3/12")
            assert table.cell_text(HUNG, "last").startswith("silent ")
            await wait_until(pilot, lambda: bool(app.screen.query(Toast)))
            toasts = [str(t.render()) for t in app.screen.query(Toast)]
            assert any(f"{HUNG} stalled" in t and "Silent for" in t and "in phase 3" in t for t in toasts), toasts

            # Quitting now would leave it running: the confirmation says so and how to come back.
            await pilot.press("q")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert isinstance(app.screen, ConfirmScreen)
            assert "the migrations keep running on the NIM master" in app.screen.body_text
            assert "cockpit run inventory.yaml --resume re-attaches" in app.screen.body_text
            await pilot.press("n")

            screen = await troubleshoot(pilot, app, HUNG)
            assert screen.header.text.startswith(f"{HUNG} · ◐ stalled · phase 3/12")
            assert "stalled: silent for" in screen.header.text
            step_dir = engine.main_step(HUNG).remote.directory
            assert f"step nimadm · {step_dir} on nim01 · running" in screen.header.text
            assert screen.lines_text[-1] != "" and "Executing nimadm phase 3." in screen.lines_text
            assert [p.key for p in screen.probes] == ["processes", "alt_mig_log", "nfs_mounts", "nimsh_log", "lsnim"]

            # A retry does not fit a running step: refused with the engine's reason, nothing opens.
            assert screen.action_buttons["retry"].disabled and screen.action_buttons["cleanup"].disabled
            await pilot.press("r")
            assert app.screen is screen

            # Inspect: the process tree of the step on the master shows nimadm still there.
            await pilot.press("1")
            await wait_until(pilot, lambda: screen.probe_runs["processes"].count == 1, timeout=20)
            output = screen.output_text
            assert output.startswith("Is nimadm still alive, and what is it waiting on")  # why this probe
            assert output.splitlines()[1:3] == ["$ ps -e -o pid,ppid,etime,args", "on nim01 · exit 0"]
            # The same step as the header, as its host has it: running, its tree down to nimadm.
            assert "step nimadm · running · pid " in output
            assert "nimadm -c lpar01" in output

            # Kill: the modal says which signal goes to which step on which host; it runs once the
            # host's name is typed (y alone is a letter of the name, and enter before it refuses).
            modal = await open_modal(pilot, "k")
            assert f"SIGTERM to the processes of step {step_dir} on nim01" in modal.body_text
            assert f"journals it as done by {OPERATOR}" in modal.body_text
            assert modal.confirm_button.disabled
            await pilot.press("y", "enter")
            assert modal.stage is Stage.CONFIRM and engine.progress[HUNG].state is TargetState.STALLED
            await pilot.press("backspace")
            said = await confirmed(pilot, modal, *HUNG, "enter")
            assert said.startswith("✓ Done: Terminate the running step of lpar01")
            assert "These commands will run" not in said and "This will happen" not in said
            assert f"SIGTERM sent to the processes of {HUNG}'s step on nim01:" in said
            assert "[nim01] cockpit-kill: sent SIGTERM to" in said
            await pilot.press("escape")
            await settle(pilot)
            await wait_until(pilot, lambda: table.cell_text(HUNG, "state") == "✗ failed", timeout=30)
            assert "exited with status 143" in table.cell_text(HUNG, "last")

            # Retry from the phase it stopped in: the modal lists every nimadm -P command it will run.
            screen = await troubleshoot(pilot, app, HUNG)
            assert not screen.action_buttons["retry"].disabled and screen.action_buttons["kill"].disabled
            modal = await open_modal(pilot, "r")
            field = modal.query_one("#confirm-value", Input)
            assert field.value == "3"
            commands = [engine.command(HUNG, n) for n in range(3, 13)]
            plan = modal.body_text.splitlines()
            assert plan[1] == "On nim01, one after another, each as its own step; the first that fails stops the rest:"
            assert [line.strip() for line in plan[2:12]] == commands
            assert commands[0].endswith("-P 3") and commands[-1].endswith("-P 12")
            await pilot.press("backspace", "1", "3")
            assert "the phase is a whole number from 1 to 12" in modal.body_text
            assert modal.query_one("#confirm-run", Button).disabled
            await pilot.press("backspace", "backspace", "3")
            said = await confirmed(pilot, modal, "enter")
            assert said.splitlines() == [
                f"✓ Done: Retry {HUNG} from a phase",
                f"Retry of {HUNG} from phase 3 started: 10 steps.",
            ]
            await pilot.press("escape")
            assert isinstance(app.screen, FleetScreen)
            await wait_until(pilot, lambda: table.cell_text(HUNG, "state") == "✓ succeeded", timeout=60)
            assert table.cell_text(HUNG, "phase").strip().startswith("12/12")
            await wait_until(pilot, lambda: app.fleet.status.startswith("finished"), timeout=30)
            # Finished: the header names the last step that ran, ended; the process probe agrees.
            screen = await troubleshoot(pilot, app, HUNG)
            last = engine.trouble_step(HUNG)
            assert last is not None and last.name == "nimadm-P12-r1"
            assert last.describe().endswith("· ended, exit status 0") and last.describe() in screen.header.text
            await pilot.press("1")
            await wait_until(pilot, lambda: screen.probe_runs["processes"].count == 1, timeout=20)
            assert f"{last.describe(short=True)}\nno process of it left (its wrapper was pid " in screen.output_text
            await pilot.press("escape")

            actions = cockpit.actions()
            assert [(t, a, o) for t, a, _d, o in actions] == [
                (HUNG, "probe", OPERATOR),
                (HUNG, "kill-term", OPERATOR),
                (HUNG, "retry", OPERATOR),
                (HUNG, "probe", OPERATOR),
            ]
            assert actions[2][2] == "from phase 3"
        assert engine.progress[HUNG].state is TargetState.SUCCEEDED


async def test_fleet_controls_pause_starts_set_concurrency_and_abort_a_waiting_host(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with controlled_cockpit(tmp_path, autostart=False) as cockpit:
        app, engine = cockpit.app, cockpit.engine
        async with app.run_test(size=SIZE) as pilot:
            header = app.fleet.header
            assert "concurrency 2 (0 running)" in header.title_text
            modal = await open_modal(pilot, "c")
            await pilot.press("backspace", "1")
            assert modal.body_text.startswith(
                "This will happen:\nAt most 1 client migrates at once (now 2, 0 running)."
            )
            await confirmed(pilot, modal, "enter")
            await pilot.press("p")
            await wait_until(pilot, lambda: "starts paused" in header.title_text)
            assert engine.gate.paused and "concurrency 1 (0 running)" in header.title_text

            await pilot.press("s")
            await wait_until(pilot, lambda: app.bridge.run_started is not None, timeout=10)
            await pilot.pause(0.5)
            assert [v.state for v in app.bridge.views.values()] == [TargetState.PENDING] * 2  # nothing starts

            app.fleet.table.move_cursor(row=1)
            modal = await open_modal(pilot, "a")
            assert modal.ask.heading == "Abort lpar02?"
            assert modal.ask.type_name is None  # it has not started: nothing of it is lost, y is enough
            assert "lpar02 will not start: it shows as blocked (aborted by the operator)." in modal.body_text
            await confirmed(pilot, modal, "y")
            await settle(pilot)
            table = app.fleet.table
            assert table.cell_text("lpar02", "state") == "■ blocked"
            assert table.cell_text("lpar02", "last") == f"aborted by {OPERATOR} before it started"

            await pilot.press("p")
            await wait_until(pilot, lambda: "starts paused" not in header.title_text)
            await wait_until(pilot, lambda: table.cell_text("lpar01", "state") == "✓ succeeded", timeout=60)
            await wait_until(pilot, lambda: app.fleet.status == "finished, 1 blocked", timeout=10)
            # Aborting a finished host is refused with the reason, before any modal.
            await pilot.press("a")
            assert app.screen is app.fleet

            # Nothing runs or waits any more: quitting asks nothing (and closes the open run).
            assert not app.migrations_running
            assert [(t, a, d) for t, a, d, _o in cockpit.actions()] == [
                (None, "concurrency", "1"),
                (None, "pause-starts", "no new client starts until resumed"),
                ("lpar02", "abort", "before start"),
                (None, "resume-starts", ""),
            ]


async def test_keep_waiting_snoozes_the_alarm_and_mark_failed_needs_a_reason(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with controlled_cockpit(tmp_path, HANG_IN_3) as cockpit:
        app, engine = cockpit.app, cockpit.engine
        async with app.run_test(size=SIZE) as pilot:
            await stalled(pilot, app)
            screen = await troubleshoot(pilot, app, HUNG)

            # Keep waiting: pick 30 minutes; the alarm goes off and the host shows running again.
            modal = await open_modal(pilot, "z")
            assert "No stall alarm for lpar01 for the next 10 minutes" in modal.body_text
            await pilot.press("down")
            assert "No stall alarm for lpar01 for the next 30 minutes (journaled as snooze 1800s)." in modal.body_text
            said = await confirmed(pilot, modal, "enter")
            assert said.splitlines() == [
                f"✓ Done: Keep waiting for {HUNG}",
                f"No stall alarm for {HUNG} for 30 minutes.",
            ]
            await wait_until(pilot, lambda: app.bridge.views[HUNG].state is TargetState.RUNNING)
            await settle(pilot)
            assert "alarm snoozed by the operator" in screen.header.text
            assert cockpit.actions() == [(HUNG, "snooze", "1800s", OPERATOR)]
            modal = await open_modal(pilot, "f")
            run = modal.query_one("#confirm-run", Button)
            assert run.disabled and modal.problem == "marking a target failed needs a reason"
            assert modal.body_text.startswith("marking a target failed needs a reason")
            await pilot.press("enter")  # refused: nothing happens without a reason
            assert modal.stage is Stage.CONFIRM and engine.progress[HUNG].state is TargetState.RUNNING
            await pilot.press(*"NFS server down")
            assert not run.disabled
            assert f"{HUNG} is marked failed by {OPERATOR}: NFS server down" in modal.body_text
            assert "Nothing is sent to nim01: its step keeps running there." in modal.body_text
            await pilot.press("escape")  # cancelled: nothing done, nothing journaled
            assert app.screen is screen and len(cockpit.actions()) == 1

            # Stop the step first, as the modal advised, then mark it failed with the reason.
            await confirmed(pilot, await open_modal(pilot, "k"), *HUNG, "enter")
            await wait_until(pilot, lambda: engine.progress[HUNG].state is TargetState.FAILED, timeout=30)
            modal = await open_modal(pilot, "f")
            await pilot.press(*"NFS server down")
            assert modal.body_text.splitlines()[1:3] == [
                f"{HUNG} is marked failed by {OPERATOR}: NFS server down",
                "Nothing is sent to nim01.",
            ]
            said = await confirmed(pilot, modal, "enter")
            assert said.splitlines() == [f"✓ Done: Mark {HUNG} failed", f"{HUNG} marked failed: NFS server down"]
            await settle(pilot)
            assert screen.header.text.startswith(f"{HUNG} · ✗ failed")
            assert f"marked failed by {OPERATOR}: NFS server down" in screen.header.text
            assert cockpit.actions()[-1] == (HUNG, "mark-failed", "NFS server down", OPERATOR)
