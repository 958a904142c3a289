"""Shell scripts that give one cockpit a target at a time: a lock directory on the host a step runs on.

Why: two cockpits on one plan (two terminals, two operators, two machines, two state directories)
would each launch `nimadm -c lpar01` onto the same disk. Nothing local can stop that, so the lock
lives where the step runs: `WORK_DIR/locks/NAME` on the NIM master (one per client) for nimadm, on
the target itself for alt_disk steps, on each node for a cluster runbook. `mkdir` is atomic on
every filesystem AIX mounts (JFS2, NFS included), unlike a lock file's O_EXCL over old NFS, so the
directory is the lock and the `owner` file inside it says who holds it: operator (OS user),
machine, run id, cockpit pid, since when, and a random token that only its taker knows.

A lock is not enough on its own: an operator or Ansible may have started `nimadm -c lpar01` by
hand. So the take script also reads the process table (`ps -e -o pid,args`, which AIX fills from
the process's memory: the full command line) for the runbook's `conflicts` (e.g. `nimadm -c
{nim_name}`) and gives the lock back at once when one is running.

Every script prints one status line starting with `cockpit-lock:` and exits 0 when it could do
its job; POSIX sh only (AIX ksh88/ksh93, dash, bash), whole-second sleep, no GNU options. Values
are shape-checked and quoted: nothing reaches the shell unquoted.
"""

from __future__ import annotations

import re
import shlex
import time
from dataclasses import dataclass

from cockpit.domain.names import UnsafeValue, quote

MARK = "cockpit-lock:"
SECTION = "cockpit-lock-of:"
"""Names the lock the following answer is about, in a `batch` script's output."""
TAKEN, HELD, BUSY, RELEASED, NOT_OURS, CHANGED, FAILED = (
    "taken",
    "held",
    "busy",
    "released",
    "not-ours",
    "changed",
    "error",
)
NO_TOKEN = "-"
"""What `break_script` expects when the lock had no owner file (its taker died before writing it)."""
BUSY_LINES = 5
"""Process-table lines a busy answer carries (enough to name who runs it; the rest is noise)."""

_SAFE_PATH = re.compile(r"^/[A-Za-z0-9_./\-]+$")
_LOCK_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$")
_WORD = re.compile(r"^[A-Za-z0-9_.,:=+%@/\-]{1,128}$")
_TOKEN = re.compile(r"^[0-9a-f]{8,64}$")
_FIELD = re.compile(r"[^A-Za-z0-9_.,:@+\-]")
_FIELDS = ("operator", "machine", "run", "pid", "since", "lock")


@dataclass(frozen=True)
class Holder:
    """Who holds (or wants) a lock: what the `owner` file says."""

    operator: str
    machine: str
    run_id: str
    pid: int
    since: int
    """Seconds since the epoch (whole: the file is written by the shell, read by people)."""
    token: str
    """Random, known only to the cockpit that took the lock: release and break check it."""

    def owner_lines(self) -> list[str]:
        values = (self.operator, self.machine, self.run_id, str(self.pid), str(self.since), self.token)
        return [f"{key}={_plain(value)}" for key, value in zip(_FIELDS, values, strict=True)]

    def describe(self, *, now: float | None = None) -> str:
        """`alice@laptop1 (run 20261122-023105-120, cockpit pid 4242) since 02:31:05`."""
        return (
            f"{self.operator}@{self.machine} (run {self.run_id}, cockpit pid {self.pid}) since {_when(self.since, now)}"
        )


@dataclass(frozen=True)
class LockAnswer:
    """What a lock script said: its status and, for `held`/`changed`, the holder; for `busy` the processes."""

    status: str
    holder: Holder | None = None
    processes: tuple[str, ...] = ()
    detail: str = ""
    """For `error`: what went wrong, in the script's words."""


