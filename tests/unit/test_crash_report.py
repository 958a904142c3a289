"""An internal error's traceback is saved privately: never under a guessable /tmp name, never via a symlink."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cockpit import cli
from cockpit.commands import crash


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture(autouse=True)
def _no_state_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(crash, "state_dir_hint", None)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def broken(*_: object) -> int:
    raise RuntimeError("a bug")


def test_an_internal_error_is_one_line_and_a_private_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_dispatch", broken)
    assert cli.main(["validate", "x.yaml"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("cockpit: internal error: RuntimeError: a bug (traceback in ") and err.count("\n") == 1
    report = Path(err.split("(traceback in ", 1)[1].rstrip(")\n"))
    assert report.parent == tmp_path / "xdg" / "cockpit"
    assert mode(report.parent) == 0o700 and mode(report) == 0o600
    assert "RuntimeError: a bug" in report.read_text()
    assert not list(Path("/tmp").glob(f"cockpit-crash-{os.getpid()}*"))


def test_the_state_dir_when_it_is_private_else_the_users_own(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    crash.state_dir_hint = state
    assert crash.write("trace").parent == state
    other = tmp_path / "shared"
    other.mkdir()
    os.chmod(other, 0o777)
    link = tmp_path / "link"
    link.symlink_to(other, target_is_directory=True)
    crash.state_dir_hint = link  # a symlink: not followed for a report
    assert crash.write("trace").parent == tmp_path / "xdg" / "cockpit"
    assert list(other.iterdir()) == []


def test_a_planted_file_or_symlink_is_never_written_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "xdg" / "cockpit"
    directory.mkdir(parents=True, mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    monkeypatch.setattr(crash.time, "strftime", lambda _fmt: "20261122-023105")
    planted = directory / f"crash-20261122-023105-{os.getpid()}.txt"
    planted.symlink_to(victim)
    saved = crash.write("trace")
    assert saved == directory / f"crash-20261122-023105-{os.getpid()}-1.txt"
    assert victim.read_text() == "precious\n" and saved.read_text() == "trace"


def test_no_private_place_at_all_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "xdg").write_text("")  # not a directory
    (tmp_path / "home").write_text("")
    assert crash.write("trace") is None
