"""The command line explains itself: every argument has help, `demo --help` lists the scenarios, and a
normal demo (one client fails by design) ends with exit status 0."""

from __future__ import annotations

import argparse
import subprocess
import sys

from cockpit.cli import build_parser
from cockpit.sim.scenario import available


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_argument_of_every_subcommand_has_help_text() -> None:
    missing = [
        f"{name} {action.dest}"
        for name, parser in subcommands().items()
        for action in parser._actions
        if not isinstance(action, argparse._HelpAction) and not (action.help or "").strip()
    ]
    assert missing == []


def test_demo_help_lists_every_scenario_one_line_each() -> None:
    text = subcommands()["demo"].format_help()
    listed = text.split("scenarios:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed] == available()
    demo = next(line for line in listed if line.split()[0] == "demo")
    assert "three preflight traps" in demo


def test_a_normal_demo_ends_with_exit_status_0_though_a_client_fails_by_design() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cockpit", "demo", "--scenario", "tiny", "--headless"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "lpar02   BLOCKED" in proc.stdout and "1 not succeeded: lpar02" in proc.stdout
