"""A simulated fleet (same server as `cockpit sim`) that also obeys `drop TARGET` lines on stdin.

Usage: python bench/_simctl.py SCENARIO_FILE WORKDIR
Prints `HOST 127.0.0.1:PORT ROLE` per host, then `ready`; writes WORKDIR/inventory.yaml. For each
`drop TARGET` read on stdin it aborts the SSH connections (to the NIM master) that have run a command
naming TARGET's step directory (`/<run-id>/TARGET.nimadm`) - i.e. the one connection the cockpit
holds for that client, as a network failure on it would - and prints `dropped N`. Ends on EOF or
SIGTERM. `cockpit sim` has no such command, and SimFleet.disconnect(host) drops every connection of
the master (every client at once), so this wraps the session handler to learn which connection
serves which client.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncssh

from cockpit.sim.inventory import ADDRESS
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet

_STEP = re.compile(r"/([A-Za-z0-9_.\-]+)\.nimadm\b")


class ControlledFleet(SimFleet):
    """SimFleet that remembers, per client, the connections that touched its step directory."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.by_target: dict[str, set[asyncssh.SSHServerConnection]] = {}

    async def _session(self, host, process) -> None:  # type: ignore[no-untyped-def]
        command = process.command or ""
        m = _STEP.search(command)
        if m:
            conn = process.channel.get_connection()
            self.by_target.setdefault(m.group(1), set()).add(conn)
        await super()._session(host, process)

    def drop_target(self, target: str) -> int:
        conns = [c for c in self.by_target.pop(target, set()) if not c.is_closed()]
        for conn in conns:
            conn.abort()
        return len(conns)


async def main(scenario: str, workdir: Path) -> None:
    loaded = load_scenario(scenario)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    fleet = ControlledFleet(loaded, workdir)
    try:
        await fleet._start()
        roles = {h.name: h.role for h in loaded.hosts}
        for name, port in fleet.hosts.items():
            print(f"{name} {ADDRESS}:{port} {roles[name]}")
        print("ready", flush=True)

        async def commands() -> None:
            while line := await reader.readline():
                words = line.decode().split()
                if len(words) == 2 and words[0] == "drop":
                    print(f"dropped {fleet.drop_target(words[1])}", flush=True)
                else:
                    print("dropped -1", flush=True)
            stop.set()

        task = asyncio.create_task(commands())
        await stop.wait()
        task.cancel()
    finally:
        await fleet.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
