"""`cockpit sim`: serve a simulated fleet until told to stop, print where its hosts listen, and leave
nothing behind (its processes and, when temporary, its directory with the keys)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
import tempfile
from pathlib import Path

from cockpit.sim.inventory import ADDRESS
from cockpit.sim.lifetime import watch_parent
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet, kill_processes
from cockpit.sim.userland import Userland


def _write_stats(fleet: SimFleet) -> None:
    partial = fleet.workdir / "stats.json.tmp"
    partial.write_text(json.dumps({"sessions": fleet.sessions_started}), encoding="utf-8")
    partial.replace(fleet.workdir / "stats.json")


async def serve(
    scenario: str,
    inventory_out: Path | None = None,
    workdir: Path | None = None,
    hosts: int | None = None,
    userland: Userland | None = None,
    *,
    exit_with_parent: bool = False,
    remove_workdir: bool = False,
) -> None:
    """Serve a simulated fleet until cancelled or SIGINT/SIGTERM/SIGHUP; print the inventory, the hosts,
    the userland, "ready".

    Without a workdir (or with `remove_workdir`) the fleet's directory is removed when it stops.
    With `exit_with_parent` it stops when the process that started it dies, however it died
    (`cockpit demo` killed with SIGKILL): nothing of the fleet outlives the demo.
    """
    loaded = load_scenario(scenario, hosts)
    temporary = workdir is None or remove_workdir
    root = Path(tempfile.mkdtemp(prefix="cockpit-sim-")) if workdir is None else Path(workdir)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
    watcher = asyncio.ensure_future(watch_parent(stop)) if exit_with_parent else None
    try:
        async with await SimFleet.start(loaded, root, userland) as fleet:
            inventory = fleet.write_inventory(inventory_out) if inventory_out else fleet.inventory_path
            roles = {h.name: h.role for h in loaded.hosts}
            print(f"inventory {inventory}")
            for name, port in fleet.hosts.items():
                print(f"{name} {ADDRESS}:{port} {roles[name]}")
            print(f"userland {fleet.userland.label} ({fleet.session_env(loaded.hosts[0].name)['SHELL']})")
            print("ready", flush=True)
            # SIGUSR1: the sessions served so far, into WORKDIR/stats.json (read by the benches).
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signal.SIGUSR1, _write_stats, fleet)
                handled.append(signal.SIGUSR1)
            await stop.wait()
    finally:
        if watcher is not None:
            watcher.cancel()
        for sig in handled:
            loop.remove_signal_handler(sig)
        if temporary:
            # A second SIGTERM may come (a parent's death is signalled again after reparenting):
            # the fleet is down already, only its directory is left to remove.
            for sig in handled:
                signal.signal(sig, signal.SIG_IGN)
            await _remove_fleet(root)


async def _remove_fleet(root: Path) -> None:
    """Remove a temporary fleet's directory, keys included. A session that was forking as the fleet
    stopped can outlive the first sweep and write into the tree while it is removed (a state lock
    file, a log line): sweep its processes again and retry until the directory is gone."""
    fleet_dir = str(root.resolve() / "fleet")
    for _ in range(25):
        kill_processes(fleet_dir, None, set())
        shutil.rmtree(root, ignore_errors=True)
        if not root.exists():
            return
        await asyncio.sleep(0.2)
