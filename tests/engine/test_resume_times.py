"""A cockpit SIGKILLed in the middle of a nimadm run and resumed after the run ended on the master:
the phases it never saw live are dated when the master wrote them, not when the resumed cockpit read
them (each was 0.0 s before), and the step ends when the master says it ended.

The simulated nimadm notes when it writes each phase's banner (the host's truth); the step's wrapper
samples its output every second (the inventory's follow.mark_every) on a clock of whole seconds, so
the dates may be off by about one sample and one second.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from cockpit.config import load_config
from cockpit.engine.journal import Journal
from cockpit.sim import state
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from tests.engine.test_engine_over_ssh import scenario_file, wait_for

ONE_CLIENT = "hosts:\n  lpar01: {}\n"
SAMPLE = 1.0  # follow.mark_every of the simulator's inventories
SLACK = SAMPLE + 1.0 + 0.6  # one sample, the host clock's whole seconds, the sampler's own processes


def cockpit(*argv: str) -> list[str]:
    return [sys.executable, "-m", "cockpit", *argv]


async def test_a_resumed_run_dates_the_phases_it_missed_by_the_host(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, time_scale=240, hosts_block=ONE_CLIENT)
    path.write_text(path.read_text().replace("count: 2", "count: 1"))
    async with await SimFleet.start(load_scenario(path), tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        journal_path = load_config(inventory).state_dir / "journal.sqlite"
        run = cockpit("run", str(inventory), "--headless", "--no-preflight")
        first = subprocess.Popen(run, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        try:

            def in_phase_2() -> bool:
                if not journal_path.exists():
                    return False
                j = Journal(journal_path)
                try:
                    runs = j.runs()
                    return bool(runs) and any((s.phase or 0) >= 2 for s in j.steps(runs[-1].run_id))
                finally:
                    j.close()

            await wait_for(in_phase_2, 60)
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                os.killpg(first.pid, signal.SIGKILL)
        j = Journal(journal_path)
        (record,) = j.runs()
        (step,) = j.steps(record.run_id)
        seen_live = step.phase or 0
        j.close()
        # The master finishes the migration while no cockpit watches.
        await wait_for(lambda: (Path(step.remote_dir) / "rc").exists(), 90)

        resumed = await asyncio.create_subprocess_exec(
            *run, "--resume", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        out, _ = await asyncio.wait_for(resumed.communicate(), 60)
        assert resumed.returncode == 0, out.decode()

        truth = state.read(str(fleet.fleet_dir), "nim01")["nim"]["migrations"]["lpar01"]["phase_started"]
        report = await asyncio.create_subprocess_exec(
            *cockpit("report", str(inventory), record.run_id, "--format", "json"), stdout=asyncio.subprocess.PIPE
        )
        text, _ = await report.communicate()
        (target,) = json.loads(text)["targets"]
        phases = {p["phase"]: p for p in target["phases"]}
        missed = [n for n in range(seen_live + 1, 13)]
        assert len(missed) >= 8, seen_live  # most of the run happened while no cockpit watched
        for n in missed:
            started = datetime.fromisoformat(phases[n]["started_at"]).timestamp()
            assert abs(started - truth[str(n)]) <= SLACK, (n, started, truth[str(n)])
        for n in missed[:-1]:  # each as long as it was on the master (phase 12 ends with the step)
            took = truth[str(n + 1)] - truth[str(n)]
            assert abs(phases[n]["duration"] - took) <= 2 * SLACK, (n, phases[n]["duration"], took)
        assert sum(phases[n]["duration"] for n in missed) > 0.5 * (truth["12"] - truth[str(missed[0])])

        # The step ended when the master's record says, not when the resumed cockpit noticed.
        timing = (Path(step.remote_dir) / "timing").read_text().split()
        ended = float(timing[timing.index("end") + 1])
        j = Journal(journal_path)
        (done,) = j.steps(record.run_id)
        j.close()
        assert done.finished_at is not None and abs(done.finished_at - ended) <= SLACK
        finished = datetime.fromisoformat(target["finished_at"]).timestamp()
        assert abs(finished - ended) <= SLACK
