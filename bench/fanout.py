"""Fan-out: the nimadm runbook on N simulated clients - the cockpit against a bare asyncssh floor and Ansible raw.

    .venv/bin/python bench/fanout.py --hosts 10,50,200 --runs 3

For every host count and run, each tool gets a FRESH simulated fleet (a migration changes the hosts'
disks, so a second run on the same fleet would fail) started in its own process, then is timed from
its process start to its exit:

  floor    bench/floor_asyncssh.py: per client one asyncssh connection to the NIM master, the nimadm
           command, its output read to the end (no detaching, no journal, no UI)
  cockpit  `python -m cockpit run INVENTORY --headless --no-preflight` (detached steps followed by
           byte offset, journal, log files, state lines on stdout)
  ansible  `ansible-playbook` with one `raw` task per client (inventory aliases of the master, one
           per client, forks = concurrency, OpenSSH with ControlMaster=no: one connection per client
           like the two others); ansible-core in bench/.venv-ansible, installed from PyPI on first use

Every client runs at once (concurrency = hosts). After each run the master's NIM database must
record every migration as done, whoever ran it (so a tool that "finished" early but skipped work is
caught). The order of the tools rotates from run to run. Printed per run: wall seconds, CPU seconds
of the tool's process tree, CPU seconds of the simulator during the run (its server, the fake nimadm
processes, and the cockpit's remote step readers on the "master": this bench adopts
orphaned descendants as a subreaper so detached steps are counted too), and how busy the machine
was in the second before the run started (the bench waits up to a minute for it to fall below 25%:
the machine may be shared with other work).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _fleet

BENCH = Path(__file__).resolve().parent
ANSIBLE_VENV = BENCH / ".venv-ansible"
TOOLS = ("floor", "cockpit", "cockpit@1", "ansible")
"""cockpit: follow.poll as the simulator's inventory sets it (0.1 s, idle 0.25 s); cockpit@P: poll P s,
idle 2P s (cockpit@1 is the production default: poll 1 s, idle_poll 2 s)."""


@dataclass
class Sample:
    tool: str
    hosts: int
    wall: float
    cpu: float
    sim_cpu: float
    load: float
    ok: bool
    note: str = ""


@dataclass
class Setup:
    time_scale: float
    installp_lines: int
    poll: float | None
    idle_poll: float | None
    timeout: float
    keep: bool
    ansible: Path | None
    ansible_why: str = ""
    samples: list[Sample] = field(default_factory=list)


# --- Ansible -------------------------------------------------------------------------------------------


def ensure_ansible() -> tuple[Path | None, str]:
    """ansible-playbook of bench/.venv-ansible, installing ansible-core there on first use."""
    exe = ANSIBLE_VENV / "bin" / "ansible-playbook"
    if exe.exists():
        return exe, ""
    print(f"installing ansible-core into {ANSIBLE_VENV} (first use) ...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(ANSIBLE_VENV)], check=True, capture_output=True)
        pip = subprocess.run(
            [str(ANSIBLE_VENV / "bin" / "pip"), "install", "-q", "ansible-core"],
            capture_output=True,
            text=True,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"cannot create the venv: {exc}"
    if pip.returncode != 0 or not exe.exists():
        return None, "pip install ansible-core failed: " + (pip.stderr.strip().splitlines() or ["?"])[-1]
    return exe, ""


def ansible_files(directory: Path, job: dict) -> tuple[Path, Path, dict[str, str]]:
    """Inventory (one alias of the master per client, its command as a var), playbook, environment."""
    common = (
        f"-o UserKnownHostsFile={job['known_hosts']} -o StrictHostKeyChecking=yes "
        "-o ControlMaster=no -o ControlPath=none -o BatchMode=yes -o IdentitiesOnly=yes"
    )
    hosts = {
        client: {"cmd": command + " 2>&1", "ansible_host": job["address"], "ansible_port": job["port"]}
        for client, command in job["commands"].items()
    }
    inventory = {
        "all": {
            "vars": {
                "ansible_user": job["user"],
                "ansible_connection": "ssh",
                "ansible_ssh_private_key_file": job["client_key"],
                "ansible_ssh_common_args": common,
            },
            "children": {"clients": {"hosts": hosts}},
        }
    }
    inv = directory / "ansible-inventory.yaml"
    inv.write_text(yaml.safe_dump(inventory, sort_keys=False))
    play = directory / "play.yaml"
    play.write_text(
        yaml.safe_dump(
            [{"hosts": "clients", "gather_facts": False, "tasks": [{"name": "nimadm", "raw": "{{ cmd }}"}]}],
            sort_keys=False,
        )
    )
    env = {
        **os.environ,
        "ANSIBLE_FORKS": str(job["concurrency"]),
        "ANSIBLE_HOST_KEY_CHECKING": "True",
        "ANSIBLE_TIMEOUT": "120",
        "ANSIBLE_LOCAL_TEMP": str(directory / "ansible-tmp"),
        "ANSIBLE_HOME": str(directory / "ansible-home"),
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_SSH_PIPELINING": "False",
        # raw asks for a pty (ssh -tt) by default; the simulator, like sshd for a forced command with
        # no-pty, refuses one. Without it the command runs exactly as for the other two tools.
        "ANSIBLE_SSH_USETTY": "False",
    }
    return inv, play, env


# --- one measurement -----------------------------------------------------------------------------------


def become_subreaper() -> None:
    """Adopt orphaned descendants (Linux PR_SET_CHILD_SUBREAPER), so their CPU time is ours to count.

    The cockpit's steps run under nohup: their wrapper shell (and the fake nimadm under it) outlives
    the SSH session that started it and would be re-parented to init, its CPU time lost to the count.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
        print("warning: cannot become a subreaper; simulator CPU will be under-counted", file=sys.stderr)


