"""No module over 500 lines: past that a module has usually taken on a second job (split it by job, as
engine/run/, config/fields.py + plans.py or engine/target_feed.py were)."""

from __future__ import annotations

from pathlib import Path

LIMIT = 500
PACKAGE = Path(__file__).resolve().parents[2] / "cockpit"


def test_every_module_of_the_package_is_at_most_500_lines() -> None:
    sizes = {
        p.relative_to(PACKAGE.parent): len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")
    }
    assert len(sizes) > 100  # the package was found
    assert {str(p): n for p, n in sizes.items() if n > LIMIT} == {}
