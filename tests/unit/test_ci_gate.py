"""Under CI=true a skipped real part (sshd, ssh-agent, the browser, tests/e2e) fails the suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def suite(tmp_path: Path) -> Path:
    """A small suite with this repository's conftest rules: real parts that skip, and plain skips."""
    (tmp_path / "e2e").mkdir()
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_runtest_makereport  # noqa: F401\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    sshd: real\n    real: real\n")
    (tmp_path / "e2e" / "test_browser.py").write_text(
        "import pytest\npytestmark = pytest.mark.skipif(True, reason='needs Chromium')\ndef test_tab(): pass\n"
    )
    (tmp_path / "test_parts.py").write_text(
        "import pytest\n"
        "@pytest.mark.sshd\ndef test_sshd():\n    pytest.skip('OpenSSH sshd not installed')\n"
        "@pytest.mark.real\ndef test_agent():\n    pytest.skip('ssh-agent not installed')\n"
        "@pytest.mark.skipif(True, reason='root reads any file')\ndef test_plain(): pass\n"
        "def test_runs(): pass\n"
    )
    return tmp_path


def pytest_in(directory: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(ROOT)
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:randomly", "-p", "no:cacheprovider", "-n", "0", "."],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_real_parts_may_skip_outside_ci(tmp_path: Path) -> None:
    done = pytest_in(suite(tmp_path), None)
    assert done.returncode == 0, done.stdout
    assert "1 passed, 4 skipped" in done.stdout


def test_under_ci_a_skipped_real_part_fails_and_says_why(tmp_path: Path) -> None:
    done = pytest_in(suite(tmp_path), "true")
    assert done.returncode == 1, done.stdout
    assert "2 failed, 1 passed, 1 skipped, 1 error" in done.stdout  # the e2e skip came in setup: an error
    failed = [line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    assert len(failed) == 3, done.stdout
    assert any("test_tab" in line for line in failed)
    assert "skipped under CI=true, where every real part must run: needs Chromium" in done.stdout
    assert "skipped under CI=true, where every real part must run: OpenSSH sshd not installed" in done.stdout
    assert "test_plain" not in " ".join(failed)
