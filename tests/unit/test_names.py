"""Values from configs and operators never reach a remote shell unvalidated or unquoted.

The commands themselves come from the runbooks' templates (tests/config/test_runbooks.py checks the
nimadm ones); these are the shape checks and the quoting every template value goes through.
"""

import shlex
from collections.abc import Callable

import pytest

from cockpit.domain import names


@pytest.mark.parametrize(
    "check,value",
    [
        (names.nim_name, "c1;reboot"),
        (names.nim_name, "lpp$(id)"),
        (names.nim_name, "spot`x`"),
        (names.nim_name, "-c"),  # an option where a name belongs
        (names.disk_name, "hdisk2 && rm -rf /"),
        (names.disk_name, "hdisk2\nreboot"),
        (names.vg_name, "vg|sh"),
    ],
)
def test_unsafe_values_are_refused_before_any_command_is_built(check: Callable[[str], str], value: str) -> None:
    with pytest.raises(names.UnsafeValue, match="is not a valid"):
        check(value)


def test_valid_values_pass_unchanged() -> None:
    assert names.nim_name("lpp_source_AIX72TL5") == "lpp_source_AIX72TL5"
    assert names.disk_name("hdisk2") == "hdisk2"
    assert names.vg_name("nimvg") == "nimvg"


def test_each_argument_is_quoted_as_one_word() -> None:
    line = names.command_line("nimadm", "-d", "hdisk2 hdisk3", "-s", "it's")
    assert line == "nimadm -d 'hdisk2 hdisk3' -s 'it'\"'\"'s'"
    assert shlex.split(line) == ["nimadm", "-d", "hdisk2 hdisk3", "-s", "it's"]