@dataclass(frozen=True)
class HostLock:
    """The lock of one target (`name`) on one host, under that host's work directory."""

    work_dir: str
    name: str

    def __post_init__(self) -> None:
        if not _SAFE_PATH.fullmatch(self.work_dir) or "/../" in self.work_dir + "/":
            raise UnsafeValue(f"work directory {self.work_dir!r} is not a plain absolute path")
        if not _LOCK_NAME.fullmatch(self.name):
            raise UnsafeValue(f"lock name {self.name!r} is not a host or NIM object name")

    @property
    def directory(self) -> str:
        return f"{self.work_dir.rstrip('/')}/locks/{self.name}"

    def take_script(self, holder: Holder, conflicts: tuple[tuple[str, ...], ...] = ()) -> str:
        """Take the lock for `holder` unless another holds it or a conflicting program runs.

        Prints `cockpit-lock: taken`; `cockpit-lock: held` and the owner file; `cockpit-lock: busy`
        and the processes (the lock is then given back); or `cockpit-lock: error WHY`.
        """
        return "\n".join([*self._prelude(), *self._take_lines(holder, conflicts)])

    def release_script(self, token: str) -> str:
        """Remove the lock if `token` still holds it (a broken and re-taken lock is not ours to remove)."""
        _check_token(token)
        return "\n".join(
            [
                *self._prelude(),
                f'if [ -f "$lock/owner" ] && grep {quote("^lock=" + token + "$")} "$lock/owner" >/dev/null 2>&1; then',
                '  rm -f "$lock/owner" && rmdir "$lock" 2>/dev/null',
                f'  echo "{MARK} {RELEASED}"',
                "else",
                f'  echo "{MARK} {NOT_OURS}"; cat "$lock/owner" 2>/dev/null',
                "fi",
            ]
        )

    def break_script(self, expected: str, holder: Holder, conflicts: tuple[tuple[str, ...], ...] = ()) -> str:
        """Break the lock the operator confirmed (its token `expected`, NO_TOKEN if it had no owner
        file), then take it for `holder`. Another holder meanwhile: `cockpit-lock: changed` and it.

        The old lock is renamed aside first (one rename wins) and checked there, so two cockpits
        breaking one lock at the same second cannot remove each other's new lock.
        """
        if expected != NO_TOKEN:
            _check_token(expected)
        aside = '"$lock.broken.$$"'
        return "\n".join(
            [
                *self._prelude(),
                'if [ -d "$lock" ]; then',
                f'  mv "$lock" {aside} 2>/dev/null ||',
                f'    {{ echo "{MARK} {CHANGED}"; cat "$lock/owner" 2>/dev/null; exit 0; }}',
                f"  was=$(sed -n 's/^lock=//p' {aside}/owner 2>/dev/null); [ -n \"$was\" ] || was={NO_TOKEN}",
                f'  if [ "$was" != {quote(expected)} ]; then',
                f'    mv {aside} "$lock" 2>/dev/null',
                f'    echo "{MARK} {CHANGED}"; cat "$lock/owner" 2>/dev/null; exit 0',
                "  fi",
                f"  rm -f {aside}/owner {aside}/owner.tmp; rmdir {aside} 2>/dev/null",
                "fi",
                *self._take_lines(holder, conflicts),
            ]
        )

    def read_script(self) -> str:
        """Print `cockpit-lock: held` and the owner file, or `cockpit-lock: released` when free."""
        return "\n".join(
            [
                *self._prelude(),
                f'if [ -d "$lock" ]; then echo "{MARK} {HELD}"; cat "$lock/owner" 2>/dev/null;'
                f' else echo "{MARK} {RELEASED}"; fi',
            ]
        )

    def _prelude(self) -> list[str]:
        return [f"lock={quote(self.directory)}"]

    def _take_lines(self, holder: Holder, conflicts: tuple[tuple[str, ...], ...]) -> list[str]:
        _check_token(holder.token)
        owner = " ".join(quote(line) for line in holder.owner_lines())
        # Readable by other users (umask 022): another operator's cockpit must be able to say who holds it.
        lines = [
            "umask 022",
            f'mkdir -p "${{lock%/*}}" 2>/dev/null || {{ echo "{MARK} {FAILED} cannot create ${{lock%/*}}"; exit 0; }}',
            'if mkdir "$lock" 2>/dev/null; then',
            f'  if ! {{ printf \'%s\\n\' {owner} > "$lock/owner.tmp" && mv "$lock/owner.tmp" "$lock/owner"; }}; then',
            f'    rm -rf "$lock"; echo "{MARK} {FAILED} cannot write $lock/owner"; exit 0',
            "  fi",
        ]
        if conflicts:
            lines += [
                f"  busy=$({conflict_scan(conflicts)})",
                '  if [ -n "$busy" ]; then',
                '    rm -f "$lock/owner"; rmdir "$lock" 2>/dev/null',
                f'    echo "{MARK} {BUSY}"; printf \'%s\\n\' "$busy"; exit 0',
                "  fi",
            ]
        lines += [
            f'  echo "{MARK} {TAKEN}"; exit 0',
            "fi",
            # Its taker writes the owner file right after the mkdir: give it a second before reading.
            '[ -f "$lock/owner" ] || sleep 1',
            f'echo "{MARK} {HELD}"; cat "$lock/owner" 2>/dev/null',
            "exit 0",
        ]
        return lines


