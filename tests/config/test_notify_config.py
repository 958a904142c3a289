"""`alerts:` and `notify:` in the config: defaults, and every mistake at its FILE:LINE:COL."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.config import load_config
from cockpit.domain.alerts import ALERT_KINDS, AlertKind
from tests.config.test_config_loader import VALID, only_line, problems_of, write


def test_alerts_default_to_every_kind_and_no_commands(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    assert (config.alerts.bell, config.alerts.desktop) == (True, "auto")
    assert config.alerts.events == list(ALERT_KINDS)
    assert config.notify == []


def test_a_notify_program_relative_to_the_config_is_resolved(tmp_path: Path) -> None:
    script = tmp_path / "notify" / "page.sh"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    text = VALID + (
        "alerts: {bell: false, desktop: osc777, events: [failed, finished]}\n"
        "notify:\n"
        "  - {command: [./notify/page.sh, ops@example.com], events: failed, timeout: 5, name: pager}\n"
        "  - command: [sh, -c, 'echo \"$COCKPIT_EVENT\" >> /tmp/alerts']\n"
    )
    config = load_config(write(tmp_path, text))
    assert config.alerts.events == [AlertKind.FAILED, AlertKind.FINISHED]
    first, second = config.notify
    assert first.command == [str(script), "ops@example.com"]
    assert (first.events, first.timeout, first.label) == ([AlertKind.FAILED], 5.0, "pager")
    assert second.events == list(ALERT_KINDS) and second.label == "sh"  # a shell script may read the variables


@pytest.mark.parametrize(
    ("entry", "where", "key", "message"),
    [
        (
            "  - command: [curl, -d, $COCKPIT_SUMMARY, https://hooks.example.com/x]\n",
            "20:25",
            "notify[0].command[2]",
            "$COCKPIT_SUMMARY is passed as those characters: no shell runs the command",
        ),
        (
            "  - command: [mailx, -s, '{target} failed', ops@example.com]\n",
            "20:26",
            "notify[0].command[2]",
            "{target} is not filled in: the alert reaches the command in environment variables",
        ),
        (
            "  - command: [sh, -c, 'true', '${COCKPIT_TARGET}']\n",
            "20:31",
            "notify[0].command[3]",
            "${COCKPIT_TARGET is passed as those characters",
        ),
        (
            "  - {command: [env], events: [failed, paged]}\n",
            "20:39",
            "notify[0].events[1]",
            "should be 'failed', 'stalled', 'eta_past_window', 'cutoff_missed' or 'finished', got 'paged'",
        ),
        ("  - {command: [env], timeout: 0}\n", "20:31", "notify[0].timeout", "should be greater than 0"),
        ("  - {command: [env], timeout: yes}\n", "20:31", "notify[0].timeout", "got a YAML boolean"),
        ("  - {command: []}\n", "20:15", "notify[0].command", "should have at least 1 item"),
        ("  - {command: [env], shell: true}\n", "20:22", "notify[0].shell", "unknown key"),
        ("  - command: [./missing.sh]\n", "20:15", "notify[0].command[0]", "no such file: "),
        (
            "  - command: [no-such-program-h21]\n",
            "20:15",
            "notify[0].command[0]",
            "no program 'no-such-program-h21' in PATH",
        ),
    ],
)
def test_notify_mistakes_are_one_positioned_line(
    tmp_path: Path, entry: str, where: str, key: str, message: str
) -> None:
    path = write(tmp_path, VALID + "notify:\n" + entry)
    line = only_line(path)
    assert line.startswith(f"{path}:{where}: {key}: "), line
    assert message in line, line


def test_a_notify_script_that_is_not_executable_is_refused(tmp_path: Path) -> None:
    # (root may run any file with an x bit; one with none is refused even for root)
    script = tmp_path / "page.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o644)
    (problem,) = problems_of(write(tmp_path, VALID + "notify:\n  - command: [./page.sh]\n"))
    assert problem.key == "notify[0].command[0]"
    assert problem.message == f"{script} is not executable (chmod +x)"


def test_terminal_alert_settings_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "alerts: {desktop: osc99, events: [failed, bell]}\n")
    lines = [str(p) for p in problems_of(path)]
    assert any(":19:19: alerts.desktop: should be 'auto', 'osc9', 'osc777' or 'off'" in x for x in lines), lines
    assert any("alerts.events[1]: should be 'failed'" in x for x in lines), lines
