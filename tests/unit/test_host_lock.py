"""The lock scripts of domain/host_lock.py, run by real shells (sh, dash, ksh93, mksh where installed).

On a host the scripts run under AIX ksh; here every POSIX shell the machine has runs them, on a
real directory and against the real process table.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cockpit.domain import host_lock as hl
from cockpit.domain.names import UnsafeValue

SLEEPER = "#!/bin/sh\nsleep 60\n"
"""A stand-in program: its shell stays in the process table with the arguments it was given."""
SHELLS = [s for s in ("/bin/sh", "/usr/bin/dash", "/usr/bin/ksh93", "/usr/bin/mksh") if os.access(s, os.X_OK)]


def holder(name: str = "alice", pid: int = 4242, run: str = "20261122-023105-120") -> hl.Holder:
    return hl.Holder(name, "laptop1", run, pid, 1_796_000_000, secrets.token_hex(8))


@pytest.fixture(params=SHELLS)
def sh(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(shell: str, script: str) -> hl.LockAnswer:
    done = subprocess.run([shell, "-c", script], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return hl.parse_answer(done.stdout)


def test_take_hold_release_with_the_token_only(sh: str, tmp_path: Path) -> None:
    lock = hl.HostLock(str(tmp_path), "lpar01")
    alice, bob = holder("alice"), holder("bob", 77)
    assert run(sh, lock.take_script(alice)).status == hl.TAKEN
    owner = (tmp_path / "locks" / "lpar01" / "owner").read_text().splitlines()
    assert owner == [
        "operator=alice",
        "machine=laptop1",
        "run=20261122-023105-120",
        "pid=4242",
        "since=1796000000",
        f"lock={alice.token}",
    ]
    second = run(sh, lock.take_script(bob))
    assert second.status == hl.HELD and second.holder == alice  # every field read back as written
    assert run(sh, lock.release_script(bob.token)).status == hl.NOT_OURS
    assert (tmp_path / "locks" / "lpar01").is_dir()
    assert run(sh, lock.release_script(alice.token)).status == hl.RELEASED
    assert not (tmp_path / "locks" / "lpar01").exists()
    assert run(sh, lock.take_script(bob)).status == hl.TAKEN


def test_break_only_the_lock_the_operator_saw(sh: str, tmp_path: Path) -> None:
    lock = hl.HostLock(str(tmp_path), "lpar01")
    gone, other, me = holder("gone"), holder("other"), holder("me")
    run(sh, lock.take_script(gone))
    # Someone else broke and re-took it meanwhile: the confirmed token no longer matches.
    changed = run(sh, lock.break_script(other.token, me))
    assert changed.status == hl.CHANGED and changed.holder == gone
    assert hl.parse_owner((tmp_path / "locks" / "lpar01" / "owner").read_text()) == gone
    assert run(sh, lock.break_script(gone.token, me)).status == hl.TAKEN
    assert hl.parse_owner((tmp_path / "locks" / "lpar01" / "owner").read_text()) == me
    assert not list((tmp_path / "locks").glob("*.broken.*"))  # nothing left aside


def test_a_lock_without_owner_file_is_held_by_nobody_known(sh: str, tmp_path: Path) -> None:
    (tmp_path / "locks" / "lpar01").mkdir(parents=True)  # its taker died between mkdir and the owner file
    lock = hl.HostLock(str(tmp_path), "lpar01")
    started = time.monotonic()
    answer = run(sh, lock.take_script(holder()))
    assert answer.status == hl.HELD and answer.holder is None
    assert time.monotonic() - started >= 1  # it gave the taker a (whole) second to write it
    assert run(sh, lock.break_script(hl.NO_TOKEN, holder("me"))).status == hl.TAKEN


@pytest.fixture
def fake_nimadm(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A process that looks like `nimadm -c CLIENT` in the process table (a unique client name)."""
    client = f"lpar{secrets.token_hex(4)}"
    program = tmp_path / "bin" / "nimadm"
    program.parent.mkdir()
    program.write_text(SLEEPER)
    program.chmod(0o755)
    # As ksh runs nimadm (a script): the shell's args are the program's path and its arguments.
    proc = subprocess.Popen(["/bin/sh", str(program), "-c", client, "-s", "spot"], start_new_session=True)
    time.sleep(0.2)
    try:
        yield client, proc
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()


