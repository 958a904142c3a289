"""`cockpit check` of N simulated clients: wall time, the cockpit's CPU, the simulator's CPU.

    .venv/bin/python bench/check_fleet.py --hosts 200,500 --runs 3 [--userland ksh93+busybox]

Each run gets a fresh simulated fleet (the nimadm scenario with N clean clients, one NIM master) in
its own process; the measured process is `python -m cockpit check INVENTORY --format json` from its
start to its exit. Reported per run: wall seconds, CPU of the cockpit's process, CPU the simulator
spent meanwhile (its SSH server, the sessions' shells and the fake AIX commands), the probe commands
run, and how many clients came out `go` (every client of this scenario must). The machine is shared:
each run first waits (up to a minute) for it to be under 25% busy and prints how busy it was and the
load average.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fleet


def one(hosts: int, root: Path, userland: str | None, progress: bool) -> dict[str, object]:
    directory = root / f"check-{hosts}-{time.monotonic_ns()}"
    scenario = _fleet.write_scenario(directory, hosts, time_scale=330.0, installp_lines=10)
    env = {**os.environ}
    if userland:
        env["COCKPIT_SIM_USERLAND"] = userland
    with _fleet.Fleet(scenario, directory / "sim", ready_timeout=900, env=env) as fleet:
        busy = _fleet.wait_quiet(max_wait=60)
        load = os.getloadavg()[0]
        sim_before = fleet.cpu_seconds()
        start = time.monotonic()
        argv = [sys.executable, "-m", "cockpit", "check", str(fleet.inventory), "--format", "json"]
        if progress:
            argv.append("--progress")
        with (directory / "check.json").open("w") as out, (directory / "check.err").open("w") as err:
            proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=_fleet.ROOT)
            _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        sim_cpu = fleet.cpu_seconds() - sim_before
    report = json.loads((directory / "check.json").read_text() or "{}")
    go = sum(1 for h in report.get("hosts", []) if h.get("verdict") == "go")
    return {
        "hosts": hosts,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "sim_cpu": sim_cpu,
        "go": go,
        "exit": os.waitstatus_to_exitcode(status),
        "busy_before": busy,
        "load": load,
        "stderr_tail": (directory / "check.err").read_text()[-300:],
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hosts", default="200,500")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--userland", help="the simulator's shell and tools, e.g. ksh93+busybox (default dash+gnu)")
    p.add_argument("--progress", action="store_true", help="with --progress (a line per second on stderr)")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    print(f"machine: {_fleet.machine()}")
    rows = []
    with _fleet.temp_dir("cockpit-check-", keep=args.keep) as root:
        for n in [int(x) for x in args.hosts.split(",")]:
            samples = []
            for run in range(args.runs):
                s = one(n, root, args.userland, args.progress)
                samples.append(s)
                print(
                    f"  {n:4d} clients run {run + 1}: wall {s['wall']:6.1f}s  cockpit cpu {s['cpu']:6.1f}s  "
                    f"sim cpu {s['sim_cpu']:6.1f}s  go {s['go']}/{n}  exit {s['exit']}  "
                    f"busy before {100 * float(s['busy_before']):3.0f}%  load {s['load']:.1f}",  # type: ignore[arg-type]
                    flush=True,
                )
            med = _fleet.median
            rows.append(
                [
                    str(n),
                    f"{med(float(s['wall']) for s in samples):.1f}",  # type: ignore[arg-type]
                    f"{med(float(s['cpu']) for s in samples):.1f}",  # type: ignore[arg-type]
                    f"{med(float(s['sim_cpu']) for s in samples):.1f}",  # type: ignore[arg-type]
                    f"{min(int(s['go']) for s in samples)}/{n}",  # type: ignore[call-overload]
                    str(len(samples)),
                ]
            )
    print()
    print(_fleet.table(["clients", "wall s", "cockpit CPU s", "sim CPU s", "go (worst run)", "runs"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
