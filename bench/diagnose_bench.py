"""`cockpit diagnose` on big and hostile logs: peak memory (RSS) and wall time of the real command.

Cases (each one a fresh `python -m cockpit diagnose FILE` process, measured with getrusage):
  big          the real successful nimadm run repeated to --mb megabytes (default 200): a file of many runs
  long-lines   the same size in lines of 1 MiB each (no line ends for a long way)
  pathological one line of `alt_disk_copy ` repeated 64,000 times (the line that once took 24 s)
  path-x10     ten such lines

Usage: .venv/bin/python bench/diagnose_bench.py [--mb 200] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "nimadm_success_qiita.log"
PATHOLOGICAL = "alt_disk_copy " * 64_000


def write_big(path: Path, megabytes: int) -> None:
    block = SAMPLE.read_bytes()
    with path.open("wb") as f:
        while f.tell() < megabytes * 1_000_000:
            f.write(block)


def write_long_lines(path: Path, megabytes: int) -> None:
    line = b"0516-404 " + b"x" * (1 << 20) + b"\n"
    with path.open("wb") as f:
        while f.tell() < megabytes * 1_000_000:
            f.write(line)


def measure(path: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB, exit status) of one `cockpit diagnose` on `path`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cockpit", "diagnose", str(path), "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    wall = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kb <= before:
        # ru_maxrss of children is the largest child so far: run each case in its own runner process.
        raise SystemExit("measure each case in a fresh bench process (getrusage keeps the largest child)")
    if done.returncode not in (0, 1):
        raise SystemExit(f"diagnose failed on {path}: {done.stderr.decode()}")
    return wall, peak_kb / 1024, done.returncode


def one_case(case: str, workdir: Path, megabytes: int) -> None:
    path = workdir / f"{case}.log"
    if case == "big":
        write_big(path, megabytes)
    elif case == "long-lines":
        write_long_lines(path, megabytes)
    elif case == "pathological":
        path.write_text(PATHOLOGICAL + "\n")
    elif case == "path-x10":
        path.write_text((PATHOLOGICAL + "\n") * 10)
    size = path.stat().st_size / 1_000_000
    wall, rss, status = measure(path)
    print(f"| {case} | {size:,.1f} MB | {wall:.2f} s | {rss:.0f} MB | {status} |", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=200, help="size of the big logs, MB (default 200)")
    parser.add_argument("--keep", type=Path, help="write the logs here and keep them (default: a temp dir)")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # one case, in a child runner
    args = parser.parse_args()
    if args.case:
        one_case(args.case, args.keep, args.mb)
        return 0
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print("| case | log | wall (incl. start-up) | peak RSS | exit |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="cockpit-diagnose-bench-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for case in ("pathological", "path-x10", "big", "long-lines"):
            cmd = [sys.executable, __file__, "--case", case, "--keep", str(workdir), "--mb", str(args.mb)]
            subprocess.run(cmd, check=True)
            if not args.keep:
                (workdir / f"{case}.log").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
