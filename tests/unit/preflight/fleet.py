"""The field report's fleet as canned probe answers, and a runner that feeds them to the checks like the
engine would."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cockpit.domain.preflight import ClientContext, Finding, ProbeResult, plan_followups, plan_probes
from cockpit.domain.preflight.checks import Check
from cockpit.domain.preflight.models import Role
from tests.unit.preflight import samples as s

CTX = ClientContext(
    client="adachi-AIX7",
    master="adachi-nim",
    lpp_source="lpp_source_AIX72TL5",
    spot="spot_AIX72TL5",
    disks=("hdisk2",),
    target_level="7200-05-06",
    cleanup="nimadm -C -c adachi-AIX7 -s spot_AIX72TL5",  # the nimadm runbook's undo, as the engine renders it
)


@dataclass(frozen=True)
class Out:
    exit_status: int | None
    stdout: str = ""
    stderr: str = ""
    error: str | None = None


NOT_RUN = Out(None, error="connection refused")

Answers = dict[tuple[Role, str], Out]


def healthy() -> Answers:
    """A master and a client on which every check passes."""
    return {
        ("master", "lsnim -l adachi-AIX7"): Out(0, s.LSNIM_CLIENT),
        ("client", "cat /etc/niminfo"): Out(0, s.NIMINFO),
        ("master", "hostname"): Out(0, "adachi-nim\n"),
        ("master", "lssrc -s nimsh"): Out(0, s.LSSRC_ACTIVE),
        ("client", "lssrc -s nimsh"): Out(0, s.LSSRC_ACTIVE),
        ("master", "netstat -Aan"): Out(0, s.NETSTAT_NIMSH),
        ("client", "netstat -Aan"): Out(0, s.NETSTAT_NIMSH),
        ("master", "oslevel -s"): Out(0, s.OSLEVEL_MASTER),
        ("master", "nim -o showres -a installp_flags=L lpp_source_AIX72TL5"): Out(0, s.LPP_L),
        ("master", "lslpp -lcq bos.alt_disk_install.rte"): Out(0, s.LSLPP_LCQ),
        ("master", "nim -o showres -a lslpp_flags=Lc spot_AIX72TL5"): Out(0, s.SPOT_LC),
        ("client", "lspv"): Out(0, s.LSPV_BEFORE),
        ("client", "lsvg rootvg"): Out(0, s.LSVG_ROOTVG),
        ("client", "bootinfo -s hdisk2"): Out(0, "40960\n"),
        ("client", "lsvg -l rootvg"): Out(0, s.LSVG_L_ROOTVG),
        ("client", "lvlstmajor"): Out(0, s.LVLSTMAJOR),
        ("client", "ls -al /dev"): Out(0, s.LS_DEV),
        ("client", "odmget -q value1=43 CuDvDr"): Out(0, ""),
    }


def run(answers: Mapping[tuple[Role, str], Out], ctx: ClientContext = CTX) -> dict[str, ProbeResult]:
    """Answer the probes (round 1, then follow-ups) from `answers`; a probe missing there is a test bug."""
    results: dict[str, ProbeResult] = {}
    for round_ in (lambda: plan_probes(ctx), lambda: plan_followups(ctx, results)):
        for probe in round_():
            out = answers[(probe.on, probe.command)]
            results[probe.key] = ProbeResult(probe, out.exit_status, out.stdout, out.stderr, out.error)
    return results


def evaluate(check: Check, answers: Mapping[tuple[Role, str], Out], ctx: ClientContext = CTX) -> list[Finding]:
    return check.evaluate(ctx, run(answers, ctx))


def commands_of(finding: Finding) -> list[tuple[str, str]]:
    """(host, command) of a finding's remediation, in run order (saves first)."""
    return [(c.host, c.command) for c in finding.remediation.ordered]
