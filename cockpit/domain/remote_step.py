"""Shell scripts that run a long step detached on a remote host and follow it by byte offset.

Why: a nimadm run lasts an hour. An SSH drop, a sleeping laptop or a killed cockpit must neither
kill it nor lose a byte of its output. So the step runs under nohup with its output in a file in a
per-step directory, its exit status is written to a file when it ends, and the cockpit follows the
output file from the byte offset it already holds. POSIX sh only (AIX ksh88 and ksh93, mksh, dash,
bash): no setsid, no GNU options, whole-second sleep; `tail -f -c +N` and `head -c N` are on the AIX
7.1-7.3 tail and head pages. Nothing depends on a shell's `wait` status after a trapped signal (ksh93
returns 1, others 128+N) or on how it reports a signalled child (ksh93 256+N, others 128+N).

Following: one long-lived reader per step (`stream_script`): `tail -c +N -f out` in the background
of a shell that sleeps in the `wait` builtin, registered as `follow.<pid>`. When the step ends its
wrapper writes `rc` and sends SIGWINCH to every registered follower, whose trap stops the tail; the
shell then reports `rc` and the final size. So a followed step costs its master no process start
per look (the former loop forked wc, tail, head and sleep on every poll: 200 clients at a 0.1 s poll
were 4-8 cores of forks). The tail may be stopped before it has printed the last bytes: the
receiver, which knows its byte count, then fetches the rest with `follow_script` (one pass, since
`rc` exists). `follow_script` is also the fallback for steps launched without the signalling wrapper.
The follower decides that its tail has ended by asking the tail (`kill -0`), never by `wait`'s status.
SIGWINCH because its default action is to be ignored: a stale `follow.<pid>` whose number was reused
by an unrelated process cannot hurt it.

Layout of a step directory:
    cmd      the command line, as run (`/bin/sh ./cmd`)
    run      the wrapper: runs cmd, writes rc, wakes the followers (absent in older step directories)
    started  created atomically by the first launch (mkdir), so a step never starts twice
    pid      process id of the step's wrapper shell
    out      stdout and stderr, merged, exactly as printed
    rc       exit status, written (via rename) only after `out` is closed
    timing   when the step started and ended and how big `out` was every few seconds, on the host's
             clock (`start SECONDS`, `mark BYTES SECONDS`, `end SECONDS`): what dates a backlog of
             output a cockpit reads late, after a crash (domain/host_times.py)
    follow.N one file per live follower, N its shell's pid; holds the pid of its tail
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cockpit.domain.host_times import EPOCH
from cockpit.domain.names import UnsafeValue, quote

# Exit statuses the scripts use for their own problems (never a step's own status: those come via rc).
NO_STREAM = 95
"""`stream_script` cannot stream this step (no signalling wrapper, or the tail failed): poll it instead."""
NO_STEP_DIR = 96
CANNOT_LAUNCH = 97
FOLLOW_DONE = "cockpit-follow: done"
"""stderr marker of a follower that saw the step end: `cockpit-follow: done rc=N size=BYTES`."""
FOLLOW_NO_STREAM = "cockpit-follow: no stream"
DEFAULT_SHELL = "/bin/sh"
"""What runs a step and its wrapper: AIX's /bin/sh is its POSIX shell (ksh)."""
# ksh93 reports a command killed by signal N as 256+N, every other shell as 128+N; `exit` keeps only the
# low 8 bits (271 would read as 15, a plain failure). Folded to 128+N wherever a status is read.
_FOLD_SIGNALLED = '[ "$st" -gt 255 ] && st=$((st - 128))'
# The step's wrapper, after the line that runs the step. After rc it wakes the followers (kill is a
# shell builtin: no process start). A follower that was killed outright (SIGKILL: no EXIT trap) left
# its file and, running, the tail it had started, which would follow `out` for ever: that tail (its pid
# is in the file) is stopped, once ps confirms the pid is still a tail of this `out`.
_STALE_TAIL = "'$1 == t && $2 ~ /tail$/ && $NF == \"out\" { found = 1 } END { exit !found }'"
_WRAPPER_END = (
    "st=$?",
    _FOLD_SIGNALLED,
    "echo $st > rc.tmp",
    "mv rc.tmp rc",
    "for f in follow.*; do",
    '  [ -f "$f" ] || continue',
    "  p=${f#follow.}",
    '  if kill -0 "$p" 2>/dev/null; then kill -WINCH "$p"; continue; fi',
    '  t=; read -r t < "$f"',
    f'  [ -n "$t" ] && ps -e -o pid,args | awk -v t="$t" {_STALE_TAIL} && kill "$t" 2>/dev/null',
    '  rm -f "$f"',
    "done",
    "exit 0",
)
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9_./\-]+$")
_END_OF_WRAPPER = "COCKPIT_END_OF_WRAPPER"
MAX_WAKE_UPS = 100
"""Interrupted `wait`s a streaming follower sits through before it hands over to polling: stray
signals are rare, so this many means something keeps signalling it (or its tail's pid was reused)."""


