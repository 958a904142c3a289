"""`cockpit serve` in a real browser: apt's Chromium (driven by playwright) loads the page, the cockpit's
terminal renders over textual-serve's websocket, and the simulated fleet is on it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason="needs Chromium (Debian: apt-get install -y chromium); playwright drives it, it downloads no browser",
)

ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-Za-z])")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`cockpit serve --port P --hosts 2` as the operator starts it; its URL once it accepts connections."""
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    argv = [sys.executable, "-m", "cockpit", "serve", "--port", str(port), "--hosts", "2"]
    proc = subprocess.Popen(
        argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "cockpit serve did not listen within 30s"
                time.sleep(0.1)
        # 127.0.0.1 only: the same port on another local address is not served.
        outside = next((a for a in _local_addresses() if not a.startswith("127.")), None)
        if outside is not None:
            with pytest.raises(OSError), socket.create_connection((outside, port), timeout=1):
                pass
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server, the cockpit it started, and that cockpit's simulator
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        log.close()


def _local_addresses() -> list[str]:
    try:
        return [a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        return []


def png_colours(data: bytes) -> int:
    """How many distinct byte values the image's pixel rows hold (a blank page has a handful)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat)))


def test_the_served_page_shows_the_simulated_fleet(served: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    frames: list[bytes] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on(
                "websocket",
                lambda ws: ws.on("framereceived", lambda p: frames.append(p if isinstance(p, bytes) else p.encode())),
            )
            page.goto(served, wait_until="domcontentloaded")
            deadline = time.monotonic() + 60
            screen = b""
            # The demo opens on the preflight of its fleet: wait until the master and both clients are drawn.
            while not all(h in screen for h in (b"nim01", b"lpar01", b"lpar02")):
                assert time.monotonic() < deadline, f"the fleet did not render: {screen[-600:]!r}"
                page.wait_for_timeout(250)
                screen = ANSI.sub(b"", b"".join(frames))
            page.wait_for_function("document.body.classList.contains('-first-byte')", timeout=10_000)
            page.wait_for_timeout(500)  # let xterm.js paint the last frame
            shot = tmp_path / "cockpit-serve.png"
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    assert b"Re-check all" in screen and b"Start run" in screen  # the preflight screen's keys, drawn in the footer
    data = shot.read_bytes()
    assert png_colours(data) > 50, f"the screenshot {shot} looks blank"
    print(f"screenshot: {shot}")
