"""What every fake AIX command shares: its host context, raw output, scaled time, the server's control port.

Stdlib only and import-light (a command must start in a few milliseconds).
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from cockpit.sim import state

if TYPE_CHECKING:  # typing-only imports stay off the command's start-up path
    from collections.abc import Iterable
    from contextlib import AbstractContextManager
    from typing import IO

STDOUT = 1
STDERR = 2

# One line of paced output: (text, weight, fd). The weight is how much of the phase's time passes
# after the line is written (most lines 1; "Backing-up the rootvg files..." much more).
Line = tuple[str, float, int]


def line(text: str, weight: float = 1.0) -> Line:
    return (text, weight, STDOUT)


def error_line(text: str, weight: float = 1.0) -> Line:
    return (text, weight, STDERR)


SIMULATED = "(simulated)"


def simulated(text: str) -> str:
    """A message the simulator makes up where no public source gives AIX's real text: marked so that
    nobody (and no `cockpit explain`) takes it for AIX's own words."""
    return f"{text} {SIMULATED}"


class UsageError(Exception):
    """Bad flags: the command prints the message and its usage on stderr."""


class Ctx:
    """The host a command runs on, and the fleet's timing. (A plain class: dataclasses costs ~8 ms to import.)"""

    __slots__ = ("fleet", "host", "installp_lines", "time_scale")

    def __init__(self, fleet: str, host: str, time_scale: float, installp_lines: int) -> None:
        self.fleet = fleet
        self.host = host
        self.time_scale = time_scale
        """Speed-up of simulated time: one AIX minute lasts 60 / time_scale real seconds."""
        self.installp_lines = installp_lines

    @classmethod
    def from_env(cls) -> Ctx:
        fleet = os.environ.get(state.FLEET_ENV)
        host = os.environ.get(state.HOST_ENV)
        if not fleet or not host:
            raise SystemExit(f"{state.FLEET_ENV} and {state.HOST_ENV} must name the simulated fleet and host")
        timing = state.read_fleet(fleet)
        scale = float(os.environ.get(state.TIME_SCALE_ENV) or timing["time_scale"])
        return cls(fleet, host, scale, int(timing["installp_lines"]))

    def seconds(self, aix_minutes: float) -> float:
        return aix_minutes * 60.0 / self.time_scale

    def read(self, host: str | None = None) -> state.HostState:
        return state.read(self.fleet, host or self.host)

    def update(self, host: str | None = None) -> AbstractContextManager[state.HostState]:
        return state.update(self.fleet, host or self.host)

    def path(self, *parts: str) -> str:
        """A file of this host's simulated file system, e.g. path("var", "adm", "ras", "nimsh.log")."""
        return os.path.join(state.host_dir(self.fleet, self.host), *parts)


def write(fd: int, text: str) -> None:
    """Unbuffered write: each line reaches the pipe (and the SSH channel) when it is written."""
    data = text.encode()
    while data:
        n = os.write(fd, data)
        data = data[n:]


def out(*lines: str) -> None:
    write(STDOUT, "".join(f"{t}\n" for t in lines))


def err(*lines: str) -> None:
    write(STDERR, "".join(f"{t}\n" for t in lines))


def emit(lines: Iterable[Line], seconds: float, log: IO[str] | None = None, hang_after: int | None = None) -> None:
    """Write lines spread over `seconds` by weight, each flushed when due; lines already late are joined
    into one write. With `hang_after`, stop printing after that many lines and never return (a hung phase).
    """
    items = list(lines)
    total = sum(w for _, w, _ in items) or 1.0
    start = time.monotonic()
    done = 0.0
    pending: list[str] = []
    pending_fd = STDOUT

    def flush() -> None:
        if pending:
            chunk = "".join(pending)
            write(pending_fd, chunk)
            if log is not None:
                log.write(chunk)
                log.flush()
            pending.clear()

    for i, (text, weight, fd) in enumerate(items):
        if hang_after is not None and i >= hang_after:
            flush()
            while True:  # a stalled NFS mount or installp: silent until someone kills us
                time.sleep(3600)
        wait = start + seconds * done / total - time.monotonic()
        if fd != pending_fd or wait > 0.002:
            flush()
            pending_fd = fd
            if wait > 0.002:
                time.sleep(wait)
        pending.append(f"{text}\n")
        done += weight
    flush()
    rest = start + seconds - time.monotonic()
    if rest > 0:
        time.sleep(rest)


def notify_server(message: str) -> bool:
    """Tell the SSH front end something only it can do (drop this host's connections for a reboot).

    Returns False when no simulator server is listening (e.g. the fleet is served by a real sshd):
    the state change is still made by the command, only the connection drop does not happen.
    """
    import socket  # only shutdown and nimadm -r need it

    spec = os.environ.get(state.CONTROL_ENV, "")
    port, _, token = spec.partition(":")
    if not port.isdigit():
        return False
    try:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as sock:
            sock.sendall(f"{token} {message}\n".encode())
            return sock.recv(64).startswith(b"ok")
    except OSError:
        return False


def failed_step(ctx: Ctx, command: str) -> bool:
    """The scenario fault `fail_step: STEP`: a fake command run as that runbook step fails before it
    changes anything (once; the fault is spent). A step runs in its step directory on the host,
    `WORK_DIR/RUN_ID/TARGET.STEP` (cockpit/domain/remote_step.py), so the working directory names
    the step; a retry (`TARGET.STEP-r1`), a guard or a fact runs elsewhere and is not failed."""
    step = ctx.read().get("faults", {}).get("fail_step")
    if not step:
        return False
    try:
        here = os.path.basename(os.getcwd())
    except OSError:
        return False
    if not here.endswith(f".{step}"):
        return False
    with ctx.update() as st:
        if st.get("faults", {}).get("fail_step") != step:
            return False  # another command of the same step failed it already
        del st["faults"]["fail_step"]
    err(f"{command}: failed before changing anything (the simulator's fault fail_step: {step})")
    return True


def not_found(command: str) -> int:
    """What the shell says when a command is not installed on this host (e.g. lsnim on a NIM client)."""
    err(f"ksh: {command}:  not found.")
    return 127
