"""A target kept back by a lock: the row and a notification name the holder; `L` breaks a stale one."""

from __future__ import annotations

from pathlib import Path

from cockpit.domain.models import TargetState
from tests.engine.test_locks_over_ssh import dead_pid, locks_left, plant
from tests.ui.conftest import SIZE, settle, wait_until
from tests.ui.controls_fleet import OPERATOR, controlled_cockpit
from tests.ui.test_troubleshoot import confirmed, open_modal


async def test_a_stale_lock_is_shown_then_broken_after_confirmation(tmp_path: Path) -> None:
    async with controlled_cockpit(tmp_path, autostart=False) as cockpit:
        app, engine = cockpit.app, cockpit.engine
        gone = plant(cockpit.fleet, "nim01", "lpar01", pid=dead_pid())
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("s")
            table = app.fleet.table
            await wait_until(pilot, lambda: engine.progress["lpar02"].state.finished, timeout=30)
            await settle(pilot)
            assert table.cell_text("lpar01", "state") == "■ blocked"
            assert f"cockpit pid {gone.pid}" in table.cell_text("lpar01", "last")
            told = [(n.title, n.message) for n in app._notifications]
            assert any(
                title == "lpar01 not started" and "that cockpit is gone" in text and "L on its row" in text
                for title, text in told
            ), told

            # On a host no lock keeps back, L says so and opens nothing.
            table.move_cursor(row=table.get_row_index("lpar02"))
            await pilot.press("L")
            await settle(pilot)
            assert app.screen is app.fleet

            table.move_cursor(row=table.get_row_index("lpar01"))
            modal = await open_modal(pilot, "L")
            shown = modal.body_text
            assert "\nLocked by someone@" in "\n" + shown and "That cockpit is gone" in shown
            assert "--break-lock" not in shown  # the dialog names the holder; the command line is for headless
            assert modal.confirm_button.disabled  # its name is typed first: the operator's word
            said = await confirmed(pilot, modal, *"lpar01", "enter")
            assert said.splitlines()[-1] == "Lock broken: lpar01 starts."
            await wait_until(pilot, lambda: engine.progress["lpar01"].state is TargetState.SUCCEEDED, timeout=30)
            await wait_until(pilot, lambda: locks_left(cockpit.fleet) == [], timeout=10)  # given back as it ended
        actions = [(t, a, o) for t, a, _d, o in cockpit.actions()]
        assert ("lpar01", "break-lock", OPERATOR) in actions
