"""`cockpit sim [SCENARIO] [--inventory-out FILE]`: serve a simulated AIX fleet on 127.0.0.1 in the foreground."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from cockpit.commands.exits import EXIT_OK, UsageError
from cockpit.sim.scenario import ScenarioError, load_scenario
from cockpit.sim.server import serve


def run(scenario: str, inventory_out: Path | None, workdir: Path | None, hosts: int | None) -> int:
    try:
        load_scenario(scenario, hosts)  # a wrong name or file: one line, before anything starts
    except ScenarioError as exc:
        raise UsageError(str(exc)) from exc
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(scenario, inventory_out, workdir, hosts))
    return EXIT_OK
