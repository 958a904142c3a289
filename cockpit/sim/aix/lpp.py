"""Installed software: lslpp on a host, and the fileset listings of NIM resources (SPOT, lpp_source).

A host, a SPOT or an lpp_source holds a few base filesets at the level of its oslevel plus the ones a
scenario names (`filesets:`); bos.alt_disk_install.rte is there only when named, so a SPOT made from
install media lacks it as in the field report. Formats: lslpp's colon layouts ( `-L` human layout and
the state legend assumed).
"""

from __future__ import annotations

import getopt

from cockpit.sim import state
from cockpit.sim.aix.common import Ctx, UsageError, err, out
from cockpit.sim.aix.installp import FILESETS, fileset_level

BASE = ("bos.rte", "bos.mp64", "bos.rte.install", "bos.net.tcp.client", "bos.sysmgt.nim.client")
DESCRIPTIONS = {name: desc for name, desc, _ in FILESETS}
HAS_ROOT_PART = {name for name, _, root in FILESETS if root}
LC_HEADER = (
    "#Package Name:Fileset:Level:State:PTF Id:Fix State:Type:Description:Destination Dir.:Uninstaller:"
    "Message Catalog:Message Set:Message Number:Parent:Automatic:EFIX Locked:Install Path:Build Date"
)
USAGE = "Usage: lslpp {-l | -L | -Lc | -lc} [-q] [fileset ...]  (the simulator implements these forms)"


def catalogue(oslevel: str, named: dict[str, str]) -> dict[str, str]:
    """fileset -> level of everything installed: the base filesets at the TL's level, then the named ones."""
    level = fileset_level(oslevel)
    return {**dict.fromkeys(BASE, level), **named}


def host_filesets(st: state.HostState) -> dict[str, str]:
    return catalogue(state.oslevel(st), dict(st.get("filesets", {})))


def package(fileset: str) -> str:
    """bos.alt_disk_install.rte -> bos.alt_disk_install; bos.rte -> bos.rte."""
    parts = fileset.split(".")
    return ".".join(parts[:2])


def base_level(level: str) -> str:
    """7.2.5.101 -> 7.2.5.0: the base image an update applies to."""
    return ".".join([*level.split(".")[:3], "0"])


def kind(level: str) -> str:
    return "I" if level == base_level(level) else "F"


def description(fileset: str) -> str:
    return DESCRIPTIONS.get(fileset, fileset)


def lc_lines(filesets: dict[str, str], build: str) -> list[str]:
    """`lslpp -Lc` (the layout `nim -o showres -a lslpp_flags=Lc <spot>` prints)."""
    return [LC_HEADER] + [
        f"{package(f)}:{f}:{v}: : :C:{kind(v)}:{description(f)}: : : : : : :0:0:/:{build}"
        for f, v in sorted(filesets.items())
    ]


def installp_l_lines(filesets: dict[str, str]) -> list[str]:
    """`installp -L -d <images>`: each base image and, where the resource has one, its update."""
    rows = []
    for f, v in sorted(filesets.items()):
        rows.append(f"{package(f)}:{f}:{base_level(v)}::I:T:::::N:{description(f)} ::::0::")
        if v != base_level(v):
            rows.append(f"{package(f)}:{f}:{v}::S:T:::::N:{description(f)} ::::0::")
    return rows


def not_installed(fileset: str) -> str:
    return f"lslpp: Fileset {fileset} not installed."


def lslpp(ctx: Ctx, args: list[str]) -> int:
    try:
        opts, wanted = getopt.getopt(args, "lLcq")
    except getopt.GetoptError as e:
        raise UsageError(USAGE) from e
    flags = {o for o, _ in opts}
    if ("-l" in flags) == ("-L" in flags):
        raise UsageError(USAGE)
    st = ctx.read()
    installed = host_filesets(st)
    missing = [f for f in wanted if f not in installed and f != "all"]
    shown = {f: v for f, v in installed.items() if not wanted or "all" in wanted or f in wanted}
    build = state.oslevel(st)[-4:]
    if "-c" in flags:
        rows = lc_lines(shown, build) if "-L" in flags else _lc_paths(shown)
        if "-q" in flags:
            rows = [r for r in rows if not r.startswith("#")]
        if rows:
            out(*rows)
    elif shown:
        out(*(_human_l(shown) if "-L" in flags else _human_paths(shown, "-q" in flags)))
    if missing:
        err(*(not_installed(f) for f in missing))
        return 1
    return 0


def _lc_paths(filesets: dict[str, str]) -> list[str]:
    """`lslpp -lc`: one record per part (usr, root) of each fileset."""
    rows = ["#Path:Fileset:Level:PTF Id:State:Type:Description:EFIX Locked"]
    for path in ("/usr/lib/objrepos", "/etc/objrepos"):
        for f, v in sorted(filesets.items()):
            if path == "/usr/lib/objrepos" or f in HAS_ROOT_PART:
                rows.append(f"{path}:{f}:{v}::COMMITTED:{kind(v)}:{description(f)}:")
    return rows


def _human_l(filesets: dict[str, str]) -> list[str]:
    rows = [
        "  Fileset                      Level  State  Type  Description (Uninstaller)",
        "  " + "-" * 76,
    ]
    for f, v in sorted(filesets.items()):
        rows.append(f"  {f:<26}{v:>11}    C     {kind(v)}    {description(f)}")
    rows += [
        "",
        "State codes: ",
        " A -- Applied. ",
        " B -- Broken. ",
        " C -- Committed. ",
        " E -- EFIX Locked. ",
        " O -- Obsolete.  (partially migrated to newer version) ",
        " ? -- Inconsistent State...Run lppchk -v. ",
        "",
        "Type codes: ",
        " F -- Installp Fileset ",
        " P -- Product ",
        " C -- Component ",
        " T -- Feature ",
        " R -- RPM Package ",
        " E -- Interim Fix ",
    ]
    return rows


def _human_paths(filesets: dict[str, str], quiet: bool) -> list[str]:
    rows = (
        []
        if quiet
        else [
            "  Fileset                      Level  State      Description         ",
            "  " + "-" * 76,
        ]
    )
    for path in ("/usr/lib/objrepos", "/etc/objrepos"):
        part = {f: v for f, v in sorted(filesets.items()) if path == "/usr/lib/objrepos" or f in HAS_ROOT_PART}
        if part:
            rows.append(f"Path: {path}")
            rows += [f"  {f:<26}{v:>11}  COMMITTED  {description(f)}" for f, v in part.items()]
            rows.append("")
    return rows[:-1] if rows and rows[-1] == "" else rows
