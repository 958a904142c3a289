"""Finding migrations someone else started: nimadm on a NIM master, alt_disk_copy / alt_disk_mksysb on a
client, from the process table and NIM's own state. Pure: text in, findings out.

The process table is `ps -e -o pid,ppid,user,etime,args` (AIX ps and procps; BusyBox's ps has no
etime, so it is asked for `pid,ppid,user,args` instead and the start time is then unknown). A
migration is a process whose command is nimadm (or alt_disk_*), run directly or by an interpreter
(`/usr/bin/ksh /usr/sbin/nimadm ...`: nimadm is a ksh script); its subshells carry the same command
line, so only the topmost of a client's processes is the migration. Its parent chain says who
started it: an operator's login shell, an Ansible task (`AnsiballZ_command.py`), a cron job ...

NIM's view (`lsnim -l`, per client): `Cstate` says whether an alt_disk_install operation is being
performed, `info` what it is doing (or the error it ended with), `Cstate_result` success or failure,
as IBM's ansible-power-aix reads them (nim_vios_alt_disk.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cockpit.domain import names

PS_COMMAND = "ps -e -o pid,ppid,user,etime,args 2>/dev/null || ps -e -o pid,ppid,user,args"
"""The process table with who and since when; BusyBox's ps (no etime) answers the second form."""
LSNIM_COMMAND = "lsnim -t standalone -l"
"""Every standalone client of a master in one call (Cstate, info, Cstate_result)."""
MASTER_KINDS = ("nimadm",)
CLIENT_KINDS = ("alt_disk_copy", "alt_disk_mksysb")
MASTER_LOG = "/var/adm/ras/alt_mig/{client}_alt_mig.log"
CLIENT_LOG = "/var/adm/ras/alt_disk_inst.log"
BUSY_STATES = ("being performed", "being prepared")
"""Words of a Cstate while an alt_disk_install operation runs ("alt_disk_install operation is being
performed", "a client is being prepared for alt_disk_install")."""
_INTERPRETERS = re.compile(r"^(?:[a-z]*sh|ksh93|python[0-9.]*|perl|env|nohup|time)$")
# Options that take a value (getopt letters of nimadm, alt_disk_copy and alt_disk_mksysb).
_WITH_VALUE = {
    "nimadm": set("clsdjPabzeimoTON"),
    "alt_disk_copy": set("dPMbliIe"),
    "alt_disk_mksysb": set("mdPMbliIeVc"),
}
_DISK = re.compile(r"^hdisk[0-9]+$")
MAX_CHAIN = 8


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    user: str
    elapsed: int | None
    """Seconds since it started (None: this ps does not say)."""
    args: str


def parse_elapsed(text: str) -> int | None:
    """`[[dd-]hh:]mm:ss` (ps etime) in seconds."""
    days = 0
    if "-" in text:
        head, _, text = text.partition("-")
        if not head.isdigit():
            return None
        days = int(head)
    parts = text.split(":")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        return None
    seconds = 0
    for p in parts:
        seconds = seconds * 60 + int(p)
    return days * 86400 + seconds


def parse_ps(text: str) -> dict[int, Proc]:
    """The process table by pid, from either form of PS_COMMAND (the header says which)."""
    lines = text.splitlines()
    if not lines:
        return {}
    header = lines[0].split()
    timed = len(header) >= 5 and header[3].upper() in ("ELAPSED", "ETIME")
    width = 4 if timed else 3
    procs: dict[int, Proc] = {}
    for line in lines[1:]:
        parts = line.split(None, width)
        if len(parts) < width or not parts[0].isdigit() or not parts[1].isdigit():
            continue
        args = parts[width] if len(parts) > width else ""
        elapsed = parse_elapsed(parts[3]) if timed else None
        procs[int(parts[0])] = Proc(int(parts[0]), int(parts[1]), parts[2], elapsed, args)
    return procs


@dataclass(frozen=True)
class Found:
    """A migration running on `host`, started by someone (perhaps not this cockpit)."""

    kind: str
    """nimadm | alt_disk_copy | alt_disk_mksysb"""
    host: str
    """The config's host it runs on (the NIM master for nimadm, the client itself for alt_disk_*)."""
    client: str
    """The client it migrates: nimadm's -c (a NIM object name), or the host for alt_disk_*."""
    proc: Proc
    options: Mapping[str, str] = field(default_factory=dict)
    """Its options as ps shows them (`-s` -> spot_AIX72TL5); `-d` holds every disk."""
    chain: tuple[Proc, ...] = ()
    """Its parents, nearest first (at most MAX_CHAIN; init not included)."""

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def log(self) -> str:
        return MASTER_LOG.format(client=self.client) if self.kind == "nimadm" else CLIENT_LOG

    @property
    def first_phase(self) -> int:
        """The phase this invocation starts with (`nimadm -P 7`, `alt_disk_copy -P 23`)."""
        value = self.options.get("-P", "")
        return int(value[0]) if value[:1].isdigit() and int(value[0]) > 0 else 1

    @property
    def phases_total(self) -> int:
        return 12 if self.kind == "nimadm" else 3

    @property
    def cleanup(self) -> str | None:
        """The clean-up of what it leaves behind when stopped, as AIX documents it (None: no safe line)."""
        if self.kind == "nimadm":
            spot = self.options.get("-s", "")
            if not names.NIM_NAME.fullmatch(self.client) or not names.NIM_NAME.fullmatch(spot):
                return None
            return names.command_line("nimadm", "-C", "-c", self.client, "-s", spot)
        return "alt_rootvg_op -X altinst_rootvg"

    def started_at(self, now: float) -> float | None:
        return None if self.proc.elapsed is None else now - self.proc.elapsed

    def owner(self, started: str | None = None) -> str:
        """Who started it, for the confirmation of an action on it: user, pid, when, parent chain.

        `started`: its start time as shown (`02:31:05`); without it, how long it had run when found.
        """
        parents = " < ".join(f"{_short(p.args)} (pid {p.pid}, {p.user})" for p in self.chain)
        if not parents:  # nohup ... & from a shell that has ended since: init took it over
            parents = f"no parent left (parent pid {self.proc.ppid}: the shell that started it has ended)"
        if started is not None:
            since = f", started {started}"
        else:
            since = "" if self.proc.elapsed is None else f", running {_span(self.proc.elapsed)}"
        return f"{self.proc.user} (pid {self.pid} on {self.host}{since}) via: {parents}"


