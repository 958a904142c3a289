"""The host files the checks read or the cleanup changes: /etc/niminfo (cat) and the special files of
/dev (ls, rm). The shims bin/cat, bin/ls and bin/rm call this module only for those paths (or in /dev
as working directory); every other use goes straight to the real command. cat, ls and tar also reach
the host's own directories of aix/vfs.py (/etc/cluster, /root, /backup, /export, /var/log/cluster).

`ls -l` uses the AIX layout (tests/unit/preflight/samples.py: `major, minor` in the size column);
messages are AIX's ls / rm / cat texts (0653-341, 0652-050; the rm wording assumed).
"""

from __future__ import annotations

import getopt
import os
import subprocess
import sys

from cockpit.sim import state
from cockpit.sim.aix import vfs
from cockpit.sim.aix.common import Ctx, UsageError, err, out, write

DEV = "/dev"
NIMINFO = "/etc/niminfo"
DIRS = (
    ("drwxrwxr-x", 13, 12288, "Nov 20 10:00", "."),
    ("drwxr-xr-x", 23, 4096, "Nov 18 09:12", ".."),
)


def niminfo_text(st: state.HostState) -> str | None:
    info = st.get("niminfo")
    if not info:
        return None
    head = [
        "#------------------ Network Install Manager ---------------",
        "# warning - this file contains NIM configuration information",
        "#       and should only be updated by NIM",
    ]
    if st["role"] == "nim_master":
        body = [
            "export NIM_NAME=master",
            "export NIM_CONFIGURATION=master",
            "export NIM_MASTER_PORT=1058",
            "export NIM_REGISTRATION_PORT=1059",
            f"export NIM_MASTER_HOSTNAME={info['master']}",
        ]
    else:
        body = [
            f"export NIM_NAME={info['name']}",
            f"export NIM_HOSTNAME={st['hostname']}",
            "export NIM_CONFIGURATION=standalone",
            f"export NIM_MASTER_HOSTNAME={info['master']}",
            "export NIM_MASTER_PORT=1058",
            "export NIM_REGISTRATION_PORT=1059",
            'export NIM_SHELL="nimsh"',
            "export NIM_BOS_IMAGE=/SPOT/usr/sys/inst.images/installp/ppc/bos",
        ]
    return "".join(f"{t}\n" for t in head + body)


def cat(ctx: Ctx, args: list[str]) -> int:
    try:
        _, paths = getopt.getopt(args, "u")
    except getopt.GetoptError as e:
        raise UsageError("Usage: cat [-u] [File ...]  (the simulator's cat for /etc/niminfo)") from e
    status = 0
    for path in paths or ["-"]:
        if path == NIMINFO:
            text = niminfo_text(ctx.read())
            if text is None:
                err(f"cat: 0652-050 Cannot open {path}.")
                status = 2
            else:
                write(1, text)
            continue
        try:
            real = vfs.real_path(ctx.fleet, ctx.host, path)  # /etc/cluster/VERSION is the host's own
            with sys.stdin.buffer if path == "-" else open(real, "rb") as f:
                while chunk := f.read(65536):
                    os.write(1, chunk)
        except OSError:
            err(f"cat: 0652-050 Cannot open {path}.")
            status = 2
    return status


# --- /dev --------------------------------------------------------------------------------------------


def dev_name(path: str) -> str | None:
    """`/dev/hdisk9` (or `hdisk9` with /dev as working directory) -> `hdisk9`; `/dev` -> ``; else None."""
    full = os.path.normpath(path if path.startswith("/") else os.path.join(os.getcwd(), path))
    if full == DEV:
        return ""
    if full.startswith(DEV + "/"):
        return full[len(DEV) + 1 :]
    return None


def _entry(mode: str, links: int, size: int | str, date: str, name: str) -> str:
    return f"{mode}{links:>5} {'root':<8} {'system':<8}{size:>11} {date} {name}"


def _device_line(d: dict[str, object], shown: str) -> str:
    return _entry(str(d["mode"]), 1, f"{d['major']},{d['minor']:>3}", str(d["date"]), shown)


