"""`cockpit serve [--port N] [--scenario NAME] [--hosts N]`: the demo cockpit in a browser tab, via textual-serve.

textual-serve is a small aiohttp server: each browser tab that opens the page starts its own
`cockpit demo ...` (its own simulated fleet and cockpit) as a child process, and its terminal is shown
with xterm.js over a websocket. It listens on 127.0.0.1 only: the page drives the cockpit with no
login of its own, so reaching it from elsewhere is left to an SSH tunnel (`ssh -L 8000:127.0.0.1:8000`).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def demo_command(scenario: str, hosts: int | None) -> str:
    """What each browser tab runs: this cockpit's `demo` with the same Python (the served app's shell
    line). `exec` makes the server the demo's parent, so that the demo also ends (and stops its
    simulator) when the server is killed outright."""
    import cockpit

    here = str(Path(cockpit.__file__).resolve().parent.parent)
    argv = [sys.executable, "-m", "cockpit", "demo", "--scenario", scenario, "--exit-with-parent"]
    if hosts is not None:
        argv += ["--hosts", str(hosts)]
    return f"PYTHONPATH={shlex.quote(here)}${{PYTHONPATH:+:$PYTHONPATH}} exec {shlex.join(argv)}"


def run(port: int, scenario: str, hosts: int | None) -> int:
    """Serve until interrupted (Ctrl+C or SIGTERM); exit 0."""
    from textual_serve.server import Server

    command = demo_command(scenario, hosts)
    print(f"cockpit: serving `{command}` on http://{HOST}:{port} (127.0.0.1 only; Ctrl+C stops)", file=sys.stderr)
    server = Server(command, host=HOST, port=port, title="Migration Cockpit")
    server.serve()
    return 0