def test_a_running_program_of_the_target_gives_the_lock_back(
    sh: str, tmp_path: Path, fake_nimadm: tuple[str, subprocess.Popen[bytes]]
) -> None:
    client, proc = fake_nimadm
    lock = hl.HostLock(str(tmp_path / "work"), client)
    answer = run(sh, lock.take_script(holder(), (("nimadm", "-c", client),)))
    assert answer.status == hl.BUSY
    assert answer.processes == (f"{proc.pid} {tmp_path}/bin/nimadm -c {client} -s spot",)
    assert not (tmp_path / "work" / "locks" / client).exists()  # given back at once
    # Another client's lock is taken all the same.
    other = hl.HostLock(str(tmp_path / "work"), "lpar99")
    assert run(sh, other.take_script(holder(), (("nimadm", "-c", "lpar99"),))).status == hl.TAKEN


def test_an_option_glued_to_its_value_is_found_too(sh: str, tmp_path: Path) -> None:
    client = f"lpar{secrets.token_hex(4)}"
    program = tmp_path / "nimadm"
    program.write_text(SLEEPER)
    program.chmod(0o755)
    proc = subprocess.Popen(["/bin/sh", str(program), f"-c{client}"], start_new_session=True)
    try:
        time.sleep(0.2)
        answer = run(sh, hl.HostLock(str(tmp_path), client).take_script(holder(), (("nimadm", "-c", client),)))
        assert answer.status == hl.BUSY and answer.processes == (f"{proc.pid} {program} -c{client}",)
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()


def test_the_scan_never_finds_itself(sh: str, tmp_path: Path) -> None:
    # The conflict's words are in the script (and in ps for its own shell and awk): no match on them.
    client = f"lpar{secrets.token_hex(4)}"
    scan = hl.conflict_scan((("nimadm", "-c", client), ("alt_disk_copy",)))
    done = subprocess.run([sh, "-c", scan], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and client not in done.stdout


def test_batch_answers_each_lock_by_name(sh: str, tmp_path: Path) -> None:
    a, b = hl.HostLock(str(tmp_path), "lpar01"), hl.HostLock(str(tmp_path), "lpar02")
    alice = holder()
    run(sh, b.take_script(alice))
    script = hl.batch([("lpar01", a.take_script(holder("me"))), ("lpar02", b.take_script(holder("me")))])
    done = subprocess.run([sh, "-c", script], capture_output=True, text=True, timeout=30)
    answers = hl.parse_batch(done.stdout)
    assert answers["lpar01"].status == hl.TAKEN
    assert answers["lpar02"].status == hl.HELD and answers["lpar02"].holder == alice


def test_an_uncreatable_lock_directory_is_an_error_line(sh: str, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    answer = run(sh, hl.HostLock(str(tmp_path / "file"), "lpar01").take_script(holder()))
    assert answer.status == hl.FAILED and answer.detail.startswith(f"cannot create {tmp_path}/file/locks")


@pytest.mark.parametrize(
    ("work_dir", "name"),
    [("/var/tmp/a b", "lpar01"), ("relative", "lpar01"), ("/var/../etc", "lpar01"), ("/var/tmp", "x;rm -rf /")],
)
def test_unsafe_places_never_reach_a_shell(work_dir: str, name: str) -> None:
    with pytest.raises(UnsafeValue):
        hl.HostLock(work_dir, name)


def test_unsafe_tokens_and_conflicts_are_refused() -> None:
    lock = hl.HostLock("/var/tmp/cockpit", "lpar01")
    with pytest.raises(UnsafeValue):
        lock.release_script("'; rm -rf / #")
    with pytest.raises(UnsafeValue):
        hl.conflict_scan((("nimadm", "-c", "x'y"),))
    with pytest.raises(UnsafeValue):
        hl.conflict_scan(((),))


def test_owner_values_are_plain_words() -> None:
    odd = hl.Holder("DOM\\al ice", "m1\nx", "r1", 1, 2, "ab" * 8)
    assert odd.owner_lines()[:2] == ["operator=DOM_al_ice", "machine=m1_x"]


def test_scripts_are_posix_and_whole_second() -> None:
    lock = hl.HostLock("/var/tmp/cockpit", "lpar01")
    h = holder()
    scripts = [
        lock.take_script(h, (("nimadm", "-c", "lpar01"),)),
        lock.release_script(h.token),
        lock.break_script(h.token, h),
        lock.read_script(),
    ]
    for script in scripts:
        assert not re.search(r"sleep [0-9]*\.", script)
        assert "--" not in script.replace("-->", "")  # no GNU long options
        assert "local " not in script and "[[" not in script and "$(<" not in script
    if shutil.which("ksh93"):
        for script in scripts:
            assert subprocess.run(["ksh93", "-n", "-c", script], capture_output=True).returncode == 0
