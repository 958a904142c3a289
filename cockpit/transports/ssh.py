"""SSH transport over asyncssh: the only module outside sim/ that imports asyncssh.

Host keys are always verified against a known_hosts file. An unknown key and a changed key are
both refused, with a message that tells them apart, because they mean different things at 2 a.m.:
a new LPAR nobody added, or a host that is not who it claims to be (or was reinstalled).

Handshakes are bounded and retried. A run opens one connection per client, all at once; a stock
OpenSSH sshd (MaxStartups 10:30:100) drops new connections once 10 are unauthenticated, and
refused 103 of 200 simultaneous ones (bench/sshd_startups.py). So at most MAX_HANDSHAKES handshakes
are in flight per process (per event loop), fewer while servers refuse some (HandshakeGate), and a
handshake the server refused or reset is tried again after a jittered wait. A host-key or
authentication failure is final: retrying cannot change it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import random
import weakref
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import asyncssh

from cockpit.transports.base import (
    CommandResult,
    ConnectionLost,
    HostKeyError,
    TransportError,
)

_CHUNK = 65536
MAX_HANDSHAKES = 8
"""The most SSH handshakes in flight at once per process: under a stock sshd's MaxStartups start (10)."""
HANDSHAKE_RETRY_DELAYS: Sequence[float] = (0.25, 0.5, 1.0, 2.0, 4.0)
"""Waits before trying a refused or reset handshake again, each jittered to between half and all of
it (so clients refused together do not come back together); after the last, the refusal stands."""
# Errors that mean "the server (or its backlog) turned this connection away", not "it is not the
# host we want": sshd past MaxStartups closes or resets the socket before its banner.
_REFUSED_ERRNOS = frozenset({errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE})
_REFUSED_DISCONNECTS = frozenset({asyncssh.DISC_CONNECTION_LOST, asyncssh.DISC_TOO_MANY_CONNECTIONS})


class HandshakeGate:
    """At most `limit` SSH handshakes in flight; `limit` adapts to what the servers accept.

    It starts at `ceiling`, halves whenever a server turns a handshake away and grows back by about
    one per `limit` handshakes accepted (as TCP's congestion window does), so a server with a lower
    start-up limit than ours sees retries settle near its limit instead of a refusal for each.
    """

    def __init__(self, ceiling: int = MAX_HANDSHAKES) -> None:
        self.ceiling = ceiling
        self.limit = float(ceiling)
        self.in_flight = 0
        self.most_in_flight = 0
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._changed:
            await self._changed.wait_for(lambda: self.in_flight < max(1, int(self.limit)))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            yield
        finally:
            async with self._changed:
                self.in_flight -= 1
                self._changed.notify_all()

    def accepted(self) -> None:
        self.limit = min(float(self.ceiling), self.limit + 1.0 / self.limit)

    def refused(self) -> None:
        self.limit = max(1.0, self.limit / 2)


_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, HandshakeGate] = weakref.WeakKeyDictionary()


def handshake_gate() -> HandshakeGate:
    """The process-wide gate (one per event loop: its Condition is bound to the loop it first waits
    on, and tests run one loop per test)."""
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = HandshakeGate()
    return gate


class _Refused(TransportError):
    """The server turned the handshake away (refused, reset, closed before its banner): try again."""


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
        handshake_gate: HandshakeGate | None = None,
        retry_delays: Sequence[float] = HANDSHAKE_RETRY_DELAYS,
    ) -> None:
        self.name = name
        self.address = address
        self.port = port
        self.user = user
        self.known_hosts = known_hosts or Path("~/.ssh/known_hosts").expanduser()
        self.client_keys = client_keys
        self.connect_timeout = connect_timeout
        self.keepalive_interval = keepalive_interval
        self._handshake_gate = handshake_gate  # None: the process-wide one
        self.retry_delays = retry_delays
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
        gate = self._handshake_gate or handshake_gate()
        delays = list(self.retry_delays)
        attempt = 1
        while True:
            try:
                async with gate.slot():
                    conn = await self._handshake(keys)
                gate.accepted()
                return conn
            except _Refused as exc:
                gate.refused()
                if not delays:
                    raise TransportError(f"{exc} ({attempt} attempts)") from exc.__cause__
                delay = delays.pop(0)
                attempt += 1
                # Outside the semaphore: a client waiting to retry leaves its slot to another.
                await asyncio.sleep(random.uniform(delay / 2, delay))

    async def _handshake(self, keys: list[str]) -> asyncssh.SSHClientConnection:
        """One connection attempt; raises _Refused when trying again may succeed."""
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
            message = f"{self.name}: cannot connect to {self.address}:{self.port}: {reason}"
            if _refused(exc):
                raise _Refused(message) from exc
            raise TransportError(message) from exc

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


def _refused(exc: BaseException) -> bool:
    """Did the server turn the connection away before authentication (worth another try)?"""
    if isinstance(exc, asyncssh.DisconnectError):
        return exc.code in _REFUSED_DISCONNECTS
    return isinstance(exc, OSError) and exc.errno in _REFUSED_ERRNOS


def _signal_number(name: str) -> int:
    import signal

    try:
        return int(signal.Signals["SIG" + name.upper()])
    except KeyError:
        return 1
