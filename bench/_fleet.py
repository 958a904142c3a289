"""Bench helpers: a simulated fleet in its own process, the machine's description, small statistics.

The fleet always runs in a separate process (`python -m cockpit sim ...`, or bench/_simctl.py when a
bench must drop connections), so the process that is measured holds only the cockpit (or the floor
script, or Ansible). Its processes still share this machine's cores: `Fleet.cpu_seconds()` reports
what the simulator itself spent (server + fake AIX commands + the cockpit's remote step readers, i.e.
everything whose environment names the fleet), so a README figure can say how much of a wall time
was the simulator's.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "cockpit" / "sim" / "scenarios"
PYTHON = sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")


def write_scenario(
    directory: Path,
    hosts: int,
    *,
    time_scale: float,
    installp_lines: int,
    concurrency: int | None = None,
    host_overrides: Mapping[str, Mapping[str, Any]] | None = None,
    base: str = "nimadm",
) -> Path:
    """A scenario file: the shipped `base` scenario with `hosts` clients, this clock and output volume.

    The base's per-host faults are dropped (every client migrates cleanly) unless `host_overrides`
    gives some; `concurrency` defaults to the host count (all clients at once).
    """
    data = yaml.safe_load((SCENARIOS / f"{base}.yaml").read_text(encoding="utf-8"))
    data["timing"] = {**data.get("timing", {}), "time_scale": time_scale, "installp_lines": installp_lines}
    data["clients"]["count"] = hosts
    data["hosts"] = {name: dict(v) for name, v in (host_overrides or {}).items()}
    data["plan"]["concurrency"] = concurrency or hosts
    data["description"] = f"bench: {hosts} clients, time_scale {time_scale:g}, {installp_lines} installp lines"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"bench-{hosts}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def client_names(hosts: int, prefix: str = "lpar") -> list[str]:
    return [f"{prefix}{i:02d}" for i in range(1, hosts + 1)]


class Fleet:
    """A simulated fleet served by a child process; use as a context manager (stops it, kills leftovers).

    `controlled=True` runs bench/_simctl.py instead of `cockpit sim`: same server, plus a stdin on which
    `drop HOST` aborts that host's live SSH connections (a network failure), answered `dropped N`.
    """

    def __init__(
        self,
        scenario: Path,
        workdir: Path,
        *,
        controlled: bool = False,
        ready_timeout: float = 300,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.scenario = scenario
        self.env = dict(env) if env is not None else None
        self.workdir = workdir
        self.inventory = workdir / "inventory.yaml"
        self.controlled = controlled
        self.ready_timeout = ready_timeout
        self.proc: subprocess.Popen[str] | None = None
        self.ports: dict[str, int] = {}
        self.master = ""
        self._log = workdir / "sim.log"

    def __enter__(self) -> Fleet:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.controlled:
            argv = [PYTHON, str(Path(__file__).with_name("_simctl.py")), str(self.scenario), str(self.workdir)]
        else:
            argv = [PYTHON, "-m", "cockpit", "sim", str(self.scenario), "--workdir", str(self.workdir)]
            argv += ["--inventory-out", str(self.inventory)]
        self.proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=self._log.open("w"),
            stdin=subprocess.PIPE,
            text=True,
            start_new_session=True,
            cwd=ROOT,
            env=self.env,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + self.ready_timeout
        for raw in self.proc.stdout:
            line = raw.strip()
            if line == "ready":
                return
            m = re.fullmatch(r"(\S+) 127\.0\.0\.1:(\d+) (\S+)", line)
            if m:
                self.ports[m.group(1)] = int(m.group(2))
                if m.group(3) == "nim_master":
                    self.master = m.group(1)
            if time.monotonic() > deadline:
                break
        raise RuntimeError(f"the simulated fleet did not start: {self._log.read_text()[-2000:]}")

    def drop(self, host: str) -> int:
        """Abort `host`'s live SSH connections (controlled fleets only)."""
        assert self.controlled and self.proc is not None and self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(f"drop {host}\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().split()
        return int(answer[1]) if len(answer) == 2 and answer[0] == "dropped" else -1

    @property
    def fleet_dir(self) -> Path:
        return self.workdir / "fleet"

    def processes(self) -> list[int]:
        """Pids of the simulator: its server and every process whose environment names its fleet."""
        if self.proc is None:
            return []
        mark = f"COCKPIT_SIM_FLEET={self.fleet_dir.resolve()}".encode()
        pids = [self.proc.pid]
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == self.proc.pid:
                continue
            with contextlib.suppress(OSError):
                if mark in Path(f"/proc/{entry}/environ").read_bytes().split(b"\0"):
                    pids.append(int(entry))
        return pids

    def cpu_seconds(self) -> float:
        """CPU time the simulator spent so far: its server and reaped children (cutime covers ended
        commands: the server waits for every session's /bin/sh, and those wait for theirs), and its
        command server (cockpit/sim/cmdserver.py, a live child: its own time and its ended workers')."""
        if self.proc is None:
            return 0.0
        total = proc_cpu(self.proc.pid, children=True)
        with contextlib.suppress(OSError, ValueError):
            total += proc_cpu(int((self.fleet_dir / "cmdserver.pid").read_text()), children=True)
        return total

    def stop(self) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        # Detached steps (nohup) left their session's group: end whatever still names this fleet.
        for pid in self.processes():
            if pid != proc.pid:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self.proc = None

    def __exit__(self, *exc: object) -> None:
        self.stop()


def sessions(fleet: Fleet) -> int:
    """SSH sessions the fleet has served so far (`cockpit sim` writes them on SIGUSR1)."""
    assert fleet.proc is not None
    stats = fleet.workdir / "stats.json"
    before = stats.stat().st_mtime_ns if stats.exists() else 0
    os.kill(fleet.proc.pid, signal.SIGUSR1)
    for _ in range(500):
        if stats.exists() and stats.stat().st_mtime_ns != before:
            break
        time.sleep(0.01)
    return int(json.loads(stats.read_text())["sessions"])


def proc_cpu(pid: int, *, children: bool = False) -> float:
    """utime+stime (and the reaped children's with `children`) of a live process, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLK_TCK


@contextlib.contextmanager
def temp_dir(prefix: str, keep: bool = False) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        if not keep:
            subprocess.run(["rm", "-rf", str(path)], check=False)


def free_memory_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) // 1024
    return 0


def machine() -> str:
    """One line for the README: cores, memory, Python, kernel."""
    total = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            total = int(line.split()[1]) // 1024
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} cores ({cpu or platform.machine()}), {total / 1024:.1f} GiB RAM, "
        f"Python {platform.python_version()}, Linux {platform.release()}"
    )


def median(values: Iterable[float]) -> float:
    data = list(values)
    return statistics.median(data) if data else float("nan")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of unsorted values."""
    if not values:
        return float("nan")
    data = sorted(values)
    k = max(0, min(len(data) - 1, round(q / 100 * len(data) + 0.5) - 1))
    return data[k]


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def cpu_busy(interval: float = 1.0) -> float:
    """Share of the machine's CPU (all cores) that was busy during the next `interval` seconds."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields[:8]), idle

    total0, idle0 = sample()
    time.sleep(interval)
    total1, idle1 = sample()
    return 1.0 - (idle1 - idle0) / max(1, total1 - total0)


def wait_quiet(threshold: float = 0.25, max_wait: float = 120.0) -> float:
    """Wait (at most max_wait s) until the machine is less than `threshold` busy for a second; the
    machine is shared with other work, and a measurement taken while it is busy measures that work.
    Returns the busy share seen last."""
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    while busy > threshold and time.monotonic() < deadline:
        busy = cpu_busy()
    return busy
