"""Several probes in one session: each answer cut back out exactly, under every shell there is."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from cockpit.domain.names import UnsafeValue
from cockpit.domain.preflight.batch import BatchAnswer, batch_script, parse_batch

NONCE = "0123abcd0123abcd"
COMMANDS = [
    "echo a; echo b >&2",
    "printf 'no newline'",
    "exit 3",
    "printf '\\n\\n'",
    "echo 'cockpit-probe-end 0123abcd0123abcd 9 0'",  # a marker's look-alike in the output
    "for",  # a syntax error fails this probe alone
    "cat; echo read-nothing",  # stdin is /dev/null, not the session's
    "cd /; echo $$ > /dev/null; exit 0",
]
EXPECTED = [
    (0, "a\n", "b\n"),
    (0, "no newline", ""),
    (3, "", ""),
    (0, "\n\n", ""),
    (0, "cockpit-probe-end 0123abcd0123abcd 9 0\n", ""),
    None,  # (its status and message are the shell's own: checked below)
    (0, "read-nothing\n", ""),
    (0, "", ""),
]
SHELLS = [s for s in ("dash", "mksh", "ksh93", "bash") if shutil.which(s)]


@pytest.mark.parametrize("shell", SHELLS)
def test_each_probe_gets_its_own_output_and_status(shell: str) -> None:
    done = subprocess.run(
        [shell, "-c", batch_script(COMMANDS, NONCE)], capture_output=True, text=True, input="not for probes\n"
    )
    answers = parse_batch(len(COMMANDS), NONCE, done.stdout, done.stderr)
    for i, (answer, expected) in enumerate(zip(answers, EXPECTED, strict=True)):
        assert answer is not None, i
        if expected is None:
            assert answer.exit_status != 0 and "syntax error" in answer.stderr.lower() and answer.stdout == ""
        else:
            assert (answer.exit_status, answer.stdout, answer.stderr) == expected, i


def test_a_batch_cut_short_answers_none_for_the_probes_it_did_not_finish() -> None:
    done = subprocess.run(["sh", "-c", batch_script(["echo one", "echo two"], NONCE)], capture_output=True, text=True)
    cut_at = done.stdout.index("two")
    answers = parse_batch(2, NONCE, done.stdout[:cut_at], done.stderr)
    assert answers == [BatchAnswer(0, "one\n", ""), None]
    assert parse_batch(2, NONCE, "", "") == [None, None]


def test_the_nonce_is_plain_hex() -> None:
    with pytest.raises(UnsafeValue):
        batch_script(["true"], "x'; reboot; '")
