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


class FleetGate:
    """One StartGate per NIM master (its own concurrency), seen together as the fleet's gate.

    A plan with one master, or none, has one group. `limit` and `running` add the groups up (what the
    header shows), `paused` holds for every group at once (pause and resume act on all of them).
    """

    def __init__(self, limits: dict[str, int], group_of: dict[str, str]) -> None:
        """`limits`: group -> its concurrency; `group_of`: target -> its group."""
        if not limits:
            raise ValueError("a fleet gate needs at least one group")
        self.gates = {name: StartGate(limit) for name, limit in limits.items()}
        self._group_of = group_of
        self._default = next(iter(self.gates))

    def group_of(self, target: str) -> str:
        return self._group_of.get(target, self._default)

    def gate_of(self, target: str) -> StartGate:
        return self.gates[self.group_of(target)]

    @property
    def limit(self) -> int:
        return sum(g.limit for g in self.gates.values())

    @property
    def running(self) -> int:
        return sum(g.running for g in self.gates.values())

    @property
    def paused(self) -> bool:
        return all(g.paused for g in self.gates.values())

    async def acquire(self, target: str) -> None:
        await self.gate_of(target).acquire()

    async def release(self, target: str) -> None:
        await self.gate_of(target).release()

    async def set_limit(self, limit: int, group: str | None = None) -> None:
        """Change one group's concurrency (the only one when `group` is None and there is one)."""
        if group is None:
            if len(self.gates) > 1:
                raise ValueError(f"say which master's concurrency to change ({', '.join(self.gates)})")
            group = self._default
        if group not in self.gates:
            raise ValueError(f"no master {group!r} in this run")
        await self.gates[group].set_limit(limit)

    async def pause(self) -> None:
        for g in self.gates.values():
            await g.pause()

    async def resume(self) -> None:
        for g in self.gates.values():
            await g.resume()
