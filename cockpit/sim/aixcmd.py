"""Entry point of every fake AIX command: `python -S aixcmd.py <command> [args...]`.

The shims in cockpit/sim/bin/ exec this file, so it must start fast (< 60 ms per invocation, most of
it the interpreter): it runs with `-S` (no site-packages), imports only the stdlib and the one
cockpit.sim.aix module the command needs, and never pydantic, yaml, asyncssh or textual. That also
means cockpit/__init__.py and cockpit/sim/__init__.py must stay free of heavy imports.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys


def main(argv: list[str]) -> int:
    # Behave like a C program on AIX: a closed pipe kills the writer (SIGPIPE), ^C is not a traceback.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    from cockpit.sim.aix import COMMANDS, EVERYWHERE, LINUX_COMMANDS
    from cockpit.sim.aix.common import Ctx, UsageError, err, failed_step, not_found

    if not argv or argv[0] not in COMMANDS:
        err(f"aixcmd: unknown command {argv[0] if argv else '(none)'}")
        return 127
    module, function = COMMANDS[argv[0]].split(":")
    ctx = Ctx.from_env()
    if argv[0] not in EVERYWHERE:
        linux = ctx.read().get("platform") == "linux"
        if linux != (argv[0] in LINUX_COMMANDS):
            if linux:
                err(f"sh: {argv[0]}: command not found")
                return 127
            return not_found(argv[0])
    if failed_step(ctx, argv[0]):
        return 1
    command = getattr(importlib.import_module(f"cockpit.sim.aix.{module}"), function)
    try:
        return int(command(ctx, argv[1:]))
    except UsageError as e:
        err(str(e))
        return 1


if __name__ == "__main__":
    # Run as a script: make the package importable from the source tree this file is in.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    sys.exit(main(sys.argv[1:]))
