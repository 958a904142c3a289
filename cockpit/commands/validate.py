"""`cockpit validate CONFIG`: exit 0 valid, 2 invalid (one `FILE:LINE:COL: key.path: message` line per problem)."""

from __future__ import annotations

from pathlib import Path

from cockpit.commands.exits import EXIT_OK
from cockpit.config.loader import load_config
from cockpit.config.runbooks import load_runbook


def run(path: Path) -> int:
    config = load_config(path)  # a bad config: one line per problem, exit 2 (cockpit.cli.main)
    plan = config.plan
    masters = plan.master_names
    where = f" on {', '.join(masters)}" if masters else ""
    name, targets = load_runbook(plan.runbook).name, len(config.targets)
    print(f"{path}: valid: {len(config.hosts)} hosts, {name} plan for {targets} targets{where}")
    return EXIT_OK
