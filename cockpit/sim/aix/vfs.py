"""The few host directories the runbooks read and write by absolute path, kept per simulated host.

The simulated hosts share this machine's file system, so /etc/cluster, /root, /backup ... cannot be
theirs. These prefixes live under hosts/<host>/root in the fleet directory instead; the shims that
touch files (cat, ls, tar) send a command naming one of them here, and the fake commands that write
backups or read images (mksysb, savevg, restvg, alt_disk_mksysb) use the same mapping. Every other
path is the real one. (A shell builtin such as `test -f /root/x` or a redirection `> /backup/x` does
not see the mapping: runbooks check files with ls or tar -t.)

Stdlib only (see aixcmd.py).
"""

from __future__ import annotations

import contextlib
import os

from cockpit.sim import state

PREFIXES = ("/etc/cluster", "/root", "/backup", "/export", "/var/log/cluster")


def is_virtual(path: str) -> bool:
    full = os.path.normpath(path) if path.startswith("/") else ""
    return any(full == p or full.startswith(p + "/") for p in PREFIXES)


def root(fleet: str, host: str) -> str:
    return os.path.join(state.host_dir(fleet, host), "root")


def real_path(fleet: str, host: str, path: str) -> str:
    """The file behind a host path: under the host's root for the prefixes, the path itself otherwise."""
    if not is_virtual(path):
        return path
    return os.path.join(root(fleet, host), os.path.normpath(path).lstrip("/"))


def write_file(fleet: str, host: str, path: str, content: str) -> str:
    real = real_path(fleet, host, path)
    os.makedirs(os.path.dirname(real), exist_ok=True)
    tmp = f"{real}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(content)
    os.replace(tmp, real)
    return real


def read_file(fleet: str, host: str, path: str) -> str | None:
    try:
        with open(real_path(fleet, host, path), encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError):
        return None


def remove_file(fleet: str, host: str, path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(real_path(fleet, host, path))
