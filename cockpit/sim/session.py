"""One SSH session's command on a simulated host: its environment, and its pipes wired to the channel
like OpenSSH without a pty (stdout and stderr forwarded with backpressure, stdin closed at the client's EOF)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import asyncssh

from cockpit.sim import state

SIM_LIB = Path(__file__).resolve().parent
BIN_DIR = SIM_LIB / "bin"
SESSION_PATH_TAIL = "/usr/bin:/bin"
READ_CHUNK = 65536


class Pipe(asyncio.Protocol):
    """Forwards a child's stdout or stderr to the SSH channel, with backpressure."""

    def __init__(self, writer: asyncssh.SSHWriter[bytes]) -> None:
        self._writer = writer
        self._transport: asyncio.ReadTransport | None = None
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._forward = True
        self._resuming: asyncio.Future[None] | None = None

    @classmethod
    async def open_read(cls, loop: asyncio.AbstractEventLoop, fd: int, writer: asyncssh.SSHWriter[bytes]) -> Pipe:
        transport, protocol = await loop.connect_read_pipe(lambda: cls(writer), os.fdopen(fd, "rb", buffering=0))
        protocol._transport = transport
        return protocol

    def data_received(self, data: bytes) -> None:
        if not self._forward:
            return
        try:
            self._writer.write(data)
        except (OSError, asyncssh.Error):
            self.close()
            return
        if self._writer.channel.get_write_buffer_size() > 4 * READ_CHUNK and self._transport is not None:
            self._transport.pause_reading()
            self._resuming = asyncio.ensure_future(self._resume_after_drain())

    async def _resume_after_drain(self) -> None:
        with contextlib.suppress(Exception):
            await self._writer.drain()
        if self._transport is not None and not self._transport.is_closing():
            self._transport.resume_reading()

    def close(self) -> None:
        self._forward = False
        if self._transport is not None:
            self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def feed_stdin(loop: asyncio.AbstractEventLoop, process: asyncssh.SSHServerProcess[bytes], fd: int) -> None:
    transport, _ = await loop.connect_write_pipe(asyncio.Protocol, os.fdopen(fd, "wb", buffering=0))
    try:
        while True:
            data = await process.stdin.read(READ_CHUNK)
            if not data:
                break
            transport.write(data)
    except (OSError, asyncssh.Error, asyncssh.BreakReceived, asyncssh.SignalReceived, asyncssh.TerminalSizeChanged):
        pass
    finally:
        transport.close()  # EOF for the command, as sshd gives when the client closes stdin


def session_env(
    fleet_dir: Path,
    host: str,
    *,
    user: str = "root",
    time_scale: float | None = None,
    control: str = "",
    shell: str = "/bin/sh",
    tools: Path | None = None,
    commands: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment a session on a simulated host runs with: the fake AIX commands first on PATH
    (then `tools`, a userland's directory of busybox applets, when given), the host's state directory,
    HOME and TMPDIR of its own, SHELL the shell that runs the session. A real sshd serving a fleet
    directory (seeded with seed.seed) gives its sessions this; without `control` a reboot switches the
    disks but drops no connection (no simulator server to ask). `commands`: the variables that send
    the quick commands to the fleet's command server (cmdfast.CommandServer.start).
    """
    home = Path(state.host_dir(str(fleet_dir), host))
    path = f"{BIN_DIR}:{tools}:{SESSION_PATH_TAIL}" if tools is not None else f"{BIN_DIR}:{SESSION_PATH_TAIL}"
    env = {
        "PATH": path,
        "HOME": str(home / "home"),
        "TMPDIR": str(home / "tmp"),
        "USER": user,
        "LOGNAME": user,
        "SHELL": shell,
        "LANG": "C",
        state.FLEET_ENV: str(fleet_dir),
        state.HOST_ENV: host,
        "COCKPIT_SIM_LIB": str(SIM_LIB),
        "COCKPIT_SIM_PYTHON": sys.executable,
    }
    if time_scale is not None:
        env[state.TIME_SCALE_ENV] = repr(time_scale)
    if control:
        env[state.CONTROL_ENV] = control
    env.update(commands or {})  # the fleet's command server (cmdserver.py), when it runs
    return env
