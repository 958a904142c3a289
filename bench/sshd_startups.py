"""How many of N clients started at once reach the NIM master through a stock OpenSSH sshd?

    .venv/bin/python bench/sshd_startups.py --clients 200

The cockpit opens one SSH connection to the master per client (cockpit/engine/run/schedule.py, Scheduler._one), all
of them as soon as the start gate lets them through (concurrency = the plan's). OpenSSH's sshd
refuses unauthenticated connections beyond MaxStartups (default "10:30:100": from 10 pending
connections on, 30% of new ones are dropped, rising to all of them at 100). A refused connect is
final for that client: TargetRunner._run_one marks it UNREACHABLE without retrying.

This starts a private sshd on 127.0.0.1 (its own keys and config; nothing else on the machine is
touched) and, for each MaxStartups setting, makes `--clients` connections at once with the
cockpit's own SSHTransport.connect(), as the start of a run does. Printed: how many connected, how
many were refused, and the wall time. (No command is run: sshd runs it through the user's login
shell, and on a development machine that shell's rc files - pyenv, say - cost seconds per session
when 200 start at once, which is not what is measured here.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _fleet

from cockpit.transports.base import TransportError
from cockpit.transports.ssh import SSHTransport
from tests.e2e.openssh import find_sshd, free_port, keygen, public_key


def start_sshd(workdir: Path, max_startups: str | None) -> tuple[subprocess.Popen[bytes], int, Path, Path]:
    host_key = workdir / "host_ed25519"
    client_key = workdir / "client_ed25519"
    if not host_key.exists():
        keygen(host_key)
        keygen(client_key)
    authorized = workdir / "authorized_keys"
    authorized.write_text(public_key(client_key) + "\n")
    authorized.chmod(0o600)
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    port = free_port()
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
    ]
    if max_startups:
        lines.append(f"MaxStartups {max_startups}")
    config = workdir / "sshd_config"
    config.write_text("\n".join(lines) + "\n")
    sshd = find_sshd()
    assert sshd is not None
    log = (workdir / "sshd.log").open("wb")
    proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stderr=log, start_new_session=True)
    known = workdir / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {public_key(host_key)}\n")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if f"port {port}" in (workdir / "sshd.log").read_text(errors="replace"):
            break
        time.sleep(0.05)
    return proc, port, known, client_key


async def attempt(clients: int, port: int, known: Path, key: Path) -> tuple[int, list[str], float]:
    user = os.environ.get("USER") or "root"

    async def one(i: int) -> str | None:
        t = SSHTransport(f"lpar{i:03d}", "127.0.0.1", port, user, known_hosts=known, client_keys=[key])
        try:
            await t.connect()
            return None
        except TransportError as exc:
            return str(exc).split(": ", 1)[-1]
        finally:
            await t.close()

    start = time.monotonic()
    results = await asyncio.gather(*(one(i) for i in range(clients)))
    errors = [r for r in results if r is not None]
    return clients - len(errors), errors, time.monotonic() - start


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--settings", default="default,64,1000", help="MaxStartups values ('default': none set)")
    args = p.parse_args()
    if find_sshd() is None:
        print("OpenSSH sshd is not installed (tests/setup_sshd.sh installs it)", file=sys.stderr)
        return 2
    print(f"machine: {_fleet.machine()}; {100 * _fleet.cpu_busy():.0f}% busy before the run")
    rows = []
    with tempfile.TemporaryDirectory(prefix="cockpit-sshd-") as tmp:
        for setting in args.settings.split(","):
            proc, port, known, key = start_sshd(Path(tmp), None if setting == "default" else setting)
            try:
                ok, errors, wall = asyncio.run(attempt(args.clients, port, known, key))
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(10)
            kinds: dict[str, int] = {}
            for e in errors:
                kinds[e[:60]] = kinds.get(e[:60], 0) + 1
            label = "10:30:100 (default)" if setting == "default" else setting
            rows.append([label, str(args.clients), str(ok), str(len(errors)), f"{wall:.1f}"])
            if kinds:
                top = sorted(kinds.items(), key=lambda kv: -kv[1])[:3]
                print(f"  MaxStartups {label}: refused: " + "; ".join(f"{n}x {k}" for k, n in top))
    print(_fleet.table(["MaxStartups", "clients at once", "connected", "refused", "wall s"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
