"""How many targets may run at once, changeable while the run goes on, and a pause for new starts."""

from __future__ import annotations

import asyncio


class StartGate:
    """A concurrency limit the operator can raise, lower or close ("pause new starts").

    Lowering the limit never stops a running step; it only delays the next start.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("concurrency must be at least 1")
        self._limit = limit
        self._running = 0
        self._paused = False
        self._changed = asyncio.Condition()

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def running(self) -> int:
        return self._running

    @property
    def paused(self) -> bool:
        return self._paused

    async def acquire(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: not self._paused and self._running < self._limit)
            self._running += 1

    async def release(self) -> None:
        async with self._changed:
            self._running -= 1
            self._changed.notify_all()

    async def set_limit(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("concurrency must be at least 1")
        async with self._changed:
            self._limit = limit
            self._changed.notify_all()

    async def pause(self) -> None:
        async with self._changed:
            self._paused = True

    async def resume(self) -> None:
        async with self._changed:
            self._paused = False
            self._changed.notify_all()
