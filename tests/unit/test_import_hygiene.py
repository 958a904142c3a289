"""Headless paths never import Textual (start-up time, and hosts that only run `cockpit check`)."""

import subprocess
import sys

import pytest

HEADLESS = [
    "cockpit.cli",
    "cockpit.config.loader",
    "cockpit.engine.run",
    "cockpit.engine.printer",
    "cockpit.transports.factory",
    "cockpit.commands.diagnose",
    "cockpit.commands.explain",
    # Every headless command: `cockpit run` reaches the cockpit (cockpit.commands.tui) only inside
    # the function that opens it, which the import contract alone cannot tell from a module-level import.
    "cockpit.commands.run",
    "cockpit.commands.headless",
    "cockpit.commands.dry_run",
    "cockpit.commands.validate",
    "cockpit.commands.check",
    "cockpit.commands.rollback",
    "cockpit.commands.backout",
    "cockpit.commands.runs",
    "cockpit.commands.report",
    "cockpit.commands.sim",
    "cockpit.commands.attach",
    "cockpit.engine.attach",
    "cockpit.config.hosts_from",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_does_not_import_textual(module: str) -> None:
    code = f"import sys, {module}; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_domain_imports_neither_asyncssh_nor_yaml() -> None:
    code = (
        "import sys, cockpit.domain.nimadm, cockpit.domain.events, cockpit.domain.names, cockpit.domain.lines;"
        "print(sorted(m for m in ('asyncssh', 'yaml', 'textual', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_cockpit_help_runs_without_textual() -> None:
    code = (
        "import sys; from cockpit.cli import main\n"
        "try:\n main(['--help'])\nexcept SystemExit: pass\n"
        "print('textual' in sys.modules, file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "usage: cockpit" in proc.stdout
    assert proc.stderr.strip() == "False"
