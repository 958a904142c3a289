"""The simulator's command server: fake AIX commands forked from one warm Python process per fleet.

Why: every fake command used to start its own Python (`aixcmd.py`, ~27 ms of CPU, most of it the
interpreter and its imports). A preflight of 500 clients runs ~6,000 of them, so the simulator, not
the cockpit, set the pace. The quick listing commands (SERVED) now go through a small client
(cmdclient.c, compiled once per fleet when a C compiler is there; else cmdclient.py): it connects to
this server over a unix socket and hands it its stdin, stdout and stderr (SCM_RIGHTS), its arguments,
environment and working directory. The server forks a worker that takes those descriptors as its
own, runs the command as aixcmd.py would, and exits; the client then exits with the worker's status
(or dies of the same signal), and passes on any signal it gets to the worker. So each command is
still a process of its own with real stdout, stderr and exit status; only its start is cheap.

Long or state-changing commands (nimadm, alt_disk_copy, shutdown ...) keep their own process: they
must show in the step's process tree and die with their host's reboot.

Protocol (one connection per command): the client sends a 4-byte big-endian length, then
`cwd \\0 ignored-signals \\0 argc \\0 argv... \\0 KEY=VALUE \\0 ...` with its fds 0, 1, 2 attached to
the first bytes. The server answers `P<pid>\\n` once the worker runs, then `X<status>\\n` or `S<signal>\\n`.

Run as `python -S cmdserver.py SOCKET PARENT_PID`; it ends with its parent (the simulator).
"""

from __future__ import annotations

import array
import contextlib
import importlib
import io
import os
import selectors
import signal
import socket
import sys
import traceback

SERVED = frozenset(
    {
        "lsnim", "lspv", "oslevel", "lssrc", "hostname", "netstat", "lslpp", "nim", "bootinfo", "lsvg",
        "lvlstmajor", "odmget", "bootlist", "cat", "ls", "clstat",
    }
)  # fmt: skip
"""Commands the server runs: quick ones that read (or, like `bootlist -m`, change a line of) a host's
state. The stubs in bin/ of these go through the client when a server runs for the fleet."""
CLIENT_ENV = "COCKPIT_SIM_CMDCLIENT"
SOCKET_ENV = "COCKPIT_SIM_CMDSERVER"
_SIGNALS = {"INT": signal.SIGINT, "QUIT": signal.SIGQUIT}


def _preimport() -> None:
    from cockpit.sim import aixcmd
    from cockpit.sim.aix import COMMANDS

    for name in SERVED:
        importlib.import_module(f"cockpit.sim.aix.{COMMANDS[name].split(':')[0]}")
    del aixcmd


def _receive(conn: socket.socket) -> tuple[list[int], bytes]:
    """The request: (the client's fds 0, 1, 2; the payload)."""
    fds = array.array("i")
    data = b""
    while len(data) < 4:
        msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(3 * fds.itemsize))
        if not msg:
            raise ConnectionError("client went away")
        data += msg
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
    size = int.from_bytes(data[:4], "big")
    data = data[4:]
    while len(data) < size:
        more = conn.recv(size - len(data))
        if not more:
            raise ConnectionError("client went away")
        data += more
    return list(fds), data


def _worker(fds: list[int], payload: bytes) -> int:
    """In the forked child: become the command (its fds, directory, environment) and run it."""
    from cockpit.sim import aixcmd

    fields = payload.split(b"\0")
    cwd, ignored, argc = fields[0], fields[1].decode(), int(fields[2])
    argv = [a.decode("utf-8", "surrogateescape") for a in fields[3 : 3 + argc]]
    env = [e for e in fields[3 + argc :] if b"=" in e]
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    for name in ignored.split(","):
        if name in _SIGNALS:  # ignored in the client (a background job's): ignored here too, as after exec
            signal.signal(_SIGNALS[name], signal.SIG_IGN)
    for target, fd in zip((0, 1, 2), fds, strict=False):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    with contextlib.suppress(OSError):
        os.chdir(cwd)
    os.environ.clear()
    for entry in env:
        key, _, value = entry.partition(b"=")
        os.environb[key] = value
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), "utf-8", "surrogateescape")
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), "utf-8", "surrogateescape")
    sys.stderr = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(2, "w", closefd=False)), "utf-8", "backslashreplace", line_buffering=True
    )
    try:
        return aixcmd.main(argv)
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 1
        return int(exc.code or 0)
    except BaseException:
        traceback.print_exc()
        return 1


def serve(path: str, parent: int) -> None:
    _preimport()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(256)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    waiting: dict[int, socket.socket] = {}
    with selectors.DefaultSelector() as sel:
        sel.register(listener, selectors.EVENT_READ)
        sel.register(wake_r, selectors.EVENT_READ)
        while os.getppid() == parent:
            for key, _ in sel.select(timeout=1.0):
                if key.fileobj is listener:
                    _accept(listener, waiting, sel, wake_r, wake_w)
                else:
                    while True:
                        try:
                            if not os.read(wake_r, 4096):
                                break
                        except BlockingIOError:
                            break
            _reap(waiting)


def _accept(listener: socket.socket, waiting: dict[int, socket.socket], sel: selectors.BaseSelector, *own: int) -> None:
    conn, _ = listener.accept()
    try:
        conn.settimeout(5.0)
        fds, payload = _receive(conn)
    except (OSError, ValueError):
        conn.close()
        return
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.set_wakeup_fd(-1)
            listener.close()
            conn.close()
            for fd in own:
                os.close(fd)
            for other in waiting.values():
                other.close()
            code = _worker(fds, payload)
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(code & 0xFF)
    for fd in fds:
        os.close(fd)
    with contextlib.suppress(OSError):
        conn.sendall(f"P{pid}\n".encode())
    waiting[pid] = conn


def _reap(waiting: dict[int, socket.socket]) -> None:
    while waiting:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = waiting.pop(pid, None)
        if conn is None:
            continue
        answer = f"S{os.WTERMSIG(status)}\n" if os.WIFSIGNALED(status) else f"X{os.WEXITSTATUS(status)}\n"
        with contextlib.suppress(OSError):
            conn.sendall(answer.encode())
        conn.close()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    serve(sys.argv[1], int(sys.argv[2]))
