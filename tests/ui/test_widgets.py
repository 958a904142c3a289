"""Small widgets on their own: the header line that never runs into its counts, the tick list that reads
without colour, and the palette that offers what the keys offer."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets.selection_list import Selection

from cockpit.domain.models import TargetState
from cockpit.ui.fit import Piece
from cockpit.ui.widgets.run_header import RunHeader
from cockpit.ui.widgets.tick_list import TickList
from tests.ui.canned_controls import CannedControls
from tests.ui.conftest import MakeApp, wait_until
from tests.ui.scenarios import HOSTS, three_hosts
from tests.ui.screen_text import screen_lines

STATES = [TargetState.RUNNING, *[TargetState.SUCCEEDED] * 7]


class One(App[None]):
    def __init__(self, widget: object) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget  # type: ignore[misc]


async def test_at_160_columns_the_header_never_runs_into_the_counts() -> None:
    header = RunHeader()
    gate = [Piece(Content("concurrency 4 (1 running)"), 4, Content("conc 4"))]
    async with One(header).run_test(size=(160, 5)) as pilot:
        header.show_run(
            "nimadm · inventory.yaml",
            "running",
            STATES,
            run=("20261205-235328-215", "nimadm"),
            window=("20m00s left · past the cutoff: no new host starts", "20m00s left · no starts"),
            gate=gate,
        )
        await pilot.pause()
        line = screen_lines(pilot.app)[0]
        left, right = line.rstrip().rsplit("  ", 1)
        assert right.strip() == "running 1 · ok 7"
        assert "no new host starts" in left and not left.endswith("concurrency")
        # 80 columns: the countdown and the counts stay; the title and the run id go first.
        await pilot.resize_terminal(80, 5)
        await pilot.pause()
        line = screen_lines(pilot.app)[0]
        assert "20m00s left" in line and line.rstrip().endswith(("running 1 · ok 7", "▶1 ✓7"))
        assert "inventory.yaml" not in line and "20261205" not in line


def rows(app: App[None]) -> list[str]:
    return [line.strip("▊▎ ") for line in screen_lines(app) if "lpar0" in line]


async def test_ticked_and_unticked_hosts_differ_by_glyph_not_only_colour() -> None:
    hosts = TickList(Selection("lpar01", "lpar01", True), Selection("lpar02", "lpar02", False))
    async with One(hosts).run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        assert rows(pilot.app) == ["[x] lpar01", "[ ] lpar02"]
        hosts.select("lpar02")
        await pilot.pause()
        assert rows(pilot.app) == ["[x] lpar01", "[x] lpar02"]


async def test_the_palette_offers_every_key_of_the_fleet_and_the_report(make_app: MakeApp, tmp_path: Path) -> None:
    saved = tmp_path / "r-0001.md"

    def report(run_id: str) -> Path:
        saved.write_text(f"# run {run_id}\n")
        return saved

    app, engine = make_app(HOSTS, three_hosts, controls=CannedControls(HOSTS), report=report)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await engine.reached("mid")
        titles = {command.title: command for command in app.get_system_commands(app.screen)}
        for title in ("Open log", "Troubleshoot", "Pause/resume starts", "Concurrency", "Abort host", "Quit"):
            assert title in titles, sorted(titles)
        # At 80 columns the footer leaves some of them out: the palette has them all.
        await pilot.pause()
        footer = next(line for line in screen_lines(app) if "palette" in line)
        assert "Pause/resume starts" not in footer and "q Quit" in footer
        titles["Save the run's report"].callback()
        await wait_until(pilot, saved.exists)
        assert saved.read_text() == "# run r-0001\n"
