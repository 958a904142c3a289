"""The SSH front end of the simulator: one asyncssh server per simulated host on 127.0.0.1.

Each exec request runs a real shell, `SHELL -c COMMAND`, with the fake AIX commands first on PATH and
the host's state directory in the environment, so nohup, redirection, pipes and kill behave as on a
host. The shell (dash, mksh or ksh93) and the tools behind the fake commands (the system's GNU tools,
or busybox applets) are the fleet's userland (sim/userland.py).
The session is wired like OpenSSH without a pty: stdin/stdout/stderr are pipes, the exit status (or
signal) goes back to the client, and when the client goes away the pipes are closed but the command
is not signalled (a command still writing to them then dies of SIGPIPE, as it would under sshd; one
started with nohup and redirected output carries on).

A reboot (`shutdown -Fr`, `nimadm -r`) reaches the server through a small control port on loopback:
the host's connections drop, its processes are killed, it refuses connections for the scaled reboot
time, then listens again on the same port with the same host key.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncssh

from cockpit.sim import state
from cockpit.sim.aix.disks import boot
from cockpit.sim.cmdfast import CommandServer
from cockpit.sim.inventory import ADDRESS, inventory_text, known_hosts_text, write_inventory
from cockpit.sim.scenario import Scenario, load_scenario
from cockpit.sim.seed import seed
from cockpit.sim.session import Pipe, feed_stdin, session_env
from cockpit.sim.userland import Userland, choose


class _Host:
    """One simulated host's listener, live connections and sessions."""

    def __init__(self, name: str, role: str, key: asyncssh.SSHKey, port: int) -> None:
        self.name = name
        self.role = role
        self.key = key
        self.port = port
        self.acceptor: asyncssh.SSHAcceptor | None = None
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self.process_groups: set[int] = set()
        self.down = False


class _Server(asyncssh.SSHServer):
    def __init__(self, host: _Host) -> None:
        self._host = host
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._host.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._host.connections.discard(self._conn)


