"""`cockpit demo` leaves nothing behind, whatever ends it: no simulator, no folder, a usable terminal.

Each demo gets its own TMPDIR, so its folder and every process it started (the demo, the simulator,
the simulated hosts' sessions all carry that path in their environment) can be found and counted.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

ALT_SCREEN_OFF = b"\x1b[?1049l"
MOUSE_OFF = b"\x1b[?1000l"


def processes_of(tmp: Path) -> list[str]:
    """The command lines of live processes whose environment or command line mentions `tmp`."""
    mark = str(tmp).encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                env = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read()
            with open(f"/proc/{entry}/stat", "rb") as f:
                zombie = f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
        except OSError:
            continue
        if (mark in env or mark in cmd) and not zombie:
            found.append(cmd.replace(b"\0", b" ").decode(errors="replace")[:120])
    return found


def gone(tmp: Path, timeout: float = 15) -> tuple[list[str], list[str]]:
    """Wait until nothing of the demo is left; what is left (processes, folders) after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        left = processes_of(tmp), sorted(p.name for p in tmp.iterdir())
        if left == ([], []) or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def demo_env(tmp: Path) -> dict[str, str]:
    """The demo's environment: its own TMPDIR, and the terminal's size from the terminal (a COLUMNS or
    LINES left by the test runner would override it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return dict(env, TMPDIR=str(tmp), TERM="xterm-256color")


def started(tmp: Path, *args: str, **popen: object) -> subprocess.Popen[bytes]:
    env = demo_env(tmp)
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "cockpit", "demo", *args], env=env, cwd=tmp.parent, start_new_session=True, **popen
    )


def wait_for_text(path: Path, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in (path.read_text(errors="replace") if path.exists() else ""):
        assert time.monotonic() < deadline, f"{text!r} not in {path}"
        time.sleep(0.1)


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGKILL, -9)])
def test_a_killed_headless_demo_leaves_no_process_and_no_folder(tmp_path: Path, sig: int, status: int) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "out.txt"
    with out.open("wb") as sink:
        demo = started(
            tmp, "--headless", "--scenario", "nimadm", "--no-preflight", stdout=sink, stderr=subprocess.STDOUT
        )
        try:
            wait_for_text(out, "running     phase 2/12")  # in the middle of the migrations
            assert len(processes_of(tmp)) > 2
            demo.send_signal(sig)
            assert demo.wait(30) == status
        finally:
            if demo.poll() is None:
                demo.kill()
    assert gone(tmp) == ([], [])
    if sig != signal.SIGKILL:
        assert out.read_text().splitlines()[-1] == f"cockpit: stopped by {signal.Signals(sig).name}"


def test_keep_keeps_the_folder_and_says_where(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "cockpit", "demo", "--headless", "--scenario", "tiny", "--no-preflight", "--keep"],
        env=dict(os.environ, TMPDIR=str(tmp)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr  # tiny's lpar02 fails in phase 11, as the demo shows: a normal end
    (folder,) = tmp.iterdir()
    assert done.stderr.splitlines()[-1].startswith(f"cockpit: demo folder kept: {folder} (")
    assert list(folder.glob("cockpit-state/runs/*/logs/lpar01.log"))
    assert processes_of(tmp) == []
    done = subprocess.run(
        [sys.executable, "-m", "cockpit", "demo", "--headless", "--scenario", "tiny", "--no-preflight"],
        env=dict(os.environ, TMPDIR=str(tmp)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and sorted(tmp.iterdir()) == [folder]  # the new one went, the kept one stayed
    assert "removed (`cockpit demo --keep` keeps it)" in done.stderr


class Terminal:
    """A pseudo-terminal the TUI draws on, as a terminal emulator would host it."""

    def __init__(self, tmp: Path, *args: str, size: tuple[int, int] = (80, 24)) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.proc = started(tmp, *args, stdin=slave, stdout=slave, stderr=slave)
        os.close(slave)
        self.output = b""

    def read(self, seconds: float, until: bytes | None = None) -> bytes:
        end = time.monotonic() + seconds
        start = len(self.output)
        while time.monotonic() < end and not (until and until in self.output[start:]):
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    break
        return self.output[start:]

    def close(self) -> None:
        os.close(self.master)


def test_a_tui_demo_stopped_by_sigterm_restores_the_terminal_and_cleans_up(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    term = Terminal(tmp, "--scenario", "nimadm", "--no-preflight")
    try:
        term.read(60, until=b"phase")  # the fleet is drawn and migrating
        assert b"\x1b[?1049h" in term.output and b"\x1b[?1000h" in term.output
        term.proc.send_signal(signal.SIGTERM)
        after = term.read(30, until=b"stopped by SIGTERM")
        assert term.proc.wait(30) == 143
        # Alternate screen and mouse tracking off before the last lines: the shell is usable again.
        assert ALT_SCREEN_OFF in after and MOUSE_OFF in after
        assert after.rstrip().endswith(b"cockpit: stopped by SIGTERM")
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
        term.close()
    assert gone(tmp) == ([], [])


def test_closing_the_terminal_of_a_tui_demo_leaves_nothing(tmp_path: Path) -> None:
    """The terminal window closes while the fleet streams: the kernel hangs up the demo's controlling
    terminal (SIGHUP), and every write to it fails from then on."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = demo_env(tmp)
    pid, master = pty.fork()  # the child's controlling terminal, as a terminal emulator gives it
    if pid == 0:  # pragma: no cover - the child
        os.chdir(tmp.parent)
        os.execve(
            sys.executable, [sys.executable, "-m", "cockpit", "demo", "--scenario", "nimadm", "--no-preflight"], env
        )
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    output = b""
    deadline = time.monotonic() + 60
    while b"phase" not in output and time.monotonic() < deadline:
        if select.select([master], [], [], 0.2)[0]:
            output += os.read(master, 65536)
    assert b"phase" in output
    time.sleep(2)  # let it draw a while without anyone reading
    os.close(master)
    deadline = time.monotonic() + 30
    while (done := os.waitpid(pid, os.WNOHANG)) == (0, 0):
        assert time.monotonic() < deadline, "the demo did not end after its terminal closed"
        time.sleep(0.1)
    assert os.waitstatus_to_exitcode(done[1]) == 129
    assert gone(tmp) == ([], [])


def test_quitting_the_tui_demo_removes_its_folder(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    term = Terminal(tmp, "--scenario", "tiny", "--no-preflight", size=(160, 48))  # room for the header's status
    try:
        assert b"finished" in term.read(60, until=b"finished")  # tiny ends in seconds: nothing runs, q quits at once
        os.write(term.master, b"q")
        after = term.read(30, until=b"removed")
        assert term.proc.wait(30) == 0  # lpar02 failed, as tiny plans: the demo ended normally
        assert ALT_SCREEN_OFF in after and b"removed (`cockpit demo --keep` keeps it)" in after
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
        term.close()
    assert gone(tmp) == ([], [])
