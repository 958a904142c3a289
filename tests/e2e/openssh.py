"""A private OpenSSH sshd on 127.0.0.1 for end-to-end tests: its own keys, config and port.

The session environment (PATH with the fake AIX commands first, the simulator's state dir) is set
with sshd_config `SetEnv`, so the commands run exactly as a real sshd runs them: through the
user's login shell with `-c`.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/local/sbin/sshd")
START_TIMEOUT = 10.0
# Another process (an xdist worker) may take the port between free_port() and sshd's bind: try again.
BIND_ATTEMPTS = 3


class SSHDFailed(RuntimeError):
    """sshd is installed but did not come up; the message carries its log."""


def find_sshd() -> str | None:
    for path in SSHD_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    found = shutil.which("sshd")
    # sshd refuses to re-exec itself unless started with an absolute path.
    return os.path.abspath(found) if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def keygen(path: Path) -> Path:
    """A new ed25519 key pair without passphrase at `path` and `path`.pub."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)], check=True)
    return path


def public_key(path: Path) -> str:
    """`ssh-ed25519 AAAA...` of the key pair at `path` (private key path; the .pub beside it is read)."""
    algorithm, data = Path(f"{path}.pub").read_text().split()[:2]
    return f"{algorithm} {data}"


@dataclass
class OpenSSHServer:
    port: int
    user: str
    client_key: Path
    """Private key the server accepts (authorized_keys holds its public half)."""
    host_key: Path
    known_hosts: Path
    """A known_hosts file with this server's entry only."""
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def known_hosts_line(self) -> str:
        return f"[127.0.0.1]:{self.port} {public_key(self.host_key)}\n"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        """Stop the listener and every connection process it forked (each of those has a session of its
        own, so the listener's process group does not reach them; a client that is still connected
        would keep them alive). The commands of the sessions: see kill_sessions().
        """
        if self.process.poll() is None:
            connections = descendants(self.process.pid)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            for pid in connections:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


def start_sshd(workdir: Path, env: dict[str, str], *, client_key: Path | None = None) -> OpenSSHServer:
    """Start sshd on a free loopback port; `env` goes to every session (SetEnv).

    `client_key` (a private key with its .pub beside it) is the key the server accepts; without it a
    new pair is made in `workdir`. Raises FileNotFoundError when sshd is not installed and SSHDFailed
    (with the log) when it is installed but does not listen.
    """
    sshd = find_sshd()
    if sshd is None:
        raise FileNotFoundError("OpenSSH sshd is not installed (Debian: apt-get install openssh-server)")
    for key, value in env.items():
        if any(c in key + value for c in '"\n') or "=" in key:
            raise ValueError(f"cannot pass {key}={value!r} through sshd_config SetEnv")
    workdir.mkdir(parents=True, exist_ok=True)
    host_key = keygen(workdir / "ssh_host_ed25519_key")
    client_key = client_key or keygen(workdir / "id_ed25519")
    authorized = workdir / "authorized_keys"
    authorized.write_text(public_key(client_key) + "\n")
    authorized.chmod(0o600)
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
    user = pwd.getpwuid(os.geteuid()).pw_name
    failures: list[str] = []
    for attempt in range(1, BIND_ATTEMPTS + 1):
        port = free_port()
        config = _write_config(workdir, port, host_key, authorized, env)
        log = workdir / f"sshd.{attempt}.log" if attempt > 1 else workdir / "sshd.log"
        with log.open("wb") as err:
            # A process group of its own: stop() signals the listener without touching the test run.
            process = subprocess.Popen(
                [sshd, "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,
            )
        server = OpenSSHServer(port, user, client_key, host_key, workdir / "known_hosts", process, log)
        outcome = _wait_listening(server)
        if outcome is None:
            server.known_hosts.write_text(server.known_hosts_line)
            return server
        server.stop()
        failures.append(f"attempt {attempt} on port {port}: {outcome}\n{server.log_text()}")
        if "Address already in use" not in outcome + server.log_text():
            break
    raise SSHDFailed(f"sshd ({sshd}) did not start:\n" + "\n".join(failures))


def _write_config(workdir: Path, port: int, host_key: Path, authorized: Path, env: dict[str, str]) -> Path:
    setenv = " ".join(f'"{k}={v}"' for k, v in env.items())
    config = workdir / "sshd_config"
    lines = [
        f"Port {port}",
        "ListenAddress 127.0.0.1",
        f"HostKey {host_key}",
        f"PidFile {workdir / 'sshd.pid'}",
        f"AuthorizedKeysFile {authorized}",
        "StrictModes no",
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "MaxSessions 64",
        "MaxStartups 64",
        "LogLevel VERBOSE",
    ]
    if env:
        lines.append(f"SetEnv {setenv}")
    config.write_text("\n".join(lines) + "\n")
    return config


def _wait_listening(server: OpenSSHServer) -> str | None:
    """None once sshd logs that it listens on its port, else why it did not."""
    listening = f"Server listening on 127.0.0.1 port {server.port}."
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if listening in server.log_text():
            return None
        if server.process.poll() is not None:
            return f"sshd exited with status {server.process.returncode}"
        time.sleep(0.02)
    return f"sshd did not listen within {START_TIMEOUT:g} s"


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process (Linux /proc; elsewhere empty)."""
    parents: dict[int, int] = {}
    if not os.path.isdir("/proc/self"):
        return parents
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold blanks and parentheses, so split after the last ')'.
        parents[int(entry)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
    return parents


def descendants(pid: int) -> list[int]:
    """Every living process below `pid` (children, their children, ...)."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_sessions(env_name: str, env_value: str) -> list[int]:
    """SIGKILL every process whose environment has env_name=env_value (Linux /proc; elsewhere nothing).

    Session commands call setsid and detached steps outlive their session, so stopping sshd does not
    reach them; the SetEnv variables every session carries do.
    """
    if not os.path.isdir("/proc/self"):
        return []
    mark = f"{env_name}={env_value}".encode()
    killed: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
        except OSError:
            continue
        if mark in environ:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry), signal.SIGKILL)
                killed.append(int(entry))
    return killed
