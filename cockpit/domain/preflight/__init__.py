"""Preflight of a nimadm alternate-disk migration: checks, parsers, findings and the go / no-go verdict.

Pure domain (no I/O). Checks name the probes (exact AIX command lines) they need on the NIM master
and on the client; a runner executes them (see plan.PreflightSession) and the checks turn the
answers into findings with evidence and remediation; verdict.py turns findings into go / no-go.
"""

from cockpit.domain.preflight.checks import ALL_CHECKS, CHECKS, Check
from cockpit.domain.preflight.context import ClientContext
from cockpit.domain.preflight.models import (
    Evidence,
    Finding,
    Probe,
    ProbeResult,
    Remediation,
    RemedyCommand,
    Role,
    Severity,
    Status,
    Waiver,
)
from cockpit.domain.preflight.plan import (
    HostCommand,
    PreflightSession,
    plan_followups,
    plan_probes,
    run_checks,
)
from cockpit.domain.preflight.verdict import Decision, HostVerdict, Verdict, evaluate_fleet, host_verdict

__all__ = [
    "ALL_CHECKS",
    "CHECKS",
    "Check",
    "ClientContext",
    "Decision",
    "Evidence",
    "Finding",
    "HostCommand",
    "HostVerdict",
    "PreflightSession",
    "Probe",
    "ProbeResult",
    "Remediation",
    "RemedyCommand",
    "Role",
    "Severity",
    "Status",
    "Verdict",
    "Waiver",
    "evaluate_fleet",
    "host_verdict",
    "plan_followups",
    "plan_probes",
    "run_checks",
]