def find_migrations(procs: Mapping[int, Proc], host: str, kinds: Iterable[str]) -> list[Found]:
    """The migrations of `kinds` in a host's process table, one per client (the topmost process)."""
    wanted = set(kinds)
    matches: dict[int, tuple[str, list[str]]] = {}
    for proc in procs.values():
        hit = _command(proc.args, wanted)
        if hit is not None:
            matches[proc.pid] = hit
    found: list[Found] = []
    for pid, (kind, argv) in matches.items():
        options = _options(kind, argv)
        if kind == "nimadm" and ("-C" in options or "-W" in options or "-S" in options):
            continue  # a clean-up or a wake-up/sleep: not a migration to follow
        client = options.get("-c", "") if kind == "nimadm" else host
        if not client:
            continue
        chain = _chain(procs, pid)
        # A subshell of the same command (ksh forks them) is part of its ancestor, not a second run.
        if any(p.pid in matches and _client(matches[p.pid], host) == client for p in chain):
            continue
        found.append(Found(kind, host, client, procs[pid], options, tuple(p for p in chain if p.pid > 1)))
    return sorted(found, key=lambda f: (f.client, f.pid))


def _client(match: tuple[str, list[str]], host: str) -> str:
    kind, argv = match
    return _options(kind, argv).get("-c", "") if kind == "nimadm" else host


def _command(args: str, kinds: set[str]) -> tuple[str, list[str]] | None:
    """(kind, its arguments) when the command line runs one of `kinds`, directly or by an interpreter."""
    tokens = args.split()
    for i, token in enumerate(tokens[:4]):
        base = token.rsplit("/", 1)[-1]
        if base in kinds:
            before = tokens[:i]
            if before and not _INTERPRETERS.match(before[0].rsplit("/", 1)[-1]):
                return None
            if any(t == "-c" for t in before):
                return None  # `sh -c "nimadm ..."`: the shell that runs it, not the migration itself
            return base, tokens[i + 1 :]
        if i > 0 and not (token.startswith("-") or token.endswith(".py")):
            return None
    return None


def _options(kind: str, argv: list[str]) -> dict[str, str]:
    """getopt as the command would do it; disks after `-d` (a quoted list on the command line) join it."""
    with_value = _WITH_VALUE.get(kind, set())
    options: dict[str, str] = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        if token.startswith("-") and len(token) > 1:
            j = 1
            while j < len(token):
                letter = token[j]
                if letter in with_value:
                    value = token[j + 1 :] or (argv[i + 1] if i + 1 < len(argv) else "")
                    if not token[j + 1 :]:
                        i += 1
                    options[f"-{letter}"] = value
                    break
                options[f"-{letter}"] = ""
                j += 1
        elif _DISK.match(token) and "-d" in options:
            options["-d"] = f"{options['-d']} {token}".strip()
        i += 1
    return options


def _chain(procs: Mapping[int, Proc], pid: int) -> list[Proc]:
    chain: list[Proc] = []
    seen = {pid}
    parent = procs[pid].ppid
    while parent in procs and parent not in seen and len(chain) < MAX_CHAIN:
        seen.add(parent)
        chain.append(procs[parent])
        parent = procs[parent].ppid
    return chain


def _short(args: str, limit: int = 60) -> str:
    return args if len(args) <= limit else args[: limit - 1] + "…"


def _span(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


# -- NIM's view ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NimState:
    cstate: str
    info: str = ""
    result: str = ""

    @property
    def busy(self) -> bool:
        """NIM says an alt_disk_install operation is under way for the client."""
        return any(word in self.cstate for word in BUSY_STATES)

    def describe(self) -> str:
        text = f"Cstate: {self.cstate}"
        if self.info:
            text += f"; info: {self.info}"
        if self.result:
            text += f"; result: {self.result}"
        return text


def parse_lsnim(text: str) -> dict[str, NimState]:
    """`lsnim -l` stanzas (`name:` then indented `attr = value` lines) as each object's NIM state."""
    states: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        if line and not line[0].isspace() and line.rstrip().endswith(":"):
            current = states.setdefault(line.rstrip()[:-1], {})
        elif current is not None and "=" in line:
            key, _, value = line.partition("=")
            current[key.strip()] = value.strip()
    return {
        name: NimState(attrs.get("Cstate", ""), attrs.get("info", ""), attrs.get("Cstate_result", ""))
        for name, attrs in states.items()
        if "Cstate" in attrs
    }


__all__ = [
    "CLIENT_KINDS",
    "LSNIM_COMMAND",
    "MASTER_KINDS",
    "PS_COMMAND",
    "Found",
    "NimState",
    "Proc",
    "find_migrations",
    "parse_elapsed",
    "parse_lsnim",
    "parse_ps",
]
