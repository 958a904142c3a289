"""Read the end of a target's plain-text log file, and how many complete lines it holds.

The count matters as much as the lines: it is the sequence number of the first line the file does
not yet hold, so the log pane knows which live lines (LogLines.first_seq) to add after the tail
and which ones the file already showed. Pure Python, no Textual; runs in a thread for big files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cockpit.domain.lines import clean

_COUNT_BLOCK = 1 << 20
_TAIL_BLOCK = 1 << 16


@dataclass(frozen=True, slots=True)
class LogTail:
    lines: list[str]
    """The last complete lines of the file (at most the requested number), in order."""
    line_count: int
    """How many complete lines the file held: the seq of the first line not in it."""


def read_log_tail(path: Path, max_lines: int) -> LogTail:
    """Return the last `max_lines` complete lines of `path` and its complete-line count.

    Only bytes present when the file is opened are read, and a trailing line without its newline is
    left out: the engine may be half-way through writing it, and it will arrive as a live line.
    Raises OSError (FileNotFoundError when no log exists yet) for the caller to decide.
    """
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        line_count, end = _count_lines(f, size)
        if end == 0 or max_lines <= 0:
            return LogTail([], line_count)
        pos = end
        buf = b""
        # Read backwards until one newline more than needed is in hand (or the file start).
        while pos > 0 and buf.count(b"\n") <= max_lines:
            step = min(_TAIL_BLOCK, pos)
            pos -= step
            f.seek(pos)
            buf = f.read(step) + buf
    # buf ends with the last newline; a first piece that is cut mid-line falls outside the slice.
    lines = buf[:-1].decode("utf-8", errors="replace").split("\n")[-max_lines:]
    # The file holds the raw bytes; live lines were cleaned (ANSI, CR, control characters) by the
    # engine's splitter. Clean the same way so a line looks the same wherever it came from.
    return LogTail([clean(line) for line in lines], line_count)


def _count_lines(stream: BinaryIO, size: int) -> tuple[int, int]:
    """Count newlines in the first `size` bytes; return (count, offset just after the last one)."""
    stream.seek(0)
    count = 0
    end = 0
    offset = 0
    while offset < size:
        block = stream.read(min(_COUNT_BLOCK, size - offset))
        if not block:
            break
        n = block.count(b"\n")
        if n:
            count += n
            end = offset + block.rindex(b"\n") + 1
        offset += len(block)
    return count, end