class SimFleet:
    """A running simulated fleet. Start with `await SimFleet.start(scenario, workdir)`, stop with `stop()`.

    Files in the workdir: client_key(.pub) (the key every host accepts, for any user name),
    keys/<host>_ed25519 (host keys), known_hosts, inventory.yaml, ports.json, fleet/ (host states).
    """

    def __init__(self, scenario: Scenario, workdir: Path, userland: Userland | None = None) -> None:
        self.scenario = scenario
        self.userland = choose(userland, scenario.userland)
        self.workdir = workdir.resolve()
        self.fleet_dir = self.workdir / "fleet"
        self.client_key_path = self.workdir / "client_key"
        self.known_hosts_path = self.workdir / "known_hosts"
        self.inventory_path = self.workdir / "inventory.yaml"
        self._hosts: dict[str, _Host] = {}
        self._authorized: asyncssh.SSHAuthorizedKeys | None = None
        self._control: asyncio.Server | None = None
        self._control_spec = ""
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = False
        self._shell = ""
        self._tools: Path | None = None
        self._commands = CommandServer(self.fleet_dir)
        self._command_env: dict[str, str] = {}
        self.sessions_started = 0
        """SSH sessions (exec requests) the fleet's hosts served: what a bench counts per step."""

    # --- life cycle ------------------------------------------------------------------------------------

    @classmethod
    async def start(cls, scenario: Scenario | str, workdir: Path, userland: Userland | None = None) -> SimFleet:
        """`userland` wins over COCKPIT_SIM_USERLAND, which wins over the scenario's (UserlandMissing
        when its shell or busybox is not installed)."""
        if isinstance(scenario, str):
            scenario = load_scenario(scenario)
        fleet = cls(scenario, Path(workdir), userland)
        try:
            await fleet._start()
        except BaseException:
            await fleet.stop()
            raise
        return fleet

    async def _start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._shell = self.userland.shell_path()
        self._tools = self.userland.tools_dir(self.workdir)
        seed(str(self.fleet_dir), self.scenario)
        self._command_env = self._commands.start()
        client_key = _load_or_create_key(self.client_key_path)
        self._authorized = asyncssh.import_authorized_keys(client_key.export_public_key().decode())
        self._control = await asyncio.start_server(self._on_control, ADDRESS, 0)
        port = self._control.sockets[0].getsockname()[1]
        self._control_spec = f"{port}:{secrets.token_hex(16)}"
        saved = _read_ports(self.workdir / "ports.json")
        for spec in self.scenario.hosts:
            key = _load_or_create_key(self.workdir / "keys" / f"{spec.name}_ed25519")
            host = _Host(spec.name, spec.role, key, saved.get(spec.name, 0))
            self._hosts[spec.name] = host
            await self._listen(host, fallback_to_any_port=True)
        (self.workdir / "ports.json").write_text(json.dumps(self.hosts, indent=1), encoding="utf-8")
        self.known_hosts_path.write_text(
            known_hosts_text({h.port: _public_key(h.key) for h in self._hosts.values()}), encoding="utf-8"
        )
        self.write_inventory(self.inventory_path)
        await self._start_running()

    async def _start_running(self) -> None:
        """Start the migrations the scenario has running before any cockpit arrives (`running:`), as an
        operator's shell or an Ansible task would: on the master for nimadm, on the client for alt_disk_copy."""
        for spec in self.scenario.clients:
            if spec.running is None:
                continue
            disk = spec.target_disk or "hdisk1"
            if spec.running == "nimadm":
                master = self.scenario.master_of(spec)
                assert master is not None
                lpp, spot = self.scenario.lpp_source_for(spec), self.scenario.spot_for(spec)
                host, command = master.name, f"nimadm -c {spec.name} -l {lpp} -s {spot} -d {disk} -Y"
            else:
                host, command = spec.name, f"alt_disk_copy -d {disk}"
            env = self.session_env(host)
            child = await asyncio.create_subprocess_exec(
                "/bin/sh",
                "-c",
                f"{command}; :",  # `; :` keeps the shell: a parent for the process table to show
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
                env=env,
                cwd=env["HOME"],
                start_new_session=True,
            )
            self._hosts[host].process_groups.add(child.pid)
            self._spawn(_reap(child))

    async def stop(self) -> None:
        """Stop every server, drop every connection and end every process of the fleet (power off)."""
        if self._stopped:
            return
        self._stopped = True
        for task in list(self._tasks):
            task.cancel()
        if self._control is not None:
            self._control.close()
        for host in self._hosts.values():
            await self._take_down(host, kill=False)
        kill_processes(str(self.fleet_dir), None, {g for h in self._hosts.values() for g in h.process_groups})
        self._commands.stop()
        if self._control is not None:
            with contextlib.suppress(Exception):
                await self._control.wait_closed()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def __aenter__(self) -> SimFleet:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # --- public views and actions -----------------------------------------------------------------------

    @property
    def hosts(self) -> dict[str, int]:
        """Host name -> SSH port on 127.0.0.1."""
        return {name: h.port for name, h in self._hosts.items()}

    def write_inventory(self, path: Path) -> Path:
        """Write the inventory (config file) for this fleet at `path`, paths relative to it."""
        work_dirs = {
            name: Path(state.host_dir(str(self.fleet_dir), name)) / "var" / "tmp" / "cockpit" for name in self.hosts
        }
        text = inventory_text(
            self.scenario, self.hosts, self.known_hosts_path, self.client_key_path, Path(path), work_dirs=work_dirs
        )
        return write_inventory(Path(path), text)

    def disconnect(self, host: str) -> int:
        """Drop every live connection of `host` as a network failure would; the server keeps listening."""
        conns = list(self._hosts[host].connections)
        for conn in conns:
            conn.abort()
        return len(conns)

    async def reboot(self, host: str) -> None:
        """Reboot `host` from outside (a power cycle): drop, boot its bootlist, come back when it is up."""
        await self._reboot(self._hosts[host])

    def is_down(self, host: str) -> bool:
        """Whether `host` refuses connections (rebooting, or stopped in its firmware with nothing to boot)."""
        return self._hosts[host].down

    def session_env(self, host: str, user: str = "root") -> dict[str, str]:
        """The environment of a session on `host` (also what a real sshd must give its sessions)."""
        return session_env(
            self.fleet_dir,
            host,
            user=user,
            time_scale=self.scenario.time_scale,
            control=self._control_spec,
            shell=self._shell or "/bin/sh",
            tools=self._tools,
            commands=self._command_env,
        )

    # --- listeners ------------------------------------------------------------------------------------

    async def _listen(self, host: _Host, fallback_to_any_port: bool = False) -> None:
        async def handle(process: asyncssh.SSHServerProcess[bytes]) -> None:
            await self._session(host, process)

        try:
            acceptor = await self._listen_on(host, handle, host.port)
        except OSError:
            if not fallback_to_any_port:
                raise
            acceptor = await self._listen_on(host, handle, 0)
        host.acceptor = acceptor
        host.port = acceptor.get_port()
        host.down = False

    async def _listen_on(
        self, host: _Host, handle: Callable[[asyncssh.SSHServerProcess[bytes]], Awaitable[None]], port: int
    ) -> asyncssh.SSHAcceptor:
        return await asyncssh.listen(
            ADDRESS,
            port,
            server_factory=lambda: _Server(host),
            server_host_keys=[host.key],
            authorized_client_keys=self._authorized,
            process_factory=handle,
            encoding=None,
            allow_pty=False,
            line_editor=False,
            x11_forwarding=False,
            agent_forwarding=False,
            reuse_address=True,
            login_timeout=30,
        )

    async def _close_listener(self, host: _Host) -> None:
        host.down = True
        if host.acceptor is not None:
            host.acceptor.close()
            with contextlib.suppress(Exception):
                await host.acceptor.wait_closed()
            host.acceptor = None

    async def _take_down(self, host: _Host, kill: bool = True) -> None:
        await self._close_listener(host)
        for conn in list(host.connections):
            conn.abort()
        if kill:
            kill_processes(str(self.fleet_dir), host.name, host.process_groups)
            host.process_groups.clear()

    async def _reboot(self, host: _Host) -> None:
        if host.down or self._stopped:
            return
        await self._close_listener(host)  # no new session may see the host between now and the reboot
        await asyncio.sleep(0.05)  # let the last output (e.g. "Rebooting . . .") reach the client
        await self._take_down(host)
        with state.update(str(self.fleet_dir), host.name) as st:
            booted = boot(st)
        if booted is None:
            return  # nothing to boot from: the LPAR waits in its firmware, it never answers again
        await asyncio.sleep(self.scenario.reboot_minutes * 60.0 / self.scenario.time_scale)
        for _ in range(50):  # the port is ours, but a connection in TIME_WAIT may hold it a moment
            if self._stopped:
                return
            try:
                await self._listen(host)
                return
            except OSError:
                await asyncio.sleep(0.1)
        raise RuntimeError(f"simulated host {host.name} could not listen again on port {host.port}")

    def _spawn(self, coro: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- the control port (reboot requests from shutdown / nimadm -r) -------------------------------------

    async def _on_control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = (await asyncio.wait_for(reader.readline(), 5)).decode().split()
            token = self._control_spec.partition(":")[2]
            if len(request) == 3 and request[0] == token and request[1] == "reboot" and request[2] in self._hosts:
                writer.write(b"ok\n")
                self._spawn(self._reboot(self._hosts[request[2]]))
            elif len(request) == 3 and request[0] == token and request[1] == "drop" and request[2] in self._hosts:
                # A network failure between the cockpit and this host (fault drop_connection_phase).
                writer.write(f"ok {self.disconnect(request[2])}\n".encode())
            else:
                writer.write(b"refused\n")
            await writer.drain()
        except (TimeoutError, OSError, UnicodeDecodeError):
            pass
        finally:
            writer.close()

    # --- sessions -------------------------------------------------------------------------------------

    async def _session(self, host: _Host, process: asyncssh.SSHServerProcess[bytes]) -> None:
        command = process.command
        self.sessions_started += 1
        if command is None:
            process.stderr.write(b"This simulated AIX host runs commands only: ssh HOST COMMAND\n")
            process.exit(1)
            return
        user = process.get_extra_info("username") or "root"
        env = self.session_env(host.name, user)
        r_in, w_in = os.pipe()
        r_out, w_out = os.pipe()
        r_err, w_err = os.pipe()
        try:
            child = await asyncio.create_subprocess_exec(
                env["SHELL"],
                "-c",
                command,
                stdin=r_in,
                stdout=w_out,
                stderr=w_err,
                env=env,
                cwd=env["HOME"],
                start_new_session=True,  # its own process group: a reboot or stop() can end it and its children
            )
        except OSError as e:
            for fd in (w_in, r_out, r_err):
                os.close(fd)
            process.stderr.write(f"cannot start {env['SHELL']}: {e}\n".encode())
            process.exit(127)
            return
        finally:
            for fd in (r_in, w_out, w_err):  # the child's ends
                os.close(fd)
        host.process_groups.add(child.pid)
        loop = asyncio.get_running_loop()
        out_pipe = await Pipe.open_read(loop, r_out, process.stdout)
        err_pipe = await Pipe.open_read(loop, r_err, process.stderr)
        stdin_task = asyncio.ensure_future(feed_stdin(loop, process, w_in))
        closed = asyncio.ensure_future(process.wait_closed())
        finished = asyncio.ensure_future(asyncio.gather(child.wait(), out_pipe.done, err_pipe.done))
        try:
            either: set[asyncio.Future[Any]] = {closed, finished}
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            if not finished.done():
                # The client went away: close our ends like sshd does, never signal the command.
                out_pipe.close()
                err_pipe.close()
                stdin_task.cancel()
                await finished
                return
            status = child.returncode
            assert status is not None
            if status >= 0:
                process.exit(status)
            else:
                process.exit_with_signal(signal.Signals(-status).name.removeprefix("SIG"))
        except (OSError, asyncssh.Error):
            pass
        finally:
            stdin_task.cancel()
            closed.cancel()
            if child.returncode is not None and not _group_alive(child.pid):
                host.process_groups.discard(child.pid)


# --- files and processes ----------------------------------------------------------------------------------


async def _reap(child: asyncio.subprocess.Process) -> None:
    await child.wait()


def _load_or_create_key(path: Path) -> asyncssh.SSHKey:
    if path.exists():
        return asyncssh.read_private_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = asyncssh.generate_private_key("ssh-ed25519")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.export_private_key())
    path.with_name(path.name + ".pub").write_bytes(key.export_public_key())
    return key


def _public_key(key: asyncssh.SSHKey) -> str:
    algorithm, data = key.export_public_key().decode().split()[:2]
    return f"{algorithm} {data}"


def _read_ports(path: Path) -> dict[str, int]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def kill_processes(fleet: str, host: str | None, process_groups: set[int]) -> None:
    """Kill what runs on a simulated host (or on every host of the fleet when `host` is None). On Linux:
    every process whose environment names this fleet (and host), which also finds commands that left
    their session's process group with setsid. Elsewhere: the sessions' process groups that still live.
    """
    if not os.path.isdir("/proc/self"):
        for pgid in process_groups:
            if _group_alive(pgid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pgid, signal.SIGKILL)
        return
    marks = [f"{state.FLEET_ENV}={fleet}".encode()]
    if host is not None:
        marks.append(f"{state.HOST_ENV}={host}".encode())
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
        except OSError:
            continue
        if all(m in environ for m in marks):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry), signal.SIGKILL)