def conflict_scan(conflicts: tuple[tuple[str, ...], ...]) -> str:
    """A pipeline printing the process-table lines (`PID ARGS`) that run one of `conflicts`.

    A conflict is a program and the arguments that tie it to the target, e.g. (nimadm, -c, lpar01):
    a process matches when one of its words is the program (or ends in `/program`, as
    `/usr/sbin/nimadm` run by ksh) and the arguments follow it as consecutive words (an option and
    its value may also be written as one word, `-clpar01`). The words reach awk through `-v`, never
    in its program text, so neither this shell nor the awk itself can match; this shell's own pid is
    skipped as well. COLUMNS keeps a ps that sizes its output from it from cutting the line short.
    """
    words = []
    for conflict in conflicts:
        if not conflict:
            raise UnsafeValue("a conflict names no program")
        for word in conflict:
            if not _WORD.fullmatch(word) or "|" in word:
                raise UnsafeValue(f"conflict word {word!r} is not a plain word")
        words.append(" ".join(conflict))
    program = (
        'BEGIN { nc = split(conf, cs, "|"); for (i = 1; i <= nc; i++) { nw[i] = split(cs[i], w, " ");'
        " for (j = 1; j <= nw[i]; j++) word[i, j] = w[j] } }"
        ' function follows(i, g,   j) { if (nw[i] == 3 && substr(word[i, 2], 1, 1) == "-"'
        " && $g == word[i, 2] word[i, 3]) return 1;"
        " for (j = 2; j <= nw[i]; j++) if ($(g + j - 2) != word[i, j]) return 0; return 1 }"
        " NR > 1 && $1 != self { hit = 0;"
        ' for (i = 1; i <= nc && !hit; i++) for (f = 2; f <= NF && !hit; f++) { p = $f; sub(/.*\\//, "", p);'
        " if (p != word[i, 1]) continue; if (nw[i] == 1) { hit = f; break }"
        " for (g = f + 1; g <= NF && !hit; g++) if (follows(i, g)) hit = f }"
        # The pid and the command from the program on (not the interpreter that runs a ksh script).
        f' if (hit && shown < {BUSY_LINES}) {{ line = $1; for (k = hit; k <= NF; k++) line = line " " $k;'
        " print line; shown++ } }"
    )
    return f"COLUMNS=4096 ps -e -o pid,args | awk -v self=$$ -v conf={quote('|'.join(words))} {quote(program)}"


def batch(scripts: list[tuple[str, str]]) -> str:
    """Several lock scripts in one remote shell (one SSH session per host, not one per target):
    each runs in a subshell (its `exit` ends only that one) after a line naming it."""
    parts = []
    for name, script in scripts:
        if not _LOCK_NAME.fullmatch(name):
            raise UnsafeValue(f"lock name {name!r} is not a host or NIM object name")
        parts += [f"echo {quote(SECTION + ' ' + name)}", "(", script, ")"]
    return "\n".join(parts)


def parse_batch(text: str) -> dict[str, LockAnswer]:
    """Each section's answer of a `batch` script's output, by name (a section with no answer: error)."""
    answers: dict[str, LockAnswer] = {}
    name: str | None = None
    lines: list[str] = []
    for line in [*text.splitlines(), SECTION]:
        if line.startswith(SECTION):
            if name is not None:
                answers[name] = parse_answer("\n".join(lines))
            name, lines = line[len(SECTION) :].strip() or None, []
        else:
            lines.append(line)
    return answers


def parse_answer(text: str) -> LockAnswer:
    """Read what a lock script printed (see the scripts' docstrings)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(MARK)), None)
    if start is None:
        shown = " ".join(text.split())[:200]
        return LockAnswer(FAILED, detail=f"no answer from the lock script: {shown or 'nothing printed'}")
    status, _, detail = lines[start][len(MARK) :].strip().partition(" ")
    rest = lines[start + 1 :]
    if status in (HELD, CHANGED, NOT_OURS):
        return LockAnswer(status, holder=parse_owner("\n".join(rest)))
    if status == BUSY:
        return LockAnswer(status, processes=tuple(" ".join(line.split()) for line in rest if line.strip()))
    return LockAnswer(status, detail=detail)


def parse_owner(text: str) -> Holder | None:
    """The holder an owner file names; None when there is no (complete) owner file."""
    fields = dict(line.partition("=")[::2] for line in text.splitlines() if "=" in line)
    if not fields.get("lock"):
        return None
    pid, since = fields.get("pid", ""), fields.get("since", "")
    return Holder(
        operator=fields.get("operator", "?"),
        machine=fields.get("machine", "?"),
        run_id=fields.get("run", "?"),
        pid=int(pid) if pid.isdigit() else 0,
        since=int(since) if since.isdigit() else 0,
        token=fields["lock"],
    )


def conflicts_of(rendered: str) -> tuple[str, ...]:
    """The words of one rendered conflict template (`nimadm -c 'lpar01'` -> nimadm, -c, lpar01)."""
    return tuple(shlex.split(rendered))


def _plain(value: str) -> str:
    """A value for a `key=value` line: one line, no shell or awk syntax (names, numbers, tokens)."""
    return _FIELD.sub("_", value)[:128] or "?"


def _check_token(token: str) -> None:
    if not _TOKEN.fullmatch(token):
        raise UnsafeValue(f"lock token {token!r} is not a hex token")


def _when(epoch: int, now: float | None) -> str:
    if epoch <= 0:
        return "an unknown time"
    stamp = time.localtime(epoch)
    today = time.localtime(now if now is not None else time.time())
    if stamp[:3] == today[:3]:
        return time.strftime("%H:%M:%S", stamp)
    return time.strftime("%Y-%m-%d %H:%M:%S", stamp)


__all__ = [
    "Holder",
    "HostLock",
    "LockAnswer",
    "batch",
    "conflict_scan",
    "conflicts_of",
    "parse_answer",
    "parse_batch",
    "parse_owner",
]
