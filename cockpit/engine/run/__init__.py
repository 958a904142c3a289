"""A run of a runbook across the fleet: every target under the concurrency limit, none blocking another.

The plan names a runbook (cockpit/runbooks/*.yaml, or an operator's file) and its targets; the binding
(engine/binding.py) turns them into each target's steps. Two ways to go through them:

- independent (LPAR migrations: nimadm, alt_disk_copy ...): each target runs all its steps on its own;
- lockstep (clusters: linuxha, hacws): a step ends on every host it runs on before the next begins,
  and one failure stops the run, the other targets marked stopped with the reason.

Every step runs detached on its host (see domain/remote_step.py) and everything that happens goes into
the journal first, so `--resume` after a crash re-attaches to running steps, never runs a finished
step again, and starts only what never started.

One module per job: runbook_run.py is the run as its callers see it (RunbookRun), over
context.py (what the parts share), plan.py (what the plan says), schedule.py (when steps run),
controls.py (the operator's controls, each journaled with who did it), probes.py (troubleshooting
looks), window_watch.py (the maintenance window) and facts.py (what is recorded before a target's
first step); restore.py reads a target's state back from the journal after a restart.
"""

from cockpit.engine.run.context import ControlError, NothingToResume, TransportFactory, new_run_id
from cockpit.engine.run.facts import LEVEL_BEFORE
from cockpit.engine.run.probes import ProbeOutput
from cockpit.engine.run.runbook_run import RunbookRun

__all__ = [
    "LEVEL_BEFORE",
    "ControlError",
    "NothingToResume",
    "ProbeOutput",
    "RunbookRun",
    "TransportFactory",
    "new_run_id",
]
