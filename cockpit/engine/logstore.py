"""Per-target log files: plain text on disk, so `less` and `grep` work on them during the window.

The engine writes each chunk before it announces the chunk's lines, so a view that reads the
file and then follows the events sees every line exactly once.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

_SAFE = re.compile(r"[^A-Za-z0-9_.\-]")


class LogStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, BinaryIO] = {}

    def path(self, target: str) -> Path:
        return self.directory / f"{_SAFE.sub('_', target)}.log"

    def append(self, target: str, data: bytes) -> None:
        f = self._files.get(target)
        if f is None:
            f = self._files[target] = self.path(target).open("ab")
        f.write(data)
        f.flush()

    def close(self, target: str | None = None) -> None:
        for name in [target] if target else list(self._files):
            f = self._files.pop(name, None) if name else None
            if f is not None:
                f.close()
