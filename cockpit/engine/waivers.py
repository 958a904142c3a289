"""Waivers of a config: the rules of cockpit.domain.preflight.waiving applied to its checks, hosts and
window, kept in its state directory's journal, so `check`, `run`, `waivers` and the cockpit see the
same ones. Who gave a waiver is the OS user running the cockpit and the SSH key it used."""

from __future__ import annotations

import datetime
import os
import pwd
import time
from collections.abc import Callable

from cockpit.config.models import Config
from cockpit.domain.preflight import ALL_CHECKS, Waiver
from cockpit.domain.preflight.waiving import WaiverError, WaiverRequest, expiry, parse_request, parse_target, request
from cockpit.domain.printable import printable
from cockpit.engine.journal import Journal, WaiverRecord


def operator() -> str:
    """The OS user the cockpit runs as (its effective uid): $LOGNAME and $USER are whatever anyone sets."""
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid with no passwd entry (a container): the number is still who it was
        return f"uid {uid}"


def parse_until(text: str) -> float:
    """`--until 'YYYY-MM-DD HH:MM'` (this machine's local time, as the plan's window) -> epoch seconds."""
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise WaiverError(f"--until {text!r} is not a date and time like '2026-12-05 22:00'") from None
    if len(text.strip()) <= len("2026-12-05"):
        raise WaiverError(f"--until {text!r} is a date without a time; write e.g. '{text.strip()} 22:00'")
    return moment.timestamp()


def as_waiver(record: WaiverRecord) -> Waiver:
    """A journal row as the gate uses it (its text printable: an older cockpit stored reasons raw)."""
    return Waiver(
        check=record.check,
        reason=printable(record.reason) or "(no printable reason)",
        host=record.host,
        by=printable(record.operator),
        key=record.key,
        given_at=record.at,
        expires_at=record.expires_at,
    )


class WaiverRules:
    """What may be waived in one config (its checks, its hosts, its window): checked before anything
    is journaled or any host is asked."""

    def __init__(self, config: Config, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self.checks = frozenset(c.id for c in ALL_CHECKS)
        self.hosts = [h.name for h in config.hosts]
        window = config.plan.window
        self.window_end = window.epoch(window.end) if window is not None else None

    # -- asking ------------------------------------------------------------------------------------
    def ask(self, text: str) -> WaiverRequest:
        """`CHECK@HOST=REASON` from the command line; WaiverError (one line) for an unknown check or host."""
        return parse_request(text, self.checks, self.hosts)

    def ask_for(self, check: str, host: str | None, reason: str) -> WaiverRequest:
        """The same for a waiver asked for in the cockpit (host None: every host)."""
        return request(check, host, reason, self.checks, self.hosts)

    def target(self, text: str) -> tuple[str, str | None]:
        """`CHECK@HOST` (or `CHECK@*`) of `--revoke`, checked."""
        return parse_target(text, self.checks, self.hosts)

    def expires_at(self, until: float | None = None) -> float:
        """When a waiver given now ends (the window's end, `until`, or the default); WaiverError if refused."""
        return expiry(self.clock(), window_end=self.window_end, until=until)


class Waivers(WaiverRules):
    """The waivers of one config: asked for, given, listed, revoked; every change journaled."""

    def __init__(self, config: Config, journal: Journal, clock: Callable[[], float] = time.time) -> None:
        super().__init__(config, clock)
        self.journal = journal

    # -- giving ------------------------------------------------------------------------------------
    def give(
        self,
        asked: WaiverRequest,
        *,
        by: str,
        key: str | None,
        until: float | None = None,
        every_host_confirmed: bool = False,
    ) -> WaiverRecord:
        """Journal the waiver. A waiver of every host needs the operator's confirmation on top of `@*`."""
        if asked.every_host and not every_host_confirmed:
            raise WaiverError(
                f"{asked.label} waives {asked.check} on every host: confirm it with --all-hosts "
                f"(or name one host: {asked.check}@HOST)"
            )
        return self.journal.add_waiver(
            asked.check, asked.host, asked.reason, by, expires_at=self.expires_at(until), key=key
        )

    # -- reading -----------------------------------------------------------------------------------
    def in_force(self) -> list[Waiver]:
        """What the gate honours now: neither revoked nor expired."""
        return [as_waiver(w) for w in self.journal.waivers(self.clock())]

    def history(self) -> list[WaiverRecord]:
        return self.journal.waiver_history()

    # -- revoking ----------------------------------------------------------------------------------
    def revoke(self, texts: list[str], *, by: str) -> list[WaiverRecord]:
        """Revoke the waivers in force of each `CHECK@HOST` (`CHECK@*`: the one of every host). Every
        one is looked up first: a name with nothing in force revokes nothing (WaiverError)."""
        now = self.clock()
        in_force = self.journal.waivers(now)
        found: list[WaiverRecord] = []
        for text in texts:
            check, host = self.target(text)
            mine = [w for w in in_force if w.check == check and w.host == host]
            if not mine:
                raise WaiverError(f"no waiver of {text.strip()} is in force (`cockpit waivers CONFIG` lists them)")
            found += [w for w in mine if w not in found]
        for w in found:
            self.journal.revoke_waiver(w.id, by)
        return found

    def revoke_id(self, waiver_id: int, *, by: str) -> bool:
        return self.journal.revoke_waiver(waiver_id, by)
