"""Observer mode: a read-only cockpit on a run another engine drives, and the replay of
a finished run, both from the journal and the log files of the state directory.

The live test runs a real engine over SSH on the simulator and, beside it, a read-only app on a
JournalObserver of the same state directory, the way `cockpit watch` does from another terminal.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from pathlib import Path

from cockpit.config import load_config
from cockpit.domain.events import FanOutSink, ListSink, LogLines, TargetChanged
from cockpit.domain.lines import clean
from cockpit.domain.models import TargetState
from cockpit.engine.journal import Journal
from cockpit.engine.logstore import LogStore
from cockpit.engine.observe import JournalObserver, LogFollower, log_path
from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for
from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.log import LogScreen
from tests.ui.conftest import SIZE, settle, wait_until

GHOST_ERROR = "0516-082 /usr/sbin/lchangelv: Unable to access a special device file"


# -- the log follower's offsets ------------------------------------------------------------------------


def test_log_follower_loses_and_repeats_no_line_while_the_file_grows(tmp_path: Path) -> None:
    path = tmp_path / "lpar01.log"
    follower = LogFollower("lpar01", path, limit=7)  # a small read limit: lines cross read boundaries
    assert follower.poll() is None  # no file yet
    expected: list[str] = []
    got: list[LogLines] = []
    writes = [
        b"",
        b"Initializing the NIM master.\n",
        b"partial",
        b" line, then more",
        b"\n\xc3",  # a UTF-8 sequence cut between two writes
        b"\xa9t\xc3\xa9\nprogress 10%\rprogress 100%\r\n",
        b"\x1b[1mbold\x1b[0m\n\nlast line\n",
        b"no newline yet",
    ]
    with path.open("ab") as f:
        for data in writes:
            f.write(data)
            f.flush()
            # Several polls per write, as a watcher faster than the engine would.
            for _ in range(6):
                batch = follower.poll()
                if batch is not None:
                    got.append(batch)
    expected = [
        "Initializing the NIM master.",
        "partial line, then more",
        "été",
        "progress 100%",
        "bold",
        "",
        "last line",
    ]
    assert [line for b in got for line in b.lines] == expected
    # Numbered without a gap or an overlap, from 0, as the engine numbers LogLines.
    seqs = [(b.first_seq, len(b.lines)) for b in got]
    assert seqs[0][0] == 0 and all(a + n == b for (a, n), (b, _) in itertools.pairwise(seqs))
    assert follower.seq == len(expected)
    # The unterminated tail comes out only when asked (the end of a replay), once.
    last = follower.flush()
    assert last is not None and (last.lines, last.first_seq) == (("no newline yet",), len(expected))
    assert follower.flush() is None and follower.poll() is None


def test_log_paths_are_the_log_stores(tmp_path: Path) -> None:
    store = LogStore(tmp_path / "logs")
    for target in ("lpar01", "node-2.example", "odd name/../x"):
        assert log_path(tmp_path / "logs", target) == store.path(target)


# -- the app on an observer -------------------------------------------------------------------------------


def _file_lines(path: Path) -> list[str]:
    return [clean(line) for line in path.read_text().splitlines()]


HOST_ACTIONS = ("troubleshoot", "toggle_starts", "concurrency", "abort", "rollback")


def _offered(app: CockpitApp) -> set[str]:
    """The actions the screen's keys (footer) and the palette offer now."""
    screen = app.screen
    keys = {b.action for _node, b, enabled, _tip in screen.active_bindings.values() if enabled}
    palette = {title for title, *_rest in app.get_system_commands(screen)}
    return keys | palette


