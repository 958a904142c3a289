"""Which waivers may be given, on what, for how long: the rules an auditor signs.

- A waiver names a check the cockpit knows and a host of the inventory (`CHECK@HOST=REASON`); a typo
  is refused, never kept as a waiver that matches nothing.
- One host per waiver. Every host at once only when the operator asks for it (`CHECK@*`) and then
  confirms it (`--all-hosts` on the command line, the confirmation dialog in the cockpit); a missing
  `@HOST` never means "every host".
- A waiver never covers an `error` finding (the check could not run: nothing was judged to accept).
- It ends: with the plan's maintenance window when the plan has one (never later), else at the time
  the operator gives, DEFAULT_LIFETIME after it was given when they give none, never more than
  MAX_LIFETIME ahead. An expired waiver no longer counts; it stays in the record as expired.
- A reason is required, kept as one printable line.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from cockpit.domain.printable import printable

EVERY_HOST = "*"
"""The host part of a waiver of every host: `CHECK@*`."""
DEFAULT_LIFETIME = 12 * 3600.0
"""Without a maintenance window and without a time from the operator: half a day, one night's change."""
MAX_LIFETIME = 7 * 24 * 3600.0
"""The furthest a waiver may reach without a window: a week. Longer is a standing exception, not a waiver."""
LEGACY_LIFETIME = DEFAULT_LIFETIME
"""Waivers journaled before waivers expired end this long after they were given."""
_LISTED_HOSTS = 10


class WaiverError(ValueError):
    """A waiver that may not be given (or revoked) as asked: one line for the operator."""


@dataclass(frozen=True)
class WaiverRequest:
    """What the operator asked for, checked against the config's checks and hosts."""

    check: str
    host: str | None
    """None: every host (asked with `CHECK@*`; given only once confirmed)."""
    reason: str

    @property
    def every_host(self) -> bool:
        return self.host is None

    @property
    def label(self) -> str:
        return waiver_label(self.check, self.host)


def waiver_label(check: str, host: str | None) -> str:
    """`nimsh.active@lpar03`, or `nimsh.active@*` for every host."""
    return f"{check}@{host if host is not None else EVERY_HOST}"


def parse_target(
    text: str, checks: Collection[str], hosts: Sequence[str], *, said: str | None = None
) -> tuple[str, str | None]:
    """`CHECK@HOST` (or `CHECK@*`) -> (check, host or None), both known; else WaiverError, whose line
    starts with `said` (what the operator wrote; default `text`)."""
    check, sep, host = (part.strip() for part in text.partition("@"))
    shown = printable(said if said is not None else text)
    if check not in checks:
        raise WaiverError(f"{shown}: no check {printable(check)!r} (checks: {', '.join(sorted(checks))})")
    if not sep or not host:
        raise WaiverError(f"{shown} names no host: write {check}@HOST (one host), or {check}@* for every host")
    if host == EVERY_HOST:
        return check, None
    if host not in hosts:
        raise WaiverError(f"{shown}: {printable(host)!r} is not a host of the inventory ({describe_hosts(hosts)})")
    return check, host


def parse_request(text: str, checks: Collection[str], hosts: Sequence[str]) -> WaiverRequest:
    """`CHECK@HOST=REASON` (or `CHECK@*=REASON`) from the command line, checked."""
    target, sep, reason = text.partition("=")
    reason = printable(reason).strip()
    if not sep or not reason:
        raise WaiverError(f"--waive {printable(text)!r}: expected CHECK@HOST=REASON (a reason is required)")
    check, host = parse_target(target, checks, hosts, said=f"--waive {text}")
    return WaiverRequest(check, host, reason)


def request(check: str, host: str | None, reason: str, checks: Collection[str], hosts: Sequence[str]) -> WaiverRequest:
    """The same checks for a waiver asked for in the cockpit (host None: every host)."""
    text = printable(reason).strip()
    if not text:
        raise WaiverError(f"a waiver of {check} needs a reason")
    parse_target(waiver_label(check, host), checks, hosts)
    return WaiverRequest(check, host, text)


def describe_hosts(hosts: Sequence[str]) -> str:
    shown = ", ".join(hosts[:_LISTED_HOSTS])
    more = len(hosts) - _LISTED_HOSTS
    return f"hosts: {shown}" + (f" and {more} more (see hosts: in the config)" if more > 0 else "")


def expiry(now: float, *, window_end: float | None, until: float | None) -> float:
    """When a waiver given `now` ends (epoch seconds); WaiverError for a time the rules refuse."""
    if until is not None and until <= now:
        raise WaiverError(f"--until {stamp(until)} is not in the future")
    if window_end is not None:
        if window_end <= now:
            raise WaiverError(
                f"the plan's maintenance window ended at {stamp(window_end)}: a waiver would end before it "
                "began (set plan.window to the coming window)"
            )
        if until is not None and until > window_end:
            raise WaiverError(
                f"--until {stamp(until)} is after the end of the plan's window ({stamp(window_end)}): "
                "a waiver ends with the window"
            )
        return until if until is not None else window_end
    if until is None:
        return now + DEFAULT_LIFETIME
    if until > now + MAX_LIFETIME:
        raise WaiverError(
            f"--until {stamp(until)} is more than {MAX_LIFETIME / 86400:g} days ahead "
            f"(latest: {stamp(now + MAX_LIFETIME)}); a plan with a maintenance window ties waivers to it"
        )
    return until


def stamp(at: float) -> str:
    """Local time to the minute, as `--until` takes it."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))
