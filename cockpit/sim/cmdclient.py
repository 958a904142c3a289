"""cmdclient.c in Python, for a simulator without a C compiler: same protocol (see cmdserver.py).

Imports only `_socket`, `os` and `signal` (~8 ms to start instead of aixcmd.py's ~27 ms)."""

import _socket
import array
import os
import signal
import sys


def main() -> int:
    argv = sys.argv[1:]
    path = os.environ.get("COCKPIT_SIM_CMDSERVER")
    lib = os.environ.get("COCKPIT_SIM_LIB", os.path.dirname(os.path.abspath(__file__)))
    s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        if not path:
            raise OSError("no command server")
        s.connect(path)
    except OSError:
        os.execv(sys.executable, [sys.executable, "-S", os.path.join(lib, "aixcmd.py"), *argv])
    quiet = (("INT", signal.SIGINT), ("QUIT", signal.SIGQUIT))
    ignored = ",".join(n for n, sig in quiet if signal.getsignal(sig) is signal.SIG_IGN)
    fields = [os.getcwdb(), ignored.encode(), str(len(argv)).encode(), *(os.fsencode(a) for a in argv)]
    fields += [k + b"=" + v for k, v in os.environb.items()]
    body = b"\0".join(fields) + b"\0"
    worker = [0, 0]  # pid, a signal that came before it

    def forward(sig: int, _frame: object) -> None:
        if worker[0]:
            os.kill(worker[0], sig)
        else:
            worker[1] = sig

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        if signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, forward)
    fds = array.array("i", [0, 1, 2])
    data = len(body).to_bytes(4, "big") + body
    sent = s.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds.tobytes())])
    if sent < len(data):  # (sendall of nothing still sends: EPIPE once a quick command has answered)
        s.sendall(data[sent:])
    buffer = b""
    while True:
        chunk = s.recv(64)
        if not chunk:
            print("cmdclient: the command server went away", file=sys.stderr)
            return 127
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line[:1] == b"P":
                worker[0] = int(line[1:])
                if worker[1]:
                    os.kill(worker[0], worker[1])
            elif line[:1] == b"X":
                return int(line[1:])
            elif line[:1] == b"S":
                number = int(line[1:])
                signal.signal(number, signal.SIG_DFL)
                os.kill(os.getpid(), number)
                return 128 + number


if __name__ == "__main__":
    sys.exit(main())
