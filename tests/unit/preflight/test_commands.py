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
    assert commands.rmsock_holder("master", "0xF1000F0000311BC0").command == "rmsock f1000f0000311bc0 tcpcb"
    assert commands.bootinfo_size("hdisk2").command == "bootinfo -s hdisk2"
    assert commands.lssrc_nimsh("master").key == "master:lssrc -s nimsh"


def test_fix_forms() -> None:
    assert commands.nim_cust_fileset("lpp_source_AIX72TL5", "spot_AIX72TL5") == (
        "nim -o cust -a lpp_source=lpp_source_AIX72TL5 -a filesets=bos.alt_disk_install.rte spot_AIX72TL5"
    )
    assert commands.odmdelete_major(43) == "odmdelete -q value1=43 -o CuDvDr"
    assert commands.rm_file("/dev/odd name") == "rm '/dev/odd name'"


@pytest.mark.parametrize(
    "build",
    [
        lambda: commands.rmsock_holder("client", "f100;reboot"),
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
