"""Leftovers on the client's disks: an old altinst_rootvg / old_rootvg, a multibos standby instance."""

from __future__ import annotations

from cockpit.domain.preflight import commands
from cockpit.domain.preflight.checks.base import Check, View
from cockpit.domain.preflight.checks.disks import ALT_VGS
from cockpit.domain.preflight.context import ClientContext
from cockpit.domain.preflight.models import Finding, Probe, Remediation, RemedyCommand, Severity, Status
from cockpit.domain.preflight.parsers.lvm import parse_lspv, parse_lsvg_lvs

MULTIBOS_BLV = "bos_hd5"
MULTIBOS_PREFIX = "bos_"


class LeftoverAlt(Check):
    id = "rootvg.leftover_alt"
    severity = Severity.HIGH
    title = "leftover alternate rootvg"
    meaning = (
        "An altinst_rootvg (a clone or migration that was not cleaned up) or an old_rootvg (the previous "
        "rootvg kept after booting a migrated disk) must not exist when nimadm starts: it creates a new "
        "altinst_rootvg and renames VGs on reboot. `alt_rootvg_op -X <vg>` removes the definition and "
        "`chpv -C <disk>` clears the disk. old_rootvg is the rollback of the previous migration: remove it "
        "only once that migration is accepted. After a failed nimadm run, `nimadm -C` on the master also "
        "cleans the NIM side."
    )

    def probes(self, ctx: ClientContext) -> list[Probe]:
        return [commands.lspv()]

    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        return self.guarded(lambda: self._judge(ctx, view))

    def _judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        host = ctx.client
        result = view.get(commands.lspv())
        pvs = view.parse(result, parse_lspv)
        findings = []
        for vg in ALT_VGS:
            disks = [pv for pv in pvs if pv.vg == vg]
            if not disks:
                continue
            if vg == "altinst_rootvg":
                cleanup = f"`{ctx.cleanup}`" if ctx.cleanup else f"`nimadm -C` for {ctx.nim_name}"
                hint = (
                    f"Remove the leftover altinst_rootvg on {host} unless a clone or migration is still in "
                    f"progress. If an earlier nimadm failed without cleaning up, run {cleanup} on {ctx.master} "
                    "instead."
                )
            else:
                hint = (
                    f"old_rootvg on {host} is the rollback of the previous migration: remove it only once that "
                    "migration is accepted."
                )
            fixes = [commands.alt_rootvg_remove(vg)] + [commands.chpv_clear(pv.name) for pv in disks]
            findings.append(
                self.finding(
                    host,
                    Status.FAIL,
                    f"{vg} is left over on {host} ({', '.join(pv.name for pv in disks)})",
                    [view.evidence(result, "\n".join(pv.line for pv in disks))],
                    Remediation(hint, tuple(RemedyCommand(host, c) for c in fixes), destructive=True),
                )
            )
        if findings:
            return findings
        return [self.finding(host, Status.PASS, f"no altinst_rootvg or old_rootvg on {host}", [view.evidence(result)])]


class Multibos(Check):
    id = "rootvg.multibos"
    severity = Severity.INHIBITOR
    title = "multibos standby instance"
    meaning = (
        "nimadm is not supported on a client whose rootvg holds a multibos standby BOS (a bos_hd5 boot "
        "logical volume). alt_disk_copy stops in phase 11 with 0505-218 ATTENTION: init_multibos() "
        "returned an unexpected result, then 0505-187 Error cloning altinst_rootvg on client, and nimadm "
        "cleans up and points the bootlist back at the original disk. `multibos -R` removes the standby "
        "instance."
    )

    def probes(self, ctx: ClientContext) -> list[Probe]:
        return [commands.lsvg_lvs("rootvg")]

    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        return self.guarded(lambda: self._judge(ctx, view))

    def _judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        host = ctx.client
        result = view.get(commands.lsvg_lvs("rootvg"))
        standby = [lv for lv in view.parse(result, parse_lsvg_lvs) if lv.name.startswith(MULTIBOS_PREFIX)]
        shown = view.evidence(result, "\n".join(lv.line for lv in standby) or "(no bos_ logical volume)")
        if any(lv.name == MULTIBOS_BLV for lv in standby):
            return [
                self.finding(
                    host,
                    Status.FAIL,
                    f"rootvg on {host} holds a multibos standby instance ({', '.join(lv.name for lv in standby)}): "
                    "phase 11 would fail with 0505-218 and 0505-187",
                    [shown],
                    Remediation(
                        f"Remove the standby BOS on {host} with `multibos -R` (check first that nobody boots it: "
                        "bootlist -m normal -o must not name blv=bos_hd5).",
                        (RemedyCommand(host, commands.multibos_remove()),),
                        destructive=True,
                    ),
                )
            ]
        if standby:
            return [
                self.finding(
                    host,
                    Status.WARN,
                    f"rootvg on {host} has bos_ logical volumes but no {MULTIBOS_BLV}: "
                    f"{', '.join(lv.name for lv in standby)}",
                    [shown],
                    Remediation("Leftovers of a removed multibos instance, or LVs named bos_ by hand: check them."),
                    severity=Severity.LOW,
                )
            ]
        return [self.finding(host, Status.PASS, f"no multibos standby instance on {host}", [shown])]
