"""Start-up: wall time of `cockpit --help` and `cockpit validate sample_configs/nimadm-lab.yaml`.

    .venv/bin/python bench/startup.py            # warm disk cache: median of 10 (after 2 unmeasured runs)
    .venv/bin/python bench/startup.py --cold     # also 3 runs each with the files it reads evicted

Runs the installed entry point (.venv/bin/cockpit, what an operator types), each time a new process,
from fork to exit. Also prints where the time goes (python -X importtime, the biggest imports by
cumulative time) and the interpreter's own floor (`python -c pass`, `python -S -c pass`).
--cold evicts, before each run, the pages of the files a start reads - the stdlib, the venv's
site-packages, the repository's cockpit/ and the sample config - with posix_fadvise(DONTNEED), so they
are read from disk again (pages mapped by running processes, e.g. the interpreter binary and shared
libraries, stay cached: the figure is a "cold Python files" start, not a cold boot). Unlike
drop_caches it leaves the rest of a shared machine's cache alone.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fleet

ROOT = Path(__file__).resolve().parents[1]
COCKPIT = Path(sys.executable).with_name("cockpit")
SAMPLE = ROOT / "sample_configs" / "nimadm-lab.yaml"


def evict() -> int:
    """Drop the page-cache pages of the files a start reads; returns how many files were touched."""
    import sysconfig

    roots = {Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"]), ROOT / "cockpit"}
    count = 0
    for root in roots:
        for path in [*root.rglob("*.py"), *root.rglob("*.pyc"), *root.rglob("*.so"), *root.rglob("*.tcss")]:
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                count += 1
            finally:
                os.close(fd)
    fd = os.open(SAMPLE, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
    return count


def once(argv: list[str], cold: bool = False) -> float:
    if cold:
        evict()
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=ROOT)
    return time.perf_counter() - start


def timing(argv: list[str], runs: int, cold: bool = False) -> list[float]:
    if not cold:
        for _ in range(2):
            once(argv)  # warm the page cache and __pycache__
    return [once(argv, cold) for _ in range(runs)]


def top_imports(argv_tail: list[str], count: int = 8) -> list[tuple[float, str]]:
    """The imports with the largest cumulative time (ms) of `python -X importtime -m cockpit ...`."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cockpit", *argv_tail],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    rows: list[tuple[float, str, int]] = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m.group(1)) / 1000, m.group(3), len(m.group(2))))
    top_level = [(ms, name) for ms, name, depth in rows if depth <= 1]
    return sorted(top_level, reverse=True)[:count]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--cold", action="store_true", help="also 3 runs each with the Python files evicted from cache")
    args = p.parse_args()
    if not COCKPIT.exists():
        print(f"{COCKPIT} not found: install the package (.venv/bin/pip install -e .)", file=sys.stderr)
        return 2
    busy = _fleet.wait_quiet(max_wait=60)
    print(f"machine: {_fleet.machine()}; {100 * busy:.0f}% busy before the runs")
    cases = [
        ("python -c pass", [sys.executable, "-c", "pass"], None),
        ("python -S -c pass", [sys.executable, "-S", "-c", "pass"], None),
        ("cockpit --help", [str(COCKPIT), "--help"], 0.3),
        ("cockpit validate nimadm-lab.yaml", [str(COCKPIT), "validate", str(SAMPLE)], None),
    ]
    rows = []
    for name, argv, target in cases:
        warm = timing(argv, args.runs)
        row = [
            name,
            f"{_fleet.median(warm) * 1000:.0f}",
            f"{min(warm) * 1000:.0f}",
            f"{max(warm) * 1000:.0f}",
        ]
        if args.cold:
            cold = timing(argv, 3, cold=True)
            row.append(f"{_fleet.median(cold) * 1000:.0f}")
        row.append(f"< {target * 1000:.0f}" if target else "")
        rows.append(row)
    headers = ["command", "warm median ms", "min", "max", *(["cold median ms"] if args.cold else []), "target"]
    print(_fleet.table(headers, rows))
    for label, tail in (("--help", ["--help"]), ("validate", ["validate", str(SAMPLE)])):
        top = ", ".join(f"{name} {ms:.0f}" for ms, name in top_imports(tail))
        print(f"biggest imports of `cockpit {label}` (cumulative ms, -X importtime): {top}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
