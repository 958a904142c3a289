"""Per-target log files: plain text on disk, so `less` and `grep` work on them during the window.

The engine writes each chunk before it announces the chunk's lines, so a view that reads the
file and then follows the events sees every line exactly once. Files are 0600 in a 0700 directory
(they hold every command and its output).

A log is always a prefix of what the target's steps printed: `--resume` re-attaches at the file's
size, so a byte written twice or a gap would show lines twice or lose them. When a write fails
(a full disk, a file size limit) the log stops there for the rest of this cockpit's life: nothing
more is appended after the gap, the run goes on (the lines are still shown and judged), and the
failure is told once through StorageHealth. Outside a run (no health, or before it started) the
error is raised as an OSError.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from cockpit.engine import state_dir
from cockpit.engine.storage import StorageHealth

_SAFE = re.compile(r"[^A-Za-z0-9_.\-]")


class LogStore:
    def __init__(self, directory: Path, health: StorageHealth | None = None) -> None:
        self.directory = state_dir.private_dir(directory)
        self.health = health
        self._files: dict[str, int] = {}
        self._stopped: set[str] = set()
        """Targets whose log a write failed on: nothing more is appended to them."""
        self._paths: dict[str, Path] = {}
        """Each target's log path, computed once (a step's lines call path() per chunk)."""

    def path(self, target: str) -> Path:
        path = self._paths.get(target)
        if path is None:
            path = self._paths[target] = self.directory / f"{_SAFE.sub('_', target)}.log"
        return path

    def append(self, target: str, data: bytes) -> None:
        if target in self._stopped or not data:
            return
        try:
            fd = self._files.get(target)
            if fd is None:
                flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
                fd = self._files[target] = os.open(self.path(target), flags, state_dir.FILE_MODE)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        except OSError as exc:
            health = self.health
            if health is None or not health.tolerate:
                raise
            self._stopped.add(target)
            self.close(target)
            health.failed(
                str(self.path(target)),
                exc.strerror or str(exc),
                f"{target}'s lines are still shown and judged, and its log stops here",
            )

    def close(self, target: str | None = None) -> None:
        for name in [target] if target else list(self._files):
            fd = self._files.pop(name, None) if name else None
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
