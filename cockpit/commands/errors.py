"""What a failed command prints and returns: one line for the operator, and an exit status.

2 for bad usage, bad input and environment faults (a config mistake at FILE:LINE:COL, a state
directory that is a file, a damaged journal, another cockpit on the state directory, an ssh config
that includes itself): the line names the path and the problem. 3 for an internal error, its
traceback saved privately (commands/crash.py) and named in the line. 130 after Ctrl+C.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TextIO

from cockpit.commands.exits import EXIT_INTERNAL, EXIT_USAGE, UsageError
from cockpit.commands.signals import Terminated

EXIT_INTERRUPTED = 130


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def handle(exc: BaseException, err: TextIO | None = None, *, config: Path | None = None) -> int:
    """Print what `exc` means for the operator; the exit status to return. `config`: the command's
    config file, whose state directory takes an internal error's crash report."""
    err = err or sys.stderr
    try:
        return _handle(exc, err, config)
    except OSError:  # the terminal is gone (SIGHUP): nobody to tell, the status still says it
        return EXIT_INTERNAL if not isinstance(exc, KeyboardInterrupt | Terminated) else _status(exc)


def _status(exc: BaseException) -> int:
    return 128 + exc.signum if isinstance(exc, Terminated) else EXIT_INTERRUPTED


def _handle(exc: BaseException, err: TextIO, config: Path | None) -> int:
    if isinstance(exc, KeyboardInterrupt):
        err.write("cockpit: interrupted\n")
        return EXIT_INTERRUPTED
    if isinstance(exc, Terminated):
        err.write(f"cockpit: {exc}\n")
        return _status(exc)
    if isinstance(exc, UsageError):
        err.write(f"cockpit: {one_line(str(exc))}\n")
        return EXIT_USAGE
    # Imported here: the classes live in modules `--help` must not pay for.
    from cockpit.config.loader import ConfigError
    from cockpit.domain.names import UnsafeValue
    from cockpit.engine.journal_db import JournalError
    from cockpit.engine.state_dir import StateDirError
    from cockpit.engine.state_lock import StateDirBusy
    from cockpit.transports.base import TransportError

    if isinstance(exc, ConfigError):
        for problem in exc.problems:
            err.write(f"{problem}\n")
        return EXIT_USAGE
    if isinstance(exc, UnsafeValue | TransportError | JournalError | StateDirError | StateDirBusy):
        err.write(f"cockpit: {one_line(str(exc))}\n")
        return EXIT_USAGE
    import traceback

    from cockpit.commands import crash

    text = "".join(traceback.format_exception(exc))
    if config is not None and crash.state_dir_hint is None:
        with contextlib.suppress(Exception):  # the config loaded before the error; if not, no hint
            from cockpit.config.loader import load_config

            crash.state_dir_hint = load_config(config).state_dir
    saved = crash.write(text)
    where = f"traceback in {saved}" if saved else "the traceback could not be saved: " + one_line(text.splitlines()[-1])
    err.write(f"cockpit: internal error: {type(exc).__name__}: {one_line(str(exc))} ({where})\n")
    return EXIT_INTERNAL
