"""The userlands the remote-step tests run under, and what is left running on a simulated fleet."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from cockpit.sim import state
from cockpit.sim.userland import Userland

USERLANDS = [
    pytest.param(Userland("dash"), id="dash+gnu"),
    pytest.param(Userland("mksh", busybox=True), id="mksh+busybox", marks=pytest.mark.realtools),
    pytest.param(Userland("ksh93", busybox=True), id="ksh93+busybox", marks=pytest.mark.realtools),
]
"""dash with GNU tools (Debian's own), and the two AIX-like ones: mksh (pdksh, the nearest to ksh88)
and ksh93, each with busybox tools first on PATH so that a GNU-only option or a fractional sleep fails."""


def require(userland: Userland) -> None:
    """Skip, saying what to install, when this machine lacks the userland's shell or busybox."""
    missing = userland.missing()
    if missing:
        pytest.skip(
            f"{userland.label}: not installed: {' '.join(missing)} (Debian packages; "
            "`make shells` / tests/setup_shells.sh installs them as root)"
        )


def fleet_processes(fleet_dir: Path) -> list[str]:
    """The command lines of every process that runs on the simulated fleet (Linux /proc), but the
    fleet's command server (cockpit/sim/cmdserver.py: the simulator's own, like its SSH server)."""
    mark = f"{state.FLEET_ENV}={fleet_dir}".encode()
    server = (fleet_dir / "cmdserver.pid").read_text().strip() if (fleet_dir / "cmdserver.pid").exists() else ""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid() or entry == server:
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if mark not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                found.append(f"{entry}: " + f.read().replace(b"\0", b" ").decode(errors="replace").strip())
        except OSError:
            continue
    return found


async def nothing_left_running(fleet_dir: Path, timeout: float = 10.0) -> None:
    """Wait until no process of the fleet is left (sessions take a moment to close); fail naming them."""
    deadline = time.monotonic() + timeout
    while left := fleet_processes(fleet_dir):
        if time.monotonic() > deadline:
            raise AssertionError(f"still running on the fleet after {timeout:g}s: {left}")
        await asyncio.sleep(0.1)