def reap_orphans() -> None:
    """Collect adopted descendants that ended (their CPU time then shows in RUSAGE_CHILDREN)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def jobs_for(fleet: _fleet.Fleet, directory: Path) -> tuple[Path, dict]:
    """The floor's and Ansible's job: the master's address and the very commands the cockpit runs."""
    from cockpit.config.loader import load_config
    from cockpit.engine.binding import Binding

    config = load_config(fleet.inventory)
    plan = config.plan
    master = config.master
    binding = Binding(config, "bench")
    commands = {c.host: binding.steps(c.host)[0].command for c in plan.clients}
    job = {
        "address": master.address,
        "port": master.port,
        "user": master.user,
        "known_hosts": str(config.ssh.known_hosts),
        "client_key": str(config.ssh.client_keys[0]),
        "concurrency": plan.concurrency,
        "commands": commands,
    }
    path = directory / "jobs.json"
    path.write_text(json.dumps(job, indent=1))
    return path, job


def tune_inventory(inventory: Path, poll: float | None, idle_poll: float | None) -> None:
    if poll is None and idle_poll is None:
        return
    data = yaml.safe_load(inventory.read_text())
    follow = data["plan"].setdefault("follow", {})
    if poll is not None:
        follow["poll"] = poll
    if idle_poll is not None:
        follow["idle_poll"] = idle_poll
    inventory.write_text(yaml.safe_dump(data, sort_keys=False))


def migrations_done(fleet: _fleet.Fleet, clients: list[str]) -> list[str]:
    """Clients whose migration the master's NIM database does not record as done."""
    master = json.loads((fleet.fleet_dir / "hosts" / fleet.master / "state.json").read_text())
    records = master["nim"]["migrations"]
    return [c for c in clients if records.get(c, {}).get("status") != "done"]


def timed(argv: list[str], *, env: dict[str, str] | None, timeout: float, log: Path) -> tuple[float, float, int, str]:
    """Run argv; (wall s, CPU s of it and its reaped children, exit status, stdout tail)."""
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = start + timeout
        status = None
        while status is None:
            pid, raw, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(raw)
                proc.returncode = status
                break
            if time.monotonic() > deadline:
                os.killpg(proc.pid, 9)
                _, raw, usage = os.wait4(proc.pid, 0)
                proc.returncode = status = -9
                break
            time.sleep(0.01)
    wall = time.monotonic() - start
    tail = log.read_text(errors="replace")[-3000:]
    return wall, usage.ru_utime + usage.ru_stime, status, tail


def measure(tool: str, hosts: int, setup: Setup, root: Path) -> Sample:
    if tool == "ansible" and setup.ansible is None:
        nan = float("nan")
        return Sample(tool, hosts, nan, nan, nan, nan, False, setup.ansible_why)
    directory = root / f"{tool.replace('@', '-p')}-{hosts}-{time.monotonic_ns()}"
    scenario = _fleet.write_scenario(directory, hosts, time_scale=setup.time_scale, installp_lines=setup.installp_lines)
    clients = _fleet.client_names(hosts)
    with _fleet.Fleet(scenario, directory / "sim", ready_timeout=600) as fleet:
        poll, idle_poll = setup.poll, setup.idle_poll
        if tool.startswith("cockpit@"):
            poll = float(tool.split("@", 1)[1])
            idle_poll = 2 * poll
        tune_inventory(fleet.inventory, poll, idle_poll)
        jobs, job = jobs_for(fleet, directory)
        env = None
        if tool == "floor":
            argv = [sys.executable, str(BENCH / "floor_asyncssh.py"), str(jobs)]
        elif tool.startswith("cockpit"):
            argv = [sys.executable, "-m", "cockpit", "run", str(fleet.inventory), "--headless", "--no-preflight"]
        else:
            assert setup.ansible is not None
            inv, play, env = ansible_files(directory, job)
            argv = [str(setup.ansible), "-i", str(inv), str(play)]
        # Let the simulator's start-up settle, and wait for other work on the machine to calm down.
        load = _fleet.wait_quiet(max_wait=60)
        reap_orphans()
        before = children_cpu() + fleet.cpu_seconds()  # the simulator's start-up is not the tool's run
        wall, cpu, status, tail = timed(argv, env=env, timeout=setup.timeout, log=directory / f"{tool}.out")
        missing = migrations_done(fleet, clients)
    reap_orphans()
    # Everything that ran for this measurement has now been reaped by us: the tool, the simulator
    # server (with its sessions' shells and commands) and the adopted detached steps.
    sim_cpu = children_cpu() - before - cpu
    ok = status == 0 and not missing
    note = ""
    if not ok:
        note = f"exit {status}, {len(missing)} migrations not done; see {directory / (tool + '.out')}"
        print(f"  {tool} {hosts}: FAILED: {note}\n{tail[-800:]}", file=sys.stderr)
    if ok and not setup.keep:
        subprocess.run(["rm", "-rf", str(directory)], check=False)
    return Sample(tool, hosts, wall, cpu, sim_cpu, load, ok, note)