MARK_EVERY = 15
"""Seconds between two samples of the output's size in `timing` (whole seconds: AIX's sleep). A
resumed cockpit dates what it missed to within one of them; each sample costs the host a few
short processes (wc, date, sleep)."""


@dataclass(frozen=True)
class RemoteStep:
    directory: str
    shell: str = DEFAULT_SHELL
    """The shell that runs the step's command and its wrapper (an absolute path). Hosts keep the
    default; the tests run the wrapper under each shell the cockpit must work with."""
    mark_every: int = MARK_EVERY
    """Seconds between the wrapper's samples of the output's size (see `timing`)."""

    def __post_init__(self) -> None:
        if isinstance(self.mark_every, bool) or not isinstance(self.mark_every, int) or self.mark_every < 1:
            raise UnsafeValue(f"mark_every must be a whole number of seconds (1 or more), not {self.mark_every!r}")
        if not _SAFE_PATH.fullmatch(self.directory) or "/../" in self.directory + "/":
            raise UnsafeValue(f"remote step directory {self.directory!r} is not a plain absolute path")
        if not _SAFE_PATH.fullmatch(self.shell) or "/../" in self.shell:
            raise UnsafeValue(f"step shell {self.shell!r} is not a plain absolute path")

    @classmethod
    def under(cls, base: str, run_id: str, key: str, *, mark_every: int = MARK_EVERY) -> RemoteStep:
        return cls(f"{base.rstrip('/')}/{run_id}/{key}", mark_every=mark_every)

    def launch_script(self, command: str) -> str:
        """Start `command` detached unless this step directory was already started.

        Prints `cockpit-step: started pid=N` or `cockpit-step: already started pid=N`.
        """
        d = quote(self.directory)
        return "\n".join(
            [
                "umask 022",
                f"mkdir -p {d} || exit {CANNOT_LAUNCH}",
                f"cd {d} || exit {CANNOT_LAUNCH}",
                'if ! mkdir started 2>/dev/null; then echo "cockpit-step: already started pid=$(cat pid 2>/dev/null)"; exit 0; fi',
                f"printf '%s\\n' {quote(command)} > cmd || exit {CANNOT_LAUNCH}",
                # The wrapper's text as is (a quoted here-document expands nothing).
                f"cat > run <<'{_END_OF_WRAPPER}' || exit {CANNOT_LAUNCH}",
                *self._wrapper(),
                _END_OF_WRAPPER,
                ": > out",
                f"nohup {self.shell} ./run </dev/null >/dev/null 2>&1 &",
                "echo $! > pid",
                'echo "cockpit-step: started pid=$!"',
            ]
        )

    def _wrapper(self) -> tuple[str, ...]:
        # The host's record of when the output grew (`timing`): a sampler beside the step writes the
        # size of `out` every `mark_every` seconds until the step ends or the wrapper is gone. Its
        # sleep runs in the background so that the wrapper's TERM at the end stops both at once.
        size = "$(($(wc -c < out) + 0))"
        return (
            EPOCH,
            'echo "start $(cockpit_now)" > timing',
            "w=$$",
            "(",
            "  z=",
            '  trap \'[ -n "$z" ] && kill "$z" 2>/dev/null; exit 0\' TERM',
            '  while kill -0 "$w" 2>/dev/null && [ ! -f rc ]; do',
            f'    echo "mark {size} $(cockpit_now)" >> timing',
            f"    sleep {self.mark_every} & z=$!",
            '    wait "$z"',
            "  done",
            ") </dev/null >/dev/null 2>&1 &",
            "s=$!",
            f"{self.shell} ./cmd > out 2>&1",
            _WRAPPER_END[0],  # st=$?: the step's status, before anything else runs
            f'echo "mark {size} $(cockpit_now)" >> timing',
            'echo "end $(cockpit_now)" >> timing',
            'kill "$s" 2>/dev/null',
            *_WRAPPER_END[1:],
        )

    def stream_script(self, offset: int) -> str:
        """Stream `out` from byte `offset` with one `tail -f` until the step ends; exit with its status.

        stdout carries only the step's bytes (a prefix of the rest of `out`: the tail may be stopped
        before the end). stderr ends with `cockpit-follow: done rc=N size=BYTES` when the step ended,
        or `cockpit-follow: no stream` (exit NO_STREAM) when this step must be polled instead.
        """
        if offset < 0:
            raise UnsafeValue("offset must not be negative")
        d = quote(self.directory)
        no_stream = f"{{ echo '{FOLLOW_NO_STREAM}' >&2; exit {NO_STREAM}; }}"
        # A tail started past the end of the file follows from the end: the bytes between would be lost.
        # The cockpit never holds more than was written, but a reader may start before the step wrote.
        reach = (
            [f"while [ ! -f rc ] && [ $(($(wc -c < out) + 0)) -lt {int(offset)} ]; do sleep 1; done"] if offset else []
        )
        return "\n".join(
            [
                f"cd {d} 2>/dev/null || {{ echo 'cockpit-follow: no step directory' >&2; exit {NO_STEP_DIR}; }}",
                f"[ -f run ] || {no_stream}",  # launched by a wrapper that never signals: poll it
                "tp=",
                # Whatever ends this shell also ends its tail (a TERM from the client, an error).
                "trap '[ -n \"$tp\" ] && kill $tp 2>/dev/null; rm -f follow.$$' EXIT",
                ": > follow.$$",
                *reach,
                "if [ ! -f rc ]; then",  # an ended step: nothing to stream, the receiver fetches the rest
                f"  tail -f -c +{int(offset) + 1} out & tp=$!",
                "  echo $tp > follow.$$",  # for the wrapper, should this shell be killed outright
                # Signal traps only after the fork: a child forked while TERM is caught can lose a
                # TERM sent before it execs the tail, and that tail would never end.
                "  trap 'exit 143' HUP INT TERM",
                # The wrapper's wake-up (rc exists by then) stops the tail. A wake-up sent before this
                # trap was set is made up for by the rc check after it.
                "  trap '[ -f rc ] && kill $tp 2>/dev/null' WINCH",
                "  [ -f rc ] && kill $tp 2>/dev/null",
                # `wait` also ends when a trapped signal arrives, with a status that differs between
                # shells (ksh93: 1; dash, mksh: 128+N), so it is not asked. Until rc exists, a tail
                # that is still alive means a stray signal interrupted the wait: wait again.
                "  n=0",
                f"  while [ ! -f rc ] && [ $n -lt {MAX_WAKE_UPS} ] && kill -0 $tp 2>/dev/null; do",
                "    wait $tp; n=$((n + 1))",
                "  done",
                "  kill -0 $tp 2>/dev/null || tp=",  # ended and reaped: its pid may be another's now
                "fi",
                f"[ -f rc ] || {no_stream}",  # the tail died by itself: a broken channel or a tail without -f
                "read -r st < rc; size=$(wc -c < out)",
                _FOLD_SIGNALLED,  # an rc written by an older wrapper under ksh93
                f'echo "{FOLLOW_DONE} rc=$st size=$((size + 0))" >&2',
                'exit "$st"',
            ]
        )

    def follow_script(self, offset: int, *, poll: int = 1, idle_poll: int = 2) -> str:
        """Print `out` from byte `offset` on, exactly once, and exit with the step's status when done.

        stdout carries only the step's bytes, so the receiver's byte count is the next offset.
        `rc` is checked before the size is read: once rc exists, `out` is complete. `poll` and
        `idle_poll` are whole seconds (AIX's sleep takes nothing else: a `sleep 0.5` fails at once,
        and the loop would spin).
        """
        if offset < 0:
            raise UnsafeValue("offset must not be negative")
        for name, seconds in (("poll", poll), ("idle_poll", idle_poll)):
            if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 1:
                raise UnsafeValue(f"{name} must be a whole number of seconds (1 or more), not {seconds!r}")
        d = quote(self.directory)
        return "\n".join(
            [
                f"cd {d} 2>/dev/null || {{ echo 'cockpit-follow: no step directory' >&2; exit {NO_STEP_DIR}; }}",
                f"off={int(offset)}; idle=0",
                "while :; do",
                "  fin=0; [ -f rc ] && fin=1",
                "  size=0; [ -f out ] && size=$(wc -c < out)",
                "  size=$((size + 0))",
                '  if [ "$size" -gt "$off" ]; then',
                "    tail -c +$((off + 1)) out | head -c $((size - off))",
                "    off=$size; idle=0",
                "  elif [ $fin = 1 ]; then",
                "    read -r st < rc",
                f"    {_FOLD_SIGNALLED}",
                '    echo "cockpit-follow: done rc=$st size=$off" >&2',
                '    exit "$st"',
                "  else",
                "    idle=$((idle + 1))",
                "  fi",
                f"  if [ $fin = 0 ]; then if [ $idle -lt 20 ]; then sleep {poll}; else sleep {idle_poll}; fi; fi",
                "done",
            ]
        )

    def kill_script(self, signal_name: str) -> str:
        """Send a signal to every process the step started (not to its wrapper, which then writes rc).

        The tree is walked from `ps -e -o pid,ppid` (AIX and Linux alike); prints the pids signalled.
        """
        if signal_name not in ("INT", "TERM", "KILL"):
            raise UnsafeValue(f"signal {signal_name!r} is not one of INT, TERM, KILL")
        d = quote(self.directory)
        return "\n".join(
            [
                f"root=$(cat {d}/pid 2>/dev/null) || {{ echo 'cockpit-kill: step not started' >&2; exit 1; }}",
                f"[ -f {d}/rc ] && {{ echo 'cockpit-kill: step already ended' >&2; exit 1; }}",
                'pids=$(ps -e -o pid,ppid | awk -v r="$root" \'NR > 1 { parent[$1] = $2 }'
                " END { seen[r] = 1; grew = 1; while (grew) { grew = 0;"
                " for (c in parent) if (!(c in seen) && (parent[c] in seen)) { seen[c] = 1; grew = 1 } }"
                ' for (x in seen) if (x != r) printf "%s ", x }\')',
                '[ -n "$pids" ] || { echo "cockpit-kill: no process left under $root" >&2; exit 1; }',
                "# shellcheck disable=SC2086 # $pids: a list of process ids, split into arguments on purpose",
                f"kill -{signal_name} $pids",
                'echo "cockpit-kill: sent SIG' + signal_name + ' to $pids"',
            ]
        )

    def status_script(self) -> str:
        """One line: `state=<absent|running|finished> rc=<n|-> pid=<n|-> size=<bytes>`."""
        d = quote(self.directory)
        return "\n".join(
            [
                f'if [ ! -d {d}/started ]; then echo "state=absent rc=- pid=- size=0"; exit 0; fi',
                f"cd {d} || exit 1",
                "size=0; [ -f out ] && size=$(wc -c < out); size=$((size + 0))",
                "pid=$(cat pid 2>/dev/null || echo -)",
                'if [ -f rc ]; then echo "state=finished rc=$(cat rc) pid=$pid size=$size";'
                ' else echo "state=running rc=- pid=$pid size=$size"; fi',
            ]
        )


@dataclass(frozen=True)
class StepStatus:
    state: str  # absent | running | finished
    exit_status: int | None
    pid: int | None
    size: int

    @classmethod
    def parse(cls, text: str) -> StepStatus:
        fields = dict(part.split("=", 1) for part in text.split() if "=" in part)
        state = fields.get("state", "absent")

        def number(key: str) -> int | None:
            value = fields.get(key, "-")
            return int(value) if value.lstrip("-").isdigit() and value != "-" else None

        status = number("rc")
        if status is not None and status > 255:  # written under ksh93 by an older wrapper: 256+N
            status -= 128
        return cls(state, status, number("pid"), number("size") or 0)
