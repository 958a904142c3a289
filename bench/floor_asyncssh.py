"""The floor of the fan-out bench: a bare asyncssh script running the same nimadm commands.

Usage: python bench/floor_asyncssh.py JOBS_JSON
JOBS_JSON (written by bench/fanout.py): {"address", "port", "user", "known_hosts", "client_key",
"concurrency", "commands": {client: command}}. For each client it opens its own connection to the
NIM master (as the cockpit does), runs the command, reads stdout+stderr to the end and counts the
lines; at most `concurrency` at once. No detaching, no journal, no log files, no UI: the least any
tool must do to run these commands over SSH. Prints one JSON line: exit statuses, lines, bytes.
"""

from __future__ import annotations

import asyncio
import json
import sys

import asyncssh


async def one(job: dict, command: str, gate: asyncio.Semaphore) -> tuple[int, int, int]:
    async with (
        gate,
        asyncssh.connect(
            job["address"],
            job["port"],
            username=job["user"],
            known_hosts=job["known_hosts"],
            client_keys=[job["client_key"]],
            config=(),
            agent_path=None,
        ) as conn,
    ):
        # stderr folded into stdout by the shell, as the cockpit's step does (`> out 2>&1`).
        process = await conn.create_process("{ " + command + "\n} 2>&1", encoding=None, stdin=asyncssh.DEVNULL)
        lines = size = 0
        while data := await process.stdout.read(65536):
            size += len(data)
            lines += data.count(b"\n")
        completed = await process.wait(check=False)
        return completed.exit_status if completed.exit_status is not None else 255, lines, size


async def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        job = json.load(f)
    gate = asyncio.Semaphore(job["concurrency"])
    commands: dict[str, str] = job["commands"]
    results = await asyncio.gather(*(one(job, cmd, gate) for cmd in commands.values()))
    statuses = {name: r[0] for name, r in zip(commands, results, strict=True)}
    print(
        json.dumps(
            {
                "ok": sum(1 for s in statuses.values() if s == 0),
                "failed": sorted(n for n, s in statuses.items() if s != 0),
                "lines": sum(r[1] for r in results),
                "bytes": sum(r[2] for r in results),
            }
        )
    )
    return 0 if all(s == 0 for s in statuses.values()) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
