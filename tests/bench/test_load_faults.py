"""Load with faults, small: 20 simulated clients at once where 2 stall, 1 loses its connection, 1 fails.

The CI-sized run of bench/faults.py (which runs 500): real SSH to the simulator in its own process,
the engine in this one, the test acting as the operator (it kills each step the cockpit flags as
stalled). Every client must end in the state its fault calls for, and every line the remote step
printed must be in the local log file and in the event stream exactly once, in order.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from faults import run_with_faults  # noqa: E402

from cockpit.domain.models import TargetState  # noqa: E402

pytestmark = pytest.mark.timeout(90)


async def test_twenty_clients_with_stalls_drops_and_failures_end_right_and_lose_no_line(tmp_path: Path) -> None:
    outcome = await run_with_faults(
        tmp_path,
        20,
        stall=0.10,
        drop=0.05,
        fail=0.05,
        time_scale=1100,  # a clean run lasts ~3 s
        installp_lines=300,
        poll=0.1,
        idle_poll=0.25,
        timeout=60,
    )
    plan = outcome.plan
    assert (len(plan.stall), len(plan.drop), len(plan.fail)) == (2, 1, 1)
    assert outcome.wrong == {}
    assert outcome.states == {TargetState.SUCCEEDED.value: 17, TargetState.FAILED.value: 3}
    assert outcome.drops_done == 1 and outcome.kills_done == 2
    assert outcome.lines > 20 * 300
