"""The target disk(s) of `nimadm -d`: present and in no volume group, and big enough for rootvg."""

from __future__ import annotations

from cockpit.domain.preflight import commands
from cockpit.domain.preflight.checks.base import Check, View
from cockpit.domain.preflight.context import ClientContext
from cockpit.domain.preflight.models import Evidence, Finding, Probe, Remediation, Severity, Status
from cockpit.domain.preflight.parsers.lvm import parse_bootinfo_size, parse_lspv, parse_lsvg

ALT_VGS = ("altinst_rootvg", "old_rootvg")


def _mb(value: float) -> str:
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"


class TargetFree(Check):
    id = "disk.target_free"
    severity = Severity.INHIBITOR
    title = "target disk free"
    meaning = (
        "nimadm -d names the client disk(s) that become altinst_rootvg. Each must exist on the client "
        "and belong to no volume group: lspv shows `None` in the VG column (getlvodm -j answers 0516-320, "
        "not assigned to a volume group). A disk of a live VG would be refused, or worse, overwritten; an "
        "altinst_rootvg or old_rootvg from an earlier run must be removed first (rootvg.leftover_alt)."
    )

    def probes(self, ctx: ClientContext) -> list[Probe]:
        return [commands.lspv()]

    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        return self.guarded(lambda: self._judge(ctx, view))

    def _judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        host = ctx.client
        result = view.get(commands.lspv())
        pvs = {pv.name: pv for pv in view.parse(result, parse_lspv)}
        free = [name for name, pv in pvs.items() if pv.vg is None and name not in ctx.disks]
        other = f" Free disks on {host}: {', '.join(free)}." if free else f" lspv shows no other free disk on {host}."
        findings = []
        for disk in ctx.disks:
            pv = pvs.get(disk)
            if pv is None:
                findings.append(
                    self.finding(
                        host,
                        Status.FAIL,
                        f"target disk {disk} does not exist on {host} (not in lspv)",
                        [view.evidence(result)],
                        Remediation(f"Fix the disk name in plan.clients[].disk.{other}"),
                    )
                )
            elif pv.vg is not None:
                if pv.vg in ALT_VGS:
                    hint = f"{disk} holds {pv.vg} from an earlier run: see rootvg.leftover_alt to remove it."
                elif pv.vg == "rootvg":
                    hint = f"{disk} is part of the running rootvg: never use it as target. Pick another disk.{other}"
                else:
                    hint = f"{disk} belongs to {pv.vg}: pick another disk.{other}"
                findings.append(
                    self.finding(
                        host,
                        Status.FAIL,
                        f"target disk {disk} on {host} belongs to volume group {pv.vg}",
                        [view.evidence(result, pv.line)],
                        Remediation(hint),
                    )
                )
        if findings:
            return findings
        shown = "\n".join(pvs[d].line for d in ctx.disks)
        return [
            self.finding(
                host,
                Status.PASS,
                f"target disk {' '.join(ctx.disks)} on {host} is in no volume group",
                [view.evidence(result, shown)],
            )
        ]


class TargetSize(Check):
    id = "disk.target_size"
    severity = Severity.INHIBITOR
    title = "target disk size"
    meaning = (
        "The target disk(s) must hold a copy of rootvg: at least the space rootvg uses (USED PPs x PP "
        "SIZE from `lsvg rootvg`), better its whole size, since the migration grows /usr, /opt and /var "
        "in phase 6. `bootinfo -s hdiskN` gives a disk's size in MB. Below the used space the phase-1 "
        "clone cannot fit (IBM's own role refuses it: 'There is not enough space for an alternate disk')."
    )

    def probes(self, ctx: ClientContext) -> list[Probe]:
        return [commands.lsvg("client", "rootvg")] + [commands.bootinfo_size(d) for d in ctx.disks]

    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        return self.guarded(lambda: self._judge(ctx, view))

    def _judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        host = ctx.client
        vg_result = view.get(commands.lsvg("client", "rootvg"))
        rootvg = view.parse(vg_result, parse_lsvg)
        evidence: list[Evidence] = [view.evidence(vg_result)]
        sizes: dict[str, int] = {}
        for disk in ctx.disks:
            result = view.get(commands.bootinfo_size(disk), accept=None)
            evidence.append(view.evidence(result))
            size = parse_bootinfo_size(result.stdout) if result.exit_status == 0 else None
            if size is None:
                return [
                    self.finding(
                        host,
                        Status.FAIL,
                        f"bootinfo -s gives no size for target disk {disk} on {host}",
                        evidence,
                        Remediation(f"Check that {disk} exists and is configured on {host} (lspv, cfgmgr)."),
                    )
                ]
            sizes[disk] = size
        total = sum(sizes.values())
        disks = " + ".join(f"{d} ({_mb(s)})" for d, s in sizes.items())
        used = f"{_mb(rootvg.used_mb)} rootvg uses ({rootvg.used_pps} PPs x {_mb(rootvg.pp_size_mb)})"
        if total < rootvg.used_mb:
            return [
                self.finding(
                    host,
                    Status.FAIL,
                    f"target {disks} on {host} is smaller than the {used}",
                    evidence,
                    Remediation(
                        f'Use a disk (or several: -d "hdiskA hdiskB") of at least {_mb(rootvg.used_mb)}, better '
                        f"{_mb(rootvg.total_mb)} (the size of rootvg), or free space in rootvg first."
                    ),
                )
            ]
        if total < rootvg.total_mb:
            return [
                self.finding(
                    host,
                    Status.WARN,
                    f"target {disks} on {host} holds the {used} but is smaller than rootvg ({_mb(rootvg.total_mb)})",
                    evidence,
                    Remediation(
                        f"The migration grows file systems in phase 6; a disk of {_mb(rootvg.total_mb)} or "
                        "more leaves room for that."
                    ),
                    severity=Severity.MEDIUM,
                )
            ]
        return [
            self.finding(
                host,
                Status.PASS,
                f"target {disks} on {host} can hold rootvg ({_mb(rootvg.total_mb)}, {_mb(rootvg.used_mb)} used)",
                evidence,
            )
        ]