# --- report --------------------------------------------------------------------------------------------


def report(setup: Setup, sizes: list[int], tools: list[str]) -> str:
    med = _fleet.median
    rows = []
    for n in sizes:

        def good(tool: str, attr: str, n: int = n) -> list[float]:
            return [getattr(s, attr) for s in setup.samples if s.tool == tool and s.hosts == n and s.ok]

        def cell(tool: str, attr: str = "wall") -> str:
            values = good(tool, attr)
            return f"{med(values):.1f}" if values else "-"

        def wall(tool: str) -> float:
            values = good(tool, "wall")
            return med(values) if values else float("nan")

        def ratio(a: float, b: float) -> str:
            return f"{a / b:.2f}" if a == a and b == b else "-"

        floor = wall("floor")
        for tool in tools:
            rows.append(
                [
                    str(n),
                    tool,
                    cell(tool),
                    ratio(wall(tool), floor) if tool != "floor" else "1.00",
                    f"{wall(tool) - floor:+.1f}" if tool != "floor" and wall(tool) == wall(tool) else "",
                    ratio(wall("ansible"), wall(tool)) if tool.startswith("cockpit") else "",
                    cell(tool, "cpu"),
                    cell(tool, "sim_cpu"),
                    str(len(good(tool, "wall"))),
                ]
            )
    headers = ["hosts", "tool", "wall s", "/ floor", "- floor s", "ansible /", "tool CPU s", "sim CPU s", "runs ok"]
    return _fleet.table(headers, rows)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hosts", default="10,50,200", help="comma-separated client counts (default 10,50,200)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--tools", default=",".join(TOOLS))
    p.add_argument("--time-scale", type=float, default=330.0, help="simulator clock (330: a run lasts ~10 s)")
    p.add_argument("--installp-lines", type=int, default=2000, help="phase-6 output (2000: ~2,200 lines a client)")
    p.add_argument("--poll", type=float, help="override the inventory's follow.poll (simulator default 0.1)")
    p.add_argument("--idle-poll", type=float, help="override the inventory's follow.idle_poll (default 0.25)")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds before a tool's run is killed")
    p.add_argument("--keep", action="store_true", help="keep the work directories")
    p.add_argument("--json", type=Path, help="also write every sample here")
    args = p.parse_args()
    sizes = [int(x) for x in args.hosts.split(",")]
    tools = [t for t in args.tools.split(",") if t]
    ansible, why = ensure_ansible() if "ansible" in tools else (None, "not asked for")
    if "ansible" in tools and ansible is None:
        print(f"Ansible unavailable: {why}; continuing without it", file=sys.stderr)
    setup = Setup(
        args.time_scale, args.installp_lines, args.poll, args.idle_poll, args.timeout, args.keep, ansible, why
    )
    print(f"machine: {_fleet.machine()}")
    print(
        f"simulator: time_scale {args.time_scale:g}, installp_lines {args.installp_lines}, "
        f"follow poll {args.poll or 'inventory default'}; all clients at once"
    )
    become_subreaper()
    with _fleet.temp_dir("cockpit-fanout-", keep=args.keep) as root:
        for n in sizes:
            need = 40 * n + 500  # ~25 MB per fake nimadm + follow shells, plus the tools
            if _fleet.free_memory_mb() < need:
                print(f"skipping {n} hosts: {_fleet.free_memory_mb()} MB free, ~{need} MB needed", file=sys.stderr)
                continue
            for run in range(args.runs):
                order = tools[run % len(tools) :] + tools[: run % len(tools)]
                for tool in order:
                    sample = measure(tool, n, setup, root)
                    setup.samples.append(sample)
                    print(
                        f"  {n:4d} hosts run {run + 1} {tool:9s} wall {sample.wall:7.2f}s  cpu {sample.cpu:7.2f}s  "
                        f"sim cpu {sample.sim_cpu:7.2f}s  busy before {100 * sample.load:3.0f}%  "
                        + ("ok" if sample.ok else "FAILED " + sample.note),
                        flush=True,
                    )
    print()
    print(report(setup, sizes, tools))
    if args.json:
        args.json.write_text(json.dumps([s.__dict__ for s in setup.samples], indent=1))
    return 0 if all(s.ok for s in setup.samples if s.tool != "ansible" or ansible) else 1


if __name__ == "__main__":
    sys.exit(main())
