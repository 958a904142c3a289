"""`fileset.alt_disk_install`: bos.alt_disk_install.rte on the master, in the SPOT, at one level."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.domain.preflight import commands
from cockpit.domain.preflight.checks.base import Check, View
from cockpit.domain.preflight.context import ClientContext
from cockpit.domain.preflight.models import (
    Evidence,
    Finding,
    Probe,
    Remediation,
    RemedyCommand,
    Severity,
    Status,
)
from cockpit.domain.preflight.parsers.lpp import (
    highest_level,
    level_key,
    not_installed_line,
    parse_fileset_listing,
)

FILESET = commands.ALT_DISK_FILESET


@dataclass
class _Where:
    """What one source (master, SPOT, lpp_source) says about the fileset; `known` False after an error."""

    known: bool = False
    level: str | None = None
    evidence: Evidence | None = None


class AltDiskFileset(Check):
    id = "fileset.alt_disk_install"
    severity = Severity.INHIBITOR
    title = "bos.alt_disk_install.rte"
    meaning = (
        "nimadm runs alt_disk_install code from both the NIM master and the SPOT and insists that "
        "bos.alt_disk_install.rte is installed in both at the same level. A SPOT made from install media "
        "often lacks it: a real run stopped before phase 1 with 0505-204 (SPOT does not have "
        "bos.alt_disk_install.rte installed) and 0505-205 (SPOT level 0.0.0.0 does not match the NIM "
        "master's level 7.2.5.101). `nim -o cust -a lpp_source=<lpp> -a filesets=bos.alt_disk_install.rte "
        "<spot>` installs it into the SPOT from an lpp_source at the master's level. The lpp_source must "
        "not carry a higher level than the master: the master must be at or above the level it migrates to."
    )

    def probes(self, ctx: ClientContext) -> list[Probe]:
        return [commands.lslpp_fileset(), commands.showres_spot(ctx.spot), commands.showres_lpp_source(ctx.lpp_source)]

    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        findings: list[Finding] = []
        master, spot, lpp = _Where(), _Where(), _Where()

        def read_master() -> list[Finding]:
            result = view.get(commands.lslpp_fileset(), accept=(0, 1))  # 1: not installed
            records = parse_fileset_listing(result.output, FILESET)
            master.known, master.level, master.evidence = True, highest_level(records), view.evidence(result)
            if master.level is None:
                said = not_installed_line(result.output, FILESET)
                return [
                    self.finding(
                        ctx.master,
                        Status.FAIL,
                        f"{FILESET} is not installed on the NIM master {ctx.master}" + (f" ({said})" if said else ""),
                        [master.evidence],
                        Remediation(
                            f"Install {FILESET} on the NIM master at the master's own level (installp from the "
                            "master's installation media or an lpp_source of the master's level), then install "
                            "the same level into the SPOT."
                        ),
                    )
                ]
            if any(r.broken for r in records):
                return [
                    self.finding(
                        ctx.master,
                        Status.FAIL,
                        f"{FILESET} {master.level} is BROKEN on the NIM master {ctx.master}",
                        [master.evidence],
                        Remediation(f"Reinstall {FILESET} on the master and check it with `lppchk -v`."),
                    )
                ]
            return []

        def read_listing(where: _Where, probe: Probe) -> list[Finding]:
            result = view.get(probe)
            where.known = True
            where.level = highest_level(parse_fileset_listing(result.output, FILESET))
            where.evidence = view.excerpt(result, lambda line: FILESET in line, f"(no line names {FILESET})")
            return []

        findings += self.guarded(read_master)
        findings += self.guarded(lambda: read_listing(spot, commands.showres_spot(ctx.spot)))
        findings += self.guarded(lambda: read_listing(lpp, commands.showres_lpp_source(ctx.lpp_source)))
        findings += self._spot(ctx, master, spot, lpp)
        findings += self._lpp_source(ctx, master, lpp)
        if not findings:
            findings.append(
                self.finding(
                    ctx.master,
                    Status.PASS,
                    f"{FILESET} {master.level} on the NIM master, in SPOT {ctx.spot} "
                    f"and in lpp_source {ctx.lpp_source}",
                    [e for e in (master.evidence, spot.evidence, lpp.evidence) if e],
                )
            )
        return findings

    def _spot(self, ctx: ClientContext, master: _Where, spot: _Where, lpp: _Where) -> list[Finding]:
        if not spot.known or spot.evidence is None:
            return []
        evidence = [e for e in (master.evidence, spot.evidence, lpp.evidence) if e]
        # nim -o cust installs the lpp_source's level: a fix only when that level is the master's.
        cust_fixes = lpp.level is not None and (master.level is None or level_key(lpp.level) == level_key(master.level))
        cust = (RemedyCommand(ctx.master, commands.nim_cust_fileset(ctx.lpp_source, ctx.spot)),) if cust_fixes else ()
        how = (
            f"Install it into the SPOT from lpp_source {ctx.lpp_source}, which carries {lpp.level}."
            if cust_fixes
            else f"Bring the master, the lpp_source and the SPOT to one level of {FILESET} "
            f"(`nim -o cust -a lpp_source=<lpp> -a filesets={FILESET} {ctx.spot}` from an lpp_source at the "
            "master's level)."
        )
        if spot.level is None:
            return [
                self.finding(
                    ctx.master,
                    Status.FAIL,
                    f"nimadm would stop with: 0505-204 nimadm: SPOT {ctx.spot} does not have {FILESET} installed.",
                    evidence,
                    Remediation(how, cust),
                )
            ]
        if master.level is not None and level_key(spot.level) != level_key(master.level):
            if level_key(spot.level) > level_key(master.level):
                cust, how = (
                    (),
                    (
                        f"The SPOT is above the master: update {FILESET} on the NIM master to {spot.level} "
                        "(or rebuild the SPOT at the master's level)."
                    ),
                )
            return [
                self.finding(
                    ctx.master,
                    Status.FAIL,
                    f"nimadm would stop with: 0505-205 nimadm: The level of {FILESET} installed in SPOT "
                    f"{ctx.spot} ({spot.level}) does not match the NIM master's level ({master.level}).",
                    evidence,
                    Remediation(how, cust),
                )
            ]
        return []

    def _lpp_source(self, ctx: ClientContext, master: _Where, lpp: _Where) -> list[Finding]:
        if not lpp.known or lpp.evidence is None:
            return []
        if lpp.level is None:
            return [
                self.finding(
                    ctx.master,
                    Status.WARN,
                    f"lpp_source {ctx.lpp_source} has no {FILESET}: the SPOT cannot be fixed from it",
                    [lpp.evidence],
                    Remediation(f"Add {FILESET} at the master's level to lpp_source {ctx.lpp_source}."),
                    severity=Severity.MEDIUM,
                )
            ]
        if master.level is not None and level_key(lpp.level) > level_key(master.level):
            return [
                self.finding(
                    ctx.master,
                    Status.FAIL,
                    f"lpp_source {ctx.lpp_source} carries {FILESET} {lpp.level}, above the NIM master's "
                    f"{master.level}: the master must be at or above the level it migrates to",
                    [e for e in (master.evidence, lpp.evidence) if e],
                    Remediation(
                        f"Update the NIM master {ctx.master} to the lpp_source's level first (at least "
                        f"{FILESET} {lpp.level}), then the SPOT."
                    ),
                    severity=Severity.HIGH,
                )
            ]
        return []
