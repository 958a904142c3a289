"""Text from operators and hosts made safe for a terminal and for a report.

A waiver's reason, an operator's note or a line a host printed can carry terminal escapes: a CSI that
moves the cursor or hides text (`ESC [ 8 m`), an OSC that sets the window title or writes a link, C1
controls (the 8-bit forms of the same), a backspace or a carriage return that overwrites what was
printed before. Printed raw they make a terminal, a Markdown report or a JUnit file say something
else than what was recorded (and C0 controls make a JUnit file invalid XML). Every such sequence is
removed, not rendered: what is left is all the printable text, so nothing hidden by the sequence
stays hidden. Unicode bidirectional overrides go too (they reorder what a reader sees, CVE-2021-42574).

`printable()` is the one function for it; log lines go through it too (cockpit.domain.lines).
"""

from __future__ import annotations

import re

_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erase
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"  # OSC: window title, hyperlinks (ends at BEL or ST)
    r"|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings (end at ST)
    r"|\x1b[ -/]*[0-~]"  # other escape sequences: ESC c (reset), ESC ( B, ESC 7 ...
    r"|\x9b[0-?]*[ -/]*[@-~]"  # the same in their 8-bit (C1) forms
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x9c\x1b\n]*[\x07\x9c]?"
)
_ONE_LINE_BREAKS = re.compile(r"\r\n|[\r\n\t\v\f]")
_CONTROLS_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` without terminal escapes, control characters or bidi overrides.

    One line (the default): line breaks and tabs become a space, for a summary, a reason, a table
    cell. `multiline`: newlines and tabs stay, a CRLF becomes a newline (command output shown whole).
    """
    if text.isprintable():  # the common case, at C speed: nothing to remove (space is printable)
        return text
    text = _SEQUENCES.sub("", text)
    if multiline:
        return _CONTROLS_MULTILINE.sub("", text.replace("\r\n", "\n"))
    return _CONTROLS_ONE_LINE.sub("", _ONE_LINE_BREAKS.sub(" ", text))
