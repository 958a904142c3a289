"""Probe and fix command lines: the documented forms, and nothing unvalidated reaches a shell."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cockpit.domain.names import UnsafeValue
from cockpit.domain.preflight import commands


def test_probe_forms() -> None:
    assert commands.lssrc_nimsh("client").command == "lssrc -s nimsh"
    assert commands.showres_spot("spot_AIX72TL5").command == "nim -o showres -a lslpp_flags=Lc spot_AIX72TL5"
    assert commands.showres_lpp_source("lpp").command == "nim -o showres -a installp_flags=L lpp"
    assert commands.odmget_major(43).command == "odmget -q value1=43 CuDvDr"
    assert commands.bootinfo_size("hdisk2").command == "bootinfo -s hdisk2"
    assert commands.lssrc_nimsh("master").key == "master:lssrc -s nimsh"


def test_fix_forms() -> None:
    assert commands.nim_cust_fileset("lpp_source_AIX72TL5", "spot_AIX72TL5") == (
        "nim -o cust -a lpp_source=lpp_source_AIX72TL5 -a filesets=bos.alt_disk_install.rte spot_AIX72TL5"
    )
    assert commands.odmdelete_major(43) == "odmdelete -q value1=43 -o CuDvDr"
    assert commands.rm_file("/dev/odd name") == "rm '/dev/odd name'"
    assert commands.rmsock_holder("0xF1000F0000311BC0") == "rmsock f1000f0000311bc0 tcpcb"  # a fix, not a probe


@pytest.mark.parametrize(
    "build",
    [
        lambda: commands.rmsock_holder("f100;reboot"),
        lambda: commands.showres_spot("spot`id`"),
        lambda: commands.bootinfo_size("/dev/hdisk2"),
        lambda: commands.lsvg("master", "vg name"),
        lambda: commands.odmget_major(-1),
        lambda: commands.lsnim_object("-c"),
    ],
)
def test_unsafe_values_are_refused(build: Callable[[], object]) -> None:
    with pytest.raises(UnsafeValue):
        build()


# The preflight only reads: every probe is one of these commands (nim only as showres). A new probe
# that changes a host (rmsock, startsrc, odmdelete ...) belongs in a fix, offered and confirmed.
READ_ONLY = {"lssrc", "netstat", "lslpp", "oslevel", "lsnim", "hostname", "cat", "lspv", "lsvg", "bootinfo"}
READ_ONLY |= {"lvlstmajor", "ls", "odmget", "nim"}


def test_every_probe_only_reads() -> None:
    from tests.unit.sent_scripts import preflight_probes

    probes = list(preflight_probes())
    assert len(probes) > 15
    for name, command in probes:
        word = command.split()[0]
        assert word in READ_ONLY, (name, command)
        if word == "nim":
            assert command.startswith("nim -o showres "), (name, command)
