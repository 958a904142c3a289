"""The plan's maintenance window in the config: times read as an operator writes them, mistakes at their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.config import ConfigError, load_config

BASE = """hosts:
  - {name: nim01, role: nim_master}
  - {name: lpar01}
plan:
  master: nim01
  lpp_source: lpp72
  spot: spot72
  clients: [{host: lpar01, disk: hdisk1}]
  window:
"""


def load(tmp_path: Path, window: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "c.yaml"
    path.write_text(BASE + window)
    return path, load_config(path) if "!" not in window else None


def test_a_window_in_local_time_loads(tmp_path: Path) -> None:
    _, config = load(
        tmp_path, "    start: 2026-12-12 22:00\n    end: '2026-12-13T04:00'\n    cutoff: 2026-12-13 02:00\n"
    )
    w = config.plan.window
    assert (w.end - w.start).total_seconds() == 6 * 3600
    assert w.cutoff.hour == 2


def test_a_window_may_mix_local_times_and_times_with_a_zone(tmp_path: Path) -> None:
    """One end written with its zone, the other in local time: compared as instants, never a crash."""
    _, config = load(tmp_path, "    start: 2026-12-12 12:00\n    end: '2026-12-13T04:00:00+00:00'\n")
    w = config.plan.window
    assert w.epoch(w.end) == 1797134400.0 and w.epoch(w.start) < w.epoch(w.end)


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (
            "    start: 2026-12-13 04:00\n    end: 2026-12-12 22:00\n",
            ":11:10: plan.window.end: the window must end after it starts",
        ),
        (
            "    start: 2026-12-12 22:00\n    end: 2026-12-13 04:00\n    cutoff: 2026-12-13 05:00\n",
            ":12:13: plan.window.cutoff: the cutoff must be within the window",
        ),
        (
            "    start: '2026-12-13T05:00:00+00:00'\n    end: 2026-12-13T04:00:00+00:00\n",
            ":11:10: plan.window.end: the window must end after it starts",
        ),
        (
            "    start: 2026-12-12\n    end: 2026-12-13 04:00\n",
            ":10:12: plan.window.start: 2026-12-12 is a date without a time",
        ),
        (
            "    start: tonight\n    end: 2026-12-13 04:00\n",
            ":10:12: plan.window.start: 'tonight' is not a date and time",
        ),
    ],
)
def test_a_wrong_window_is_reported_at_its_line(tmp_path: Path, window: str, expected: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(BASE + window)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).startswith(f"{path}{expected}")
