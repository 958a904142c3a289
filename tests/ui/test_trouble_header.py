"""The troubleshoot screen's header points at `cockpit explain` for an AIX message the catalogue knows."""

from __future__ import annotations

from collections import deque

from textual.app import App, ComposeResult

from cockpit.domain.events import TargetChanged
from cockpit.domain.models import TargetState
from cockpit.ui.bridge import TargetView
from cockpit.ui.widgets.trouble_header import TroubleHeader, explain_pointer


def failed_view(error: str) -> TargetView:
    change = TargetChanged(
        "lpar05", TargetState.FAILED, 1, 12, at=100.0, started_at=10.0, finished_at=100.0, error=error
    )
    return TargetView("lpar05", deque(), change=change, received_at=100.0)


class HeaderApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TroubleHeader()


async def test_a_failed_host_with_a_known_code_names_the_explain_command() -> None:
    app = HeaderApp()
    async with app.run_test(size=(120, 10)) as pilot:
        header = app.query_one(TroubleHeader)
        header.show(failed_view("0516-404 allocp: This system cannot fulfill the allocation request."), 100.0, "-")
        await pilot.pause()
        second = header.text.splitlines()[1]
        assert second.endswith(" · cockpit explain 0516-404")
        header.show(failed_view("nimadm exited with status 1"), 100.0, "-")
        await pilot.pause()
        assert "cockpit explain" not in header.text


def test_only_known_codes_get_a_pointer() -> None:
    assert explain_pointer("0505-187 nimadm: Error cloning altinst_rootvg on client.") == "cockpit explain 0505-187"
    assert explain_pointer("0516-4242 lsfoo: new") is None
    assert explain_pointer(None) is None
