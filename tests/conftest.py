"""Suite-wide rules. Under CI=true a real part that did not run fails the suite instead of skipping.

Why: the end-to-end tests against OpenSSH's sshd, the ssh-agent tests and the browser test of
`cockpit serve` skip where their program is missing (a laptop without root). In CI that would be a
green suite that never touched the real sshd or the browser: there, such a skip is a failure that
names what is missing.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

REAL_MARKERS = ("sshd", "real")
"""Tests that need a real program of the machine (OpenSSH sshd, ssh-agent, Chromium)."""
REAL_DIRECTORIES = ("e2e",)
"""Test directories whose every test is a real part."""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def is_real_part(item: pytest.Item) -> bool:
    if any(item.get_closest_marker(name) is not None for name in REAL_MARKERS):
        return True
    return any(part in REAL_DIRECTORIES for part in Path(str(item.path)).parts)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if report.skipped and in_ci() and is_real_part(item) and not hasattr(report, "wasxfail"):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every real part must run: {reason}"
