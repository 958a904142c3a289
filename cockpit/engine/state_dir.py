"""The state directory and its files, created private: the directory 0700, journal and logs 0600.

Why: the journal and the logs hold every command run on every host, host names, disks and error
output; on a shared jump server a 0755 directory and 0644 files let any local user read them. The
modes are given at creation (os.open / mkdir with a mode, never created open and then chmodded),
and an existing directory or file this user owns is tightened; one it does not own is reported.

An environment fault (state_dir naming a file, /dev/null, a path through a file, a directory that
cannot be created) is a StateDirError: one line naming the path and the problem, exit 2.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

from cockpit.config.state_dir import state_dir_problem

DIR_MODE = 0o700
FILE_MODE = 0o600


class StateDirError(Exception):
    """The state directory (or a file in it) cannot be used; the message names the path (one line)."""


def prepare(directory: Path) -> Path:
    """Make `directory` (and its parents) if missing, private; raise StateDirError when it cannot be."""
    problem = state_dir_problem(directory)
    if problem is not None:
        raise StateDirError(f"state_dir {problem}")
    try:
        directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)  # the levels above are the operator's
    except OSError as exc:
        raise StateDirError(f"state_dir {directory} cannot be created: {exc.strerror or exc}") from None
    tighten(directory, DIR_MODE)
    return directory


def private_dir(directory: Path) -> Path:
    """A directory inside the state directory (runs/RUN_ID/logs), each missing level 0700 from its creation
    (mkdir's `parents` would give the levels above the umask's mode)."""
    missing = []
    current = directory
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    try:
        for level in reversed(missing):
            level.mkdir(mode=DIR_MODE, exist_ok=True)
    except OSError as exc:
        raise StateDirError(f"{directory} cannot be created: {exc.strerror or exc}") from None
    return directory


def private_file(path: Path) -> Path:
    """Create `path` empty with mode 0600 unless it exists (never through a symlink); tighten it if it does.

    An existing file is never opened here: it may be a SQLite database this process has open, and
    closing any descriptor of it would drop that connection's POSIX locks (SQLite's own warning).
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)
    except FileExistsError:
        if path.is_symlink():
            raise StateDirError(f"{path} is a symbolic link: the cockpit does not write through one") from None
        tighten(path, FILE_MODE)
        return path
    except OSError as exc:
        raise StateDirError(f"{path} cannot be created: {exc.strerror or exc}") from None
    os.close(fd)
    return path


def tighten(path: Path, mode: int) -> None:
    """Take group and other permissions away from `path` when it has any: by chmod when this user
    owns it, else one warning line on stderr (nothing else reads it yet: this runs before the TUI)."""
    try:
        st = os.stat(path)
    except OSError:
        return
    if stat.S_IMODE(st.st_mode) & 0o077 == 0:
        return
    if st.st_uid == os.geteuid():
        with contextlib.suppress(OSError):
            os.chmod(path, mode)
            return
    shown = f"{stat.S_IMODE(st.st_mode):o}"
    sys.stderr.write(f"cockpit: warning: {path} is readable by other users (mode {shown}, not yours to change)\n")
