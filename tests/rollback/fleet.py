"""A one- or two-client simulated fleet for the rollback tests, and the cockpit command run against it."""

from __future__ import annotations

import asyncio
import contextlib
import io
import time
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from cockpit.cli import main
from cockpit.config import load_config
from cockpit.sim.server import SimFleet
from cockpit.sim.state import read
from tests.engine.test_engine_over_ssh import SCENARIOS
from tests.sim.remote import connect, lines

# lpar01: rootvg on hdisk0, a data VG on hdisk1, the migration's target hdisk2 free.
HOSTS = """hosts:
  lpar01:
    disks:
      - {name: hdisk0, size_mb: 40960, vg: rootvg}
      - {name: hdisk1, size_mb: 40960, vg: datavg}
      - {name: hdisk2, size_mb: 40960}
  lpar02: {}
"""
OLD, NEW = "7100-05-03-1838", "7200-05-06-2320"


def scenario(tmp_path: Path, clients: int = 1) -> Path:
    text = (SCENARIOS / "tiny.yaml").read_text()
    text = text[: text.index("hosts:\n")] + HOSTS + "\n" + text[text.index("plan:\n") :]
    text = text.replace("count: 2", f"count: {clients}")
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


@dataclass
class Cockpit:
    exit_status: int
    out: str
    err: str


async def cockpit(*argv: str) -> Cockpit:
    """`cockpit ARGV` as the operator runs it (its own event loop, in a thread: the fleet serves from ours)."""

    def call() -> Cockpit:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(list(argv))
        return Cockpit(status, out.getvalue(), err.getvalue())

    return await asyncio.to_thread(call)


async def reboot_over_ssh(fleet: SimFleet, host: str, timeout: float = 15) -> None:
    """`shutdown -Fr` as an operator types it, then wait for the host to answer again."""
    boots = read(str(fleet.fleet_dir), host)["boot_count"]
    conn = await connect(fleet, host)
    try:
        await asyncio.wait_for(conn.run("shutdown -Fr"), 10)
    except (asyncssh.Error, OSError):
        pass  # the reboot may drop the connection before shutdown returns
    finally:
        conn.close()
    deadline = time.monotonic() + timeout
    while read(str(fleet.fleet_dir), host)["boot_count"] == boots or fleet.is_down(host):
        assert time.monotonic() < deadline, f"{host} did not come back"
        await asyncio.sleep(0.05)


async def host_view(fleet: SimFleet, host: str) -> tuple[str, list[str], list[list[str]]]:
    """(oslevel -s, bootlist -m normal -o, lspv rows without their PVID)."""
    level = (await lines(fleet, host, "oslevel -s"))[0]
    bootlist = await lines(fleet, host, "bootlist -m normal -o")
    lspv = [[row.split()[0], *row.split()[2:]] for row in await lines(fleet, host, "lspv")]
    return level, bootlist, lspv


def state_dir(inventory: Path) -> Path:
    return load_config(inventory).state_dir
