"""Crash reports: where an internal error's traceback is saved, privately and never through a symlink.

Why: the report used to be /tmp/cockpit-crash-PID.txt, a predictable name written with a plain
open(), so a local user could plant a symlink there and have root's cockpit overwrite any file. The
report now goes into the state directory of the config the command loaded (0700, the cockpit's
own), or when none is known (or it is not private) into $XDG_STATE_HOME/cockpit, else
~/.cache/cockpit, made 0700. The file is created with O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600:
it is a new file of ours or nothing.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from pathlib import Path

state_dir_hint: Path | None = None
"""The state directory of the config this command loaded (set by the CLI when it loads one)."""


def write(text: str) -> Path | None:
    """Save `text` (a traceback) to a new private file; its path, or None when no place would do."""
    for directory in _places():
        path = _create(directory, text)
        if path is not None:
            return path
    return None


def _places() -> list[Path]:
    places = []
    if state_dir_hint is not None and _private(state_dir_hint):
        places.append(state_dir_hint)
    xdg = os.environ.get("XDG_STATE_HOME")
    for base in ([Path(xdg)] if xdg and os.path.isabs(xdg) else []) + [Path.home() / ".cache"]:
        with contextlib.suppress(OSError, RuntimeError):
            directory = base / "cockpit"
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if _private(directory):
                places.append(directory)
    return places


def _private(directory: Path) -> bool:
    """A real directory (not a symlink) of this user that nobody else may write into."""
    try:
        st = os.lstat(directory)
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        return False
    if stat.S_IMODE(st.st_mode) & 0o077:
        with contextlib.suppress(OSError):
            os.chmod(directory, 0o700)
            return True
        return False
    return True


def _create(directory: Path, text: str) -> Path | None:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for n in range(100):
        path = directory / f"crash-{stamp}-{os.getpid()}{f'-{n}' if n else ''}.txt"
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            continue
        except OSError:
            return None
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        return path
    return None
