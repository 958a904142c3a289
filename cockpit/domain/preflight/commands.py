"""The exact command lines the preflight runs (probes: read-only, every one) and proposes (fixes).

Everything is built with names.command_line from validated values, so the simulator, the engine and
the tests all see one spelling of each command. Forms are the documented ones.
Filtering (grep) is done in Python on the full output, never in a remote pipeline: no quoting games.
"""

from __future__ import annotations

import re

from cockpit.domain import names
from cockpit.domain.preflight.models import Probe, Role

ALT_DISK_FILESET = "bos.alt_disk_install.rte"
NIMSH_PORTS = (3901, 3902)
# A PCB/ADDR as netstat -A prints it (f1000e000288c3b8); rmsock takes it without 0x.
_PCB = re.compile(r"^[0-9a-fA-F]{1,16}$")
# Where the ghost-major fix saves what it deletes; `$(date ...)` is expanded by the host's shell
# (quoted: its output is one word whatever the locale, and shellcheck can tell).
STAMP = '"$(date +%Y%m%d%H%M%S)"'


def _probe(on: Role, *argv: str) -> Probe:
    return Probe(on, names.command_line(*argv))


# --- probes -------------------------------------------------------------------------------------


def lssrc_nimsh(on: Role) -> Probe:
    return _probe(on, "lssrc", "-s", "nimsh")


def netstat_sockets(on: Role) -> Probe:
    """`netstat -Aan`: every socket with its PCB address first, for the rmsock fix that names the holder."""
    return _probe(on, "netstat", "-Aan")


def rmsock_holder(pcb: str) -> str:
    """`rmsock <pcb> tcpcb`: prints the process holding a TCP socket. A fix, never a probe: for a socket
    that NO process holds (an orphan) rmsock aborts it and frees its port (the AIX rmsock page); an
    orphan on 3901/3902 would stop nimsh binding anyway.
    """
    pcb = pcb.lower().removeprefix("0x")
    if not _PCB.fullmatch(pcb):
        raise names.UnsafeValue(f"PCB address {pcb!r} is not hexadecimal")
    return names.command_line("rmsock", pcb, "tcpcb")


def lslpp_fileset(fileset: str = ALT_DISK_FILESET) -> Probe:
    """`lslpp -lcq <fileset>` on the master (colon format, no header)."""
    return _probe("master", "lslpp", "-lcq", _fileset(fileset))


def showres_spot(spot: str) -> Probe:
    """`nim -o showres -a lslpp_flags=Lc <spot>`: the SPOT's filesets, `lslpp -Lc` layout."""
    return _probe("master", "nim", "-o", "showres", "-a", "lslpp_flags=Lc", names.nim_name(spot))


def showres_lpp_source(lpp_source: str) -> Probe:
    """`nim -o showres -a installp_flags=L <lpp_source>`: the images in the lpp_source, `installp -L`."""
    return _probe("master", "nim", "-o", "showres", "-a", "installp_flags=L", names.nim_name(lpp_source))


def oslevel_s(on: Role) -> Probe:
    return _probe(on, "oslevel", "-s")


def lsnim_object(nim_name: str) -> Probe:
    return _probe("master", "lsnim", "-l", names.nim_name(nim_name))


def hostname(on: Role) -> Probe:
    return _probe(on, "hostname")


def cat_niminfo() -> Probe:
    return _probe("client", "cat", "/etc/niminfo")


def lspv() -> Probe:
    return _probe("client", "lspv")


def lsvg(on: Role, vg: str) -> Probe:
    return _probe(on, "lsvg", names.vg_name(vg))


def lsvg_lvs(vg: str = "rootvg") -> Probe:
    return _probe("client", "lsvg", "-l", names.vg_name(vg))


def bootinfo_size(disk: str) -> Probe:
    return _probe("client", "bootinfo", "-s", names.disk_name(disk))


def lvlstmajor() -> Probe:
    return _probe("client", "lvlstmajor")


def ls_dev() -> Probe:
    """`ls -al /dev`, filtered in Python for the major number (the field report pipes it to grep)."""
    return _probe("client", "ls", "-al", "/dev")


def odmget_major(major: int) -> Probe:
    return _probe("client", *odm_major_query(major))


# --- fixes --------------------------------------------------------------------------------------


def odm_major_query(major: int) -> tuple[str, ...]:
    if not 0 <= major < 1 << 16:
        raise names.UnsafeValue(f"major number {major} out of range")
    return ("odmget", "-q", f"value1={major}", "CuDvDr")


def startsrc_nimsh() -> str:
    return names.command_line("startsrc", "-s", "nimsh")


def nim_cust_fileset(lpp_source: str, spot: str, fileset: str = ALT_DISK_FILESET) -> str:
    return names.command_line(
        "nim",
        "-o",
        "cust",
        "-a",
        f"lpp_source={names.nim_name(lpp_source)}",
        "-a",
        f"filesets={_fileset(fileset)}",
        names.nim_name(spot),
    )


def save_odm_major(major: int) -> str:
    return f"{names.command_line(*odm_major_query(major))} > /tmp/cockpit-CuDvDr-{major}.{STAMP}.odm"


def save_dev_listing(major: int, paths: list[str]) -> str:
    return f"{names.command_line('ls', '-al', *paths)} > /tmp/cockpit-dev-{major}.{STAMP}.txt"


def rm_file(path: str) -> str:
    return names.command_line("rm", path)


def odmdelete_major(major: int) -> str:
    odm_major_query(major)
    return names.command_line("odmdelete", "-q", f"value1={major}", "-o", "CuDvDr")


def odmget_major_command(major: int) -> str:
    return names.command_line(*odm_major_query(major))


def savebase() -> str:
    return "savebase"


def alt_rootvg_remove(vg: str) -> str:
    return names.command_line("alt_rootvg_op", "-X", names.vg_name(vg))


def chpv_clear(disk: str) -> str:
    return names.command_line("chpv", "-C", names.disk_name(disk))


def multibos_remove() -> str:
    return names.command_line("multibos", "-R")


_FILESET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")


def _fileset(value: str) -> str:
    return names.check("fileset name", value, _FILESET)
