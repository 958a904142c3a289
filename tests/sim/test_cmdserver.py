"""The simulator's command server: a served command behaves as the same command run on its own.

Same stdout, stderr and exit status as `python -S aixcmd.py`, with the C client and with the Python
one; a signal to the client reaches the command; SIGINT ignored in the caller stays ignored.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cockpit.sim import cmdfast, state
from cockpit.sim.aix import vfs
from cockpit.sim.cmdserver import CLIENT_ENV, SERVED, SOCKET_ENV
from cockpit.sim.server import SimFleet

PROBES = [
    "lssrc -s nimsh",
    "lssrc -s nosuch",
    "lspv",
    "oslevel -s",
    "lsvg rootvg",
    "lsvg -l rootvg",
    "lsvg nosuchvg",
    "bootinfo -s hdisk0",
    "lvlstmajor",
    "odmget -q value1=10 CuDvDr",
    "netstat -Aan",
    "hostname",
    "cat /etc/niminfo",
    "ls -al /dev",
    "bootlist -m normal -o",
    "lspv -Z",  # a usage error: its message and status
]


@pytest.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimFleet]:
    fleet = await SimFleet.start("preflight", tmp_path / "fleet")
    yield fleet
    await fleet.stop()


def run(env: dict[str, str], command: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [env["SHELL"], "-c", command], env=env, cwd=env["HOME"], capture_output=True, timeout=60, **kwargs
    )


def without_server(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in (CLIENT_ENV, SOCKET_ENV)}


def client_host(fleet: SimFleet) -> str:
    return next(h for h in fleet.hosts if state.read(str(fleet.fleet_dir), h)["role"] == "client")


@pytest.mark.parametrize("client", ["c", "python"])
async def test_served_commands_answer_as_when_run_on_their_own(fleet: SimFleet, client: str) -> None:
    env = fleet.session_env(client_host(fleet))
    assert env[CLIENT_ENV] and Path(env[SOCKET_ENV]).exists()
    if client == "python":
        env[CLIENT_ENV] = str(cmdfast.client(Path(env["TMPDIR"]) / "no-compiler-cache", compiler=False))
        assert env[CLIENT_ENV].endswith(".py")
    else:
        assert not env[CLIENT_ENV].endswith(".py"), "no C compiler here: only the Python client is tested"
    for command in PROBES:
        assert command.split()[0] in SERVED
        served, alone = run(env, command), run(without_server(env), command)
        assert (served.returncode, served.stdout, served.stderr) == (alone.returncode, alone.stdout, alone.stderr), (
            command
        )
    assert run(env, "lssrc -s nimsh").stdout  # (and the answers are not all empty)


async def test_a_served_command_reads_its_own_stdin_and_writes_where_it_is_told(
    fleet: SimFleet, tmp_path: Path
) -> None:
    env = fleet.session_env(client_host(fleet))
    out = tmp_path / "out"
    done = run(env, f"lspv > {out} 2>&1; echo status $?")
    assert done.stdout == b"status 0\n" and out.read_bytes().startswith(b"hdisk0")
    piped = run(env, "lspv | wc -l")
    assert int(piped.stdout) == len(out.read_bytes().splitlines())


def blocked_cat(fleet: SimFleet, **kwargs: object) -> subprocess.Popen[bytes]:
    """A served `cat` of a 1 MB host file into a pipe nobody reads yet: it blocks once the pipe is full."""
    host = client_host(fleet)
    env = fleet.session_env(host)
    big = Path(vfs.real_path(str(fleet.fleet_dir), host, "/root/big"))
    big.parent.mkdir(parents=True, exist_ok=True)
    big.write_bytes((b"x" * 1023 + b"\n") * 1024)
    proc = subprocess.Popen(  # type: ignore[call-overload]
        [env["SHELL"], "-c", "exec cat /root/big"], env=env, cwd=env["HOME"], stdout=subprocess.PIPE, **kwargs
    )
    time.sleep(0.5)
    assert proc.poll() is None
    return proc  # type: ignore[no-any-return]


async def test_a_signal_to_a_served_command_reaches_it(fleet: SimFleet) -> None:
    proc = blocked_cat(fleet)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == -signal.SIGINT  # it died of it, as a real cat would
    assert proc.stdout is not None
    proc.stdout.close()


async def test_sigint_ignored_by_the_caller_stays_ignored(fleet: SimFleet) -> None:
    # A background job of a non-interactive shell ignores SIGINT: so must the command it runs.
    proc = blocked_cat(fleet, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    assert proc.poll() is None  # SIGINT did nothing
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0 and len(out) == 1024 * 1024


async def test_without_a_server_the_stub_runs_the_command_itself(fleet: SimFleet) -> None:
    env = fleet.session_env(client_host(fleet))
    dead = {**env, SOCKET_ENV: env[SOCKET_ENV] + ".gone"}
    assert run(dead, "oslevel -s").stdout == run(env, "oslevel -s").stdout
    await asyncio.sleep(0)
