"""Memory: 500 targets x 100,000 log lines each through the engine's own per-chunk code; peak RSS.

    .venv/bin/python bench/memory.py                     # engine + bridge (no Textual)
    .venv/bin/python bench/memory.py --app               # the same inside a headless CockpitApp, a log pane open

How the lines get in: bench/_feed.py EngineFeed hands each target's output, as raw bytes in chunks
of `--chunk-lines` lines, to that target's real TargetRunner._chunk - the very method
StepFollower.follow calls for every chunk an SSH read returns. So every line goes through
LogStore.append (the log file on disk), LineSplitter, NimadmTracker, the journal's byte-offset
update and the run's sink: FanOutSink(UiBridge, JournalSink), as in RunbookRun.run. Only the SSH read
is missing (no simulator: 500 fake nimadm processes printing 50 million lines would measure the
simulator). Each target's output is ONE nimadm run whose phase 6 (installp) prints enough lines to
make 100,000 in all - the shape of a long real log, with its phase banners and its 9 warnings.

Targets are fed round-robin, a chunk each, so all 500 grow together as in a live run. RSS is
sampled every few rounds; peak RSS is ru_maxrss of this process (which holds nothing else but
Python, the cockpit's modules and - with --app - Textual). The log files (about 2.3 GB for the
defaults) are written to a temporary directory and removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _fleet

HEADER_LINES = 202  # lines of a nimadm run besides its installp output (bench/_nimadm_text.py)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Run:
    def __init__(self, args: argparse.Namespace, directory: Path) -> None:
        self.args = args
        self.directory = directory
        self.targets = _fleet.client_names(args.targets)
        self.samples: list[tuple[int, float]] = []
        self.baseline = 0.0
        self.feed = None
        self.bridge = None
        self.seconds = 0.0

    def build(self, sink_for_bridge=None):  # type: ignore[no-untyped-def]
        from _feed import EngineFeed

        from cockpit.domain.events import FanOutSink
        from cockpit.engine.journal import JournalSink
        from cockpit.ui.bridge import UiBridge

        self.bridge = sink_for_bridge or UiBridge(self.targets)
        installp = max(0, self.args.lines - HEADER_LINES)
        # The journal sink shares the feed's journal; built after the feed, so route through a list.
        sinks = [self.bridge]
        fan = FanOutSink(*sinks)
        self.feed = EngineFeed(self.targets, fan, installp, self.directory, time.time)
        fan.sinks.append(JournalSink(self.feed.journal, "bench-run"))
        self.feed.start()
        gc.collect()
        self.baseline = rss_mb()

    def rounds(self) -> int:
        return -(-self.args.lines // self.args.chunk_lines)

    def one_round(self, r: int) -> None:
        assert self.feed is not None
        count = min(self.args.chunk_lines, self.args.lines - r * self.args.chunk_lines)
        for t in self.targets:
            self.feed.feed(t, count)
        if r % 20 == 0:
            self.samples.append((self.feed.lines_out, rss_mb()))

    def check(self) -> int:
        """Lines the bridge did not see (must be 0)."""
        assert self.feed is not None and self.bridge is not None
        return sum(self.feed.runners[t]._seq - self.bridge.views[t].seq for t in self.targets)


def run_plain(args: argparse.Namespace, directory: Path) -> Run:
    run = Run(args, directory)
    run.build()
    start = time.monotonic()
    for r in range(run.rounds()):
        run.one_round(r)
    run.seconds = time.monotonic() - start
    return run


def run_app(args: argparse.Namespace, directory: Path) -> Run:
    """The same feed as the engine worker of a headless CockpitApp with one log pane open."""
    from cockpit.ui.app import CockpitApp
    from cockpit.ui.screens.log import LogScreen

    run = Run(args, directory)
    done = asyncio.Event()

    async def engine(sink) -> str:  # type: ignore[no-untyped-def]
        run.build(sink)
        start = time.monotonic()
        for r in range(run.rounds()):
            run.one_round(r)
            await asyncio.sleep(0)  # let the app flush and draw between rounds, as between SSH reads
        run.seconds = time.monotonic() - start
        done.set()
        return "done"

    targets = run.targets
    app = CockpitApp(
        run=engine,
        targets=targets,
        log_path=lambda t: directory / "logs" / f"{t}.log",
        title="bench · memory",
        autostart=True,
    )

    async def main() -> None:
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            app.open_log(targets[len(targets) // 2])  # a pane streams (and holds up to 5,000 lines)
            await pilot.pause()
            await done.wait()
            await pilot.pause(0.2)
            assert isinstance(app.screen, LogScreen)

    asyncio.run(main())
    return run


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--targets", type=int, default=500)
    p.add_argument("--lines", type=int, default=100_000, help="lines per target")
    p.add_argument("--chunk-lines", type=int, default=100, help="lines per chunk (one SSH read)")
    p.add_argument("--app", action="store_true", help="inside a headless CockpitApp with a log pane open")
    p.add_argument("--keep", action="store_true", help="keep the log files")
    args = p.parse_args()
    need_gb = args.targets * args.lines * 46 / 1e9
    free_gb = os.statvfs(tempfile.gettempdir()).f_bavail * os.statvfs(tempfile.gettempdir()).f_frsize / 1e9
    if free_gb < need_gb * 1.2:
        print(f"not enough disk for the logs: {free_gb:.1f} GB free, {need_gb:.1f} GB needed", file=sys.stderr)
        return 2
    print(f"machine: {_fleet.machine()}; {100 * _fleet.cpu_busy():.0f}% busy before the run")
    start_rss = rss_mb()
    directory = Path(tempfile.mkdtemp(prefix="cockpit-memory-"))
    try:
        run = run_app(args, directory) if args.app else run_plain(args, directory)
        assert run.feed is not None
        lines = run.feed.lines_out
        data = run.feed.bytes_out
        lost = run.check()
        on_disk = sum(f.stat().st_size for f in (directory / "logs").iterdir())
        run.feed.close()
    finally:
        if not args.keep:
            subprocess.run(["rm", "-rf", str(directory)], check=False)
    mode = "engine + bridge + headless CockpitApp (log pane open)" if args.app else "engine + bridge"
    print(f"{mode}: {args.targets} targets x {args.lines:,} lines, chunks of {args.chunk_lines} lines")
    print(f"  fed {lines:,} lines ({data / 1e9:.2f} GB) in {run.seconds:.0f}s ({lines / run.seconds:,.0f} lines/s)")
    print(f"  log files on disk: {on_disk / 1e9:.2f} GB; lines the bridge missed: {lost}")
    print(f"  RSS: interpreter + imports {start_rss:.0f} MB, after setup {run.baseline:.0f} MB")
    step = max(1, len(run.samples) // 8)
    trail = ", ".join(f"{n / args.targets / 1000:.0f}k: {mb:.0f}" for n, mb in run.samples[::step])
    print(f"  RSS (MB) by lines per target: {trail}")
    print(f"  peak RSS: {peak_mb():.0f} MB (target: < 300 MB)")
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