async def _not_offered(pilot, app: CockpitApp, keys: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    """A read-only cockpit offers no key (nor palette entry) that would change a host; pressed, they do nothing."""
    offered = _offered(app)
    assert not offered.intersection(HOST_ACTIONS), offered
    assert not offered.intersection({"Troubleshoot", "Pause/resume starts", "Concurrency", "Abort host"}), offered
    assert not any(title.startswith(("Roll back", "Troubleshoot:")) for title in offered), offered
    for key in keys:
        app.clear_notifications()
        await pilot.press(key)
        await pilot.pause()
        assert app.screen is app.fleet, key


async def test_a_read_only_cockpit_follows_a_run_another_engine_drives(tmp_path: Path) -> None:
    fleet = await SimFleet.start(load_scenario("tiny"), tmp_path / "fleet")
    try:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        engine = RunbookRun(
            config,
            Journal(config.state_dir / "journal.sqlite"),
            lambda h: transport_for(h, config.ssh),
            config_path=inventory,
        )
        observer = JournalObserver(config.state_dir, engine.run_id)
        seen = ListSink()
        app = CockpitApp(
            lambda sink: observer.run(FanOutSink(sink, seen)), [], observer.log_path, title="watch", read_only=True
        )
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            # The observer is up (waiting for the run) before the engine starts: it sees the run live.
            live = asyncio.create_task(engine.run(ListSink()))
            await wait_until(pilot, lambda: app.bridge.run_started is not None, timeout=30)
            await wait_until(pilot, lambda: app.bridge.run_finished is not None, timeout=120)
            await asyncio.wait_for(live, 60)
            await settle(pilot)
            table = app.fleet.table
            assert table.cell_text("lpar01", "state") == "✓ succeeded"
            assert table.cell_text("lpar02", "state") == "✗ failed"
            assert table.cell_text("lpar02", "phase").startswith("11/12")
            assert table.cell_text("lpar02", "last") == f"phase 11: {GHOST_ERROR}"
            assert "READ-ONLY" in app.fleet.header.title_text
            assert app.fleet.status.startswith("finished")
            # It was followed as it went: running states came before the end, phase by phase.
            phases = [e.phase for e in seen.events if isinstance(e, TargetChanged) and e.target == "lpar01"]
            running = [e for e in seen.events if isinstance(e, TargetChanged) and e.state is TargetState.RUNNING]
            assert running and len(set(phases)) > 2
            # Every line of every log, once, in order.
            for target in ("lpar01", "lpar02"):
                lines = [
                    line for e in seen.events if isinstance(e, LogLines) and e.target == target for line in e.lines
                ]
                assert lines == _file_lines(engine.log_path(target))
                assert app.bridge.views[target].seq == len(lines)

            actions_before = Journal.read_only(config.state_dir / "journal.sqlite").run_actions(engine.run_id)
            # Rows come in the order the journal first named the targets: find lpar02's.
            table.move_cursor(row=table.get_row_index("lpar02"))
            await _not_offered(pilot, app, ("a", "t", "p", "c", "b"))
            # The log pane works; it offers no troubleshoot key either.
            await pilot.press("enter")
            assert isinstance(app.screen, LogScreen)
            log_screen = app.screen
            await asyncio.wait_for(log_screen.loaded.wait(), 10)
            assert GHOST_ERROR in list(log_screen.log_widget.lines)
            assert "troubleshoot" not in {b.action for _n, b, _e, _t in log_screen.active_bindings.values()}
            await pilot.press("t")
            await pilot.pause()
            assert app.screen is log_screen
            assert Journal.read_only(config.state_dir / "journal.sqlite").run_actions(engine.run_id) == actions_before
            await pilot.press("escape", "q")
    finally:
        await fleet.stop()


async def test_replay_of_a_finished_run(tmp_path: Path) -> None:
    fleet = await SimFleet.start(load_scenario("tiny"), tmp_path / "fleet")
    try:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        engine = RunbookRun(
            config,
            Journal(config.state_dir / "journal.sqlite"),
            lambda h: transport_for(h, config.ssh),
            config_path=inventory,
        )
        await asyncio.wait_for(engine.run(ListSink()), 120)
        engine.journal.close()
    finally:
        await fleet.stop()
    state_dir = config.state_dir
    digest = hashlib.sha256((state_dir / "journal.sqlite").read_bytes()).hexdigest()
    observer = JournalObserver(state_dir, engine.run_id, follow=False)
    seen = ListSink()
    app = CockpitApp(
        lambda sink: observer.run(FanOutSink(sink, seen)), [], observer.log_path, title="replay", read_only=True
    )
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, lambda: not app.run_active and app.bridge.run_finished is not None, timeout=30)
        await settle(pilot)
        table = app.fleet.table
        assert table.cell_text("lpar01", "state") == "✓ succeeded"
        assert table.cell_text("lpar02", "state") == "✗ failed"
        assert app.fleet.status == "finished, 1 failed"
        assert app.bridge.run_finished is not None and app.bridge.run_finished.failed == ("lpar02",)
        # One state per target (no replayed history of toasts), then every line of the logs.
        changes = [e for e in seen.events if isinstance(e, TargetChanged)]
        assert sorted(e.target for e in changes) == ["lpar01", "lpar02"]
        for target in ("lpar01", "lpar02"):
            assert app.bridge.views[target].seq == len(_file_lines(engine.log_path(target)))
        await _not_offered(pilot, app, ("a", "b"))
        await pilot.press("q")
    assert hashlib.sha256((state_dir / "journal.sqlite").read_bytes()).hexdigest() == digest
