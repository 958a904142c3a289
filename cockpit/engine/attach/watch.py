"""One watcher per host for the migrations followed there: it wakes their followers when each ends.

The remote side is `foreign_log.watch_script` (one loop per host, builtins and one `sleep` per
interval). Here it is kept running across SSH drops (reconnect with the follow policy's backoff,
watching the processes not yet seen ending), and what it reports is handed to `on_gone`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from cockpit.domain.foreign_log import GONE, watch_script
from cockpit.engine.follow import FollowPolicy
from cockpit.transports.base import Transport, TransportError


class HostWatch:
    def __init__(
        self,
        transport: Transport,
        register: str,
        pids: list[int],
        policy: FollowPolicy,
        on_gone: Callable[[int], None],
        on_note: Callable[[str], None],
    ) -> None:
        self.transport = transport
        self.register = register
        self.left = list(pids)
        self.policy = policy
        self.on_gone = on_gone
        self.on_note = on_note

    @property
    def interval(self) -> int:
        """Seconds between looks (whole: AIX sleep), from the follow policy's idle poll."""
        return max(1, round(self.policy.idle_poll))

    async def run(self) -> None:
        """Until every watched process has ended (or the task is cancelled when the run ends)."""
        attempt = 0
        try:
            while self.left:
                try:
                    await self._once()
                    attempt = 0
                except TransportError as exc:
                    wait = self.policy.backoff[min(attempt, len(self.policy.backoff) - 1)]
                    attempt += 1
                    self.on_note(f"{self.transport.name}: process watch lost ({exc}); again in {wait:g}s")
                    await asyncio.sleep(wait)
        finally:
            with contextlib.suppress(Exception):
                await self.transport.close()

    async def _once(self) -> None:
        await self.transport.connect()
        running = await self.transport.start(watch_script(self.register, self.left, self.interval), merge_stderr=False)
        try:
            pending = b""
            async for chunk in running.chunks():
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    self._line(line.decode("utf-8", "replace"))
            status = await running.wait()
        finally:
            with contextlib.suppress(Exception):
                await running.terminate()
        if self.left and status != 0:
            raise TransportError(f"{self.transport.name}: the process watch ended with status {status}")

    def _line(self, line: str) -> None:
        if not line.startswith(GONE):
            return
        word = line[len(GONE) :].strip()
        if word.isdigit() and int(word) in self.left:
            self.left.remove(int(word))
            self.on_gone(int(word))
