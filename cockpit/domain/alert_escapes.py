"""The terminal's own ways to call a person: the bell, and a desktop notification by escape sequence.

Two escapes ask a terminal emulator to show a system notification: OSC 9 (iTerm2's; WezTerm and
Ghostty read it too) and OSC 777 `notify` (rxvt-unicode's; WezTerm, Ghostty, foot, and VTE terminals
built with Fedora's notification patch). A terminal that knows neither consumes and ignores them (an
OSC string runs to its terminator). `auto` sends the one a known terminal shows (OSC 777 where there
is a choice: it has a title), and both to a terminal it does not know: one that shows both would
show the alert twice, which is why the known ones get one.

Inside tmux an escape reaches tmux, not the terminal: it is wrapped in tmux's passthrough (DCS
`tmux;`), which tmux forwards when `allow-passthrough` is on. The bell needs no wrapping: tmux
flags the window and, per its `bell-action`, rings the outer terminal.

The text comes from hosts (an AIX error line): it goes through cockpit.domain.printable (every
escape sequence and control character removed), so a log line cannot end the escape early and
smuggle in one of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from cockpit.domain.printable import printable

BEL = "\a"
DesktopSetting = Literal["auto", "osc9", "osc777", "off"]
Protocol = Literal["osc9", "osc777"]

MAX_TEXT = 240
"""Characters of a notification's text (a notification shows a line or two)."""


def clean(text: str, limit: int = MAX_TEXT) -> str:
    flat = " ".join(printable(text).split())  # split(): line and paragraph separators go too
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def osc9(text: str) -> str:
    # ConEmu reads `OSC 9 ; <digits> ;` as its own commands: the text never starts with a digit.
    body = clean(text)
    if body[:1].isdigit():
        body = "- " + body
    return f"\x1b]9;{body}\a"


def osc777(title: str, body: str) -> str:
    # `;` separates the title from the body: none in the title.
    return f"\x1b]777;notify;{clean(title, 80).replace(';', ',')};{clean(body)}\a"


def tmux_passthrough(sequence: str) -> str:
    """`sequence` wrapped for tmux to hand to the outer terminal (each ESC inside doubled)."""
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def desktop_protocols(setting: DesktopSetting, env: Mapping[str, str]) -> tuple[Protocol, ...]:
    """Which escapes to send for `setting`, from what the environment says of the terminal."""
    if setting == "off":
        return ()
    if setting != "auto":
        return (setting,)
    program = env.get("TERM_PROGRAM", "")
    term = env.get("TERM", "")
    # LC_TERMINAL is iTerm2's own and, as an LC_* variable, usually crosses ssh to the jump host.
    if program == "iTerm.app" or "ITERM_SESSION_ID" in env or env.get("LC_TERMINAL") == "iTerm2":
        return ("osc9",)
    if program in ("ghostty", "WezTerm") or term.startswith(("rxvt", "foot")) or "VTE_VERSION" in env:
        return ("osc777",)
    return ("osc9", "osc777")


def desktop_escapes(app: str, title: str, body: str, protocols: tuple[Protocol, ...], *, tmux: bool) -> str:
    """The escapes for one notification, wrapped for tmux when the cockpit runs inside it.

    OSC 9 has no title: its text is `APP: BODY`; OSC 777's title is `APP: TITLE`.
    """
    parts = [osc9(f"{app}: {body}") if p == "osc9" else osc777(f"{app}: {title}", body) for p in protocols]
    return "".join(tmux_passthrough(p) if tmux else p for p in parts)


__all__ = ["BEL", "DesktopSetting", "clean", "desktop_escapes", "desktop_protocols", "osc9", "osc777"]
