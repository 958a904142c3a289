"""Parsing cost per output line: what the engine's readers spend on each line a host prints.

    .venv/bin/python bench/parse.py              # median of 5 runs over one nimadm run's text x 5

The engine reads every line of every host on the event loop that also draws the screen (bench
README, bottleneck 3): NimadmTracker.feed for nimadm (phase banners, message codes, benign lines)
and StepJudge.feed for the step-by-step runbooks (their `expect` patterns). Prints microseconds per
line for each, on the simulator's own nimadm text (3,000 installp lines per run).
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _nimadm_text import nimadm_lines

from cockpit.domain.nimadm import NimadmTracker
from cockpit.domain.step_check import StepCheck, StepJudge

RUNS = 5


def per_line(feed_all, lines: list[str]) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        feed_all(lines)
        times.append(time.perf_counter() - start)
    return statistics.median(times) / len(lines) * 1e6


def tracker(lines: list[str]) -> None:
    t = NimadmTracker()
    for line in lines:
        t.feed(line)


def judge(lines: list[str]) -> None:
    # The linuxha install step's checks: two failure patterns, one that must appear.
    check = StepCheck(
        output=(re.compile(r"^linuxha12"),), fail_output=(re.compile(r"^error: "), re.compile(r"^\s+\S+ is needed by "))
    )
    j = StepJudge(check)
    for line in lines:
        j.feed(line)


def main() -> None:
    lines = nimadm_lines("lpar01", 3000) * 5
    print(f"{len(lines)} lines (one nimadm run's text x 5), median of {RUNS}")
    print(f"NimadmTracker.feed  {per_line(tracker, lines):.2f} us/line")
    print(f"StepJudge.feed      {per_line(judge, lines):.2f} us/line")


if __name__ == "__main__":
    main()
