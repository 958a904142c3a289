"""shellcheck in ksh mode over every shell snippet the cockpit sends to a host (tests/unit/sent_scripts.py).

AIX runs them under root's ksh, so `shellcheck -s ksh` is the dialect; a warning here is a command that
may not do on AIX what it does in the simulator. Codes disabled for a reason are disabled inline in
the script itself, with that reason next to them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.unit.sent_scripts import SOURCES, all_scripts

# What AIX's tools lack: a fractional sleep (AIX sleep takes whole seconds), a GNU long option.
FRACTIONAL_SLEEP = re.compile(r"\bsleep\s+[0-9]*\.[0-9]")
LONG_OPTION = re.compile(r"(?:^|\s)--[A-Za-z]")
# The Linuxha.net runbook runs on Linux cluster nodes, whose cluster tools take long options
# (`clhalt --force`, `clform --noapps`).
LINUX_ONLY = "runbook.linuxha."


def test_every_source_yields_scripts() -> None:
    for source in SOURCES:
        assert list(source()), f"{source.__name__} yields nothing"


def test_no_script_sleeps_a_fraction_or_uses_a_gnu_long_option() -> None:
    for name, script in all_scripts():
        assert not FRACTIONAL_SLEEP.search(script), (name, script)
        if not name.startswith(LINUX_ONLY):
            assert not LONG_OPTION.search(script), (name, script)


@pytest.mark.realtools
def test_every_script_sent_to_a_host_passes_shellcheck_in_ksh_mode(tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (Debian package shellcheck; `make shells` installs it as root)")
    scripts = all_scripts()
    files: dict[str, str] = {}
    for i, (name, script) in enumerate(scripts):
        path = tmp_path / f"{i:03d}-{name.replace('/', '_')}.sh"
        path.write_text(script + "\n", encoding="utf-8")
        files[str(path)] = script
    done = subprocess.run(
        [shellcheck, "--shell=ksh", "--format=gcc", *files], capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr  # 1: findings (listed below); anything else: it did not run
    findings = done.stdout.strip().splitlines()
    report = []
    for line in findings:
        path, lineno = line.split(":")[:2]
        source_line = files[path].splitlines()[int(lineno) - 1]
        report.append(f"{Path(path).name}: {line.split(':', 3)[3].strip()}\n    {source_line}")
    assert not findings, f"{len(findings)} shellcheck findings in {len(scripts)} scripts:\n" + "\n".join(report)
