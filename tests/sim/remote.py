"""Reaching a simulated host as a cockpit does: asyncssh, the fleet's client key, its known_hosts checked."""

from __future__ import annotations

from pathlib import Path

import asyncssh

from cockpit.sim.server import SimFleet


async def connect(fleet: SimFleet, host: str, key: Path | None = None) -> asyncssh.SSHClientConnection:
    return await asyncssh.connect(
        "127.0.0.1",
        fleet.hosts[host],
        username="root",
        client_keys=[str(key or fleet.client_key_path)],
        known_hosts=str(fleet.known_hosts_path),
        config=None,
        agent_path=None,
    )


async def ssh(fleet: SimFleet, host: str, command: str) -> asyncssh.SSHCompletedProcess:
    async with await connect(fleet, host) as conn:
        return await conn.run(command)


async def lines(fleet: SimFleet, host: str, command: str) -> list[str]:
    """stdout lines of a command that must succeed."""
    result = await ssh(fleet, host, command)
    assert result.exit_status == 0, (command, result.stderr)
    return str(result.stdout).splitlines()
