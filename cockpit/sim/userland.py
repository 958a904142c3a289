"""The shell and the tools a simulated host's sessions run with.

An AIX host runs what the cockpit sends under root's login shell (ksh: ksh88, ksh93 at some sites)
with AIX's own tail, head, ps, awk and sleep. The simulator runs on Linux, so it offers the nearest
stand-ins, chosen per fleet:

- shell `dash` (Debian's /bin/sh, the default), `mksh` (the pdksh line, the closest to ksh88 that
  Debian ships) or `ksh93` (AT&T ksh93u+m);
- with `busybox`, a directory of busybox applets first on PATH (after the fake AIX commands): tail,
  head, ps, awk, sed, grep, wc ... without GNU's long options and extensions, so a GNU-only option
  fails as it does on AIX. Its `sleep` takes whole seconds only, like AIX's ("from 1 to MAXINT" on
  the AIX sleep page): a `sleep 0.5` fails at once instead of sleeping.

Busybox is stricter than AIX in places: its ps has no `etime` column (AIX's has), so the troubleshoot
screen's process-tree probe is not expected to work there.

Selected by the scenario (`userland: {shell: ksh93, busybox: true}`), the environment
(`COCKPIT_SIM_USERLAND=ksh93+busybox`) or `cockpit sim --shell ksh93 --busybox`; the command line
wins over the environment, which wins over the scenario.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

USERLAND_ENV = "COCKPIT_SIM_USERLAND"
SHELLS: Mapping[str, tuple[str, ...]] = {
    "dash": ("dash", "sh"),
    "mksh": ("mksh",),
    "ksh93": ("ksh93",),
}
"""Shell name -> the executables that provide it, looked up on PATH (and in /bin, /usr/bin)."""
PACKAGES = {"dash": "dash", "mksh": "mksh", "ksh93": "ksh", "busybox": "busybox"}
"""The Debian package that installs each (tests/setup_shells.sh installs them)."""
BUSYBOX_APPLETS = (
    "awk", "basename", "cat", "chmod", "cp", "cut", "date", "df", "dirname", "du", "egrep", "env", "expr",
    "fgrep", "find", "grep", "gzip", "head", "id", "kill", "ln", "ls", "mkdir", "mv", "od", "printf", "ps",
    "rm", "rmdir", "sed", "sort", "tail", "tar", "tee", "touch", "tr", "uname", "uniq", "wc", "xargs",
)  # fmt: skip
"""Applets linked first on PATH; `sleep` is added as the whole-second wrapper below. (busybox has no
nohup: the system's is used, as AIX has one.)"""
_STRICT_SLEEP = """#!/bin/sh
# sleep of the Migration Cockpit simulator's busybox userland: whole seconds only, as AIX's sleep
# takes ("from 1 to MAXINT"); anything else fails at once (the wording is the simulator's).
if [ "$#" -ne 1 ]; then echo "Usage: sleep Seconds" >&2; exit 2; fi
case $1 in
'' | *[!0-9]*) echo "sleep: $1 is not a whole number of seconds" >&2; exit 2 ;;
esac
exec {busybox} sleep "$1"
"""
_SEARCH = ("/bin", "/usr/bin")


class UserlandMissing(RuntimeError):
    """The chosen shell or busybox is not installed here; the message names the Debian package."""


class UserlandError(ValueError):
    """A userland name or setting that does not exist (e.g. `--shell bash`)."""


@dataclass(frozen=True)
class Userland:
    shell: str = "dash"
    busybox: bool = False

    def __post_init__(self) -> None:
        if self.shell not in SHELLS:
            raise UserlandError(f"unknown shell {self.shell!r} (known: {', '.join(SHELLS)})")

    @property
    def label(self) -> str:
        """`dash+gnu`, `mksh+busybox` ...: what `parse` reads back."""
        return f"{self.shell}+{'busybox' if self.busybox else 'gnu'}"

    @classmethod
    def parse(cls, text: str) -> Userland:
        """`ksh93`, `ksh93+busybox`, `dash+gnu` (the form of COCKPIT_SIM_USERLAND)."""
        shell, _, tools = text.strip().partition("+")
        if tools not in ("", "gnu", "busybox"):
            raise UserlandError(f"unknown userland {text!r}: write SHELL or SHELL+busybox (e.g. ksh93+busybox)")
        return cls(shell or "dash", tools == "busybox")

    def shell_path(self) -> str:
        """The absolute path of the shell; UserlandMissing when it is not installed."""
        for name in SHELLS[self.shell]:
            found = _which(name)
            if found:
                return found
        raise UserlandMissing(f"{self.shell} is not installed (Debian package {PACKAGES[self.shell]})")

    def missing(self) -> list[str]:
        """Debian packages to install for this userland (empty when it can run here)."""
        wanted = [self.shell] + (["busybox"] if self.busybox else [])
        return [PACKAGES[w] for w in wanted if not any(_which(n) for n in SHELLS.get(w, (w,)))]

    def tools_dir(self, workdir: Path) -> Path | None:
        """The directory to put first on PATH (after the fake AIX commands), made on first use; None
        for the system's own tools."""
        if not self.busybox:
            return None
        busybox = _which("busybox")
        if busybox is None:
            raise UserlandMissing(f"busybox is not installed (Debian package {PACKAGES['busybox']})")
        directory = workdir / "busybox-bin"
        directory.mkdir(parents=True, exist_ok=True)
        for applet in BUSYBOX_APPLETS:
            link = directory / applet
            if not link.is_symlink():
                link.symlink_to(busybox)
        sleep = directory / "sleep"
        sleep.write_text(_STRICT_SLEEP.format(busybox=busybox), encoding="utf-8")
        sleep.chmod(0o755)
        return directory


def from_env(environ: Mapping[str, str] | None = None) -> Userland | None:
    """The userland COCKPIT_SIM_USERLAND names, or None when it is unset or empty."""
    value = (os.environ if environ is None else environ).get(USERLAND_ENV, "").strip()
    return Userland.parse(value) if value else None


def from_scenario(value: object, where: str = "userland") -> Userland | None:
    """The scenario key `userland: {shell: ksh93, busybox: true}` (or the string form)."""
    if value is None:
        return None
    if isinstance(value, str):
        return Userland.parse(value)
    if not isinstance(value, dict) or set(value) - {"shell", "busybox"}:
        raise UserlandError(f"{where} must be {{shell: dash|mksh|ksh93, busybox: true|false}}, not {value!r}")
    busybox = value.get("busybox", False)
    if not isinstance(busybox, bool):
        raise UserlandError(f"{where}.busybox must be true or false, not {busybox!r}")
    return Userland(str(value.get("shell", "dash")), busybox)


def choose(cli: Userland | None, scenario: Userland | None, environ: Mapping[str, str] | None = None) -> Userland:
    """The command line's choice, else the environment's, else the scenario's, else dash with GNU."""
    return cli or from_env(environ) or scenario or Userland()


def _which(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return os.path.abspath(found)
    for directory in _SEARCH:
        candidate = os.path.join(directory, name)
        if os.access(candidate, os.X_OK):
            return candidate
    return None
