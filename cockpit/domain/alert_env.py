"""What a notify command is told about an alert: environment variables, never its command line.

A value from a host (an AIX error line, a reason) pasted into a command line could be read by a
shell as code; in an environment variable it is data, whatever it holds. Each value is one line of
printable text (control characters, a terminal escape from a host's log included, become spaces;
the environment cannot carry a NUL anyway) and bounded in length.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from cockpit.domain.alerts import Alert, AlertKind

ENV_PREFIX = "COCKPIT_"
MAX_VALUE = 2000
"""Characters kept of one value (a pasted installp listing must not become a 1 MB environment)."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

ENV_DOC: Mapping[str, str] = {
    "COCKPIT_EVENT": "failed, stalled, eta_past_window, cutoff_missed or finished",
    "COCKPIT_TARGET": "the target it is about (several, blank-separated, for cutoff_missed; empty for finished)",
    "COCKPIT_HOST": "the host running the target's step (nimadm: the NIM master); empty when none",
    "COCKPIT_RUN": "the run id",
    "COCKPIT_RUNBOOK": "the runbook (nimadm, alt-disk-copy ...)",
    "COCKPIT_CONFIG": "the config file of the run",
    "COCKPIT_SUMMARY": "one line for a person: what happened, where, the error",
    "COCKPIT_DETAIL": "the error line or the reason, as the cockpit showed it",
    "COCKPIT_PHASE": "the phase (nimadm) or step number the target was at; empty when none",
    "COCKPIT_PHASES": "how many phases or steps the runbook has",
    "COCKPIT_STEP": "the step's title (runbooks that go step by step)",
    "COCKPIT_TIME": "when, ISO 8601 with the UTC offset (2026-12-13T02:31:41+01:00)",
    "COCKPIT_OUTCOME": "finished only: succeeded or failed",
    "COCKPIT_SUCCEEDED": "finished only: the targets that succeeded, blank-separated",
    "COCKPIT_FAILED": "finished only: the targets that did not, blank-separated",
}
"""Every variable a notify command gets (all of them are always set, empty when they do not apply)."""


def one_line(text: str | None, limit: int = MAX_VALUE) -> str:
    """Printable text on one line: control characters become a space, then cut to `limit` characters."""
    flat = _CONTROL.sub(" ", text or "").strip()
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def iso_time(at: float) -> str:
    return datetime.fromtimestamp(at).astimezone().isoformat(timespec="seconds")


def alert_env(alert: Alert, *, host: str | None = None, config: str | None = None) -> dict[str, str]:
    """The COCKPIT_* variables of `alert` (to be added to the command's inherited environment)."""
    finished = alert.kind is AlertKind.FINISHED
    values = {
        "COCKPIT_EVENT": alert.kind.value,
        "COCKPIT_TARGET": " ".join(alert.targets),
        "COCKPIT_HOST": host or "",
        "COCKPIT_RUN": alert.run_id,
        "COCKPIT_RUNBOOK": alert.runbook,
        "COCKPIT_CONFIG": config or "",
        "COCKPIT_SUMMARY": alert.summary,
        "COCKPIT_DETAIL": alert.detail or "",
        "COCKPIT_PHASE": "" if alert.phase is None else str(alert.phase),
        "COCKPIT_PHASES": "" if alert.phases_total is None else str(alert.phases_total),
        "COCKPIT_STEP": alert.step or "",
        "COCKPIT_TIME": iso_time(alert.at),
        "COCKPIT_OUTCOME": ("failed" if alert.failed else "succeeded") if finished else "",
        "COCKPIT_SUCCEEDED": " ".join(alert.succeeded),
        "COCKPIT_FAILED": " ".join(alert.failed),
    }
    assert values.keys() == ENV_DOC.keys()
    return {name: one_line(value) for name, value in values.items()}


def command_env(inherited: Mapping[str, str], alert_values: Mapping[str, str]) -> dict[str, str]:
    """The command's environment: the cockpit's own (PATH, HOME, proxies for curl ...) without any
    COCKPIT_* it inherited (a stale value must not pass for this alert's), plus the alert's."""
    env = {k: v for k, v in inherited.items() if not k.startswith(ENV_PREFIX)}
    env.update(alert_values)
    return env


__all__ = ["ENV_DOC", "alert_env", "command_env", "iso_time", "one_line"]
