"""The floor of bench/quick_steps.py: bare asyncssh running each host's steps in order, all hosts at once.

Usage: python bench/floor_steps.py JOB_JSON
JOB_JSON: {"known_hosts", "client_key", "hosts": [{"address", "port", "user"}], "steps": [command],
"ciphers": null or a cipher list (asyncssh's default order without one)}.
Per host one connection; per step one exec whose stdout and stderr are read to the end and counted;
a host stops at its first step that fails. Prints one JSON line: steps run, failed, lines.
"""

from __future__ import annotations

import asyncio
import json
import sys

import asyncssh


async def one(job: dict, host: dict) -> tuple[int, int, int]:
    ran = failed = lines = 0
    async with asyncssh.connect(
        host["address"],
        host["port"],
        username=host["user"],
        known_hosts=job["known_hosts"],
        client_keys=[job["client_key"]],
        config=(),
        agent_path=None,
        encryption_algs=job.get("ciphers") or (),
    ) as conn:
        for command in job["steps"]:
            process = await conn.create_process(command, encoding=None, stdin=asyncssh.DEVNULL)

            async def count(stream: asyncssh.SSHReader[bytes]) -> int:
                n = 0
                while data := await stream.read(65536):
                    n += data.count(b"\n")
                return n

            out, err = await asyncio.gather(count(process.stdout), count(process.stderr))
            completed = await process.wait(check=False)
            ran, lines = ran + 1, lines + out + err
            if completed.exit_status != 0:
                failed += 1
                break
    return ran, failed, lines


async def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        job = json.load(f)
    results = await asyncio.gather(*(one(job, h) for h in job["hosts"]))
    print(json.dumps({"steps": sum(r[0] for r in results), "failed": sum(r[1] for r in results),
                      "lines": sum(r[2] for r in results)}))  # fmt: skip
    return 0 if not any(r[1] for r in results) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
