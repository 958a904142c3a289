"""The sample notify scripts (sample_configs/notify/) run as the cockpit runs them, with hostile alert
values: the webhook gets exactly the values as JSON and the mail exactly one subject line, and no
value is ever run."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "sample_configs" / "notify"
HOSTILE = {
    "COCKPIT_EVENT": "failed",
    "COCKPIT_TARGET": "lpar02",
    "COCKPIT_SUMMARY": "lpar02 failed: \"quote' $(touch pwned) `touch pwned2` ; touch pwned3 \\ }]}",
    "COCKPIT_DETAIL": "~! touch pwned4",
    "COCKPIT_RUN": "20261213-020000-000",
    "COCKPIT_TIME": "2026-12-13T02:31:41+01:00",
}


def run(script: str, *args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SAMPLES / script), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


class Hook(http.server.BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]] = []

    def do_POST(self) -> None:  # the http.server API names it
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[str]:
    Hook.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/services/T000/B000/secret"
    finally:
        server.shutdown()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_webhook_sample_posts_the_values_as_json_and_runs_none(hook: str, tmp_path: Path) -> None:
    url_file = tmp_path / "webhook.url"
    url_file.write_text(hook + "\n")
    env = {"PATH": os.environ["PATH"], **HOSTILE}
    done = run("webhook.sh", str(url_file), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    ((path, content_type, body),) = Hook.received
    assert (path, content_type) == ("/services/T000/B000/secret", "application/json")
    sent = json.loads(body)
    assert sent["text"] == "cockpit: " + HOSTILE["COCKPIT_SUMMARY"]
    assert (sent["event"], sent["target"], sent["detail"]) == ("failed", "lpar02", "~! touch pwned4")
    assert not list(tmp_path.glob("pwned*"))


def test_the_webhook_sample_refuses_a_url_that_could_break_its_curl_config(tmp_path: Path) -> None:
    url_file = tmp_path / "webhook.url"
    url_file.write_text('https://hooks.example.com/x"\nurl = "file:///etc/shadow\n')
    done = run("webhook.sh", str(url_file), env={"PATH": os.environ["PATH"], **HOSTILE}, cwd=tmp_path)
    assert done.returncode == 2 and "unexpected characters in the URL" in done.stderr


@pytest.fixture
def fake_mail(tmp_path: Path) -> Path:
    """A mailx and a sendmail that record their arguments and their standard input."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("mailx", "sendmail"):
        tool = bin_dir / name
        tool.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{tmp_path}/{name}.args"\ncat > "{tmp_path}/{name}.in"\n')
        tool.chmod(0o755)
    return bin_dir


def test_the_mail_sample_sends_one_subject_line_and_labelled_body_lines(fake_mail: Path, tmp_path: Path) -> None:
    env = {"PATH": f"{fake_mail}:/usr/bin:/bin", **HOSTILE}
    env["COCKPIT_SUMMARY"] += "\nBcc: someone@example.net"  # never from the cockpit (one line), refused anyway
    done = run("mail.sh", "aix-oncall@example.com", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    args = (tmp_path / "mailx.args").read_text().splitlines()
    assert args[0] == "-s" and args[2:] == ["--", "aix-oncall@example.com"]
    assert args[1].startswith("cockpit: lpar02 failed: ") and args[1].endswith("Bcc: someone@example.net")
    body = (tmp_path / "mailx.in").read_text().splitlines()
    assert not [line for line in body if line.startswith("~")]  # no mailx tilde escape
    assert "detail:  ~! touch pwned4" in body
    assert not list(tmp_path.glob("pwned*"))


def test_the_mail_sample_uses_sendmail_without_mailx(fake_mail: Path, tmp_path: Path) -> None:
    (fake_mail / "mailx").unlink()
    bin_dir = tmp_path / "only"
    bin_dir.mkdir()
    for tool in ("sh", "tr", "cut", "cat", "printf"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    env = {"PATH": f"{fake_mail}:{bin_dir}", **HOSTILE}
    done = run("mail.sh", "a@example.com", "b@example.com", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "sendmail.args").read_text().splitlines() == ["-t", "-oi"]
    head = (tmp_path / "sendmail.in").read_text().split("\n\n", 1)[0].splitlines()
    assert head[0] == "To: a@example.com, b@example.com"
    assert head[1].startswith("Subject: cockpit: lpar02 failed: ") and len(head) == 2


def test_the_mail_sample_refuses_an_address_that_is_an_option(tmp_path: Path) -> None:
    done = run("mail.sh", "-oQ/tmp/x", env={"PATH": os.environ["PATH"], **HOSTILE}, cwd=tmp_path)
    assert done.returncode == 2 and "not a plain mail address" in done.stderr
