"""Text from operators and hosts reaches a terminal or a report without its escapes (one function for it)."""

from __future__ import annotations

import pytest

from cockpit.domain.lines import LineSplitter, clean
from cockpit.domain.printable import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text, unchanged", "plain text, unchanged"),
        ("ok\x1b[2J\x1b[H cleared", "ok cleared"),  # CSI: erase the screen, move the cursor
        ("a\x1b[8mhidden\x1b[0m b", "ahidden b"),  # concealed text is shown, not hidden
        ("title\x1b]0;owned\x07 set", "title set"),  # OSC ended by BEL
        ("link \x1b]8;;http://x\x1b\\here\x1b]8;;\x1b\\", "link here"),  # OSC 8 hyperlink, ended by ST
        ("reset\x1bc now", "reset now"),  # ESC c: reset the terminal
        ("8-bit \x9b31mred\x9b0m", "8-bit red"),  # C1 CSI
        ("osc \x9d0;t\x9c done", "osc  done"),  # C1 OSC ... ST
        ("good\b\b\b\bbad", "goodbad"),  # backspace would overwrite: both words stay visible
        ("bell\x07 nul\x00 del\x7f", "bell nul del"),
        ("two\nlines\ttab\r\nend", "two lines tab end"),  # one line: breaks and tabs are a space
        ("\u202eevil\u202c name", "evil name"),  # bidi override (Trojan Source)
        ("unterminated \x1b]0;title", "unterminated "),
        ("lone escape at the end \x1b", "lone escape at the end "),
        ("é ü 日本 ok", "é ü 日本 ok"),
    ],
)
def test_printable_removes_every_escape_and_control(raw: str, shown: str) -> None:
    assert printable(raw) == shown
    assert printable(printable(raw)) == printable(raw)  # idempotent


def test_multiline_keeps_lines_and_tabs() -> None:
    assert printable("a\tb\r\nc\x1b[31m d\x1b[0m\n", multiline=True) == "a\tb\nc d\n"
    assert printable("x\ry", multiline=True) == "xy"


def test_log_lines_go_through_the_same_function() -> None:
    assert clean("\x1b[1mPhase 3\x1b[0m \x1b]0;t\x07done") == "Phase 3 done"
    assert clean("10%\r50%\r100%\r") == "100%"  # a progress bar: what was seen last
    assert clean("col1\tcol2") == "col1\tcol2"
    splitter = LineSplitter()
    assert splitter.feed(b"a\x1b[3") + splitter.feed(b"1mred\x1b[0m\n") == ["ared"]
