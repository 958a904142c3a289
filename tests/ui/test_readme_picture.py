"""The README's picture is the fleet snapshot at 120x40: when the screen changes, so must the picture."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "tests/ui/__snapshots__/test_snapshots/test_fleet_mid_run[120x40].svg"
PICTURE = ROOT / "docs/cockpit.svg"


def test_the_readme_shows_the_current_fleet_snapshot() -> None:
    assert "docs/cockpit.svg" in (ROOT / "README.md").read_text()
    assert PICTURE.read_bytes() == SNAPSHOT.read_bytes(), f"cp '{SNAPSHOT}' {PICTURE}"
