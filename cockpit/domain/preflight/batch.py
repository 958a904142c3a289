"""Several probes of one host in one SSH session, each with its own stdout, stderr and exit status.

Why: a preflight of 500 clients is ~6,000 probe commands; one SSH session each meant ~6,000 channel
opens and as many login-shell starts on the hosts. One session runs a host's probes of a round one
after the other instead. Each probe runs in a subshell of its own through `eval` (a probe's `exit`,
`cd` or syntax error touches no other), with stdin from /dev/null, and is framed on stdout and on
stderr by marker lines carrying a per-batch nonce, so its output is cut back out exactly: the script
prints a newline before each end marker, and that newline is not part of the output.

POSIX sh (AIX ksh88/ksh93): printf, eval and a subshell; no process is started but the probes' own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cockpit.domain.names import UnsafeValue, quote

BEGIN = "cockpit-probe-begin"
END = "cockpit-probe-end"
_NONCE = re.compile(r"^[0-9a-f]{8,32}$")


@dataclass(frozen=True)
class BatchAnswer:
    exit_status: int
    stdout: str
    stderr: str


def batch_script(commands: Sequence[str], nonce: str) -> str:
    """One script running `commands` in order; `nonce` (hex) makes the markers its own."""
    if not _NONCE.fullmatch(nonce):
        raise UnsafeValue(f"batch nonce {nonce!r} is not 8-32 hex digits")
    lines = []
    for i, command in enumerate(commands):
        begin, end = f"{BEGIN} {nonce} {i}", f"{END} {nonce} {i}"
        lines += [
            f"printf '%s\\n' '{begin}'; printf '%s\\n' '{begin}' >&2",
            f"( eval {quote(command)} ) < /dev/null",
            f"printf '\\n%s %s\\n' '{end}' \"$?\"; printf '\\n%s\\n' '{end}' >&2",
        ]
    return "\n".join(lines)


def parse_batch(count: int, nonce: str, stdout: str, stderr: str) -> list[BatchAnswer | None]:
    """The answer of each of the `count` commands, None for one whose end the output does not reach
    (the session broke or timed out before it ended)."""
    answers: list[BatchAnswer | None] = []
    out_at = err_at = 0
    for i in range(count):
        begin, end = f"{BEGIN} {nonce} {i}\n", f"\n{END} {nonce} {i}"
        o_start, e_start = stdout.find(begin, out_at), stderr.find(begin, err_at)
        if o_start < 0 or e_start < 0:
            answers.append(None)
            continue
        o_body, e_body = o_start + len(begin), e_start + len(begin)
        o_end, e_end = stdout.find(end + " ", o_body), stderr.find(end + "\n", e_body)
        if o_end < 0 or e_end < 0:
            answers.append(None)
            continue
        line_end = stdout.find("\n", o_end + len(end) + 1)
        status = stdout[o_end + len(end) + 1 : line_end if line_end >= 0 else len(stdout)]
        if not status.strip().isdigit():
            answers.append(None)
            continue
        answers.append(BatchAnswer(int(status), stdout[o_body:o_end], stderr[e_body:e_end]))
        out_at, err_at = line_end + 1 if line_end >= 0 else len(stdout), e_end + len(end) + 1
    return answers
