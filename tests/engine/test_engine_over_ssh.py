"""The engine over real SSH to the simulated fleet: drops, a killed cockpit, a hung phase.

These are the crash-safety promises: a migration outlives the cockpit and the network; its output
is never lost nor shown twice; a silent phase is noticed.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cockpit.config import load_config
from cockpit.domain.events import ListSink, LogLines, TargetChanged
from cockpit.domain.models import TargetState
from cockpit.engine.journal import Journal
from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for

SCENARIOS = Path(__file__).resolve().parents[2] / "cockpit" / "sim" / "scenarios"


def scenario_file(tmp_path: Path, *, time_scale: int = 1100, hosts_block: str | None = None) -> Path:
    """The tiny scenario, optionally slower or with other per-host faults."""
    text = (SCENARIOS / "tiny.yaml").read_text()
    text = text.replace("time_scale: 1100", f"time_scale: {time_scale}")
    if hosts_block is not None:
        start = text.index("hosts:\n")
        end = text.index("plan:\n")
        text = text[:start] + hosts_block + "\n" + text[end:]
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


@pytest.fixture
async def slow_fleet(tmp_path: Path) -> AsyncIterator[SimFleet]:
    # ~10 s per run: long enough to interrupt it in the middle of a phase.
    fleet = await SimFleet.start(load_scenario(scenario_file(tmp_path, time_scale=330)), tmp_path / "fleet")
    yield fleet
    await fleet.stop()


def remote_out(engine: RunbookRun, target: str) -> bytes:
    step = next(s for s in engine.steps if s.target == target)
    return (Path(step.remote.directory) / "out").read_bytes()


def make_engine(inventory: Path, **kwargs: object) -> RunbookRun:
    config = load_config(inventory)
    return RunbookRun(
        config,
        Journal(config.state_dir / "journal.sqlite"),
        lambda host: transport_for(host, config.ssh),
        config_path=inventory,
        **kwargs,
    )  # type: ignore[arg-type]


async def wait_for(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within the timeout")
        await asyncio.sleep(0.02)


async def test_connection_dropped_mid_phase_loses_and_repeats_no_line(slow_fleet: SimFleet, tmp_path: Path) -> None:
    inventory = slow_fleet.write_inventory(tmp_path / "inventory.yaml")
    engine = make_engine(inventory)
    sink = ListSink()
    run = asyncio.create_task(engine.run(sink))
    await wait_for(lambda: (engine.progress["lpar01"].phase or 0) >= 3, 30)
    dropped = slow_fleet.disconnect("nim01")
    assert dropped >= 2  # both clients' follow channels went down
    finished = await asyncio.wait_for(run, 60)

    assert finished.succeeded == ("lpar01",) and finished.failed == ("lpar02",)
    reasons = [e.reason or "" for e in sink.events if isinstance(e, TargetChanged)]
    assert any(r.startswith("connection lost at byte") for r in reasons)
    assert any(r.startswith("re-attached at byte") for r in reasons)
    for target in ("lpar01", "lpar02"):
        remote = remote_out(engine, target)
        assert engine.log_path(target).read_bytes() == remote  # the local log is the remote output, exactly
        batches = [e for e in sink.events if isinstance(e, LogLines) and e.target == target]
        seqs = [b.first_seq for b in batches]
        assert seqs == sorted(seqs) and all(
            a.first_seq + len(a.lines) == b.first_seq for a, b in itertools.pairwise(batches)
        )
        streamed = [line for b in batches for line in b.lines]
        assert streamed == remote.decode().splitlines()
        assert remote.decode().count("Initializing the NIM master.") == 1


async def test_sigkilled_cockpit_resumes_without_running_a_step_twice(slow_fleet: SimFleet, tmp_path: Path) -> None:
    inventory = slow_fleet.write_inventory(tmp_path / "inventory.yaml")
    argv = [sys.executable, "-m", "cockpit", "run", str(inventory), "--headless", "--no-preflight"]
    first = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    journal_path = load_config(inventory).state_dir / "journal.sqlite"
    try:
        # Kill it hard in the middle of the run (after both clients reached phase 2).
        def mid_run() -> bool:
            if not journal_path.exists():
                return False
            j = Journal(journal_path)
            try:
                runs = j.runs()
                return bool(runs) and all((s.phase or 0) >= 2 for s in j.steps(runs[-1].run_id))
            finally:
                j.close()

        await wait_for(mid_run, 40)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert first.returncode == -signal.SIGKILL

    resumed = await asyncio.create_subprocess_exec(
        *argv, "--resume", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(resumed.communicate(), 60)
    text = out.decode()
    assert resumed.returncode == 1, text  # lpar02 has a ghost device: it fails in phase 11, as planned
    assert "lpar01   SUCCEEDED" in text and "lpar02   FAILED" in text

    engine = make_engine(inventory, resume=False)  # only to name paths: same config, the journal's run id
    j = Journal(journal_path)
    (run,) = j.runs()
    assert run.finished_at is not None and run.outcome == "failed"
    for step in j.steps(run.run_id):
        remote = (Path(step.remote_dir) / "out").read_bytes()
        local = (engine.config.state_dir / "runs" / run.run_id / "logs" / f"{step.target}.log").read_bytes()
        assert local == remote  # byte-identical to what the step printed, across the kill
        assert remote.decode().count("Initializing the NIM master.") == 1  # launched exactly once
    j.close()

    # And identical to an uninterrupted run of the same plan on a fresh fleet (the output is deterministic).
    fresh = await SimFleet.start(load_scenario(scenario_file(tmp_path / "x", time_scale=1100)), tmp_path / "fresh")
    try:
        inv2 = fresh.write_inventory(tmp_path / "fresh-inventory.yaml")
        other = make_engine(inv2)
        await asyncio.wait_for(other.run(ListSink()), 60)
        for target in ("lpar01", "lpar02"):
            uninterrupted = other.log_path(target).read_bytes()
            local = (engine.config.state_dir / "runs" / run.run_id / "logs" / f"{target}.log").read_bytes()
            assert local == uninterrupted
    finally:
        await fresh.stop()


async def test_hung_phase_is_marked_stalled_within_its_threshold(tmp_path: Path) -> None:
    hosts = "hosts:\n  lpar01:\n    faults: {hang_phase: 3}\n  lpar02: {}\n"
    fleet = await SimFleet.start(load_scenario(scenario_file(tmp_path, hosts_block=hosts)), tmp_path / "fleet")
    try:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        engine = make_engine(inventory)
        threshold = engine.timing(3).silence
        sink = ListSink()
        run = asyncio.create_task(engine.run(sink))
        await wait_for(lambda: engine.progress["lpar01"].state is TargetState.STALLED, 30)
        stalls = [e for e in sink.events if isinstance(e, TargetChanged) and e.state is TargetState.STALLED]
        stalled = stalls[0]
        assert stalled.target == "lpar01" and stalled.phase == 3
        assert stalled.reason is not None and stalled.reason.startswith("stalled: silent for ")
        assert "in phase 3" in stalled.reason
        # Noticed within the threshold plus one watchdog tick, measured from the last output.
        assert stalled.last_output_at is not None
        assert stalled.at - stalled.last_output_at <= threshold + max(0.05, threshold / 10) + 0.5
        await wait_for(lambda: engine.progress["lpar02"].state.finished, 30)
        assert engine.progress["lpar02"].state is TargetState.SUCCEEDED  # the hang touched only lpar01
        assert {e.target for e in sink.events if isinstance(e, TargetChanged) and e.state is TargetState.STALLED} == {
            "lpar01"
        }  # and a healthy host is never flagged
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run
    finally:
        await fleet.stop()


async def test_scenario_fault_drops_the_connection_mid_phase_and_the_run_re_attaches(tmp_path: Path) -> None:
    hosts = "hosts:\n  lpar01:\n    faults: {drop_connection_phase: 5}\n  lpar02: {}\n"
    fleet = await SimFleet.start(load_scenario(scenario_file(tmp_path, hosts_block=hosts)), tmp_path / "fleet")
    try:
        engine = make_engine(fleet.write_inventory(tmp_path / "inventory.yaml"))
        sink = ListSink()
        finished = await asyncio.wait_for(engine.run(sink), 60)
        assert finished.succeeded == ("lpar01", "lpar02")
        reasons = [e.reason or "" for e in sink.events if isinstance(e, TargetChanged) and e.target == "lpar01"]
        assert any(r.startswith("connection lost at byte") for r in reasons)
        assert any(r.startswith("re-attached at byte") for r in reasons)
        assert engine.log_path("lpar01").read_bytes() == remote_out(engine, "lpar01")
    finally:
        await fleet.stop()


async def test_diagnose_reads_the_simulators_logs_and_a_slow_host_is_slower(tmp_path: Path) -> None:
    from cockpit.domain.diagnose import diagnose

    hosts = "hosts:\n  lpar01:\n    slow: 2\n  lpar02:\n    faults: {ghost_major: 43}\n"
    fleet = await SimFleet.start(load_scenario(scenario_file(tmp_path, hosts_block=hosts)), tmp_path / "fleet")
    try:
        engine = make_engine(fleet.write_inventory(tmp_path / "inventory.yaml"))
        await asyncio.wait_for(engine.run(ListSink()), 60)
        good = diagnose(engine.log_path("lpar01").read_text())
        assert (good.kind, good.outcome) == ("nimadm", "succeeded")
        assert [(p.phase, p.status) for p in good.phases] == [(n, "ok") for n in range(1, 13)]
        assert list(good.errors) == [] and any(w.code == "0505-161" for w in good.warnings)
        bad = diagnose(engine.log_path("lpar02").read_text())
        assert (bad.outcome, bad.stopped_in_phase) == ("failed", 11)
        assert [p.status for p in bad.phases] == ["ok"] * 10 + ["failed"]
        assert [e.code for e in bad.errors][:2] == ["0516-082", "0505-187"]
        durations = {t: p.finished_at - p.started_at for t, p in engine.progress.items()}  # type: ignore[operator]
        assert durations["lpar01"] > 1.4 * durations["lpar02"]  # slow: 2 runs at half speed (lpar02 stops in 11)
    finally:
        await fleet.stop()
