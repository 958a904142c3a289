"""`devices.ghost_major`: the major number alt_disk_copy will take is still used by a ghost device."""

from __future__ import annotations

from collections.abc import Mapping

from cockpit.domain.preflight import commands
from cockpit.domain.preflight.checks.base import Check, View
from cockpit.domain.preflight.context import ClientContext
from cockpit.domain.preflight.models import (
    Finding,
    Probe,
    ProbeResult,
    Remediation,
    RemedyCommand,
    Severity,
    Status,
)
from cockpit.domain.preflight.parsers.common import ParseError
from cockpit.domain.preflight.parsers.devices import parse_ls_dev, parse_odmget
from cockpit.domain.preflight.parsers.lvm import parse_lvlstmajor


class GhostMajor(Check):
    id = "devices.ghost_major"
    severity = Severity.INHIBITOR
    title = "ghost major number"
    meaning = (
        "alt_disk_copy creates altinst_rootvg with the lowest major number LVM reports free (`lvlstmajor`; "
        "alt_disk_copy -DV prints it as ALT_MAJOR_NUM). If a device that no longer exists left special "
        "files with that major in /dev, or CuDvDr entries with value1 = that major in the ODM, phase 11 "
        "(alt_disk_copy -P3) fails after an hour of migration with 0516-082 /usr/sbin/lchangelv: Unable to "
        "access a special device file. The cure is to delete those files and ODM entries and "
        "run savebase. Editing the ODM directly is risky: save what you delete, take a backup (mksysb) or "
        "ask IBM support first. The preflight never runs alt_disk_copy itself: it would start a clone."
    )

    def probes(self, ctx: ClientContext) -> list[Probe]:
        return [commands.lvlstmajor(), commands.ls_dev()]

    def followups(self, ctx: ClientContext, results: Mapping[str, ProbeResult]) -> list[Probe]:
        result = View(ctx, results).peek(commands.lvlstmajor())
        if result is None or result.exit_status != 0:
            return []
        try:
            major = parse_lvlstmajor(result.output).lowest
        except ParseError:
            return []
        return [commands.odmget_major(major)] if major is not None else []

    def judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        return self.guarded(lambda: self._judge(ctx, view))

    def _judge(self, ctx: ClientContext, view: View) -> list[Finding]:
        host = ctx.client
        majors_result = view.get(commands.lvlstmajor())
        major = view.parse(majors_result, parse_lvlstmajor).lowest
        if major is None:
            return [
                self.finding(
                    host,
                    Status.WARN,
                    f"lvlstmajor reports no free major number on {host}",
                    [view.evidence(majors_result)],
                    severity=Severity.MEDIUM,
                )
            ]
        dev_result = view.get(commands.ls_dev())
        files = [f for f in parse_ls_dev(dev_result.output) if f.major == major]
        odm_result = view.get(commands.odmget_major(major))
        stanzas = parse_odmget(odm_result.output)
        evidence = [
            view.evidence(majors_result),
            view.evidence(dev_result, "\n".join(f.line for f in files) or f"(no special file with major {major})"),
            view.evidence(odm_result),
        ]
        if not files and not stanzas:
            return [
                self.finding(
                    host,
                    Status.PASS,
                    f"major number {major}, the one alt_disk_copy will take, is unused in /dev and CuDvDr on {host}",
                    evidence,
                )
            ]
        used_by = []
        if files:
            used_by.append(f"{len(files)} special file(s) in /dev ({', '.join(f.name for f in files)})")
        if stanzas:
            used_by.append(f"{len(stanzas)} CuDvDr entr{'y' if len(stanzas) == 1 else 'ies'}")
        return [
            self.finding(
                host,
                Status.FAIL,
                f"major number {major}, the lowest free one in lvlstmajor (alt_disk_copy's ALT_MAJOR_NUM), is still "
                f"used by {' and '.join(used_by)} on {host}: phase 11 would fail with 0516-082 /usr/sbin/lchangelv: "
                "Unable to access a special device file",
                evidence,
                self._cleanup(host, major, [f"/dev/{f.name}" for f in files], bool(stanzas)),
            )
        ]

    @staticmethod
    def _cleanup(host: str, major: int, paths: list[str], odm: bool) -> Remediation:
        saves, fixes = [], []
        if odm:
            saves.append(commands.save_odm_major(major))
        if paths:
            saves.append(commands.save_dev_listing(major, paths))
            fixes += [commands.rm_file(p) for p in paths]
        if odm:
            fixes += [commands.odmdelete_major(major), commands.odmget_major_command(major), commands.savebase()]
        return Remediation(
            hint=(
                f"Ghost device on major {major} (0516-082): remove its special files and its CuDvDr "
                f"entries, check that `odmget -q value1={major} CuDvDr` prints nothing, then savebase. Editing "
                "the ODM directly is risky: take a mksysb or ask IBM support first; the commands save what "
                "they delete under /tmp."
            ),
            commands=tuple(RemedyCommand(host, c) for c in fixes),
            destructive=True,
            saves_first=tuple(RemedyCommand(host, c) for c in saves),
        )
