"""What to look at when a nimadm client is stuck or failed: probes, and reading their answers.

The places a stuck nimadm is looked at (SOURCES.md, nimadm): the master's alt_mig log, the
client's NFS file systems mounted on the master during phases 3-9, nimsh's log on the client, the
NIM object's state, and the processes of the step itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.domain import names

LOG_LINES = 40


@dataclass(frozen=True)
class TroubleProbe:
    key: str
    title: str
    on: str  # "master" or "client"
    command: str
    why: str


def probes(client_nim_name: str) -> list[TroubleProbe]:
    c = names.nim_name(client_nim_name)
    return [
        TroubleProbe(
            "processes",
            "processes of the step",
            "master",
            "ps -e -o pid,ppid,etime,args",
            "Is nimadm still alive, and what is it waiting on (mount, installp, alt_disk_copy)?",
        ),
        TroubleProbe(
            "alt_mig_log",
            f"/var/adm/ras/alt_mig/{c}_alt_mig.log",
            "master",
            names.command_line("tail", "-n", str(LOG_LINES), f"/var/adm/ras/alt_mig/{c}_alt_mig.log"),
            "nimadm's own log on the master: often more detail than the console output.",
        ),
        TroubleProbe(
            "nfs_mounts",
            "NFS mounts of the client on the master",
            "master",
            "mount",
            "Phases 3-9 work on the client's /alt_inst over NFS; a hung mount stops everything.",
        ),
        TroubleProbe(
            "nimsh_log",
            "/var/adm/ras/nimsh.log on the client",
            "client",
            names.command_line("tail", "-n", str(LOG_LINES), "/var/adm/ras/nimsh.log"),
            "Remote execution between master and client goes through nimsh.",
        ),
        TroubleProbe(
            "lsnim",
            f"lsnim -l {c}",
            "master",
            names.command_line("lsnim", "-l", c),
            "The NIM object's Cstate tells whether NIM still sees an operation on the client.",
        ),
    ]


@dataclass(frozen=True)
class Process:
    pid: int
    ppid: int
    etime: str
    args: str


def parse_ps(text: str) -> list[Process]:
    """`ps -e -o pid,ppid,etime,args` (header line first; args may contain blanks)."""
    procs = []
    for line in text.splitlines()[1:]:
        parts = line.split(None, 3)
        if len(parts) < 3 or not parts[0].isdigit() or not parts[1].isdigit():
            continue
        procs.append(Process(int(parts[0]), int(parts[1]), parts[2], parts[3] if len(parts) > 3 else ""))
    return procs


def process_tree(procs: list[Process], root: int) -> list[tuple[int, Process]]:
    """The processes under `root` (itself included) as (depth, process), in tree order."""
    children: dict[int, list[Process]] = {}
    by_pid = {p.pid: p for p in procs}
    for p in procs:
        children.setdefault(p.ppid, []).append(p)
    out: list[tuple[int, Process]] = []

    def walk(p: Process, depth: int) -> None:
        out.append((depth, p))
        for child in sorted(children.get(p.pid, []), key=lambda c: c.pid):
            walk(child, depth + 1)

    if root in by_pid:
        walk(by_pid[root], 0)
    return out


def render_tree(tree: list[tuple[int, Process]]) -> str:
    if not tree:
        return "(no process left: the step has ended or was killed)"
    return "\n".join(f"{'  ' * depth}{p.pid:>7} {p.etime:>11}  {p.args}" for depth, p in tree)


def client_mounts(mount_output: str, client: str) -> list[str]:
    """Lines of `mount` (AIX: node column first for NFS) that belong to the client's migration."""
    marks = (f"{client}:", f"/{client}_alt", f" {client} ")
    return [line for line in mount_output.splitlines() if any(m in line for m in marks)]
