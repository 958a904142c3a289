"""A rollback's reboot from the controller's side: start `shutdown -Fr`, tell the reboot (the session
breaks) from a shutdown that ended with an error, and reconnect with backoff."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from cockpit.domain.printable import printable
from cockpit.domain.rollback import REBOOT_COMMAND
from cockpit.transports.base import ConnectionLost, Transport

SHUTDOWN_TIMEOUT = 60.0
SHUTDOWN_GRACE = 120.0  # a failed shutdown whose host still answers after this did not reboot it
REBOOT_TIMEOUT = 1800.0  # an LPAR is usually back in 15-30 minutes (an estimate, not a documented figure)


@dataclass(frozen=True)
class Backoff:
    """Waits between reconnection attempts: first, first*factor, ... never more than cap."""

    first: float = 1.0
    factor: float = 2.0
    cap: float = 30.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay
            delay = min(delay * self.factor, self.cap)


@dataclass(frozen=True)
class RebootOutcome:
    ok: bool
    detail: str
    took: float
    attempts: int


async def start_shutdown(transport: Transport) -> tuple[bool, int | None, str]:
    """Start `shutdown -Fr`: (the session broke, its exit status if it ended with one, its last line).

    Streamed rather than run: only a streamed session tells a broken channel (the reboot) from an
    exit status. Raises TransportError when the command could not even be started.
    """
    command = await transport.start(REBOOT_COMMAND)
    output = bytearray()

    async def drain() -> int:
        async for chunk in command.chunks():
            output.extend(chunk)
        return await command.wait()

    try:
        status: int | None = await asyncio.wait_for(drain(), SHUTDOWN_TIMEOUT)
    except ConnectionLost:
        return True, None, ""  # the reboot ended the session: expected
    except TimeoutError:
        with contextlib.suppress(Exception):
            await command.terminate()
        status = None  # no end in sight: whether it goes down is seen by reconnecting
    text = printable(output.decode("utf-8", "replace"), multiline=True).strip().splitlines()
    return False, status, text[-1] if text else ""


async def close_quietly(transport: Transport) -> None:
    """Close a connection that may already be gone (the host went down under it)."""
    with contextlib.suppress(Exception):
        await transport.close()
