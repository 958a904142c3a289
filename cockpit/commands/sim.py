"""`cockpit sim [SCENARIO] [--inventory-out FILE] [--shell SHELL] [--busybox]`: serve a simulated AIX fleet
on 127.0.0.1 in the foreground."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from cockpit.commands.exits import EXIT_OK, UsageError
from cockpit.sim.scenario import ScenarioError, load_scenario
from cockpit.sim.serve import serve
from cockpit.sim.userland import Userland, UserlandError, UserlandMissing, choose


def run(
    scenario: str,
    inventory_out: Path | None,
    workdir: Path | None,
    hosts: int | None,
    shell: str | None = None,
    busybox: bool = False,
    *,
    exit_with_parent: bool = False,
    remove_workdir: bool = False,
) -> int:
    """`exit_with_parent` and `remove_workdir` (hidden options): how `cockpit demo` runs its simulator,
    so that nothing of it outlives the demo, however the demo ends (SIGKILL included)."""
    try:
        loaded = load_scenario(scenario, hosts)  # a wrong name or file: one line, before anything starts
        wanted = Userland(shell or "dash", busybox) if shell or busybox else None
        chosen = choose(wanted, loaded.userland)
        if missing := chosen.missing():  # not installed: one line, before anything starts
            raise UserlandMissing(f"the {chosen.label} userland needs: apt-get install {' '.join(missing)}")
    except (ScenarioError, UserlandError, UserlandMissing) as exc:
        raise UsageError(str(exc)) from exc
    with contextlib.suppress(KeyboardInterrupt):
        fleet = serve(
            scenario,
            inventory_out,
            workdir,
            hosts,
            wanted,
            exit_with_parent=exit_with_parent,
            remove_workdir=remove_workdir,
        )
        asyncio.run(fleet)
    return EXIT_OK
