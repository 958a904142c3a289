"""The message catalogue as data, and `cockpit explain`: every entry is complete, sourced and findable."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cockpit.commands.explain import entry_dict, listed, run
from cockpit.domain import catalogue
from cockpit.domain.messages.simulated import MARKER

ROOT = Path(__file__).parent.parent.parent
REAL = [e for e in catalogue.ENTRIES if e.code]
FAMILY_PREFIXES = {"0042", "0301", "0503", "0505", "0513", "0516"}


def sample(entry: catalogue.Entry) -> str:
    """The entry's first line with its placeholders filled, as a host would print it."""
    first = entry.text.split("\n")[0].removesuffix("...").rstrip()
    return re.sub(r"<[\w -]+>", "x1", first)


def test_at_least_sixty_real_messages_from_the_migration_families() -> None:
    assert len(REAL) >= 60
    assert len({e.code for e in REAL}) == len(REAL)
    prefixes = {str(e.code)[:4] for e in REAL}
    assert prefixes >= FAMILY_PREFIXES
    assert {"1430", "0512", "0565"} <= prefixes


@pytest.mark.parametrize("entry", [*catalogue.ENTRIES, *catalogue.SIMULATED], ids=lambda e: e.code or e.text[:20])
def test_each_entry_is_complete_and_finds_itself(entry: catalogue.Entry) -> None:
    assert entry.meaning and entry.text
    if entry.severity in ("fatal", "error"):
        assert entry.fix, entry.code
    line = sample(entry) + (f" {MARKER}" if entry.simulated and MARKER not in entry.text else "")
    assert catalogue.lookup(line) == (entry.code, entry), line
    if entry.values is not None:
        assert catalogue.values(entry, line), (entry.values.pattern, line)
    for key in entry.sources:
        assert key in catalogue.SOURCES
    assert bool(entry.sources) != entry.simulated  # a real message has a public source; a simulated one none


def test_readme_states_the_catalogue_size() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"The catalogue holds {len(REAL)} AIX messages" in readme


def test_bosboot_messages_are_fatal_with_a_boot_disk_fix_and_public_sources() -> None:
    bosboot = {e.code for e in REAL if e.family == "bosboot"}
    assert bosboot == {"0301-101", "0301-150", "0301-154"}
    invalid = catalogue.BY_CODE["0301-150"]
    assert invalid.fatal and invalid.continuation == 1
    commands = [s.command for s in invalid.steps]
    assert "ln -f /dev/r<bootdisk> /dev/ipldevice" in commands and "bosboot -ad /dev/<bootdisk>" in commands
    assert "ibm-apar-iv00794" in invalid.sources
    proto = catalogue.BY_CODE["0301-154"]
    assert catalogue.values(proto, "0301-154 bosboot: missing proto file: /usr/lib/drivers/ssapin") == {
        "file": "/usr/lib/drivers/ssapin"
    }
    ipl = catalogue.BY_CODE["0653-341"]
    assert ipl.severity == "error" and "ipldevice" in ipl.when
    assert catalogue.lookup("0653-341 the file /dev/ipldevice does not exist")[1] is ipl


def test_simulated_entries_only_explain_lines_that_carry_the_marker() -> None:
    for entry in catalogue.SIMULATED:
        real_looking = sample(entry).replace(f" {MARKER}", "")
        code, found = catalogue.lookup(real_looking)
        assert code == entry.code and (found is None or not found.simulated)


def test_context_dependent_severities_say_when() -> None:
    for code in ("0516-320", "0516-1396", "0513-029", "0506-347"):
        entry = catalogue.BY_CODE[code]
        assert entry.severity == "info" and entry.when, code
    assert "free disk" in catalogue.BY_CODE["0516-320"].when


def test_every_source_key_and_url_is_in_sources_md() -> None:
    text = (ROOT / "SOURCES.md").read_text()
    used = {key for e in catalogue.ENTRIES for key in e.sources}
    assert used <= set(catalogue.SOURCES)
    for key in catalogue.SOURCES:
        assert f"`{key}`" in text, key
        assert catalogue.SOURCES[key].url in text, key


# --- cockpit explain -----------------------------------------------------------------------------------


def explain(*args: str, fmt: str = "text", list_all: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(args[0] if args else None, list_all=list_all, fmt=fmt, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_explain_prints_the_entry_with_its_fix_and_sources() -> None:
    status, out, err = explain("0516-404")
    assert status == 0 and err == ""
    assert out.startswith("0516-404  LVM · fatal\n")
    assert "text:     0516-404 allocp: This system cannot fulfill the allocation request." in out
    assert "(exact text)" in out
    assert "[client] bootinfo -s <hdisk>" in out
    assert "https://github.com/IBM/ansible-power-aix/issues/278" in out


def test_explain_marks_partial_and_simulated_text() -> None:
    assert "partial text" in explain("0516-1396")[1]
    status, out, _ = explain("0505-120")
    assert status == 0 and "(simulated)" in out.splitlines()[0] and "never printed by a real host" in out
    both = explain("0505-187")[1]
    assert both.index("Error cloning altinst_rootvg on client.") < both.index("(simulated)")


@pytest.mark.parametrize("code", ["0516-9999", "9999-999", "hello", "0516-404x"])
def test_explain_refuses_an_unknown_or_malformed_code_in_one_line(code: str) -> None:
    status, out, err = explain(code)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("cockpit: explain: ")


def test_explain_list_text_and_stable_json() -> None:
    status, out, _ = explain(list_all=True)
    assert status == 0
    assert out.startswith(f"{len(REAL)} AIX messages, {len(catalogue.SIMULATED)} simulator messages")
    assert len(out.splitlines()) == 2 + len(listed())
    status, out, _ = explain(list_all=True, fmt="json")
    doc = json.loads(out)
    assert doc["count"] == len(doc["messages"]) == len(listed())
    first = doc["messages"][0]
    assert list(first) == [
        "code", "family", "text", "text_status", "simulated", "severity", "when", "meaning", "fix", "commands",
        "sources",
    ]  # fmt: skip
    assert all(s["url"].startswith("http") for m in doc["messages"] for s in m["sources"])
    one = json.loads(explain("0042-001", fmt="json")[1])
    assert one == entry_dict(catalogue.BY_CODE["0042-001"])


def test_explain_needs_a_code_or_list() -> None:
    assert explain()[0] == 2
    assert run("0516-404", list_all=True, out=io.StringIO(), err=io.StringIO()) == 2


def test_explain_from_the_command_line_without_textual() -> None:
    code = (
        "import sys; from cockpit.cli import main; rc = main(['explain', '0505-204']);"
        "print('textual' in sys.modules, rc)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip().endswith("False 0")
    assert "0505-204 nimadm: SPOT <spot> does not have bos.alt_disk_install.rte installed." in done.stdout
    bad = subprocess.run([sys.executable, "-m", "cockpit", "explain", "0516-7777"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.count("\n") == 1
