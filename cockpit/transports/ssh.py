"""SSH transport over asyncssh: the only module outside sim/ that imports asyncssh.

Host keys are always verified against a known_hosts file. An unknown key and a changed key are
both refused, with a message that tells them apart, because they mean different things at 2 a.m.:
a new LPAR nobody added, or a host that is not who it claims to be (or was reinstalled).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import asyncssh

from cockpit.transports.base import (
    CommandResult,
    ConnectionLost,
    HostKeyError,
    TransportError,
)

_CHUNK = 65536


def merged(command: str) -> str:
    """Run `command` with stderr folded into stdout by the remote shell, so the order is exact."""
    return "{ " + command + "\n} 2>&1"


class SSHTransport:
    def __init__(
        self,
        name: str,
        address: str,
        port: int,
        user: str,
        *,
        known_hosts: Path | None,
        client_keys: list[Path],
        connect_timeout: float = 15.0,
        keepalive_interval: float = 15.0,
    ) -> None:
        self.name = name
        self.address = address
        self.port = port
        self.user = user
        self.known_hosts = known_hosts or Path("~/.ssh/known_hosts").expanduser()
        self.client_keys = client_keys
        self.connect_timeout = connect_timeout
        self.keepalive_interval = keepalive_interval
        self._conn: asyncssh.SSHClientConnection | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"SSHTransport({self.user}@{self.address}:{self.port})"

    async def connect(self) -> None:
        async with self._lock:
            if self._conn is not None and not self._conn.is_closed():
                return
            self._conn = await self._open()

    async def _open(self) -> asyncssh.SSHClientConnection:
        if not self.known_hosts.is_file():
            raise HostKeyError(
                f"{self.name}: known_hosts file {self.known_hosts} does not exist; "
                "host keys must be verified (add the host with ssh-keyscan and check its fingerprint)"
            )
        keys = [str(k) for k in self.client_keys if k.is_file()]
        missing = [str(k) for k in self.client_keys if not k.is_file()]
        if missing and not keys and "SSH_AUTH_SOCK" not in os.environ:
            raise TransportError(f"{self.name}: client key {missing[0]} not found")
        try:
            return await asyncssh.connect(
                self.address,
                self.port,
                username=self.user,
                known_hosts=str(self.known_hosts),
                client_keys=keys or (),
                connect_timeout=self.connect_timeout,
                keepalive_interval=self.keepalive_interval or None,
                config=(),  # ~/.ssh/config support is explicit (issue 7), never implicit in tests
                agent_path=os.environ.get("SSH_AUTH_SOCK") or None,
                password=None,
                kbdint_auth=False,
            )
        except asyncssh.HostKeyNotVerifiable as exc:
            raise HostKeyError(self._host_key_message()) from exc
        except asyncssh.PermissionDenied as exc:
            raise TransportError(
                f"{self.name}: authentication refused for {self.user}@{self.address}:{self.port}"
            ) from exc
        except TimeoutError as exc:
            raise TransportError(
                f"{self.name}: no answer from {self.address}:{self.port} within {self.connect_timeout:g}s"
            ) from exc
        except (OSError, asyncssh.Error) as exc:
            reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
            raise TransportError(f"{self.name}: cannot connect to {self.address}:{self.port}: {reason}") from exc

    def _host_key_message(self) -> str:
        try:
            known = asyncssh.read_known_hosts(str(self.known_hosts))
            trusted = known.match(self.address, self.address, self.port)[0]
        except (OSError, ValueError):
            trusted = []
        where = f"{self.address}:{self.port}"
        if trusted:
            return (
                f"{self.name}: HOST KEY CHANGED for {where}: the key offered does not match {self.known_hosts}. "
                "Refusing to connect. If the host was reinstalled, verify the new fingerprint out of band "
                f"and replace its entry (ssh-keygen -R '[{self.address}]:{self.port}')."
            )
        return (
            f"{self.name}: unknown host key for {where}: no entry in {self.known_hosts}. "
            "Refusing to connect. Verify the fingerprint and add it (ssh-keyscan -p PORT HOST)."
        )

    async def _connection(self) -> asyncssh.SSHClientConnection:
        await self.connect()
        assert self._conn is not None
        return self._conn

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        conn = await self._connection()
        try:
            result = await conn.run(command, check=False, timeout=timeout, encoding="utf-8", errors="replace")
        except asyncssh.TimeoutError as exc:
            raise TransportError(f"{self.name}: command timed out after {timeout:g}s: {command}") from exc
        except (OSError, asyncssh.Error) as exc:
            self._conn = None
            raise ConnectionLost(f"{self.name}: connection lost while running {command!r}: {exc}") from exc
        if result.exit_status is None:
            if result.exit_signal is not None:
                status = 128 + _signal_number(result.exit_signal[0])
            else:
                # The channel closed without a status: the connection dropped (a reboot, a network cut).
                self._conn = None
                raise ConnectionLost(f"{self.name}: connection lost while running {command!r}")
        else:
            status = result.exit_status
        return CommandResult(command, status, str(result.stdout or ""), str(result.stderr or ""))

    async def start(self, command: str, *, merge_stderr: bool = True) -> SSHRunningCommand:
        conn = await self._connection()
        try:
            process = await conn.create_process(
                merged(command) if merge_stderr else command, encoding=None, stdin=asyncssh.DEVNULL
            )
        except (OSError, asyncssh.Error) as exc:
            self._conn = None
            raise ConnectionLost(f"{self.name}: cannot open a session: {exc}") from exc
        return SSHRunningCommand(self, process)

    def _lost(self) -> None:
        self._conn = None

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
            with contextlib.suppress(TimeoutError, OSError, asyncssh.Error):
                await asyncio.wait_for(conn.wait_closed(), 5)


class SSHRunningCommand:
    def __init__(self, transport: SSHTransport, process: asyncssh.SSHClientProcess[bytes]) -> None:
        self._transport = transport
        self._process = process
        self._broken: BaseException | None = None
        self._stderr = bytearray()
        self._stderr_task = asyncio.create_task(self._drain_stderr())

    async def _drain_stderr(self) -> None:
        try:
            while data := await self._process.stderr.read(_CHUNK):
                self._stderr += data
        except (OSError, asyncssh.Error):
            return

    @property
    def stderr(self) -> str:
        return self._stderr.decode("utf-8", "replace")

    async def chunks(self) -> AsyncIterator[bytes]:
        reader = self._process.stdout
        while True:
            try:
                data = await reader.read(_CHUNK)
            except (OSError, asyncssh.Error) as exc:
                self._broken = exc
                return
            if not data:
                return
            yield data

    async def wait(self) -> int:
        await self._stderr_task
        if self._broken is None:
            try:
                completed = await self._process.wait(check=False)
            except (OSError, asyncssh.Error) as exc:
                self._broken = exc
            else:
                if completed.exit_status is not None:
                    return completed.exit_status
                if completed.exit_signal is not None:
                    return 128 + _signal_number(completed.exit_signal[0])
                self._broken = asyncssh.ConnectionLost("channel closed without an exit status")
        self._transport._lost()
        raise ConnectionLost(f"{self._transport.name}: connection lost: {self._broken}")

    async def terminate(self) -> None:
        with contextlib.suppress(OSError, asyncssh.Error):
            self._process.terminate()
        self._process.close()


def _signal_number(name: str) -> int:
    import signal

    try:
        return int(signal.Signals["SIG" + name.upper()])
    except KeyError:
        return 1
