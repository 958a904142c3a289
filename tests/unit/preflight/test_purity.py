"""The preflight domain is pure: importing it pulls in no I/O framework or config library."""

import subprocess
import sys


def test_preflight_imports_no_io_framework() -> None:
    code = (
        "import sys, cockpit.domain.preflight, cockpit.domain.preflight.plan;"
        "print(sorted(m for m in ('asyncssh', 'yaml', 'textual', 'pydantic', 'cockpit.engine', 'cockpit.sim',"
        " 'cockpit.transports', 'cockpit.config', 'subprocess', 'socket') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
