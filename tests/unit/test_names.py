"""Values from configs and operators never reach a remote shell unvalidated or unquoted."""

import shlex

import pytest

from cockpit.domain import names
from cockpit.domain.nimadm_commands import nimadm_cleanup, nimadm_migrate


def test_nimadm_command_is_the_documented_form() -> None:
    cmd = nimadm_migrate("adachi-AIX7", "lpp_source_AIX72TL5", "spot_AIX72TL5", ["hdisk2"])
    assert cmd == "nimadm -c adachi-AIX7 -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y"


def test_several_disks_travel_as_one_quoted_argument_and_cache_vg_and_phase_are_added() -> None:
    cmd = nimadm_migrate("c1", "lpp", "spot", ["hdisk2", "hdisk3"], cache_vg="nimvg", phase=6)
    assert shlex.split(cmd) == [
        "nimadm",
        "-c",
        "c1",
        "-l",
        "lpp",
        "-s",
        "spot",
        "-d",
        "hdisk2 hdisk3",
        "-Y",
        "-j",
        "nimvg",
        "-P",
        "6",
    ]


def test_cleanup_command() -> None:
    assert nimadm_cleanup("c1", "spot_AIX72TL5") == "nimadm -C -c c1 -s spot_AIX72TL5"


@pytest.mark.parametrize(
    "client,lpp,spot,disk",
    [
        ("c1;reboot", "lpp", "spot", "hdisk2"),
        ("c1", "lpp$(id)", "spot", "hdisk2"),
        ("c1", "lpp", "spot`x`", "hdisk2"),
        ("c1", "lpp", "spot", "hdisk2 && rm -rf /"),
        ("-c", "lpp", "spot", "hdisk2"),
        ("c1", "lpp", "spot", "/dev/hdisk2"),
    ],
)
def test_unsafe_values_are_refused_before_any_command_is_built(client: str, lpp: str, spot: str, disk: str) -> None:
    with pytest.raises(names.UnsafeValue):
        nimadm_migrate(client, lpp, spot, disk.split())


def test_phase_outside_1_to_12_is_refused() -> None:
    with pytest.raises(names.UnsafeValue):
        nimadm_migrate("c1", "lpp", "spot", ["hdisk2"], phase=13)
