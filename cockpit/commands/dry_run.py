"""`cockpit run CONFIG --dry-run`: every step the plan would run, where and how.

Nothing is connected to or written (no journal, no state directory): it binds the plan without an engine.
"""

from __future__ import annotations

from cockpit.commands.exits import EXIT_OK
from cockpit.config.models import Config, NimadmPlan
from cockpit.engine.binding import Binding


def run(config: Config) -> int:
    binding = Binding(config, "dry-run")
    runbook = binding.runbook
    print(f"runbook {runbook.name} ({runbook.mode}): {runbook.title}")
    steps = [spec for t in binding.targets for spec in binding.steps(t)]
    if runbook.mode == "lockstep":  # step by step across the targets: show them in that order
        steps.sort(key=lambda s: s.index)
    for step in steps:
        h = step.host or config.host(step.target)
        print(f"{step.target}: {step.step_id} on {h.name} ({h.user}@{h.address}:{h.port}): {step.command}")
        if step.guard is not None:
            shows = f" showing /{step.guard.output.pattern}/" if step.guard.output else ""
            shows += f" not showing /{step.guard.absent.pattern}/" if step.guard.absent else ""
            otherwise = "skipped there" if step.guard.skip else "refused"
            print(f"    only after `{step.guard.command}`{shows}; otherwise {otherwise}")
    plan = config.plan
    if isinstance(plan, NimadmPlan) and len(plan.groups) > 1:  # each master its own
        each = ", ".join(f"{g.master} {g.concurrency}" for g in plan.groups)
        print(f"concurrency per master: {each}; nothing was run")
    else:
        print(f"concurrency {plan.concurrency}; nothing was run")
    return EXIT_OK