def ls(ctx: Ctx, args: list[str]) -> int:
    try:
        opts, paths = getopt.getopt(args, "ald1")
    except getopt.GetoptError as e:
        raise UsageError("Usage: ls [-a] [-l] [-d] [File ...]  (the simulator lists /dev with these flags)") from e
    flags = "".join(o[1] for o, _ in opts)
    devices = {d["name"]: d for d in ctx.read()["dev"]}
    rows: list[str] = []
    status = 0
    others = [p for p in paths if dev_name(p) is None]
    for path in paths or ["."]:
        name = dev_name(path)
        if name is None:
            continue
        if name == "" and "d" not in flags:  # the directory's contents
            entries = sorted(devices)
            if "l" in flags:
                rows.append(f"total {8 + len(entries) // 4}")
                if "a" in flags:
                    rows += [_entry(m, n, s, t, x) for m, n, s, t, x in DIRS]
                rows += [_device_line(devices[e], e) for e in entries]
            else:
                rows += ([".", ".."] if "a" in flags else []) + entries
        elif name == "":
            rows.append(_entry(*DIRS[0][:4], path) if "l" in flags else path)
        elif name in devices:
            rows.append(_device_line(devices[name], path) if "l" in flags else path)
        else:
            err(f"ls: 0653-341 The file {path} does not exist.")
            status = 2
    if rows:
        out(*rows)
    if others:  # e.g. `ls -al /dev/hdisk9 /etc/hosts`: the rest is the system's (or the host's, aix/vfs.py)
        status = _real_with_paths(ctx, ["ls", *(f"-{f}" for f in flags), "--"], others) or status
    return status


def _real_with_paths(ctx: Ctx, command: list[str], paths: list[str]) -> int:
    """Run the system's command on paths; host paths (aix/vfs.py) are mapped there and back in its output."""
    if not any(vfs.is_virtual(p) for p in paths):
        return subprocess.run([real_command(command[0]), *command[1:], *paths], check=False).returncode
    mapped = [vfs.real_path(ctx.fleet, ctx.host, p) for p in paths]
    done = subprocess.run([real_command(command[0]), *command[1:], *mapped], capture_output=True, check=False)
    _write_mapped(ctx, done)
    return done.returncode


def _write_mapped(ctx: Ctx, done: subprocess.CompletedProcess[bytes]) -> None:
    root = (vfs.root(ctx.fleet, ctx.host) + "/").encode()
    for fd, data in ((1, done.stdout), (2, done.stderr)):
        data = data.replace(root, b"/")
        while data:
            data = data[os.write(fd, data) :]


def tar(ctx: Ctx, args: list[str]) -> int:
    """The system's tar with the host's paths (e.g. `tar -C /etc/cluster -czvf /root/cfg.tgz .`): every
    argument that is a host path (aix/vfs.py) is mapped, messages show the host's paths again."""
    mapped = []
    for a in args:
        if vfs.is_virtual(a):
            real = vfs.real_path(ctx.fleet, ctx.host, a)
            if a.startswith("/root") or a.startswith("/backup"):
                os.makedirs(os.path.dirname(real), exist_ok=True)  # those directories exist on a host
            mapped.append(real)
        else:
            mapped.append(a)
    done = subprocess.run([real_command("tar"), *mapped], capture_output=True, check=False)
    _write_mapped(ctx, done)
    return done.returncode


def rm(ctx: Ctx, args: list[str]) -> int:
    """rm of special files in /dev changes the host's state; other operands go to the real rm."""
    try:
        opts, paths = getopt.getopt(args, "fireR")
    except getopt.GetoptError as e:
        raise UsageError("Usage: rm [-firRe] [--] File ...") from e
    flags = "".join(o[1] for o, _ in opts)
    others = [p for p in paths if dev_name(p) is None]
    status = 0
    with ctx.update() as st:
        for path in paths:
            name = dev_name(path)
            if name is None:
                continue
            if name == "":
                err(f"rm: 0653-603 Cannot remove directory {path}.")  # Assumed wording for /dev itself
                status = 2
            elif any(d["name"] == name for d in st["dev"]):
                st["dev"] = [d for d in st["dev"] if d["name"] != name]
            elif "f" not in flags:
                err(f"rm: {path}: A file or directory in the path name does not exist.")
                status = 2
    if others:
        real = real_command("rm")
        done = subprocess.run([real, *(f"-{f}" for f in flags), "--", *others], check=False)
        status = status or done.returncode
    return status


def real_command(command: str) -> str:
    """The system's own command: the first one on PATH that is not a simulator shim."""
    shims = os.path.realpath(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bin"))
    for directory in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep):
        candidate = os.path.join(directory, command)
        if os.path.realpath(directory) != shims and os.access(candidate, os.X_OK):
            return candidate
    return f"/bin/{command}"
