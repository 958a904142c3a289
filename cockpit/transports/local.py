"""Local transport: /bin/sh on this machine, for a cockpit running on the NIM master itself."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator

from cockpit.transports.base import CommandResult, TransportError

_CHUNK = 65536


class LocalTransport:
    def __init__(self, name: str, *, env: dict[str, str] | None = None) -> None:
        self.name = name
        self._env = env

    async def connect(self) -> None:
        return None

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        proc = await self._spawn(command, merge=False)
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout)
        except TimeoutError as exc:
            _kill_group(proc)
            await proc.wait()
            raise TransportError(f"{self.name}: command timed out after {timeout:g}s: {command}") from exc
        return CommandResult(
            command,
            proc.returncode if proc.returncode is not None else 255,
            out.decode("utf-8", "replace"),
            err.decode("utf-8", "replace"),
        )

    async def start(self, command: str, *, merge_stderr: bool = True) -> LocalRunningCommand:
        return LocalRunningCommand(await self._spawn(command, merge=merge_stderr))

    async def _spawn(self, command: str, *, merge: bool) -> asyncio.subprocess.Process:
        env = {**os.environ, **self._env} if self._env else None
        try:
            return await asyncio.create_subprocess_exec(
                "/bin/sh",
                "-c",
                command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT if merge else asyncio.subprocess.PIPE,
                env=env,
                start_new_session=True,  # own process group, so terminate() reaches the whole step
            )
        except OSError as exc:
            raise TransportError(f"{self.name}: cannot start /bin/sh: {exc}") from exc

    async def close(self) -> None:
        return None


class LocalRunningCommand:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self._proc = proc
        self._stderr = bytearray()
        self._stderr_task = asyncio.create_task(self._drain_stderr()) if proc.stderr is not None else None

    async def _drain_stderr(self) -> None:
        assert self._proc.stderr is not None
        while data := await self._proc.stderr.read(_CHUNK):
            self._stderr += data

    @property
    def stderr(self) -> str:
        return self._stderr.decode("utf-8", "replace")

    async def chunks(self) -> AsyncIterator[bytes]:
        assert self._proc.stdout is not None
        while data := await self._proc.stdout.read(_CHUNK):
            yield data

    async def wait(self) -> int:
        status = await self._proc.wait()
        if self._stderr_task is not None:
            await self._stderr_task
        return status if status >= 0 else 128 - status

    async def terminate(self) -> None:
        _kill_group(self._proc)


def _kill_group(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
