"""What to look at when a nimadm client is stuck or failed: probes, and reading their answers.

The places a stuck nimadm is looked at (SOURCES.md, nimadm): the master's alt_mig log, the
client's NFS file systems mounted on the master during phases 3-9, nimsh's log on the client, the
NIM object's state, and the processes of the step itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.domain import names

LOG_LINES = 40
NO_STEP = "no step started"
STEP_PS = "ps -e -o pid,ppid,etime,args"
"""The process listing: POSIX `ps -o` fields (AIX, procps); busybox's ps, which has no etime, falls
back to `ps -e -o pid,ppid,args` in the probe's script."""
_STATUS = "cockpit-step:"


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
            STEP_PS,
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
    """`ps -e -o pid,ppid,etime,args` (AIX, procps), or `ps -e -o pid,ppid,args` where ps has no
    etime (busybox): the header line, first, tells which; args may contain blanks."""
    lines = text.splitlines()
    if not lines:
        return []
    timed = any(word in ("ELAPSED", "ETIME") for word in lines[0].upper().split())
    procs = []
    for line in lines[1:]:
        parts = line.split(None, 3 if timed else 2)
        if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
            continue
        if timed:
            etime, args = (parts[2] if len(parts) > 2 else ""), (parts[3] if len(parts) > 3 else "")
        else:
            etime, args = "", (parts[2] if len(parts) > 2 else "")
        procs.append(Process(int(parts[0]), int(parts[1]), etime, args))
    return procs


def defunct(process: Process) -> bool:
    """A process that has ended but was not reaped: `<defunct>` (AIX, procps), or only its name in
    brackets (busybox, which has no command line left for it). A step's wrapper is a shell, never a
    kernel thread, so brackets mean it is gone."""
    args = process.args.strip()
    return "<defunct>" in args or (args.startswith("[") and args.endswith("]"))


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
    return "\n".join(f"{'  ' * depth}{p.pid:>7} {p.etime:>11}  {_clip(p.args)}" for depth, p in tree)


ARGS_SHOWN = 160


def _clip(args: str) -> str:
    """A process's command line as one line of the pane: the shell running a step has its whole
    script as its argument (`sh -c '...'`), of which the start says enough."""
    flat = " ".join(args.split())
    return flat if len(flat) <= ARGS_SHOWN else flat[: ARGS_SHOWN - 1] + "…"


# -- the step troubleshooting is about --------------------------------------------------------------


@dataclass(frozen=True)
class StepWhere:
    """The step of a target that troubleshooting looks at: the one under way, else the last one that
    ran. The screen's header and the process probe both describe it with `describe`."""

    name: str
    directory: str
    host: str
    state: str
    """`running` (launched, no exit status yet) or `ended`."""
    exit_status: int | None = None

    def describe(self, *, short: bool = False) -> str:
        """`step NAME · DIR on HOST · running` (the header); `short`: without where (the probe, whose
        answer is shown under the host's name)."""
        where = f"step {self.name}" if short else f"step {self.name} · {self.directory} on {self.host}"
        if self.state == "running":
            return f"{where} · running"
        return f"{where} · ended" + (f", exit status {self.exit_status}" if self.exit_status is not None else "")


def step_probe_script(directory: str) -> str:
    """What the process probe runs on the step's host: the step directory's wrapper pid and exit
    status, then every process (the tree is walked from the wrapper's pid by `read_step_probe`).
    POSIX sh (AIX ksh, busybox): `read -r`, `[ ]`, no GNU option."""
    d = names.quote(directory)
    return "\n".join(
        [
            "p=; r=; s=absent",
            f"if [ -e {d}/started ]; then s=started; read -r p < {d}/pid; [ -s {d}/rc ] && read -r r < {d}/rc; fi",
            f'echo "{_STATUS} $s pid=${{p:--}} rc=${{r:--}}"',
            f"{STEP_PS} 2>/dev/null || ps -e -o pid,ppid,args",
        ]
    )


def read_step_probe(where: StepWhere, output: str) -> str:
    """The probe's answer: the step as its host has it (running under its wrapper, ended with its exit
    status, or gone without one) and the wrapper's process tree."""
    lines = output.splitlines()
    head = next((line for line in lines if line.startswith(_STATUS)), "")
    fields = dict(part.split("=", 1) for part in head.split() if "=" in part)
    pid, rc = fields.get("pid", "-"), fields.get("rc", "-")
    listing = "\n".join(line for line in lines if not line.startswith(_STATUS))
    if " absent" in head or not head:
        return f"{where.describe(short=True)}\nits step directory is not on {where.host}: it never started there"
    tree = process_tree(parse_ps(listing), int(pid)) if pid.isdigit() else []
    alive = [(depth, p) for depth, p in tree if not defunct(p)]
    if rc.lstrip("-").isdigit():
        ended = StepWhere(where.name, where.directory, where.host, "ended", int(rc)).describe(short=True)
        if alive:
            return f"{ended}\nstill running under its wrapper (pid {pid}):\n{render_tree(alive)}"
        return f"{ended}\nno process of it left (its wrapper was pid {pid})"
    running = StepWhere(where.name, where.directory, where.host, "running").describe(short=True)
    if tree and not defunct(tree[0][1]):
        return f"{running} · pid {pid}:\n{render_tree(tree)}"
    gone = (
        f"{where.describe(short=True)}\nits wrapper (pid {pid}) is gone and wrote no exit status: the step was "
        "killed or its host restarted"
    )
    return gone + (f"; left under it:\n{render_tree(alive)}" if alive else "")


def client_mounts(mount_output: str, client: str) -> list[str]:
    """Lines of `mount` (AIX: node column first for NFS) that belong to the client's migration."""
    marks = (f"{client}:", f"/{client}_alt", f" {client} ")
    return [line for line in mount_output.splitlines() if any(m in line for m in marks)]
