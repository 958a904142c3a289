"""Include loops in an ssh config: found before asyncssh would recurse forever, named by file and line."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from cockpit.config.ssh_includes import MAX_DEPTH, include_loop


def test_a_file_that_includes_itself(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text(f"Host a\n  HostName 192.0.2.1\n  Include {config}\n")
    assert include_loop([config]) == (
        f"{config}:3: Include makes a loop ({config} -> {config}): ssh would read these files forever"
    )


def test_relative_includes_come_from_ssh_dir_and_globs_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    ssh = tmp_path / ".ssh"
    (ssh / "config.d").mkdir(parents=True)
    (ssh / "config").write_text("Include config.d/*.conf\n")
    (ssh / "config.d" / "10-lab.conf").write_text("Host lab\n  User admin\n")
    (ssh / "config.d" / "20-loop.conf").write_text('# comment\n\nInclude "~/.ssh/config"\n')
    found = include_loop([ssh / "config"])
    loop = f"{ssh}/config -> {ssh}/config.d/20-loop.conf -> {ssh}/config"
    assert found == f"{ssh}/config.d/20-loop.conf:3: Include makes a loop ({loop}): ssh would read these files forever"


def test_no_loop_several_files_on_a_line_and_missing_ones(tmp_path: Path) -> None:
    a, b, c = (tmp_path / n for n in "abc")
    a.write_text(f"Include {b} {c} {tmp_path}/missing\n")
    b.write_text(f"include={c}\n")
    c.write_text("Host *\n  IdentitiesOnly yes\n")
    assert include_loop([a, tmp_path / "absent"]) is None


def test_nesting_deeper_than_openssh_allows(tmp_path: Path) -> None:
    files = [tmp_path / f"c{i}" for i in range(MAX_DEPTH + 2)]
    for here, there in itertools.pairwise(files):
        here.write_text(f"Include {there}\n")
    files[-1].write_text("Host *\n")
    found = include_loop([files[0]])
    assert found is not None and f"Include nests deeper than {MAX_DEPTH} files" in found
