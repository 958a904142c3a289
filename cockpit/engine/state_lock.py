"""One running cockpit per state directory: a lock on STATE_DIR/cockpit.lock, held while it runs.

Why: two `cockpit run` on one state directory share its journal and its log files; a `--resume`
while the first cockpit still follows the same run appended every line twice to the logs and
judged the run from both. The host locks (engine/host_locks.py) keep two cockpits off one target;
this keeps a second one off the journal, refused at start, before it connects anywhere.

flock is per open file and the kernel drops it when the process dies (SIGKILL included), so a
crashed cockpit never leaves it behind and `--resume` works as soon as the first one is gone. The
file also names the holder (pid, operator, machine, run, since) for the refusal's one line. One
process may hold it for several engines (the TUI's back-out runs beside its run): it is counted.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time
from pathlib import Path
from typing import ClassVar

from cockpit.engine import state_dir as sd

LOCK_NAME = "cockpit.lock"


class StateDirBusy(Exception):
    """Another cockpit runs on this state directory; the message names it (one line)."""


class _Shared:
    """The open, flocked lock file of one state directory, and how many handles of this process hold it."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd
        self.count = 0


class StateDirLock:
    """This process's hold on a state directory's lock (see `hold`); `release` once when done."""

    _registry: ClassVar[dict[Path, _Shared]] = {}
    """The lock files this process holds, by path."""

    def __init__(self, state_dir: Path, shared: _Shared, operator: str) -> None:
        self.state_dir = state_dir
        self.operator = operator
        self._shared: _Shared | None = shared
        shared.count += 1

    @classmethod
    def hold(cls, state_dir: Path, *, operator: str, clock: float | None = None) -> StateDirLock:
        """Take the state directory's lock (or one more hold on it, when this process has it).

        Raises StateDirBusy naming the other cockpit, StateDirError when the directory or the lock
        file cannot be used (each one line, exit 2).
        """
        path = (sd.prepare(state_dir) / LOCK_NAME).resolve()
        shared = cls._registry.get(path)
        if shared is None:
            shared = cls._registry[path] = _Shared(path, _lock(state_dir, path))
            lock = cls(state_dir, shared, operator)
            lock.describe(run_id="starting", since=clock)
            return lock
        return cls(state_dir, shared, operator)

    @property
    def held(self) -> bool:
        return self._shared is not None

    def again(self) -> None:
        """Hold it again after `release` (a run started a second time in this process)."""
        if self._shared is None:
            self._shared = StateDirLock.hold(self.state_dir, operator=self.operator)._shared

    def describe(self, *, run_id: str, since: float | None = None) -> None:
        """Write who holds the lock into its file (what a refused cockpit shows)."""
        if self._shared is None:
            return
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(since if since is not None else time.time()))
        text = f"cockpit pid {os.getpid()} ({self.operator}@{socket.gethostname()}, run {run_id}, since {stamp})\n"
        with contextlib.suppress(OSError):  # who holds it is for the message; the flock is the lock
            os.ftruncate(self._shared.fd, 0)
            os.pwrite(self._shared.fd, text.encode(), 0)

    def release(self) -> None:
        shared, self._shared = self._shared, None
        if shared is None:
            return
        shared.count -= 1
        if shared.count > 0:
            return
        StateDirLock._registry.pop(shared.path, None)
        with contextlib.suppress(OSError):
            os.ftruncate(shared.fd, 0)
        os.close(shared.fd)  # closing the file drops the flock


def _lock(state_dir: Path, path: Path) -> int:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, sd.FILE_MODE)
    except OSError as exc:
        raise sd.StateDirError(f"{path} cannot be opened: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read(fd)
        os.close(fd)
        raise StateDirBusy(
            f"{state_dir} is in use by {holder}: one cockpit runs per state directory "
            "(wait for it to end, or follow it read-only: cockpit watch CONFIG)"
        ) from None
    except BaseException:
        os.close(fd)
        raise
    sd.tighten(path, sd.FILE_MODE)
    return fd


def _read(fd: int) -> str:
    try:
        text = os.pread(fd, 512, 0).decode(errors="replace").strip()
    except OSError:
        text = ""
    return text.splitlines()[0] if text else "another cockpit (it has not said who yet)"
