"""Following the log of a migration this cockpit did not start, by byte offset, until its process ends.

A migration started by hand or by Ansible has no step directory of ours: no `rc` file, no wrapper to
wake the followers when it ends. What it has is its own log (nimadm's
/var/adm/ras/alt_mig/CLIENT_alt_mig.log on the master, alt_disk_copy's /var/adm/ras/alt_disk_inst.log
on the client) and its process. So:

* one follower per migration (`stream_script`): `tail -c +N -f LOG`, registered as
  `follow.PID.<shell pid>` in the cockpit's own directory on that host (WORK_DIR/attach); when the
  process is gone it stops the tail and reports the log's final size (the `cockpit-follow: done`
  line of remote_step, with rc=-1: there is no exit status to read);
* one watcher per host (`watch_script`), not one per migration: every few seconds it asks, with
  shell builtins only (`kill -0`, `[ -d /proc/PID ]`), whether each followed process still lives,
  and wakes the followers of those that ended with SIGWINCH, as the step wrapper does. It ends when
  every process it watches has ended, so nothing is left running on the host after them, whatever
  happens to the cockpit.

The log is read only through `tail` (-c +N, -f): AIX's, GNU's and BusyBox's take the same options.
The end is judged from the log (nimadm: phase 12 finished and no fatal message), not from an exit
status; the receiver fetches any last bytes with `follow_script` (one pass once the process ended).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cockpit.domain.names import UnsafeValue, quote
from cockpit.domain.remote_step import FOLLOW_DONE, FOLLOW_NO_STREAM, NO_STEP_DIR, NO_STREAM

_SAFE_PATH = re.compile(r"^/[A-Za-z0-9_./\-]+$")
GONE = "cockpit-attach: gone"
"""What the watcher prints for each followed process that ended: `cockpit-attach: gone PID`."""
ADOPTED_END = -1
"""The follower's `rc` for a foreign process: it ended, with no exit status to read."""


def _safe(path: str, what: str) -> str:
    if not _SAFE_PATH.fullmatch(path) or "/../" in path + "/":
        raise UnsafeValue(f"{what} {path!r} is not a plain absolute path")
    return path


def _alive(pid: int) -> str:
    """A shell test, builtins only: the process still exists (kill -0 needs no rights over /proc)."""
    return f'{{ kill -0 {pid} 2>/dev/null || [ -d "/proc/{pid}" ]; }}'


