"""`cockpit check CONFIG [--format text|json] [--waive CHECK@HOST=REASON ...] [--until TIME] [--all-hosts]`:
preflight every host; exit 0 go, 1 no-go.

A waiver is checked before any host is asked (an unknown check or host, a missing host, a time the
rules refuse: exit 2, nothing journaled), and journaled once the preflight has run, with the SSH key
the cockpit used on its host.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from cockpit.commands.exits import UsageError
from cockpit.config import Config
from cockpit.config.loader import load_config
from cockpit.config.models import NimadmPlan
from cockpit.domain.preflight import Finding, Status, evaluate_fleet
from cockpit.domain.preflight.waiving import WaiverError, WaiverRequest, stamp
from cockpit.domain.printable import printable
from cockpit.engine.journal import Journal
from cockpit.engine.preflight import PreflightProgress, PreflightReport, PreflightRunner
from cockpit.engine.waivers import WaiverRules, Waivers, as_waiver, operator, parse_until
from cockpit.transports.factory import transport_for

_GLYPH = {Status.PASS: "ok  ", Status.WARN: "warn", Status.FAIL: "FAIL", Status.ERROR: "ERR "}


def main(
    path: Path,
    fmt: str,
    waive: list[str],
    until: str | None = None,
    all_hosts: bool = False,
    *,
    progress: bool = False,
) -> int:
    """`cockpit check` from its command line: the config file, the format, the `--waive` values."""
    config = load_config(path)  # a bad config: one line per problem, exit 2 (cockpit.cli.main)
    if not isinstance(config.plan, NimadmPlan):
        raise UsageError(
            f"check: the preflight checks are those of a nimadm plan; runbook {config.plan.runbook} "
            "verifies what it needs in its own first steps (see cockpit run --dry-run)"
        )
    return run(config, fmt, waive=waive, until=until, all_hosts=all_hosts, progress=progress)


def run(
    config: Config,
    fmt: str,
    out: TextIO | None = None,
    *,
    waive: list[str] | None = None,
    until: str | None = None,
    all_hosts: bool = False,
    progress: bool = False,
    err: TextIO | None = None,
) -> int:
    """`progress`: a line per second on `err` (stderr) even when it is not a terminal; on a terminal the
    line is always shown, rewritten in place."""
    out, err = out or sys.stdout, err or sys.stderr
    asked, deadline = _asked(WaiverRules(config), waive or [], until, all_hosts)  # nothing written before
    journal = Journal(config.state_dir / "journal.sqlite")
    try:
        book = Waivers(config, journal)
        shown = ProgressLine(err, terminal=err.isatty()) if progress or err.isatty() else None
        runner = PreflightRunner(config, lambda h: transport_for(h, config.ssh, config.hosts))
        report = asyncio.run(runner.run(waivers=book.in_force(), on_progress=shown.update if shown else None))
        if shown is not None:
            shown.done(report)
        me = operator()
        for request in asked:
            book.give(request, by=me, key=report.key_for(request.host), until=deadline, every_host_confirmed=all_hosts)
        if asked:  # the verdict with the waivers just given
            report.verdict = evaluate_fleet(report.findings, [as_waiver(w) for w in journal.waivers()])
    finally:
        journal.close()
    if fmt == "json":
        json.dump(report.verdict.to_json(), out, indent=2)
        out.write("\n")
    else:
        render_text(report, out)
    return 0 if report.verdict.decision.value == "go" else 1


def _asked(
    book: WaiverRules, values: list[str], until: str | None, all_hosts: bool
) -> tuple[list[WaiverRequest], float | None]:
    """The `--waive` values, checked before any host is asked: exit 2 on the first that may not be given."""
    try:
        asked = [book.ask(value) for value in values]
        deadline = parse_until(until) if until is not None else None
        if deadline is not None and not asked:
            raise WaiverError("--until sets when the waivers given with --waive end: give one with it")
        if all_hosts and not any(a.every_host for a in asked):
            raise WaiverError("--all-hosts confirms a waiver of every host (--waive CHECK@*=REASON): none was given")
        for a in asked:
            if a.every_host and not all_hosts:
                raise WaiverError(
                    f"--waive {a.label}=...: waives {a.check} on every host; confirm it with --all-hosts "
                    f"(or name one host: {a.check}@HOST=REASON)"
                )
        book.expires_at(deadline)  # a window that is over, a time too far ahead: refused now
    except WaiverError as exc:
        raise UsageError(f"check: {exc}") from exc
    return asked, deadline


class ProgressLine:
    """The preflight's progress on stderr: rewritten in place on a terminal (at most 10 times a second),
    else one line a second; stdout keeps only the report (the JSON stays clean)."""

    def __init__(self, err: TextIO, *, terminal: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self.err = err
        self.terminal = terminal
        self.clock = clock
        self.started = clock()
        self._shown_at = -1e9
        self._last: PreflightProgress | None = None

    def update(self, progress: PreflightProgress) -> None:
        self._last = progress
        now = self.clock()
        if now - self._shown_at < (0.1 if self.terminal else 1.0):
            return
        self._shown_at = now
        self._write(f"preflight: {progress.line()}, {now - self.started:.0f}s")

    def done(self, report: PreflightReport) -> None:
        took = report.finished_at - report.started_at
        hosts = self._last.hosts_total if self._last else len(report.verdict.hosts)
        self._write(f"preflight: {report.commands_run:,} probes on {hosts:,} hosts in {took:.1f}s")
        if self.terminal:
            self.err.write("\n")
        self.err.flush()

    def _write(self, text: str) -> None:
        if self.terminal:
            self.err.write("\r" + text + "\x1b[K")
        else:
            self.err.write(text + "\n")
        self.err.flush()


def render_text(report: PreflightReport, out: TextIO) -> None:
    for hv in report.verdict.hosts:
        findings: list[Finding] = list(hv.findings)
        problems = [f for f in findings if f.status is not Status.PASS]
        verdict = hv.decision.value.upper()
        out.write(f"{hv.host}: {verdict}  ({len(findings) - len(problems)} passed, {len(problems)} to look at)\n")
        for f in problems:
            waived = ""
            if f.waiver is not None:
                until = f" until {stamp(f.waiver.expires_at)}" if f.waiver.expires_at is not None else ""
                waived = f"  [waived by {f.waiver.by or '?'}{until}: {printable(f.waiver.reason)}]"
            where = f" on {f.host}" if f.host != hv.host else ""
            out.write(
                f"  {_GLYPH[f.status]} {f.check:<34} {f.severity.value:<9} {printable(f.summary)}{where}{waived}\n"
            )
            if f.status is Status.ERROR:
                out.write("       not waivable: the check could not run; re-check once the cause is fixed\n")
            if f.remediation.hint and not f.waiver:
                out.write(f"       fix: {printable(f.remediation.hint)}\n")
            for cmd in f.remediation.ordered if not f.waiver else ():
                out.write(f"         [{cmd.host}] {printable(cmd.command)}\n")
    decision = report.verdict.decision
    took = report.finished_at - report.started_at
    out.write(
        f"verdict: {decision.value.upper()} - {len(report.verdict.hosts)} hosts, "
        f"{report.commands_run} probe commands in {took:.1f}s\n"
    )
