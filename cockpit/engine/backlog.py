"""Dating output that was written while no cockpit watched: a step re-attached after a crash.

A cockpit following a step live dates each phase banner, each step's end, by its own clock when it
reads them. After `--resume` it reads at once what the step printed while the cockpit was dead; by
its clock every phase of that backlog would begin and end at the same moment (0.0 s each). So on
re-attaching it reads the host's own record of when the output grew (domain/host_times.py) and
dates the backlog, line by line, from it; past the backlog the live clock takes over again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cockpit.domain.host_times import HostTimes, read_script
from cockpit.transports.base import Transport, TransportError

READ_TIMEOUT = 60.0


class Backlog:
    """The host's times of one re-attached step and how far its backlog reaches (remote bytes)."""

    def __init__(self, times: HostTimes) -> None:
        self.times = times
        self.reaches = times.marks[-1][0] if times.marks else 0
        """Output bytes written before the re-attach: the ones dated from the host's record."""

    @classmethod
    async def read(cls, transport: Transport, directory: str, clock: Callable[[], float]) -> Backlog | None:
        """The host's record of the step (None when it cannot be read: the live clock is all there is)."""
        try:
            result = await transport.run(read_script(directory), timeout=READ_TIMEOUT)
        except TransportError:
            return None
        times = HostTimes.parse(result.stdout, clock())
        return cls(times) if times.marks else None

    @property
    def start(self) -> float | None:
        return self.times.start

    @property
    def end(self) -> float | None:
        """When the step ended on its host, if it had ended before the re-attach."""
        return self.times.end

    def pieces(self, chunk: bytes, position: int) -> Iterator[tuple[bytes, float | None]]:
        """`chunk` (starting at remote byte `position`) cut after each newline, each piece with the
        time its last byte was written (None once past the backlog: the live clock's)."""
        start = 0
        while start < len(chunk):
            cut = chunk.find(b"\n", start)
            end = len(chunk) if cut < 0 else cut + 1
            reached = position + end
            yield chunk[start:end], (self.times.at(reached) if reached <= self.reaches else None)
            start = end


__all__ = ["Backlog"]
