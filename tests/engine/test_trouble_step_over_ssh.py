"""Troubleshooting names one step and its process probe agrees with it, over real SSH: a running
step's tree is walked from its wrapper's pid down to nimadm, a finished one says it ended and with
which exit status (its wrapper is gone, possibly a zombie), a killed one ends with its signal's
status, and a client that never started has no step (the probe says so and runs nothing).

The probe's script is also run here under ksh, mksh and busybox sh with busybox's ps (which has no
etime) first on PATH: what AIX's ksh and a busybox userland would do with it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from cockpit.domain import troubleshoot
from cockpit.domain.events import ListSink
from cockpit.domain.models import TargetState
from cockpit.domain.remote_step import RemoteStep
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from tests.engine.test_engine_over_ssh import make_engine, scenario_file

HOSTS = "hosts:\n  lpar01:\n    faults: {hang_phase: 3}\n  lpar02: {}\n  lpar03: {}\n"


async def wait_for(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not met within the timeout"
        await asyncio.sleep(0.05)


async def test_the_process_probe_and_the_step_named_agree(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, hosts_block=HOSTS)
    path.write_text(path.read_text().replace("count: 2", "count: 3"))
    async with await SimFleet.start(load_scenario(path), tmp_path / "fleet") as fleet:
        engine = make_engine(fleet.write_inventory(tmp_path / "inventory.yaml"))
        run = asyncio.create_task(engine.run(ListSink(), {"lpar03": "held back by the test"}, keep_open=True))
        try:
            await wait_for(lambda: engine.progress["lpar01"].phase == 3, 60)
            await wait_for(lambda: engine.progress["lpar02"].state is TargetState.SUCCEEDED, 60)
            step_dir = engine.main_step("lpar01").remote.directory

            # Running: the step under way, its tree from the wrapper down to nimadm.
            running = engine.trouble_step("lpar01")
            assert running is not None and running.describe() == f"step nimadm · {step_dir} on nim01 · running"
            out = await engine.probe("lpar01", "processes")
            lines = out.text.splitlines()
            assert lines[0].startswith(f"{running.describe(short=True)} · pid ")
            wrapper = int(lines[0].rsplit(" ", 1)[1].rstrip(":"))
            assert lines[1].split()[0] == str(wrapper) and lines[1].endswith("./run")
            assert any("nimadm -c lpar01" in line for line in lines[2:]), out.text
            assert out.host == "nim01" and out.exit_status == 0 and "ps -e -o pid,ppid,etime,args" in out.command

            # Finished: the step that ran, ended with its status; no process of it left.
            done = engine.trouble_step("lpar02")
            assert done is not None and done.describe().endswith(" · ended, exit status 0")
            out = await engine.probe("lpar02", "processes")
            assert out.text.splitlines()[0] == done.describe(short=True)
            assert out.text.splitlines()[1].startswith("no process of it left (its wrapper was pid ")

            # Never started: no step, and the probe runs nothing.
            assert engine.trouble_step("lpar03") is None
            out = await engine.probe("lpar03", "processes")
            assert out.text == "no step started: nothing of lpar03 runs yet" and out.command == ""

            # Killed: the step ends with its signal's status; header and probe say the same.
            await engine.kill("lpar01", "TERM")
            await wait_for(lambda: engine.progress["lpar01"].state is TargetState.FAILED, 30)
            killed = engine.trouble_step("lpar01")
            assert killed is not None and killed.describe().endswith(" · ended, exit status 143")
            out = await engine.probe("lpar01", "processes")
            assert out.text.splitlines()[0] == killed.describe(short=True)
            probes = [d for _, t, a, d, _ in engine.journal.actions(engine.run_id) if a == "probe"]
            assert len(probes) == 3  # journaled as run, exactly (not the never-started one: nothing ran)
            assert all(d.startswith("p=; r=; s=absent") and "ps -e -o pid,ppid,etime,args" in d for d in probes)
        finally:
            engine.close()
            await asyncio.wait_for(run, 30)


SHELLS = ("ksh", "mksh", "busybox")


@pytest.mark.parametrize("shell", SHELLS)
def test_the_probe_script_walks_the_tree_under_each_shell_and_busybox_ps(shell: str, tmp_path: Path) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed (make test installs it where it can)")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    argv = [shutil.which(shell) or shell] + (["sh"] if shell == "busybox" else [])
    env = {**os.environ}
    if shell == "busybox":  # busybox's own ps first on PATH: no etime column
        (bin_dir / "ps").symlink_to(shutil.which("busybox") or "busybox")
        env["PATH"] = f"{bin_dir}:{env['PATH']}"
    step = RemoteStep(str(tmp_path / "run1" / "host.step"))
    # The step's shell runs for the step's life (as its SSH session would): not waited for here.
    stepping = subprocess.Popen(
        [*argv, "-c", step.run_script("sleep 30")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        where = troubleshoot.StepWhere("step", step.directory, "host", "running")
        probe = troubleshoot.step_probe_script(step.directory)
        for _ in range(100):  # until the step's shell has started its sleep
            out = subprocess.run([*argv, "-c", probe], check=True, env=env, capture_output=True, text=True).stdout
            text = troubleshoot.read_step_probe(where, out)
            if "sleep 30" in text:
                break
            time.sleep(0.05)
        lines = text.splitlines()
        assert lines[0].startswith("step step · running · pid "), text
        assert any(line.strip().endswith("sleep 30") for line in lines[1:]), text
        timed = "ELAPSED" in out.splitlines()[1]
        assert timed == (shell != "busybox")  # busybox: the tree without elapsed times
    finally:
        subprocess.run([*argv, "-c", step.kill_script("TERM")], env=env, capture_output=True)
        stepping.wait(30)
    # Ended: rc written by the wrapper; the probe says so and lists nothing of it.
    for _ in range(100):
        if (Path(step.directory) / "rc").exists():
            break
        time.sleep(0.05)
    out = subprocess.run([*argv, "-c", probe], check=True, env=env, capture_output=True, text=True).stdout
    text = troubleshoot.read_step_probe(where, out)
    assert text.splitlines()[0] == "step step · ended, exit status 143", text
