"""Load with faults: N simulated clients where some stall, some lose their connection and some fail.

    .venv/bin/python bench/faults.py --hosts 500                 # 10% stall, 5% drop, 5% fail
    .venv/bin/python bench/faults.py --hosts 50 --time-scale 1100

The fleet runs in its own process (bench/_simctl.py: the simulator plus a `drop TARGET` command);
the cockpit's engine (RunbookRun, real SSH transport, real journal and log files) runs in this
process, so the bench can act as the operator and read every event. Clients are picked at random
(fixed seed):

  stall  the scenario's `hang_phase: 6`: nimadm stops printing half-way through installp and never
         ends. Expected: the cockpit flags it STALLED; the bench (the operator) then kills the step
         (RunbookRun.kill, SIGTERM) -> FAILED.
  drop   once the client is in phase 3 or later, its SSH connection to the master is aborted.
         Expected: the engine re-attaches at its byte offset -> SUCCEEDED, with "connection lost" and
         "re-attached" notes.
  fail   `ghost_major: 43`: nimadm fails in phase 11 with 0516-082 -> FAILED in phase 11, that line
         as the error.
  other  -> SUCCEEDED.

No line lost or repeated: for every client the local log file must equal the remote step's `out`
byte for byte, the LogLines batches must be contiguous (first_seq) and their lines, in order, must be
the lines of `out`. The result lists every client that ended in the wrong state or whose lines differ.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _fleet

from cockpit.config.loader import load_config
from cockpit.domain.events import Event, LogLines, TargetChanged
from cockpit.domain.models import TargetState
from cockpit.engine.journal import Journal
from cockpit.engine.run import RunbookRun
from cockpit.transports.factory import transport_for

GHOST_ERROR = "0516-082"
HANG_PHASE = 6


@dataclass
class Plan:
    stall: set[str]
    drop: set[str]
    fail: set[str]

    def expected(self, target: str) -> TargetState:
        return TargetState.FAILED if target in self.stall or target in self.fail else TargetState.SUCCEEDED


def pick(clients: list[str], stall: float, drop: float, fail: float, seed: int = 8) -> Plan:
    rng = random.Random(seed)
    shuffled = clients[:]
    rng.shuffle(shuffled)
    n = len(clients)
    a, b, c = round(n * stall), round(n * drop), round(n * fail)
    return Plan(set(shuffled[:a]), set(shuffled[a : a + b]), set(shuffled[a + b : a + b + c]))


class CheckingSink:
    """Keeps per target: the line count, a running hash of the lines, gaps, every state and note."""

    def __init__(self) -> None:
        self.seq: dict[str, int] = {}
        self.hash: dict[str, hashlib._Hash] = {}
        self.gaps: dict[str, int] = {}
        self.states: dict[str, list[TargetState]] = {}
        self.reasons: dict[str, list[str]] = {}

    def emit(self, event: Event) -> None:
        if isinstance(event, LogLines):
            expected = self.seq.get(event.target, 0)
            if event.first_seq != expected:
                self.gaps[event.target] = self.gaps.get(event.target, 0) + 1
            self.seq[event.target] = event.first_seq + len(event.lines)
            h = self.hash.setdefault(event.target, hashlib.sha1())
            for line in event.lines:
                h.update(line.encode() + b"\n")
        elif isinstance(event, TargetChanged):
            self.states.setdefault(event.target, []).append(event.state)
            if event.reason:
                self.reasons.setdefault(event.target, []).append(event.reason)


@dataclass
class Outcome:
    hosts: int
    seconds: float
    plan: Plan
    wrong: dict[str, str] = field(default_factory=dict)
    """target -> what is wrong (state, lines)."""
    states: dict[str, int] = field(default_factory=dict)
    lines: int = 0
    drops_done: int = 0
    kills_done: int = 0

    @property
    def ok(self) -> bool:
        return not self.wrong


def write_fault_scenario(directory: Path, hosts: int, plan: Plan, *, time_scale: float, installp_lines: int) -> Path:
    overrides: dict[str, dict] = {}
    for t in plan.stall:
        overrides[t] = {"faults": {"hang_phase": HANG_PHASE}}
    for t in plan.fail:
        overrides[t] = {"faults": {"ghost_major": 43}}
    return _fleet.write_scenario(
        directory, hosts, time_scale=time_scale, installp_lines=installp_lines, host_overrides=overrides
    )


def set_follow(inventory: Path, poll: float | None, idle_poll: float | None, connect_timeout: float | None) -> None:
    data = yaml.safe_load(inventory.read_text())
    follow = data["plan"].setdefault("follow", {})
    if poll is not None:
        follow["poll"] = poll
    if idle_poll is not None:
        follow["idle_poll"] = idle_poll
    if connect_timeout is not None:
        data["ssh"]["connect_timeout"] = connect_timeout
    inventory.write_text(yaml.safe_dump(data, sort_keys=False))


async def operate(
    engine: RunbookRun, fleet: _fleet.Fleet, plan: Plan, outcome: Outcome, run: asyncio.Task, note: Callable
) -> None:
    """The operator: drop the chosen connections mid-run, kill each stalled step once flagged."""
    loop = asyncio.get_running_loop()
    to_drop = set(plan.drop)
    to_kill = set(plan.stall)
    while not run.done() and (to_drop or to_kill):
        for t in sorted(to_drop):
            p = engine.progress[t]
            if p.state.finished:
                to_drop.discard(t)  # ended before the drop could happen: reported by the check
            elif (p.phase or 0) >= 3:
                dropped = await loop.run_in_executor(None, fleet.drop, t)
                if dropped > 0:
                    to_drop.discard(t)
                    outcome.drops_done += 1
        for t in sorted(to_kill):
            p = engine.progress[t]
            if p.state is TargetState.STALLED:
                try:
                    await engine.kill(t, "TERM")
                    to_kill.discard(t)
                    outcome.kills_done += 1
                except Exception as exc:  # retried on the next round
                    note(f"kill {t}: {exc}")
            elif p.state.finished:
                to_kill.discard(t)
        await asyncio.sleep(0.05)


def check(engine: RunbookRun, sink: CheckingSink, plan: Plan, outcome: Outcome) -> None:
    for t in engine.targets:
        p = engine.progress[t]
        expected = plan.expected(t)
        problems = []
        if p.state is not expected:
            problems.append(f"ended {p.state.value}, expected {expected.value} ({p.error})")
        if t in plan.stall and TargetState.STALLED not in sink.states.get(t, []):
            problems.append("never flagged stalled")
        if t in plan.fail and (GHOST_ERROR not in (p.error or "") or p.phase != 11):
            problems.append(f"failure not read: phase {p.phase}, error {p.error!r}")
        if t in plan.drop:
            reasons = " | ".join(sink.reasons.get(t, []))
            if "connection lost" not in reasons or "re-attached" not in reasons:
                problems.append("no drop / re-attach noted")
        step = engine.main_step(t)
        remote = (Path(step.remote.directory) / "out").read_bytes() if Path(step.remote.directory).exists() else b""
        local = engine.log_path(t).read_bytes() if engine.log_path(t).exists() else b""
        if local != remote:
            problems.append(f"log file differs from the remote output ({len(local)} vs {len(remote)} bytes)")
        lines = remote.decode("utf-8", "replace").splitlines()
        digest = hashlib.sha1("".join(f"{x}\n" for x in lines).encode()).hexdigest()
        streamed = sink.hash[t].hexdigest() if t in sink.hash else hashlib.sha1().hexdigest()
        if sink.seq.get(t, 0) != len(lines) or streamed != digest or sink.gaps.get(t):
            problems.append(
                f"streamed {sink.seq.get(t, 0)} lines (gaps {sink.gaps.get(t, 0)}), remote has {len(lines)}"
            )
        outcome.lines += len(lines)
        outcome.states[p.state.value] = outcome.states.get(p.state.value, 0) + 1
        if problems:
            outcome.wrong[t] = "; ".join(problems)


async def run_with_faults(
    workdir: Path,
    hosts: int,
    *,
    stall: float = 0.10,
    drop: float = 0.05,
    fail: float = 0.05,
    time_scale: float = 330,
    installp_lines: int = 2000,
    poll: float | None = None,
    idle_poll: float | None = None,
    connect_timeout: float | None = None,
    timeout: float = 600,
    note: Callable[[str], None] = lambda s: None,
) -> Outcome:
    clients = _fleet.client_names(hosts)
    plan = pick(clients, stall, drop, fail)
    scenario = write_fault_scenario(workdir, hosts, plan, time_scale=time_scale, installp_lines=installp_lines)
    outcome = Outcome(hosts, 0.0, plan)
    loop = asyncio.get_running_loop()
    fleet = _fleet.Fleet(scenario, workdir / "sim", controlled=True, ready_timeout=600)
    await loop.run_in_executor(None, fleet.__enter__)
    try:
        set_follow(fleet.inventory, poll, idle_poll, connect_timeout)
        config = load_config(fleet.inventory)
        engine = RunbookRun(
            config,
            Journal(config.state_dir / "journal.sqlite"),
            lambda h: transport_for(h, config.ssh),
            config_path=fleet.inventory,
        )
        sink = CheckingSink()
        start = time.monotonic()
        run = asyncio.ensure_future(engine.run(sink))
        operator = asyncio.ensure_future(operate(engine, fleet, plan, outcome, run, note))
        try:
            await asyncio.wait_for(asyncio.shield(run), timeout)
        finally:
            operator.cancel()
            if not run.done():
                run.cancel()
            await asyncio.gather(run, operator, return_exceptions=True)
        outcome.seconds = time.monotonic() - start
        check(engine, sink, plan, outcome)
        engine.journal.close()
    finally:
        await loop.run_in_executor(None, fleet.stop)
    return outcome


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hosts", type=int, default=500)
    p.add_argument("--stall", type=float, default=0.10)
    p.add_argument("--drop", type=float, default=0.05)
    p.add_argument("--fail", type=float, default=0.05)
    p.add_argument("--time-scale", type=float, default=185.0, help="185: a clean run lasts ~18 s")
    p.add_argument("--installp-lines", type=int, default=2000)
    p.add_argument("--poll", type=float, default=1.0, help="follow.poll (production default 1 s)")
    p.add_argument("--idle-poll", type=float, default=2.0)
    p.add_argument("--connect-timeout", type=float, help="ssh.connect_timeout (default: the config's, 15 s)")
    p.add_argument("--timeout", type=float, default=900.0)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--json", type=Path)
    args = p.parse_args()
    print(f"machine: {_fleet.machine()}")
    with _fleet.temp_dir("cockpit-faults-", keep=args.keep) as root:
        outcome = asyncio.run(
            run_with_faults(
                root,
                args.hosts,
                stall=args.stall,
                drop=args.drop,
                fail=args.fail,
                time_scale=args.time_scale,
                installp_lines=args.installp_lines,
                poll=args.poll,
                idle_poll=args.idle_poll,
                connect_timeout=args.connect_timeout,
                timeout=args.timeout,
                note=lambda s: print("  " + s, file=sys.stderr),
            )
        )
    plan = outcome.plan
    print(
        f"{outcome.hosts} clients: {len(plan.stall)} stall, {len(plan.drop)} drop, {len(plan.fail)} fail; "
        f"finished in {outcome.seconds:.0f}s; {outcome.lines:,} lines checked"
    )
    print(f"  end states: {outcome.states}; drops done {outcome.drops_done}, stalled steps killed {outcome.kills_done}")
    if outcome.ok:
        print("  every client ended in the expected state; no line lost or repeated")
    else:
        print(f"  {len(outcome.wrong)} clients wrong:")
        for t, why in sorted(outcome.wrong.items())[:40]:
            print(f"    {t}: {why}")
    if args.json:
        data = {**outcome.__dict__, "plan": {k: sorted(v) for k, v in plan.__dict__.items()}}
        args.json.write_text(json.dumps(data, indent=1))
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
