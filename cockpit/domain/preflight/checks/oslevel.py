"""`oslevel.master_not_below_target`: the NIM master is at or above the level it migrates to."""

from __future__ import annotations

from cockpit.domain.preflight import commands
from cockpit.domain.preflight.checks.base import Check, View
from cockpit.domain.preflight.context import ClientContext
from cockpit.domain.preflight.models import Evidence, Finding, Probe, Remediation, Severity, Status
from cockpit.domain.preflight.parsers.lpp import highest_level, parse_fileset_listing
from cockpit.domain.preflight.parsers.oslevel import OsLevel, from_fileset_level, parse_oslevel

# Base filesets whose V.R.M in an lpp_source tells its release and TL (IBM's role reads bos.mp64).
LEVEL_FILESETS = ("bos.rte", "bos.mp64")


class MasterNotBelowTarget(Check):
    id = "oslevel.master_not_below_target"
    severity = Severity.INHIBITOR
    title = "master level"
    meaning = (
        "The NIM master must run the target AIX level or a later one: nimadm uses the master's own "
        "alt_disk and installp code on the client's file systems, and a master below the target cannot "
        "migrate to it. The target comes from the plan (plan.target_level, or the client's own "
        "target_level in plan.clients, `oslevel -s` style, e.g. 7300-02-01-2346) or, when the plan does "
        "not say, from the lpp_source's bos.rte level (release and TL only)."
    )

    def probes(self, ctx: ClientContext) -> list[Probe]:
        probes = [commands.oslevel_s("master")]
        if ctx.target_level is None:
            probes.append(commands.showres_lpp_source(ctx.lpp_source))
        return probes

    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        return self.guarded(lambda: self._judge(ctx, view))

    def _judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        master = ctx.master
        result = view.get(commands.oslevel_s("master"))
        level = view.parse(result, parse_oslevel)
        evidence: list[Evidence] = [view.evidence(result)]
        target: OsLevel | None
        if ctx.target_level is not None:
            target, source = parse_oslevel(ctx.target_level), "the plan's target"
        else:
            listing = view.get(commands.showres_lpp_source(ctx.lpp_source))
            records = [r for f in LEVEL_FILESETS for r in parse_fileset_listing(listing.output, f)]
            best = highest_level(records)
            target = from_fileset_level(best) if best else None
            source = f"lpp_source {ctx.lpp_source} (bos.rte {best})"
            evidence.append(
                view.excerpt(
                    listing, lambda line: any(f":{f}:" in line for f in LEVEL_FILESETS), "(no bos.rte or bos.mp64 line)"
                )
            )
        if target is None:
            return [
                self.finding(
                    master,
                    Status.WARN,
                    f"no target level known for {ctx.client}: the plan gives none and lpp_source {ctx.lpp_source} "
                    "shows no bos.rte",
                    evidence,
                    Remediation(
                        "Give the level to migrate to in plan.target_level (or plan.clients[].target_level for "
                        "this client), as oslevel -s prints it, e.g. 7300-02-01-2346."
                    ),
                    severity=Severity.LOW,
                )
            ]
        if not level.at_least(target):
            return [
                self.finding(
                    master,
                    Status.FAIL,
                    f"NIM master {master} is at {level}, below {source} {target}",
                    evidence,
                    Remediation(
                        f"Update the NIM master {master} to {target} or later (and its SPOT and "
                        "bos.alt_disk_install.rte with it) before migrating clients to that level."
                    ),
                )
            ]
        return [
            self.finding(
                master, Status.PASS, f"NIM master {master} is at {level}, not below {source} {target}", evidence
            )
        ]
