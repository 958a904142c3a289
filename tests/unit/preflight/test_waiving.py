"""The rules of a waiver: known check, known host, one host unless every host is asked for, an end."""

from __future__ import annotations

import pytest

from cockpit.domain.preflight import ALL_CHECKS
from cockpit.domain.preflight.waiving import (
    DEFAULT_LIFETIME,
    MAX_LIFETIME,
    WaiverError,
    expiry,
    parse_request,
    parse_target,
    request,
)

CHECKS = frozenset(c.id for c in ALL_CHECKS)
HOSTS = ["nim01", *(f"lpar{i:02d}" for i in range(1, 15))]
NOW = 1_800_000_000.0


def test_a_waiver_names_a_known_check_and_one_inventory_host() -> None:
    asked = parse_request("nimsh.active@lpar03=started by hand", CHECKS, HOSTS)
    assert (asked.check, asked.host, asked.reason, asked.label) == (
        "nimsh.active",
        "lpar03",
        "started by hand",
        "nimsh.active@lpar03",
    )
    every = parse_request("nimsh.active@*=all of them", CHECKS, HOSTS)
    assert every.every_host and every.host is None and every.label == "nimsh.active@*"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("nosuch.check=typo", "--waive nosuch.check=typo: no check 'nosuch.check' (checks: cache_vg.space, "),
        ("nimsh.active@lpar99=x", "'lpar99' is not a host of the inventory (hosts: nim01, lpar01,"),
        ("nimsh.active=x", "names no host: write nimsh.active@HOST (one host), or nimsh.active@* for every host"),
        ("nimsh.active@=x", "names no host"),
        ("nimsh.active@lpar03", "expected CHECK@HOST=REASON (a reason is required)"),
        ("nimsh.active@lpar03=  \x1b[0m ", "a reason is required"),  # only an escape: no reason
    ],
)
def test_what_is_refused(text: str, says: str) -> None:
    with pytest.raises(WaiverError) as err:
        parse_request(text, CHECKS, HOSTS)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_a_long_inventory_is_not_listed_whole() -> None:
    with pytest.raises(WaiverError, match=r"and 5 more \(see hosts: in the config\)"):
        parse_target("nimsh.active@lpar99", CHECKS, HOSTS)


def test_a_reason_is_kept_as_one_printable_line() -> None:
    asked = request("nimsh.active", "lpar03", "ok\x1b]0;owned\x07\nsecond line", CHECKS, HOSTS)
    assert asked.reason == "ok second line"


def test_a_waiver_ends_with_the_window() -> None:
    end = NOW + 3600
    assert expiry(NOW, window_end=end, until=None) == end
    assert expiry(NOW, window_end=end, until=NOW + 60) == NOW + 60  # earlier is allowed
    with pytest.raises(WaiverError, match="after the end of the plan's window"):
        expiry(NOW, window_end=end, until=end + 60)
    with pytest.raises(WaiverError, match="the plan's maintenance window ended at"):
        expiry(NOW, window_end=NOW - 1, until=None)
    # A window next week: the waiver may reach it, whatever the no-window maximum.
    assert expiry(NOW, window_end=NOW + 10 * 86400, until=None) == NOW + 10 * 86400


def test_without_a_window_a_default_and_a_maximum() -> None:
    assert expiry(NOW, window_end=None, until=None) == NOW + DEFAULT_LIFETIME
    assert expiry(NOW, window_end=None, until=NOW + MAX_LIFETIME) == NOW + MAX_LIFETIME
    with pytest.raises(WaiverError, match="more than 7 days ahead"):
        expiry(NOW, window_end=None, until=NOW + MAX_LIFETIME + 60)
    with pytest.raises(WaiverError, match="is not in the future"):
        expiry(NOW, window_end=None, until=NOW)
