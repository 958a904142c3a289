"""Starting and stopping a fleet's command server (cmdserver.py), and building its client.

The client is cmdclient.c compiled with the system's C compiler (`cc`, `gcc` or `clang`) once per
version of its source, into a per-user cache; without a compiler, cmdclient.py. Either way a served
command starts in a few milliseconds instead of a Python interpreter's ~27 ms.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cockpit.sim import state
from cockpit.sim.cmdserver import CLIENT_ENV, SOCKET_ENV

HERE = Path(__file__).resolve().parent
_SOCKET_PATH_MAX = 100  # sun_path holds 108 bytes on Linux, 104 on macOS and AIX


def user_cache() -> Path:
    """Where the built client is kept between fleets: the user's cache directory (XDG), not TMPDIR,
    which a demo empties of everything it made when it ends."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "migration-cockpit" / "sim"


def client(cache: Path | None = None, *, compiler: bool = True, fallback: Path | None = None) -> Path:
    """The client program: the compiled C client when a compiler is there (and `compiler`), else
    cmdclient.py. Built once into `cache` (default the user's cache); into `fallback` (the fleet's
    own directory) when that cannot be written."""
    if cache is None:
        cache = user_cache()
        try:
            cache.mkdir(parents=True, exist_ok=True)
        except OSError:
            if fallback is None:
                raise
            cache = fallback
    source = (HERE / "cmdclient.c").read_bytes()
    built = cache / f"cmdclient-{hashlib.sha256(source).hexdigest()[:16]}"
    if compiler and built.exists():
        return built
    cc = next((c for c in ("cc", "gcc", "clang") if shutil.which(c)), None) if compiler else None
    if cc is not None:
        cache.mkdir(parents=True, exist_ok=True)
        partial = built.with_name(f"{built.name}.{os.getpid()}")
        done = subprocess.run(
            [cc, "-O2", "-o", str(partial), str(HERE / "cmdclient.c")], capture_output=True, check=False
        )
        if done.returncode == 0:
            os.replace(partial, built)  # atomic: fleets started at once may build it together
            return built
        with contextlib.suppress(OSError):
            partial.unlink()
    script = cache / f"cmdclient-{hashlib.sha256(sys.executable.encode()).hexdigest()[:8]}.py"
    if not script.exists():
        cache.mkdir(parents=True, exist_ok=True)
        partial = script.with_name(f"{script.name}.{os.getpid()}")
        partial.write_text(f"#!{sys.executable} -SI\n" + (HERE / "cmdclient.py").read_text(), encoding="utf-8")
        partial.chmod(0o755)
        os.replace(partial, script)
    return script


class CommandServer:
    """The command server of one fleet: started with it, stopped with it."""

    def __init__(self, fleet_dir: Path) -> None:
        self.fleet_dir = fleet_dir
        self.proc: subprocess.Popen[bytes] | None = None
        self.env: dict[str, str] = {}
        self._socket_dir: Path | None = None

    def start(self) -> dict[str, str]:
        """Start it; the environment a session needs to use it (empty when it could not start)."""
        path = self.fleet_dir / "cmd.sock"
        if len(str(path)) > _SOCKET_PATH_MAX:
            self._socket_dir = Path(tempfile.mkdtemp(prefix="cockpit-sim-"))
            path = self._socket_dir / "cmd.sock"
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        program = client(fallback=self.fleet_dir)
        env = {**os.environ, state.FLEET_ENV: str(self.fleet_dir)}
        self.proc = subprocess.Popen(
            [sys.executable, "-S", str(HERE / "cmdserver.py"), str(path), str(os.getpid())],
            env=env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        (self.fleet_dir / "cmdserver.pid").write_text(f"{self.proc.pid}\n", encoding="utf-8")
        deadline = time.monotonic() + 10
        while not path.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                return {}
            time.sleep(0.01)
        self.env = {CLIENT_ENV: str(program), SOCKET_ENV: str(path)}
        return self.env

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        socket_path = self.env.get(SOCKET_ENV)
        if socket_path:
            with contextlib.suppress(OSError):
                os.unlink(socket_path)
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
        self.env = {}
