"""How a command reaches a host. The engine sees only this interface.

Two implementations: `ssh.SSHTransport` (asyncssh, the only module that imports it) and
`local.LocalTransport` (a local /bin/sh, for running the cockpit on the NIM master itself and for
fast engine tests).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class TransportError(Exception):
    """The host could not be reached or the channel broke. `str()` is one line for an operator."""


class HostKeyError(TransportError):
    """The host's key is unknown or differs from known_hosts. Never accepted silently."""


class ConnectionLost(TransportError):
    """An established connection dropped while a command was running."""


@dataclass(frozen=True, slots=True)
class CommandResult:
    command: str
    exit_status: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_status == 0


class RunningCommand(Protocol):
    """A command whose output is read as it comes, in chunks (never line by line)."""

    def chunks(self) -> AsyncIterator[bytes]:
        """stdout (with stderr merged in unless started with merge_stderr=False), as raw bytes."""
        ...

    @property
    def stderr(self) -> str:
        """Separate stderr of a command started with merge_stderr=False (complete after wait())."""
        ...

    async def wait(self) -> int:
        """Exit status once output is drained; raises ConnectionLost if the channel broke."""
        ...

    async def terminate(self) -> None: ...


@runtime_checkable
class Transport(Protocol):
    name: str

    async def connect(self) -> None:
        """Open the connection (idempotent). Raises TransportError / HostKeyError with a clear message."""
        ...

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        """Run a short command to completion and return its output."""
        ...

    async def start(self, command: str, *, merge_stderr: bool = True) -> RunningCommand:
        """Start a command and stream its output; stderr is folded into stdout unless told not to."""
        ...

    async def close(self) -> None: ...


def client_key_of(transport: object) -> str | None:
    """SHA256 fingerprint of the client key `transport` authenticated with; None when it has not
    connected or uses no key (a local shell). Read where it exists: not every transport has one."""
    key = getattr(transport, "client_key", None)
    return key if isinstance(key, str) else None
