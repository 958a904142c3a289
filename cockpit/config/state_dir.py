"""Whether a path can be the cockpit's state directory: checked when a config is loaded, created nowhere.

`cockpit validate` refuses a state_dir the cockpit could not use (a file, /dev/null, a path through
a file, a directory it cannot create or write) at the key's line, as any other config mistake, so
the operator hears of it before the window rather than from `cockpit run` at its start.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def state_dir_problem(path: Path) -> str | None:
    """Why `path` cannot be the state directory, naming the path (None: it is one or can be made)."""
    path = Path(os.path.abspath(path))
    current = Path(path.anchor)
    for part in path.parts[1:]:
        current = current / part
        try:
            st = os.stat(current)
        except FileNotFoundError:
            parent = current.parent
            if not os.access(parent, os.W_OK | os.X_OK):
                return f"{path} cannot be created: {parent} is not writable"
            return None
        except PermissionError:
            return f"{path} cannot be reached: permission denied at {current}"
        except OSError as exc:
            return f"{path} cannot be used: {current}: {exc.strerror}"
        if not stat.S_ISDIR(st.st_mode):
            what = kind_of(st.st_mode)
            if current == path:
                return f"{path} is {what}, not a directory"
            return f"{path} goes through {current}, which is {what}, not a directory"
    if not os.access(path, os.W_OK | os.X_OK):
        return f"{path} is a directory this user cannot write"
    return None


def kind_of(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a directory"
