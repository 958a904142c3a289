"""SSH transport over asyncssh (with sshconfig.py and sshkeys.py, the only modules outside sim/ that import it).

Host keys are always verified against a known_hosts file. An unknown key and a changed key are
both refused, with a message that tells them apart, because they mean different things at 2 a.m.:
a new LPAR nobody added, or a host that is not who it claims to be (or was reinstalled).

Handshakes are bounded and retried. A run opens one connection per client, all at once; a stock
OpenSSH sshd (MaxStartups 10:30:100) drops new connections once 10 are unauthenticated, and
refused 103 of 200 simultaneous ones (bench/sshd_startups.py). So at most MAX_HANDSHAKES handshakes
are in flight per process (per event loop), fewer while servers refuse some (HandshakeGate), and a
handshake the server refused or reset is tried again after a jittered wait. A host-key or
authentication failure is final: retrying cannot change it.

SSH as the operator has it (sshconfig.py resolves it): Host aliases, HostName, User, Port,
IdentityFile and ProxyJump of the ssh config apply where the cockpit's config sets nothing. A jump
host is connected to by this module, never by asyncssh's own ProxyJump (which would check the jump
host's key against ~/.ssh/known_hosts, not ours, and offer other keys): every hop is verified
against the same known_hosts, with the same retries. The agent's keys are offered after the
configured ones (asyncssh offers them first; with many keys in the agent, sshd's MaxAuthTries would
refuse the connection before the configured key is tried). So the keys are offered by this module,
one at a time (sshkeys.KeyOffer), which is also how it knows the key the host accepted: `client_key` is its
SHA256 fingerprint, as `ssh-keygen -l` prints it, for the record of who did what.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import random
import weakref
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import asyncssh

from cockpit.domain.printable import printable
from cockpit.transports.base import (
    CommandResult,
    ConnectionLost,
    HostKeyError,
    TransportError,
)
from cockpit.transports.sshconfig import NO_JUMP, Hop, Resolved, parse_jump, resolve
from cockpit.transports.sshkeys import KeyOffer

MAX_JUMPS = 8
"""The most jump hosts on the way to one host: more means a ProxyJump loop in the ssh config."""

_CHUNK = 65536
PREFERRED_CIPHERS = "^aes128-gcm@openssh.com,aes256-gcm@openssh.com"
"""AES-GCM before asyncssh's default first choice, chacha20-poly1305 (the other defaults follow). Both
are OpenSSH's defaults and equally sound; asyncssh builds three cipher contexts per packet for
chacha20 in Python (~15 us a packet here) against one call for AES-GCM (~2 us): at 200 hosts of quick
steps that was ~1 s of the cockpit's CPU, and AIX sshd on POWER has AES in hardware. Not applied to a
host whose ssh config names Ciphers."""
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


_known_hosts_cache: dict[Path, tuple[tuple[int, int], asyncssh.SSHKnownHosts]] = {}


def known_hosts(path: Path) -> asyncssh.SSHKnownHosts:
    """The parsed known_hosts file, read again only when it changed (its mtime or size).

    Why: asyncssh given a file name parses every line and builds every key for each connection; with
    one entry per host that is O(hosts^2): 200 connections spent ~3 s of the cockpit's CPU on it.
    """
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _known_hosts_cache.get(path)
    if cached is None or cached[0] != stamp:
        cached = _known_hosts_cache[path] = (stamp, asyncssh.read_known_hosts(str(path)))
    return cached[1]


def merged(command: str) -> str:
    """Run `command` with stderr folded into stdout by the remote shell, so the order is exact."""
    return "{ " + command + "\n} 2>&1"


class SSHTransport:
    def __init__(
        self,
        name: str,
        address: str,
        port: int | None,
        user: str | None,
        *,
        known_hosts: Path | None,
        client_keys: list[Path],
        connect_timeout: float = 15.0,
        keepalive_interval: float = 15.0,
        handshake_gate: HandshakeGate | None = None,
        retry_delays: Sequence[float] = HANDSHAKE_RETRY_DELAYS,
        config_files: Sequence[Path] = (),
        jump: Hop | str | None = None,
        jump_keys: Sequence[Path] = (),
        agent: bool = True,
    ) -> None:
        """`port`, `user` or `jump` None: the ssh config's value for `address` (in `config_files`),
        else port 22, user root and no jump host. `jump` is a Hop, "none" (connect directly whatever
        the ssh config says) or `[user@]host[:port]`; `jump_keys` are offered to jump hosts that are
        not in the inventory (ssh.client_keys). `agent`: offer the ssh-agent's keys after the others.
        """
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
        self.config_files = tuple(config_files)
        self.jump_keys = tuple(jump_keys)
        self.agent = agent
        if isinstance(jump, str) and jump != NO_JUMP:
            jump = parse_jump(jump, keys=self.jump_keys)
        self.hop = Hop(name, address, port, user, tuple(client_keys), jump)
        self.route: list[Resolved] = []
        """The hops of the last connection, jump hosts first (what the ssh config resolved to)."""
        self.client_key: str | None = None
        """SHA256 fingerprint of the client key the host accepted on the last connection (None before it)."""
        self._conn: asyncssh.SSHClientConnection | None = None
        self._jumps: list[asyncssh.SSHClientConnection] = []
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        port = "" if self.port is None else f":{self.port}"
        return f"SSHTransport({self.user + '@' if self.user else ''}{self.address}{port})"

    async def connect(self) -> None:
        async with self._lock:
            if self._conn is not None and not self._conn.is_closed():
                return
            await self._close_jumps()  # of a connection that dropped
            self._conn = await self._open()

    async def _open(self) -> asyncssh.SSHClientConnection:
        if not self.known_hosts.is_file():
            raise HostKeyError(
                f"{self.name}: known_hosts file {self.known_hosts} does not exist; "
                "host keys must be verified (add the host with ssh-keyscan and check its fingerprint)"
            )
        for path in self.config_files:
            if not path.is_file():
                raise TransportError(f"{self.name}: ssh config file {path} does not exist")
        route: list[Resolved] = []
        opened: list[asyncssh.SSHClientConnection] = []
        try:
            conn = await self._connect_hop(self.hop, route, opened)
        except BaseException:
            for jump in reversed(opened):
                jump.close()
            raise
        self._jumps = opened
        self.route = route
        owner = conn.get_owner()
        self.client_key = owner.accepted if isinstance(owner, KeyOffer) else None
        return conn

    async def _connect_hop(
        self, hop: Hop, route: list[Resolved], opened: list[asyncssh.SSHClientConnection], depth: int = 0
    ) -> asyncssh.SSHClientConnection:
        """Connect to `hop` through its jump hosts, which are connected first, each verified the same
        way; `route` gets the hops in order (the farthest jump host first), `opened` the jump hosts'
        connections."""
        resolved = await resolve(hop, config_files=self.config_files, jump_keys=self.jump_keys, agent=self.agent)
        tunnel: asyncssh.SSHClientConnection | None = None
        if resolved.jump is not None:
            if depth >= MAX_JUMPS:
                raise TransportError(
                    f"{self.name}: more than {MAX_JUMPS} jump hosts on the way (a ProxyJump loop in the ssh config?)"
                )
            tunnel = await self._connect_hop(resolved.jump, route, opened, depth + 1)
            opened.append(tunnel)
        route.append(resolved)
        if resolved.missing_keys and not resolved.keys and resolved.agent_path is None:
            raise TransportError(f"{self._who(resolved)}client key {resolved.missing_keys[0]} not found")
        return await self._open_with_retries(resolved, tunnel)

    async def _open_with_retries(
        self, hop: Resolved, tunnel: asyncssh.SSHClientConnection | None
    ) -> asyncssh.SSHClientConnection:
        gate = self._handshake_gate or handshake_gate()
        delays = list(self.retry_delays)
        attempt = 1
        while True:
            try:
                async with gate.slot():
                    conn = await self._handshake(hop, tunnel)
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

    def _who(self, hop: Resolved) -> str:
        """Message prefix: the host's name, and which jump host when the trouble is on the way."""
        if hop.hop is self.hop:
            return f"{self.name}: "
        return f"{self.name}: jump host {hop.hop.label}: "

    async def _handshake(
        self, hop: Resolved, tunnel: asyncssh.SSHClientConnection | None
    ) -> asyncssh.SSHClientConnection:
        """One connection attempt; raises _Refused when trying again may succeed."""
        who = self._who(hop)
        via = f" via {tunnel.get_extra_info('host')}" if tunnel is not None else ""
        try:
            keys = asyncssh.load_keypairs(list(hop.keys)) if hop.keys else _default_keys()
        except (OSError, ValueError, asyncssh.Error) as exc:  # an encrypted key, a file that is no key
            raise TransportError(f"{who}cannot load a client key: {exc}") from exc
        try:
            return await asyncssh.connect(
                # The alias, not its HostName: asyncssh applies the same ssh config again for what
                # is not decided here (HostKeyAlias, algorithms, ProxyCommand ...).
                hop.hop.address,
                hop.port,
                username=hop.user,
                config=[str(p) for p in self.config_files],  # [] reads none; () would read ~/.ssh/config
                known_hosts=known_hosts(self.known_hosts),  # never the ssh config's UserKnownHostsFile
                # None: asyncssh offers no key of its own; KeyOffer hands it `keys`, then the agent's.
                # With no key configured `keys` are ~/.ssh/id_*, as ssh offers them.
                client_keys=None,
                tunnel=tunnel,  # None: never asyncssh's own ProxyJump (other known_hosts, other keys)
                # Not the ssh config's ProxyCommand either: its jump (often `ssh -W`) would check keys
                # against other files, or not at all. ProxyJump does the same, verified.
                proxy_command=None,
                client_factory=lambda: KeyOffer(keys, hop.agent_path, hop.identities if hop.identities_only else None),
                agent_path=None,  # KeyOffer offers the agent's keys, after the configured ones
                agent_forwarding=False,  # never hand the operator's agent to the hosts being changed
                request_pty=False,  # a RequestTTY of the ssh config would merge stderr into stdout
                connect_timeout=self.connect_timeout,
                keepalive_interval=self.keepalive_interval or None,
                password=None,
                kbdint_auth=False,
                encryption_algs=() if hop.ciphers_configured else PREFERRED_CIPHERS,
            )
        except asyncssh.HostKeyNotVerifiable as exc:
            raise HostKeyError(self._host_key_message(hop)) from exc
        except asyncssh.PermissionDenied as exc:
            raise TransportError(f"{who}authentication refused for {hop.user}@{hop.where}{via}") from exc
        except TimeoutError as exc:
            raise TransportError(f"{who}no answer from {hop.where}{via} within {self.connect_timeout:g}s") from exc
        except (OSError, asyncssh.Error) as exc:
            # A disconnect's reason is the server's own text: printable before it reaches a screen.
            reason = printable(str(getattr(exc, "strerror", None) or getattr(exc, "reason", None) or exc))
            message = f"{who}cannot connect to {hop.where}{via}: {reason}"
            if _refused(exc):
                raise _Refused(message) from exc
            raise TransportError(message) from exc

    def _host_key_message(self, hop: Resolved) -> str:
        name = hop.known_hosts_name
        try:
            known = asyncssh.read_known_hosts(str(self.known_hosts))
            trusted = known.match(name, hop.host, hop.port)[0]
        except (OSError, ValueError):
            trusted = []
        who = self._who(hop)
        where = hop.where if name == hop.host else f"{hop.where} (HostKeyAlias {name})"
        if trusted:
            return (
                f"{who}HOST KEY CHANGED for {where}: the key offered does not match {self.known_hosts}. "
                "Refusing to connect. If the host was reinstalled, verify the new fingerprint out of band "
                f"and replace its entry (ssh-keygen -R '[{name}]:{hop.port}')."
            )
        return (
            f"{who}unknown host key for {where}: no entry in {self.known_hosts}. "
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
            said = printable(str(exc))
            raise ConnectionLost(f"{self.name}: connection lost while running {command!r}: {said}") from exc
        # asyncssh reports exit_status -1 (not None) alongside an exit signal: the signal decides.
        if result.exit_signal is not None:
            status = 128 + _signal_number(result.exit_signal[0])
        elif result.exit_status is None or result.exit_status < 0:
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
            raise ConnectionLost(f"{self.name}: cannot open a session: {printable(str(exc))}") from exc
        return SSHRunningCommand(self, process)

    def _lost(self) -> None:
        self._conn = None

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
            with contextlib.suppress(TimeoutError, OSError, asyncssh.Error):
                await asyncio.wait_for(conn.wait_closed(), 5)
        await self._close_jumps()

    async def _close_jumps(self) -> None:
        """Close the jump host connections (nearest first), which asyncssh leaves open: we opened them."""
        jumps, self._jumps = self._jumps, []
        for jump in reversed(jumps):
            jump.close()
            with contextlib.suppress(TimeoutError, OSError, asyncssh.Error):
                await asyncio.wait_for(jump.wait_closed(), 5)


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
                if completed.exit_signal is not None:  # (exit_status is then -1)
                    return 128 + _signal_number(completed.exit_signal[0])
                if completed.exit_status is not None and completed.exit_status >= 0:
                    return completed.exit_status
                self._broken = asyncssh.ConnectionLost("channel closed without an exit status")
        self._transport._lost()
        raise ConnectionLost(f"{self._transport.name}: connection lost: {self._broken}")

    async def terminate(self) -> None:
        with contextlib.suppress(OSError, asyncssh.Error):
            self._process.terminate()
        self._process.close()


def _default_keys() -> Sequence[asyncssh.SSHKeyPair]:
    """~/.ssh/id_* as ssh offers them when no key is configured (asyncssh's own defaults, unreadable
    and passphrase-protected ones left out)."""
    options = asyncssh.SSHClientConnectionOptions(client_keys=[], config=[], known_hosts=None, agent_path=None)
    return list(options.client_keys or [])


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