@dataclass(frozen=True)
class ForeignLog:
    """The log of process `pid`, followed from the directory `register` (ours) on the same host."""

    log: str
    pid: int
    register: str

    def __post_init__(self) -> None:
        _safe(self.log, "log")
        _safe(self.register, "directory")
        if self.pid < 2:
            raise UnsafeValue(f"pid {self.pid} cannot be a migration's")

    @property
    def directory(self) -> str:
        """What a view shows as where the step's output is: the log itself."""
        return self.log

    def stream_script(self, offset: int) -> str:
        """Stream the log from byte `offset` until the process ends (same protocol as RemoteStep's)."""
        if offset < 0:
            raise UnsafeValue("offset must not be negative")
        d, log, pid = quote(self.register), quote(self.log), self.pid
        no_stream = f"{{ echo '{FOLLOW_NO_STREAM}' >&2; exit {NO_STREAM}; }}"
        return "\n".join(
            [
                f"mkdir -p {d} 2>/dev/null",
                f"cd {d} 2>/dev/null || {{ echo 'cockpit-follow: no step directory' >&2; exit {NO_STEP_DIR}; }}",
                "tp=",
                f"trap '[ -n \"$tp\" ] && kill $tp 2>/dev/null; rm -f follow.{pid}.$$' EXIT",
                f": > follow.{pid}.$$",
                # A log not written yet (the run just started): wait for it while the process lives.
                f"while {_alive(pid)} && ! tail -c 1 {log} >/dev/null 2>&1; do sleep 1; done",
                f"if {_alive(pid)}; then",
                f"  tail -c +{int(offset) + 1} -f {log} & tp=$!",
                # The tail's pid in the registration: a follower killed outright leaves it, and the
                # watch stops it when the process ends (as the step wrapper does for its followers).
                f'  echo "$tp" > follow.{pid}.$$',
                "  trap 'exit 143' HUP INT TERM",
                # The watcher's wake-up: stop the tail once the process has ended (a stray SIGWINCH
                # does nothing). A wake-up sent before this trap is made up for by the test after it.
                f"  trap '{_alive(pid)} || kill $tp 2>/dev/null' WINCH",
                f"  {_alive(pid)} || kill $tp 2>/dev/null",
                '  while kill -0 "$tp" 2>/dev/null; do wait "$tp"; done',
                "  tp=",
                "fi",
                f"{_alive(pid)} && {no_stream}",  # the tail died on its own: a tail without -f
                f"size=$(tail -c +1 {log} 2>/dev/null | wc -c)",
                f'echo "{FOLLOW_DONE} rc={ADOPTED_END} size=$((size + 0))" >&2',
                "exit 0",
            ]
        )

    def follow_script(self, offset: int, *, poll: float = 1.0, idle_poll: float = 2.0) -> str:
        """Once the process has ended (waiting for it, polling, when it has not): the log from `offset`."""
        if offset < 0:
            raise UnsafeValue("offset must not be negative")
        log = quote(self.log)
        wait = max(1, round(idle_poll))  # AIX sleep: whole seconds
        return "\n".join(
            [
                f"while {_alive(self.pid)}; do sleep {wait}; done",
                f"tail -c +{int(offset) + 1} {log} 2>/dev/null",
                f"size=$(tail -c +1 {log} 2>/dev/null | wc -c)",
                f'echo "{FOLLOW_DONE} rc={ADOPTED_END} size=$((size + 0))" >&2',
                "exit 0",
            ]
        )

    def kill_script(self, signal_name: str) -> str:
        """Signal the migration's process and everything under it (walked from `ps -e -o pid,ppid`)."""
        if signal_name not in ("INT", "TERM", "KILL"):
            raise UnsafeValue(f"signal {signal_name!r} is not one of INT, TERM, KILL")
        pid = self.pid
        return "\n".join(
            [
                f"{_alive(pid)} || {{ echo 'cockpit-kill: process {pid} has already ended' >&2; exit 1; }}",
                f'pids=$(ps -e -o pid,ppid | awk -v r="{pid}" \'NR > 1 {{ parent[$1] = $2 }}'
                " END { seen[r] = 1; grew = 1; while (grew) { grew = 0;"
                " for (c in parent) if (!(c in seen) && (parent[c] in seen)) { seen[c] = 1; grew = 1 } }"
                ' for (x in seen) printf "%s ", x }\')',
                "# shellcheck disable=SC2086 # $pids: a list of process ids, split into arguments on purpose",
                f"kill -{signal_name} $pids",
                'echo "cockpit-kill: sent SIG' + signal_name + ' to $pids"',
            ]
        )


def watch_script(register: str, pids: list[int], interval: int) -> str:
    """Watch `pids` on one host, waking their followers as each ends; ends when all have ended.

    Prints `cockpit-attach: gone PID` per process that ended. Its only process starts are one
    `sleep` per interval, for all the host's migrations together.
    """
    _safe(register, "directory")
    if not pids or any(p < 2 for p in pids):
        raise UnsafeValue(f"pids {pids!r}: give the processes to watch")
    d = quote(register)
    every = max(1, int(interval))
    return "\n".join(
        [
            f"mkdir -p {d} 2>/dev/null",
            f"cd {d} || exit {NO_STEP_DIR}",
            # The cockpit may go away: its closed channel must not stop the wake-ups (EPIPE, not death).
            "trap '' PIPE",
            "trap 'exit 143' HUP INT TERM",
            f"pids='{' '.join(str(int(p)) for p in pids)}'",
            'while [ -n "$pids" ]; do',
            "  left=",
            "  for p in $pids; do",
            '    if kill -0 "$p" 2>/dev/null || [ -d "/proc/$p" ]; then left="$left $p"; continue; fi',
            '    for f in follow."$p".*; do',
            '      [ -f "$f" ] || continue',
            '      kill -WINCH "${f##*.}" 2>/dev/null && continue',
            # Its follower was killed outright: its tail (if that pid is still a tail) goes now.
            '      t=; read -r t < "$f"',
            '      if [ -n "$t" ] && ps -e -o pid,args |',
            "        awk -v t=\"$t\" '$1 == t && $2 ~ /tail$/ { f = 1 } END { exit !f }'; then",
            '        kill "$t" 2>/dev/null',
            "      fi",
            '      rm -f "$f"',
            "    done",
            f'    echo "{GONE} $p"',
            "  done",
            '  pids="$left"',
            f'  [ -n "$pids" ] && sleep {every}',
            "done",
            "exit 0",
        ]
    )
