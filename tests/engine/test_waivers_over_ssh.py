"""Waivers as an operator gives them and an auditor reads them, on the demo fleet over real SSH.

`cockpit check --waive` accepts only known checks and inventory hosts, one host at a time (every host
only when asked with `CHECK@*` and confirmed with `--all-hosts`), never past the plan's window; the
journal keeps who (the OS user, not $LOGNAME) and the SSH key the cockpit used; `cockpit waivers`
lists and revokes; a revoked or expired waiver no longer lets a host go.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import pwd
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncssh
import pytest

from cockpit.cli import main
from cockpit.config import load_config
from cockpit.engine.journal import Journal
from cockpit.sim.server import SimFleet

ME = pwd.getpwuid(os.geteuid()).pw_name
ESCAPES = "\x1b[2J\x1b]0;owned\x07\x1b[8m"


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Path]:
    fleet = await SimFleet.start("demo", tmp_path / "fleet")
    try:
        yield fleet.write_inventory(tmp_path / "inventory.yaml")
    finally:
        await fleet.stop()


async def cockpit(*args: str, env: dict[str, str] | None = None, timeout: float = 90) -> tuple[int, str, str]:
    """The cockpit as an operator runs it: (exit status, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cockpit",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def key_fingerprint(inventory: Path) -> str:
    """SHA256 fingerprint of the inventory's client key, as `ssh-keygen -l` prints it (asyncssh without it)."""
    config = load_config(inventory)
    (key,) = [*config.ssh.client_keys, *(h.key for h in config.hosts if h.key)][:1]
    if shutil.which("ssh-keygen"):
        out = subprocess.run(["ssh-keygen", "-lf", str(key)], capture_output=True, text=True, check=True).stdout
        return out.split()[1]
    return asyncssh.read_private_key(str(key)).get_fingerprint("sha256")


def journal_of(inventory: Path) -> Journal:
    return Journal(load_config(inventory).state_dir / "journal.sqlite")


def verdicts(out: str) -> dict[str, str]:
    return {h["host"]: h["verdict"] for h in json.loads(out)["hosts"]}


def in_process(*argv: str) -> tuple[int, str, str]:
    """The cockpit's own main in this process: for what is refused before any host is asked."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


async def test_a_waiver_of_an_unknown_check_or_host_is_refused_and_nothing_is_written(demo: Path) -> None:
    state_dir = load_config(demo).state_dir
    for waive, says in (
        ("nosuch.check=typo", "--waive nosuch.check=typo: no check 'nosuch.check' (checks: cache_vg.space, "),
        (
            "nimsh.active@lpar99=x",
            "--waive nimsh.active@lpar99=x: 'lpar99' is not a host of the inventory (hosts: nim01, ",
        ),
        (
            "nimsh.active=x",
            "--waive nimsh.active=x names no host: write nimsh.active@HOST (one host), or nimsh.active@* ",
        ),
        ("nimsh.active@*=x", "waives nimsh.active on every host; confirm it with --all-hosts"),
        ("nimsh.active@lpar03=", "a reason is required"),
    ):
        status, out, err = in_process("check", str(demo), "--waive", waive)
        assert status == 2, (waive, out, err)
        assert says in err and err.count("\n") == 1 and out == "", (waive, err)
    status, _, err = in_process("check", str(demo), "--waive", "nimsh.active@lpar03=x", "--until", "2099-01-01 00:00")
    assert status == 2 and "is after the end of the plan's window" in err and "a waiver ends with the window" in err
    status, _, err = in_process("check", str(demo), "--waive", "nimsh.active@lpar03=x", "--until", "2001-01-01 00:00")
    assert status == 2 and "--until 2001-01-01 00:00 is not in the future" in err
    status, _, err = in_process("waivers", str(demo), "--revoke", "nimsh.active@lpar99")
    assert status == 2 and "'lpar99' is not a host of the inventory" in err
    assert not state_dir.exists()  # refused before anything was written (or any host asked)


async def test_waivers_are_given_listed_revoked_and_expire_with_who_and_which_key(demo: Path) -> None:
    env_lie = {"LOGNAME": "mallory", "USER": "mallory"}
    status, out, err = await cockpit(
        "check",
        str(demo),
        "--format",
        "json",
        "--waive",
        f"nimsh.active@lpar03=started by hand{ESCAPES} CHG-7",
        env=env_lie,
    )
    assert status == 1, err  # lpar05 and the 7.3 clients still block
    assert verdicts(out)["lpar03"] == "go" and verdicts(out)["lpar05"] == "no-go"

    status, out, _ = await cockpit("waivers", str(demo), "--format", "json")
    assert status == 0
    listing = json.loads(out)
    (given,) = listing["waivers"]
    window_end = load_config(demo).plan.window.end.timestamp()  # type: ignore[union-attr]
    assert given["check"] == "nimsh.active" and given["host"] == "lpar03" and given["every_host"] is False
    assert given["state"] == "in_force" and given["reason"] == "started by hand CHG-7"  # no escape kept
    assert given["given_by"] == ME != "mallory"
    assert given["key"] == key_fingerprint(demo)
    assert abs(time.mktime(time.strptime(given["expires_at"][:19], "%Y-%m-%dT%H:%M:%S")) - window_end) < 1

    status, text, _ = await cockpit("waivers", str(demo))
    assert status == 0 and "\x1b" not in text
    header, row = text.splitlines()
    assert header.split()[:2] == ["WAIVER", "STATE"]
    assert row.startswith("nimsh.active@lpar03  in force") and f" {ME} " in row and given["key"] in row

    # Revoked: the gate no longer honours it, and the record says who revoked it.
    status, out, err = await cockpit("waivers", str(demo), "--revoke", "nimsh.active@lpar03")
    assert status == 0, err
    assert out.splitlines()[0].startswith("revoked nimsh.active@lpar03 (given by ")
    status, out, _ = await cockpit("check", str(demo), "--format", "json")
    assert verdicts(out)["lpar03"] == "no-go"
    status, _, err = await cockpit("waivers", str(demo), "--revoke", "nimsh.active@lpar03")
    assert status == 2 and "no waiver of nimsh.active@lpar03 is in force" in err
    (revoked,) = json.loads((await cockpit("waivers", str(demo), "--format", "json"))[1])["waivers"]
    assert revoked["state"] == "revoked" and revoked["revoked_by"] == ME and revoked["revoked_at"]

    # Expired: a waiver whose time has passed (given earlier, as the journal keeps it) no longer counts.
    journal = journal_of(demo)
    try:
        journal.add_waiver("devices.ghost_major", "lpar05", "ODM checked", "ops", expires_at=time.time() - 1)
    finally:
        journal.close()
    status, out, _ = await cockpit("check", str(demo), "--format", "json")
    assert verdicts(out)["lpar05"] == "no-go"
    states = {
        w["check"]: w["state"]
        for w in json.loads((await cockpit("waivers", str(demo), "--format", "json"))[1])["waivers"]
    }
    assert states == {"nimsh.active": "revoked", "devices.ghost_major": "expired"}


async def test_a_waiver_of_every_host_is_asked_for_and_confirmed(demo: Path) -> None:
    status, out, err = await cockpit(
        "check",
        str(demo),
        "--format",
        "json",
        "--waive",
        "oslevel.master_not_below_target@*=7.3 master tomorrow",
        "--all-hosts",
    )
    assert status == 1, err
    # Every host's oslevel finding is waived; lpar07/08 still block on their SPOT's fileset.
    report = json.loads(out)
    waived = [
        f["waiver"]
        for h in report["hosts"]
        for f in h["findings"]
        if f["check"] == "oslevel.master_not_below_target" and f["status"] == "fail"
    ]
    assert len(waived) == 2 and all(w is not None and w["host"] is None for w in waived)
    (given,) = json.loads((await cockpit("waivers", str(demo), "--format", "json"))[1])["waivers"]
    assert given["every_host"] is True and given["host"] is None
    status, text, _ = await cockpit("waivers", str(demo), "--revoke", "oslevel.master_not_below_target@*")
    assert status == 0 and text.startswith("revoked oslevel.master_not_below_target@*")
