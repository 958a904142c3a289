"""A runbook of 12 quick steps on N simulated hosts: the cockpit against a bare asyncssh floor.

    .venv/bin/python bench/quick_steps.py --hosts 50,200 --runs 3 [--userland ksh93+busybox]

Each step prints 100 lines of 100 bytes with shell builtins (no fake AIX command: what is measured
is the cost of running a step, not the simulator's commands) and exits 0. Every host runs its 12
steps in order, all hosts at once:

  floor    bench/floor_steps.py: per host one asyncssh connection, one exec per step, stdout and
           stderr read to the end and counted (no journal, no log files, no UI)
  cockpit  `python -m cockpit run INVENTORY --headless --no-preflight` with the runbook (its steps
           are quick: they run attached, see domain/remote_step.py); every host must succeed with
           its 12 steps' 1,200 lines in its log
  kept     the same with `attach: false` on every step (the protocol of long steps: output in a file
           on the host, streamed by a tail, a timing sampler beside it)

Per run: wall seconds, CPU of the tool's process tree, CPU the simulator spent (its SSH server, the
sessions' shells and everything they started: the "host side"), SSH sessions the hosts saw. Each run
gets a fresh fleet and first waits (up to a minute) for the machine to be under 25% busy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fleet

BENCH = Path(__file__).resolve().parent
STEPS, LINES = 12, 100
TOOLS = ("floor", "cockpit", "kept")


def step_command(i: int) -> str:
    pad = "x" * 80
    return f'n=0; while [ $n -lt {LINES} ]; do echo "step {i} line $n {pad}"; n=$((n + 1)); done'


def write_plan(
    fleet: _fleet.Fleet, directory: Path, clients: list[str], *, attach: bool | None, ciphers: str | None
) -> Path:
    steps = []
    for i in range(1, STEPS + 1):
        step: dict[str, object] = {"id": f"step{i}", "title": f"step {i}", "run": step_command(i)}
        step["expected_minutes"] = 0.05
        if attach is not None:
            step["attach"] = attach
        steps.append(step)
    runbook = {"name": "quick", "title": "12 quick steps", "source": "bench", "steps": steps}
    (directory / "quick.yaml").write_text(yaml.safe_dump(runbook, sort_keys=False))
    inventory = yaml.safe_load(fleet.inventory.read_text())
    for host in inventory["hosts"]:  # paths in the simulator's inventory are relative to it
        for key in ("work_dir",):
            if key in host and not os.path.isabs(host[key]):
                host[key] = str((fleet.inventory.parent / host[key]).resolve())
    for key in ("known_hosts",):
        if not os.path.isabs(inventory["ssh"][key]):
            inventory["ssh"][key] = str((fleet.inventory.parent / inventory["ssh"][key]).resolve())
    inventory["ssh"]["client_keys"] = [
        k if os.path.isabs(k) else str((fleet.inventory.parent / k).resolve()) for k in inventory["ssh"]["client_keys"]
    ]
    inventory.pop("state_dir", None)
    if ciphers:  # the operator's ssh config naming Ciphers: the cockpit keeps its order
        (directory / "ssh_config").write_text(f"Host *\n  Ciphers {ciphers}\n")
        inventory["ssh"]["config_file"] = str(directory / "ssh_config")
    inventory["plan"] = {
        "runbook": str(directory / "quick.yaml"),
        "concurrency": len(clients),
        "targets": [{"host": c} for c in clients],
    }
    path = directory / "inventory.yaml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False))
    return path


def floor_job(inventory: Path, directory: Path, ciphers: str | None) -> Path:
    data = yaml.safe_load(inventory.read_text())
    hosts = {h["name"]: h for h in data["hosts"]}
    job = {
        "known_hosts": data["ssh"]["known_hosts"],
        "client_key": data["ssh"]["client_keys"][0],
        "hosts": [
            {"address": hosts[t["host"]]["address"], "port": hosts[t["host"]]["port"], "user": "root"}
            for t in data["plan"]["targets"]
        ],
        "steps": [step_command(i) for i in range(1, STEPS + 1)],
        "ciphers": ciphers,
    }
    path = directory / "floor.json"
    path.write_text(json.dumps(job))
    return path


def verify_cockpit(directory: Path, clients: list[str]) -> str:
    logs = sorted((directory / "cockpit-state" / "runs").glob("*/logs"))
    if len(logs) != 1:
        return f"{len(logs)} run directories"
    for c in clients:
        log = logs[0] / f"{c}.log"
        text = log.read_text() if log.exists() else ""
        lines = sum(1 for line in text.splitlines() if line.startswith("step "))
        if lines != STEPS * LINES:
            return f"{c}: {lines} step lines in its log, not {STEPS * LINES}"
    return ""


def one(tool: str, hosts: int, root: Path, userland: str | None, ciphers: str | None) -> dict[str, object]:
    directory = root / f"{tool}-{hosts}-{time.monotonic_ns()}"
    scenario = _fleet.write_scenario(directory, hosts, time_scale=330.0, installp_lines=10)
    env = {**os.environ}
    if userland:
        env["COCKPIT_SIM_USERLAND"] = userland
    clients = _fleet.client_names(hosts)
    with _fleet.Fleet(scenario, directory / "sim", ready_timeout=900, env=env) as fleet:
        inventory = write_plan(fleet, directory, clients, attach=False if tool == "kept" else None, ciphers=ciphers)
        if tool == "floor":
            argv = [sys.executable, str(BENCH / "floor_steps.py"), str(floor_job(inventory, directory, ciphers))]
        else:
            argv = [sys.executable, "-m", "cockpit", "run", str(inventory), "--headless", "--no-preflight"]
        busy = _fleet.wait_quiet(max_wait=60)
        load = os.getloadavg()[0]
        sessions_before = _fleet.sessions(fleet)
        sim_before = fleet.cpu_seconds()
        start = time.monotonic()
        with (directory / f"{tool}.out").open("w") as out:
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=directory)
            _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        time.sleep(0.5)  # the last sessions' shells are reaped by the server
        sim_cpu = fleet.cpu_seconds() - sim_before
        sessions = _fleet.sessions(fleet) - sessions_before
    exit_status = os.waitstatus_to_exitcode(status)
    problem = "" if exit_status == 0 else f"exit {exit_status}"
    if tool != "floor" and not problem:
        problem = verify_cockpit(directory, clients)
    if tool == "floor" and not problem:
        result = json.loads((directory / "floor.out").read_text().splitlines()[-1])
        if result["lines"] != hosts * STEPS * LINES:
            problem = f"floor read {result['lines']} lines"
    return {
        "tool": tool,
        "hosts": hosts,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "sim_cpu": sim_cpu,
        "sessions": sessions,
        "busy": busy,
        "load": load,
        "ok": not problem,
        "problem": problem,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hosts", default="50,200")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--tools", default=",".join(TOOLS))
    p.add_argument("--userland", help="the simulator's shell and tools, e.g. ksh93+busybox (default dash+gnu)")
    p.add_argument(
        "--ciphers",
        help="SSH ciphers for both tools (e.g. chacha20-poly1305@openssh.com, asyncssh's default, which the "
        "floor uses without it; the cockpit prefers AES-GCM)",
    )
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    print(
        f"machine: {_fleet.machine()}; userland {args.userland or 'dash+gnu'}; "
        f"ciphers {args.ciphers or 'each tool its own default'}"
    )
    rows, samples = [], []
    with _fleet.temp_dir("cockpit-quick-", keep=args.keep) as root:
        for n in [int(x) for x in args.hosts.split(",")]:
            for run in range(args.runs):
                for tool in tools[run % len(tools) :] + tools[: run % len(tools)]:
                    s = one(tool, n, root, args.userland, args.ciphers)
                    samples.append(s)
                    print(
                        f"  {n:4d} hosts run {run + 1} {tool:8s} wall {s['wall']:6.2f}s  cpu {s['cpu']:6.2f}s  "
                        f"host-side cpu {s['sim_cpu']:6.2f}s  sessions {s['sessions']}  "
                        f"busy before {100 * float(s['busy']):3.0f}%  load {s['load']:.1f}  "  # type: ignore[arg-type]
                        + ("ok" if s["ok"] else f"FAILED {s['problem']}"),
                        flush=True,
                    )

            def get(tool: str, key: str, n: int = n) -> float:
                return _fleet.median(
                    float(s[key]) for s in samples if s["tool"] == tool and s["hosts"] == n and s["ok"]
                )  # type: ignore[arg-type]

            for tool in tools:
                ok = [s for s in samples if s["tool"] == tool and s["hosts"] == n and s["ok"]]
                if not ok:
                    rows.append([str(n), tool, "-", "-", "-", "-", "-", "-", "0"])
                    continue
                base = "floor" in tools and any(s["tool"] == "floor" and s["hosts"] == n and s["ok"] for s in samples)
                rows.append(
                    [
                        str(n),
                        tool,
                        f"{get(tool, 'wall'):.2f}",
                        f"{get(tool, 'wall') / get('floor', 'wall'):.2f}" if base else "-",
                        f"{get(tool, 'cpu'):.2f}",
                        f"{get(tool, 'cpu') / get('floor', 'cpu'):.2f}" if base else "-",
                        f"{get(tool, 'sim_cpu'):.2f}",
                        f"{get(tool, 'sim_cpu') / get('floor', 'sim_cpu'):.2f}" if base else "-",
                        f"{get(tool, 'sessions'):.0f}",
                        str(len(ok)),
                    ]
                )
    print()
    headers = [
        "hosts",
        "tool",
        "wall s",
        "/ floor",
        "tool CPU s",
        "/ floor",
        "host CPU s",
        "/ floor",
        "sessions",
        "runs",
    ]
    print(_fleet.table(headers, rows))
    return 0 if all(s["ok"] for s in samples) else 1


if __name__ == "__main__":
    sys.exit(main())
