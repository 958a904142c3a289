"""`cockpit check CONFIG [--format text|json]`: preflight every host; exit 0 go, 1 no-go."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TextIO

from cockpit.commands.exits import UsageError
from cockpit.config import Config
from cockpit.config.loader import load_config
from cockpit.config.models import NimadmPlan
from cockpit.domain.preflight import Finding, Status, Waiver
from cockpit.engine.preflight import PreflightReport, PreflightRunner
from cockpit.engine.waivers import add_waiver, load_waivers
from cockpit.transports.factory import transport_for

_GLYPH = {Status.PASS: "ok  ", Status.WARN: "warn", Status.FAIL: "FAIL", Status.ERROR: "ERR "}


def main(path: Path, fmt: str, waive: list[str]) -> int:
    """`cockpit check` from its command line: the config file, the format, the `--waive` values."""
    config = load_config(path)  # a bad config: one line per problem, exit 2 (cockpit.cli.main)
    if not isinstance(config.plan, NimadmPlan):
        raise UsageError(
            f"check: the preflight checks are those of a nimadm plan; runbook {config.plan.runbook} "
            "verifies what it needs in its own first steps (see cockpit run --dry-run)"
        )
    try:
        waivers = waiver_args(waive)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    return run(config, fmt, new_waivers=waivers)


def run(config: Config, fmt: str, out: TextIO | None = None, new_waivers: list[Waiver] | None = None) -> int:
    out = out or sys.stdout
    for waiver in new_waivers or []:
        add_waiver(config.state_dir, waiver)
    waivers = load_waivers(config.state_dir)
    report = asyncio.run(
        PreflightRunner(config, lambda h: transport_for(h, config.ssh, config.hosts)).run(waivers=waivers)
    )
    if fmt == "json":
        json.dump(report.verdict.to_json(), out, indent=2)
        out.write("\n")
    else:
        render_text(report, out)
    return 0 if report.verdict.decision.value == "go" else 1


def render_text(report: PreflightReport, out: TextIO) -> None:
    for hv in report.verdict.hosts:
        findings: list[Finding] = list(hv.findings)
        problems = [f for f in findings if f.status is not Status.PASS]
        verdict = hv.decision.value.upper()
        out.write(f"{hv.host}: {verdict}  ({len(findings) - len(problems)} passed, {len(problems)} to look at)\n")
        for f in problems:
            waived = f"  [waived: {f.waiver.reason}]" if f.waiver else ""
            where = f" on {f.host}" if f.host != hv.host else ""
            out.write(f"  {_GLYPH[f.status]} {f.check:<34} {f.severity.value:<9} {f.summary}{where}{waived}\n")
            if f.remediation.hint and not f.waiver:
                out.write(f"       fix: {f.remediation.hint}\n")
            for cmd in f.remediation.ordered if not f.waiver else ():
                out.write(f"         [{cmd.host}] {cmd.command}\n")
    decision = report.verdict.decision.value
    took = report.finished_at - report.started_at
    out.write(
        f"verdict: {decision.upper()} - {len(report.verdict.hosts)} hosts, "
        f"{report.commands_run} probe commands in {took:.1f}s\n"
    )


def waiver_args(values: list[str]) -> list[Waiver]:
    """`CHECK[@HOST]=REASON` from the command line."""
    waivers = []
    for value in values:
        target, sep, reason = value.partition("=")
        if not sep or not reason.strip():
            raise ValueError(f"--waive {value!r}: expected CHECK[@HOST]=REASON (a reason is required)")
        check, _, host = target.partition("@")
        waivers.append(Waiver(check=check.strip(), reason=reason.strip(), host=host.strip() or None))
    return waivers
