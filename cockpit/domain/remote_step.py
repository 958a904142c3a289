"""Shell scripts that run a step on a remote host, stream its output, and find it again after a drop.

Two ways to run a step, chosen by the runbook (engine/binding.py):

* Kept (`run_script`), for anything that may outlive a connection (nimadm: an hour). An SSH drop, a
  sleeping laptop or a killed cockpit must neither kill it nor lose a byte of its output. The session
  shell of ONE channel creates the step directory (never twice), writes the step's files and becomes
  (exec) the step's wrapper `run`, which runs `cmd` in its foreground with its output in `out`,
  streams `out` back with a `tail -f` in its background, writes `rc` when the command ends and wakes
  any other reader. The channel may close at any time: the command does not write to it, and
  hang-ups are ignored (as under nohup). A reader that lost the stream follows `out` again from the
  byte offset it holds (`stream_script`, else `follow_script`).
* Attached (`attached_script`), for quick checks (a 12-step verify runbook across 500 hosts): the
  command's output goes straight to the channel, nothing else is started. The step directory still
  says that the step started (never twice) and holds its `rc`, so a cockpit that restarts finds the
  outcome; what the step printed while no cockpit was connected is not kept, and a step still writing
  when its channel closed ends by SIGPIPE (status 141): the runbook marks such steps `attach: false`.

Why the command runs in the session shell's FOREGROUND, not under `nohup ... &`: a POSIX shell starts
an asynchronous list with SIGINT and SIGQUIT ignored (no job control in a script), and a signal
ignored on entry cannot be trapped or reset by the shells below it, so Ctrl-C (the troubleshoot
screen's interrupt) never reached nimadm. `set -m` would avoid it in ksh93, mksh and bash, but dash
and busybox turn job control off without a terminal. A foreground command of a non-interactive shell
gets SIGINT as it is (the default under sshd). The shell that runs the command (`sh ./cmd`, or an
attached step's subshell) traps INT and TERM only to end with the command's own status once the
command (and its clean-up) is done.

POSIX sh only (AIX ksh88 and ksh93, mksh, dash, bash): no setsid, no GNU options, whole-second sleep;
`tail -f -c +N` and `head -c N` are on the AIX 7.1-7.3 tail and head pages. Nothing depends on a
shell's `wait` status after a trapped signal (ksh93 returns 1, others 128+N) or on how it reports a
signalled child (ksh93 256+N, others 128+N: folded to 128+N wherever a status is written or read).

Following (a reader other than the step's own channel): one long-lived `tail -c +N -f out` in the
background of a shell that sleeps in the `wait` builtin, registered as `follow.<pid>`. When the step
ends, its session shell writes `rc` and sends SIGWINCH to every registered follower, whose trap stops
the tail; the follower then reports `rc` and the final size. A tail stopped before printing the last
bytes is made up for by the receiver, which knows its byte count, with `follow_script` (one pass,
since `rc` exists). `follow_script` is also the fallback for a step directory without the wake-up.
SIGWINCH because its default action is to be ignored: a stale `follow.<pid>` whose number was reused
by an unrelated process cannot hurt it.

Layout of a step directory:
    started  created exclusively by the first start (a directory: mkdir; or, attached, a file made
             with noclobber), so a step never starts twice
    cmd      the command, after a line that traps INT and TERM (see above): run by a kept step's
             wrapper as `$SHELL ./cmd` (an attached step's holds the command alone: a record)
    pid      process id of the shell that runs the step (the root of what `kill_script` signals)
    run      a kept step's wrapper (first line RUN_NOTE; in step directories of older cockpits a
             wrapper started under `nohup ... &`, which ignores SIGINT)
    helper   pids of the shell's own helpers: its streaming tail and its timing sampler (kept steps;
             never signalled by `kill_script`)
    out      stdout and stderr, merged, exactly as printed (kept steps only)
    rc       exit status, written only after `out` is complete; readers test `-s` (non-empty)
    timing   when the step started and ended and how big `out` was every few seconds, on the host's
             clock (`start SECONDS`, `mark BYTES SECONDS`, `end SECONDS`): what dates a backlog of
             output a cockpit reads late, after a crash (domain/host_times.py; kept steps only)
    follow.N one file per live follower, N its shell's pid; holds the pid of its tail
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cockpit.domain.host_times import EPOCH
from cockpit.domain.names import UnsafeValue, quote

# Exit statuses the scripts use for their own problems (never a step's own status: those come via rc).
NO_STREAM = 95
"""`stream_script` cannot stream this step (no wake-up at its end, or the tail failed): poll it instead."""
NO_STEP_DIR = 96
CANNOT_LAUNCH = 97
STARTED = "cockpit-step: started"
"""stderr of `run_script` once the step runs: `cockpit-step: started pid=N`."""
ALREADY_STARTED = "cockpit-step: already started"
"""stderr of a start script when the step directory was started before: `... pid=N`; nothing ran."""
ATTACHED_DONE = "cockpit-step: done"
"""stderr of `attached_script` when the step ended: `cockpit-step: done rc=N`."""
FOLLOW_DONE = "cockpit-follow: done"
"""stderr marker of a reader that saw the step end: `cockpit-follow: done rc=N size=BYTES`."""
FOLLOW_NO_STREAM = "cockpit-follow: no stream"
# ksh93 reports a command killed by signal N as 256+N, every other shell as 128+N; `exit` keeps only the
# low 8 bits (271 would read as 15, a plain failure). Folded to 128+N wherever a status is read.
_FOLD_SIGNALLED = '[ "$st" -gt 255 ] && st=$((st - 128))'
# What runs the command: a shell (`sh ./cmd`, or an attached step's subshell, which the command cannot
# end with `exit` nor touch the script's variables) that runs it in the foreground, so SIGINT reaches it.
# The trap runs once the command has ended (a shell runs a trap only after the foreground command it
# waits for), so the step's status is the command's own and a command that cleans up on SIGINT (nimadm)
# is waited for; what follows in the command text does not run.
_STEP_TRAP = "trap 'st=$?; " + _FOLD_SIGNALLED.replace('"', "") + "; exit $st' INT TERM"
_RUN_COMMAND = f'( {_STEP_TRAP}; eval "$c" )'
# After rc: wake the followers (kill is a shell builtin: no process start). A follower that was killed
# outright (SIGKILL: no EXIT trap) left its file and, running, the tail it had started, which would
# follow `out` for ever: that tail (its pid is in the file) is stopped, once ps confirms the pid is
# still a tail of this `out`.
_STALE_TAIL = "'$1 == t && $2 ~ /tail$/ && $NF == \"out\" { found = 1 } END { exit !found }'"
_WAKE_FOLLOWERS = (
    "for f in follow.*; do",
    '  [ -f "$f" ] || continue',
    "  p=${f#follow.}",
    '  if kill -0 "$p" 2>/dev/null; then kill -WINCH "$p"; continue; fi',
    '  t=; read -r t < "$f"',
    f'  [ -n "$t" ] && ps -e -o pid,args | awk -v t="$t" {_STALE_TAIL} && kill "$t" 2>/dev/null',
    '  rm -f "$f"',
    "done",
)
RUN_NOTE = "# cockpit: runs ./cmd in its foreground (SIGINT reaches it), writes rc and wakes the followers"
"""The first line of `run` in a step directory of this cockpit (older ones held a nohup wrapper)."""
_SIZE = "$(($(wc -c < out) + 0))"
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9_./\-]+$")
MAX_WAKE_UPS = 100
"""Interrupted `wait`s a streaming follower sits through before it hands over to polling: stray
signals are rare, so this many means something keeps signalling it (or its tail's pid was reused)."""


MARK_EVERY = 15
"""Seconds between two samples of the output's size in `timing` (whole seconds: AIX's sleep). A
resumed cockpit dates what it missed to within one of them; each sample costs the host a few
short processes (wc, date, sleep)."""


def _safe_directory(path: str, what: str = "remote step directory") -> str:
    if not _SAFE_PATH.fullmatch(path) or "/../" in path + "/":
        raise UnsafeValue(f"{what} {path!r} is not a plain absolute path")
    return path


@dataclass(frozen=True)
class RemoteStep:
    directory: str
    mark_every: int = MARK_EVERY
    """Seconds between the samples of the output's size in `timing` (kept steps)."""

    def __post_init__(self) -> None:
        if isinstance(self.mark_every, bool) or not isinstance(self.mark_every, int) or self.mark_every < 1:
            raise UnsafeValue(f"mark_every must be a whole number of seconds (1 or more), not {self.mark_every!r}")
        _safe_directory(self.directory)

    @classmethod
    def under(cls, base: str, run_id: str, key: str, *, mark_every: int = MARK_EVERY) -> RemoteStep:
        return cls(f"{base.rstrip('/')}/{run_id}/{key}", mark_every=mark_every)

    def run_script(self, command: str) -> str:
        """Run `command` kept (see the module doc) unless this step directory was started before.

        The session's shell writes the step's files and then becomes (exec) the step's wrapper, `run`,
        which runs `cmd` under the login shell in its foreground. stdout: the step's output, streamed
        (a prefix of `out`: the tail may be stopped before the end). stderr: `cockpit-step: started
        pid=N` first; at the end `cockpit-follow: done rc=N size=BYTES` (as `stream_script`), or
        `cockpit-step: already started pid=N` when nothing ran.
        """
        d = quote(self.directory)
        return "\n".join(
            [
                "umask 022",
                f"mkdir -p {d} || exit {CANNOT_LAUNCH}",
                f"cd {d} || exit {CANNOT_LAUNCH}",
                "if ! mkdir started 2>/dev/null; then",
                f'  p=; read -r p < pid 2>/dev/null; echo "{ALREADY_STARTED} pid=$p" >&2; exit 0',
                "fi",
                "# shellcheck disable=SC2016 # scripts written as text, expanded when they run",
                f"printf '%s\\n' {quote(_STEP_TRAP)} {quote(command)} > cmd || exit {CANNOT_LAUNCH}",
                "# shellcheck disable=SC2016",
                f"printf '%s\\n' {quote(chr(10).join(self._wrapper()))} > run || exit {CANNOT_LAUNCH}",
                "echo $$ > pid",
                ": > out",
                f'echo "{STARTED} pid=$$" >&2',
                # The same process (pid) becomes the wrapper: the process tree reads `sh ./run`.
                'exec "${SHELL:-/bin/sh}" ./run',
            ]
        )

    def _wrapper(self) -> tuple[str, ...]:
        """`run`: the kept step's wrapper, run in the foreground of the step's SSH session."""
        return (
            RUN_NOTE,
            "trap '' HUP",  # as nohup: a hang-up ends neither this shell nor the step
            *self._sampler(),
            # The stream of this channel. Started before the step, so it is not the step's child;
            # in the background, so SIGINT never reaches it. A dropped channel ends it (SIGPIPE).
            "tail -f -c +1 out & tp=$!",
            'echo "$tp $s" > helper',
            # In the foreground: SIGINT reaches the step (see the module doc).
            '"${SHELL:-/bin/sh}" ./cmd > out 2>&1 < /dev/null',
            "st=$?",
            _FOLD_SIGNALLED,
            f'echo "mark {_SIZE} $(cockpit_now)" >> timing',
            'echo "end $(cockpit_now)" >> timing',
            'kill "$s" 2>/dev/null',
            "echo $st > rc.tmp",
            "mv rc.tmp rc",
            "kill $tp 2>/dev/null",
            *_WAKE_FOLLOWERS,
            "trap '' PIPE",  # the channel may be gone by now: what follows must still run
            "size=$(wc -c < out)",
            f'echo "{FOLLOW_DONE} rc=$st size=$((size + 0))" >&2',
            'exit "$st"',
        )

    def _sampler(self) -> tuple[str, ...]:
        """The host's record of when the output grew (`timing`): a sampler beside the step writes the
        size of `out` every `mark_every` seconds until the step ends or its shell is gone. Its sleep
        runs in the background so that the TERM at the end stops both at once. Leaves its pid in $s."""
        return (
            EPOCH,
            'echo "start $(cockpit_now)" > timing',
            "w=$$",
            "(",
            "  z=",
            '  trap \'[ -n "$z" ] && kill "$z" 2>/dev/null; exit 0\' TERM',
            '  while kill -0 "$w" 2>/dev/null && [ ! -s rc ]; do',
            f'    echo "mark {_SIZE} $(cockpit_now)" >> timing',
            f"    sleep {self.mark_every} & z=$!",
            '    wait "$z"',
            "  done",
            ") </dev/null >/dev/null 2>&1 &",
            "s=$!",
        )

    def attached_script(self, command: str, prepare: Sequence[str] = ()) -> str:
        """Run `command` attached (see the module doc): its output on stdout, stderr merged into it.

        `prepare`: the step directories of the target's later attached steps on this host, made
        with this one when it is missing, so each of those starts without a process of its own.
        stderr: `cockpit-step: done rc=N` at the end, or `cockpit-step: already started pid=N`.
        """
        d = quote(self.directory)
        dirs = " ".join(quote(_safe_directory(p)) for p in (self.directory, *prepare))
        return "\n".join(
            [
                "umask 022",
                f"c={quote(command)}",
                f"[ -d {d} ] || mkdir -p {dirs} || exit {CANNOT_LAUNCH}",
                f"cd {d} || exit {CANNOT_LAUNCH}",
                # noclobber: `>` creates `started` exclusively (O_EXCL) or fails, with no process start.
                "set -C",
                "if ! { echo $$ > started; } 2>/dev/null; then",
                f'  p=; read -r p < pid 2>/dev/null; echo "{ALREADY_STARTED} pid=$p" >&2; exit 0',
                "fi",
                "set +C",
                "echo $$ > pid",
                "printf '%s\\n' \"$c\" > cmd",
                "trap '' HUP",
                f"{_RUN_COMMAND} 2>&1 < /dev/null",
                "st=$?",
                _FOLD_SIGNALLED,
                "echo $st > rc",
                f'echo "{ATTACHED_DONE} rc=$st" >&2',
                'exit "$st"',
            ]
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
            [f"while [ ! -s rc ] && [ $(($(wc -c < out) + 0)) -lt {int(offset)} ]; do sleep 1; done"] if offset else []
        )
        return "\n".join(
            [
                f"cd {d} 2>/dev/null || {{ echo 'cockpit-follow: no step directory' >&2; exit {NO_STEP_DIR}; }}",
                f"if [ ! -f run ] || [ ! -f out ]; then {no_stream}; fi",  # nothing wakes its readers (or to read)
                "tp=",
                # Whatever ends this shell also ends its tail (a TERM from the client, an error).
                "trap '[ -n \"$tp\" ] && kill $tp 2>/dev/null; rm -f follow.$$' EXIT",
                ": > follow.$$",
                *reach,
                "if [ ! -s rc ]; then",  # an ended step: nothing to stream, the receiver fetches the rest
                f"  tail -f -c +{int(offset) + 1} out & tp=$!",
                "  echo $tp > follow.$$",  # for the step's shell, should this one be killed outright
                # Signal traps only after the fork: a child forked while TERM is caught can lose a
                # TERM sent before it execs the tail, and that tail would never end.
                "  trap 'exit 143' HUP INT TERM",
                # The step's wake-up (rc exists by then) stops the tail. A wake-up sent before this
                # trap was set is made up for by the rc check after it.
                "  trap '[ -s rc ] && kill $tp 2>/dev/null' WINCH",
                "  [ -s rc ] && kill $tp 2>/dev/null",
                # `wait` also ends when a trapped signal arrives, with a status that differs between
                # shells (ksh93: 1; dash, mksh: 128+N), so it is not asked. Until rc exists, a tail
                # that is still alive means a stray signal interrupted the wait: wait again.
                "  n=0",
                f"  while [ ! -s rc ] && [ $n -lt {MAX_WAKE_UPS} ] && kill -0 $tp 2>/dev/null; do",
                "    wait $tp; n=$((n + 1))",
                "  done",
                "  kill -0 $tp 2>/dev/null || tp=",  # ended and reaped: its pid may be another's now
                "fi",
                f"[ -s rc ] || {no_stream}",  # the tail died by itself: a broken channel or a tail without -f
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
                "  fin=0; [ -s rc ] && fin=1",
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
        """Send a signal to every process the step started (not to the shell that runs it, which then
        writes rc, nor to that shell's streaming tail).

        The tree is walked from `ps -e -o pid,ppid` (AIX and Linux alike); prints the pids signalled.
        SIGINT is refused, saying why, for a step an older cockpit started under `nohup ... &`: it
        ignores SIGINT and nothing can change that.
        """
        if signal_name not in ("INT", "TERM", "KILL"):
            raise UnsafeValue(f"signal {signal_name!r} is not one of INT, TERM, KILL")
        d = quote(self.directory)
        lines = [
            f"root=$(cat {d}/pid 2>/dev/null) || {{ echo 'cockpit-kill: step not started' >&2; exit 1; }}",
            f"[ -s {d}/rc ] && {{ echo 'cockpit-kill: step already ended' >&2; exit 1; }}",
        ]
        if signal_name == "INT":
            lines += [
                f"if [ -f {d}/run ]; then",
                f"  l=; read -r l < {d}/run",
                f"  case $l in {quote(RUN_NOTE)}) ;; *)",
                "    echo 'cockpit-kill: this step was started in the background (nohup) by an older cockpit:"
                " it ignores SIGINT; send TERM instead' >&2",
                "    exit 2 ;;",
                "  esac",
                "fi",
            ]
        lines += [
            f"helper=; [ -f {d}/helper ] && read -r helper < {d}/helper",
            # The shell's own helpers (its stream's tail, its timing sampler) and theirs are left alone.
            'pids=$(ps -e -o pid,ppid | awk -v r="$root" -v h=" $helper " \'NR > 1 { parent[$1] = $2 }'
            " END { seen[r] = 1; grew = 1; while (grew) { grew = 0;"
            " for (c in parent) if (!(c in seen) && (parent[c] in seen)) { seen[c] = 1; grew = 1 } }"
            ' for (x in seen) { y = x; while (y in parent && y != r && index(h, " " y " ") == 0) y = parent[y];'
            ' if (x != r && index(h, " " y " ") == 0) printf "%s ", x } }\')',
            '[ -n "$pids" ] || { echo "cockpit-kill: no process left under $root" >&2; exit 1; }',
            "# shellcheck disable=SC2086 # $pids: a list of process ids, split into arguments on purpose",
            f"kill -{signal_name} $pids",
            'echo "cockpit-kill: sent SIG' + signal_name + ' to $pids"',
        ]
        return "\n".join(lines)

    def status_script(self) -> str:
        """One line: `state=<absent|running|finished> rc=<n|-> pid=<n|-> size=<bytes> alive=<yes|no|->
        output=<file|channel>` (alive: the step's shell; output: whether `out` keeps what it printed)."""
        d = quote(self.directory)
        return "\n".join(
            [
                f'if [ ! -e {d}/started ]; then echo "state=absent rc=- pid=- size=0 alive=- output=file"; exit 0; fi',
                f"cd {d} || exit 1",
                "size=0; kept=channel; [ -f out ] && { size=$(wc -c < out); kept='file'; }; size=$((size + 0))",
                "p=-; [ -s pid ] && read -r p < pid",
                'alive=no; [ "$p" != - ] && kill -0 "$p" 2>/dev/null && alive=yes',
                'if [ -s rc ]; then read -r st < rc; echo "state=finished rc=$st pid=$p size=$size alive=$alive output=$kept";'
                ' else echo "state=running rc=- pid=$p size=$size alive=$alive output=$kept"; fi',
            ]
        )


@dataclass(frozen=True)
class StepStatus:
    state: str  # absent | running | finished
    exit_status: int | None
    pid: int | None
    size: int
    alive: bool | None = None
    """Whether the shell that runs the step is still there (None: not started)."""
    kept: bool = True
    """The step's output is kept in `out` (a kept step); False: it went only to its channel (attached)."""

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
        alive = {"yes": True, "no": False}.get(fields.get("alive", "-"))
        return cls(state, status, number("pid"), number("size") or 0, alive, fields.get("output", "file") != "channel")
