"""`cockpit demo`: a simulated fleet in a child process (as a real fleet is elsewhere), the cockpit on it.

Every way out leaves nothing behind: `q`, Ctrl+C, SIGTERM, SIGHUP (the terminal closing) end the
cockpit (the TUI restores the terminal first), stop the simulator and remove the demo's folder
(its keys included) unless `--keep`. SIGKILL cannot be caught, so the simulator also watches its
parent (PR_SET_PDEATHSIG on Linux, and its parent pid everywhere) and, asked to with
`--remove-workdir`, removes the folder itself when it stops.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cockpit.commands import signals
from cockpit.commands.exits import EXIT_FAILED, EXIT_OK, UsageError
from cockpit.commands.signals import stop_on_signals

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
FOLDER_PREFIX = "cockpit-demo-"


RunCockpit = Callable[..., int]
"""cli.cmd_run: the cockpit on an inventory (passed in: commands never import the TUI's modules)."""


def run(
    run_cockpit: RunCockpit,
    scenario: str,
    hosts: int | None,
    *,
    headless: bool,
    theme: str | None = None,
    gate: bool = True,
    keep: bool = False,
    exit_with_parent: bool = False,
    attach_cockpit: RunCockpit | None = None,
) -> int:
    """`attach_cockpit` (cli: commands.attach.run) opens a scenario whose migrations already run."""
    from cockpit.sim.scenario import ScenarioError, load_scenario

    try:
        loaded = load_scenario(scenario, hosts)  # a wrong name: one line now, not a child's crash report
    except ScenarioError as exc:
        raise UsageError(str(exc)) from exc
    if loaded.attach and attach_cockpit is not None:  # the cockpit arrives and follows them
        attach_run = attach_cockpit

        def run_attach(inventory: Path, *, headless: bool, theme: str | None, **_: object) -> int:
            return attach_run(inventory, headless=headless, theme=theme)

        run_cockpit = run_attach

    with stop_on_signals():
        if exit_with_parent:
            signals.exit_with_parent()
        workdir = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
        try:
            return _serve_and_run(
                run_cockpit, workdir, scenario, hosts, headless=headless, theme=theme, gate=gate, keep=keep
            )
        finally:
            if keep:
                _say(f"cockpit: demo folder kept: {workdir} (logs, journal, the fleet's keys; remove it when done)")
            else:
                shutil.rmtree(workdir, ignore_errors=True)
                _say(f"cockpit: demo folder {workdir} removed (`cockpit demo --keep` keeps it)")


def _serve_and_run(
    run_cockpit: RunCockpit,
    workdir: Path,
    scenario: str,
    hosts: int | None,
    *,
    headless: bool,
    theme: str | None,
    gate: bool,
    keep: bool,
) -> int:
    inventory = workdir / "inventory.yaml"
    argv = [sys.executable, "-m", "cockpit", "sim", scenario, "--workdir", str(workdir)]
    argv += ["--inventory-out", str(inventory), "--exit-with-parent"]
    if not keep:
        argv.append("--remove-workdir")  # even after a SIGKILL of this process, the folder goes
    if hosts is not None:
        argv += ["--hosts", str(hosts)]
    sim_log = workdir / "sim.log"
    with sim_log.open("w") as out:
        # Its own session: a Ctrl+C or the terminal's SIGHUP reaches the cockpit, which stops it in order.
        sim = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )

    def hung_up() -> None:  # the terminal closed under the TUI: no finally block will run
        stop_sim(sim)
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)

    try:
        _wait_ready(sim, sim_log, READY_TIMEOUT)
        _say(f"simulated fleet '{scenario}' up; inventory {inventory}")
        with signals.on_hangup(hung_up):
            status = run_cockpit(inventory, headless=headless, dry_run=False, theme=theme, gate=gate)
        # A client that does not succeed is what the demo shows (its fleet fails by design), not a
        # failure of the demo: it ended normally. Bad usage and internal errors keep their status.
        return EXIT_OK if status == EXIT_FAILED else status
    finally:
        stop_sim(sim)


def same_cockpit_env() -> dict[str, str]:
    """The environment for a `python -m cockpit` child that must run this very cockpit: the directory
    this package was imported from goes first on PYTHONPATH (a `cockpit` directory in the current
    directory, say another checkout, would otherwise win)."""
    import cockpit

    here = str(Path(cockpit.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([here, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    return env


def stop_sim(sim: subprocess.Popen[bytes]) -> None:
    """SIGTERM the simulator's session (it powers the fleet off), SIGKILL it if it does not go."""
    if sim.poll() is None:
        _signal_group(sim.pid, signal.SIGTERM)
        try:
            sim.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            _signal_group(sim.pid, signal.SIGKILL)
            sim.wait(STOP_TIMEOUT)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _wait_ready(sim: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if "\nready\n" in "\n" + text:
            return
        if sim.poll() is not None:
            last = text.strip().splitlines()[-1] if text.strip() else f"exit status {sim.returncode}"
            raise UsageError(f"the simulated fleet did not start: {last} (see {log})")
        time.sleep(0.05)
    raise UsageError(f"the simulated fleet did not start within {timeout:g}s (see {log})")


def _say(text: str) -> None:
    """A line on stderr; the terminal may be gone (SIGHUP): then there is nobody to tell."""
    with contextlib.suppress(OSError):
        print(text, file=sys.stderr, flush=True)
