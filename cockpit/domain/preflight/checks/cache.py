"""`cache_vg.space`: the master's volume group for `nimadm -j` has room for the client's rootvg."""

from __future__ import annotations

from cockpit.domain.preflight import commands
from cockpit.domain.preflight.checks.base import Check, View
from cockpit.domain.preflight.context import ClientContext
from cockpit.domain.preflight.models import Finding, Probe, Remediation, Severity, Status
from cockpit.domain.preflight.parsers.lvm import parse_lsvg

VG_NOT_FOUND = "0516-306"  # lsvg: Unable to find volume group <vg> in the Device Configuration Database.


class CacheVgSpace(Check):
    id = "cache_vg.space"
    severity = Severity.HIGH
    title = "cache volume group"
    meaning = (
        "With `nimadm -j <vg>` the client's file systems are cached in a volume group on the NIM master "
        "instead of being written over NFS (needed when the client has TCB enabled). The VG must exist "
        "and have at least as much free space as the client's rootvg uses, or the run fails while it "
        "builds the cache file systems (phases 2-3). Only checked when the plan names a cache VG."
    )

    def probes(self, ctx: ClientContext) -> list[Probe]:
        if ctx.cache_vg is None:
            return []
        return [commands.lsvg("master", ctx.cache_vg), commands.lsvg("client", "rootvg")]

    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        if ctx.cache_vg is None:
            return []
        vg = ctx.cache_vg
        return self.guarded(lambda: self._judge(ctx, view, vg))

    def _judge(self, ctx: ClientContext, view: View, vg: str) -> list[Finding]:
        master = ctx.master
        cache_result = view.get(commands.lsvg("master", vg), accept=None)
        if cache_result.exit_status != 0:
            if VG_NOT_FOUND not in cache_result.output:
                view.get(commands.lsvg("master", vg))  # raises Undecidable with the exit status
            return [
                self.finding(
                    master,
                    Status.FAIL,
                    f"cache volume group {vg} does not exist on {master}",
                    [view.evidence(cache_result)],
                    Remediation(
                        f"Create {vg} on {master} or name an existing VG with enough free space in plan.cache_vg."
                    ),
                )
            ]
        cache = view.parse(cache_result, parse_lsvg)
        rootvg_result = view.get(commands.lsvg("client", "rootvg"))
        rootvg = view.parse(rootvg_result, parse_lsvg)
        evidence = [view.evidence(cache_result), view.evidence(rootvg_result)]
        if cache.free_mb < rootvg.used_mb:
            return [
                self.finding(
                    master,
                    Status.FAIL,
                    f"cache volume group {vg} on {master} has {cache.free_mb:.0f} MB free, less than the "
                    f"{rootvg.used_mb:.0f} MB rootvg of {ctx.client} uses",
                    evidence,
                    Remediation(f"Extend {vg} on {master} (extendvg) or choose a larger volume group."),
                )
            ]
        return [
            self.finding(
                master,
                Status.PASS,
                f"cache volume group {vg} on {master} has {cache.free_mb:.0f} MB free for the {rootvg.used_mb:.0f} MB "
                f"rootvg of {ctx.client}",
                evidence,
            )
        ]
