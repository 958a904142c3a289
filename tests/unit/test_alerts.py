"""Which events call the operator, once each (cockpit/domain/alerts.py), what a notify command is told
(alert_env.py) and the terminal's escapes (alert_escapes.py). Pure: events in, alerts and text out."""

from __future__ import annotations

from cockpit.domain.alert_env import ENV_DOC, alert_env, command_env, one_line
from cockpit.domain.alert_escapes import desktop_escapes, desktop_protocols, osc9, osc777, tmux_passthrough
from cockpit.domain.alerts import Alert, AlertDecider, AlertKind, coalesce
from cockpit.domain.events import (
    CUTOFF_PASSED,
    MARKED_FAILED,
    SNOOZED,
    LogLines,
    RunFinished,
    RunStarted,
    TargetChanged,
    eta_past_end,
)
from cockpit.domain.models import TargetState

RUN = "20261213-020000-000"


def started() -> RunStarted:
    return RunStarted(RUN, "nimadm", ("lpar01", "lpar02", "lpar03"), 0.0)


def change(
    target: str, state: TargetState, *, at: float = 1.0, phase: int | None = None, **kw: object
) -> TargetChanged:
    return TargetChanged(target=target, state=state, phase=phase, phases_total=12, at=at, **kw)  # type: ignore[arg-type]


def decider() -> AlertDecider:
    d = AlertDecider()
    assert d.feed(started()) == []
    return d


def kinds(alerts: list[Alert]) -> list[tuple[str, tuple[str, ...]]]:
    return [(a.kind.value, a.targets) for a in alerts]


def test_a_failure_is_told_once_with_where_and_the_error() -> None:
    d = decider()
    assert d.feed(change("lpar02", TargetState.RUNNING, phase=11)) == []
    error = "0505-218 ATTENTION: init_multibos() returned an unexpected result."
    failed = change("lpar02", TargetState.FAILED, at=5.0, phase=11, error=error, reason="failed in phase 11")
    (alert,) = d.feed(failed)
    assert alert.kind is AlertKind.FAILED
    assert alert.summary == f"lpar02 failed in phase 11/12: {error}"
    assert (alert.run_id, alert.runbook, alert.at, alert.target, alert.phase) == (RUN, "nimadm", 5.0, "lpar02", 11)
    assert alert.detail == error
    assert d.feed(failed) == []  # the engine says it again (a note, a restart): not told again
    assert d.feed(LogLines("lpar02", ("x",), 0)) == []


def test_unreachable_is_a_failure_and_an_operators_mark_failed_is_not() -> None:
    d = decider()
    (alert,) = d.feed(change("lpar01", TargetState.UNREACHABLE, error="connection refused"))
    assert alert.kind is AlertKind.FAILED
    assert alert.summary == "lpar01 unreachable: connection refused"
    assert d.feed(change("lpar02", TargetState.FAILED, reason=MARKED_FAILED, error="marked failed by ops: x")) == []


def test_a_step_of_a_runbook_is_named_by_its_title() -> None:
    d = decider()
    e = change("node1", TargetState.FAILED, phase=5, step="Install the package", error="rpm: error")
    (alert,) = d.feed(e)
    assert alert.summary == "node1 failed at step 5/12 (Install the package): rpm: error"
    assert alert.step == "Install the package"


def test_a_stall_is_told_once_and_again_when_the_snooze_ends_with_it_still_stuck() -> None:
    d = decider()
    reason = "stalled: silent for 5m00s in phase 3 (threshold 5m00s)"
    (alert,) = d.feed(change("lpar01", TargetState.STALLED, phase=3, reason=reason))
    assert alert.summary == "lpar01 stalled: silent for 5m00s in phase 3 (threshold 5m00s)"
    assert d.feed(change("lpar01", TargetState.RUNNING, phase=3, reason="output resumed")) == []
    assert d.feed(change("lpar01", TargetState.STALLED, phase=3, reason=reason)) == []  # flapping: once
    assert d.feed(change("lpar01", TargetState.RUNNING, phase=3, reason=SNOOZED)) == []
    assert kinds(d.feed(change("lpar01", TargetState.STALLED, phase=3, reason=reason))) == [("stalled", ("lpar01",))]


def test_a_retry_is_a_new_attempt_and_the_runs_end_after_it_is_news_again() -> None:
    d = decider()
    assert kinds(d.feed(change("lpar02", TargetState.FAILED, error="e1"))) == [("failed", ("lpar02",))]
    assert kinds(d.feed(RunFinished(RUN, ("lpar01",), ("lpar02",), 2.0))) == [("finished", ())]
    assert d.feed(RunFinished(RUN, ("lpar01",), ("lpar02",), 3.0)) == []  # idle again, nothing new
    assert d.feed(change("lpar02", TargetState.RUNNING, phase=9)) == []  # the operator retries
    assert kinds(d.feed(change("lpar02", TargetState.FAILED, error="e2"))) == [("failed", ("lpar02",))]
    (end,) = d.feed(RunFinished(RUN, ("lpar01",), ("lpar02",), 4.0))
    assert end.summary == f"run {RUN} (nimadm) finished: 1 succeeded, 1 not succeeded: lpar02"
    assert (end.succeeded, end.failed, end.targets) == (("lpar01",), ("lpar02",), ())


def test_an_eta_past_the_window_and_the_cutoff() -> None:
    d = decider()
    note = eta_past_end("03:10", "02:30")
    (late,) = d.feed(change("lpar01", TargetState.RUNNING, phase=6, reason=note))
    assert (late.kind, late.summary) == (AlertKind.ETA_PAST_WINDOW, "lpar01: ETA 03:10 is past the window's end 02:30")
    assert d.feed(change("lpar01", TargetState.RUNNING, phase=7, reason=note)) == []
    error = "not started: the window's cutoff (02:00) has passed"
    cut = [d.feed(change(t, TargetState.BLOCKED, reason=CUTOFF_PASSED, error=error)) for t in ("lpar02", "lpar03")]
    assert [a.summary for (a,) in cut] == [
        "lpar02 not started: the window's cutoff (02:00) has passed",
        "lpar03 not started: the window's cutoff (02:00) has passed",
    ]
    # A target blocked by the preflight or by the operator is no alert: they know.
    assert d.feed(change("lpar09", TargetState.BLOCKED, reason="blocked by preflight", error="not started: x")) == []


def test_targets_stopped_by_the_cutoff_together_are_one_alert() -> None:
    d = decider()
    error = "not started: the window's cutoff (02:00) has passed"
    burst = [
        a
        for t in ("lpar02", "lpar03")
        for a in d.feed(change(t, TargetState.BLOCKED, reason=CUTOFF_PASSED, error=error))
    ]
    failed = d.feed(change("lpar01", TargetState.FAILED, error="boom"))
    merged = coalesce([*burst, *failed])
    assert kinds(merged) == [("cutoff_missed", ("lpar02", "lpar03")), ("failed", ("lpar01",))]
    assert merged[0].summary == "lpar02, lpar03 not started: the window's cutoff (02:00) has passed"
    assert merged[0].target is None
    assert merged[0].keys == (("lpar02", "cutoff_missed"), ("lpar03", "cutoff_missed"))


def test_keys_told_before_a_restart_are_not_told_again() -> None:
    d = AlertDecider()
    d.remember([("lpar02", "failed"), (None, "finished")])
    d.feed(started())
    assert d.feed(change("lpar02", TargetState.FAILED, error="e")) == []
    assert d.feed(RunFinished(RUN, (), ("lpar02",), 2.0)) == []
    assert kinds(d.feed(change("lpar03", TargetState.FAILED, error="e"))) == [("failed", ("lpar03",))]


def test_the_environment_holds_every_variable_one_line_each() -> None:
    alert = Alert(
        AlertKind.FAILED,
        RUN,
        1796517436.0,
        "lpar02 failed in phase 11/12: a\nline; $(reboot)\x1b]0;x\x07",
        targets=("lpar02",),
        runbook="nimadm",
        phase=11,
        phases_total=12,
        detail="e" * 5000,
    )
    env = alert_env(alert, host="nim01", config="/etc/cockpit/prod.yaml")
    assert set(env) == set(ENV_DOC)
    assert env["COCKPIT_EVENT"] == "failed"
    assert (env["COCKPIT_TARGET"], env["COCKPIT_HOST"], env["COCKPIT_PHASE"]) == ("lpar02", "nim01", "11")
    assert env["COCKPIT_SUMMARY"] == "lpar02 failed in phase 11/12: a line; $(reboot) ]0;x"  # data, one line
    assert len(env["COCKPIT_DETAIL"]) == 2000
    assert env["COCKPIT_TIME"].startswith("2026-12-") and env["COCKPIT_TIME"][-6] in "+-"
    assert all("\n" not in v and "\x00" not in v for v in env.values())
    finished = Alert(AlertKind.FINISHED, RUN, 1.0, "s", succeeded=("a", "b"), failed=("c",))
    fenv = alert_env(finished)
    assert (fenv["COCKPIT_OUTCOME"], fenv["COCKPIT_SUCCEEDED"], fenv["COCKPIT_FAILED"]) == ("failed", "a b", "c")
    assert fenv["COCKPIT_TARGET"] == ""


def test_a_stale_cockpit_variable_is_not_inherited() -> None:
    env = command_env({"PATH": "/bin", "COCKPIT_EVENT": "stale", "COCKPIT_OTHER": "x"}, {"COCKPIT_EVENT": "failed"})
    assert env == {"PATH": "/bin", "COCKPIT_EVENT": "failed"}
    assert one_line("a\r\nb\tc") == "a b c"


def test_escapes_carry_no_control_character_of_the_text() -> None:
    hostile = "lpar02\x07\x1b]0;pwned\x1b\\ failed\x9c"
    # The one printable() of cockpit.domain: the host's own OSC goes whole, not just its ESC and BEL.
    assert osc9(hostile) == "\x1b]9;lpar02 failed\x07"
    assert osc9("11 hosts") == "\x1b]9;- 11 hosts\x07"  # never read as ConEmu's `OSC 9 ; 11 ;`
    assert osc777("a;b", "body; more") == "\x1b]777;notify;a,b;body; more\x07"
    assert tmux_passthrough("\x1b]9;x\x07") == "\x1bPtmux;\x1b\x1b]9;x\x07\x1b\\"
    both = desktop_escapes("cockpit", "lpar02 failed", "lpar02 failed in phase 11/12", ("osc9", "osc777"), tmux=False)
    assert (
        both == "\x1b]9;cockpit: lpar02 failed in phase 11/12\x07"
        "\x1b]777;notify;cockpit: lpar02 failed;lpar02 failed in phase 11/12\x07"
    )


def test_auto_picks_the_escape_a_known_terminal_shows() -> None:
    assert desktop_protocols("auto", {"TERM_PROGRAM": "iTerm.app"}) == ("osc9",)
    assert desktop_protocols("auto", {"LC_TERMINAL": "iTerm2", "TERM": "tmux-256color"}) == ("osc9",)
    assert desktop_protocols("auto", {"TERM_PROGRAM": "WezTerm"}) == ("osc777",)
    assert desktop_protocols("auto", {"TERM": "foot"}) == ("osc777",)
    assert desktop_protocols("auto", {"TERM": "xterm-256color"}) == ("osc9", "osc777")
    assert desktop_protocols("osc9", {"TERM_PROGRAM": "WezTerm"}) == ("osc9",)
    assert desktop_protocols("off", {}) == ()


def test_the_report_lists_the_alerts_and_says_when_there_were_none() -> None:
    import json
    import xml.etree.ElementTree as ET

    from cockpit.domain import report as rp

    target = rp.TargetRecord("lpar02", "failed", phase=11, phases_total=12, error="0505-218")
    base = rp.RunReport(RUN, "nimadm", "/etc/c.yaml", 1.0, 9.0, "failed", (target,))
    assert "## Alerts\n\nNo alert was raised.\n" in rp.to_markdown(base)
    assert rp.to_json(base)["alerts"] == []
    sent = rp.DeliveryEntry("notify[0] mail.sh", "failed: exit 1: no route", 6.0)
    alerts = (
        rp.AlertEntry(5.0, "failed", ("lpar02",), "lpar02 failed in phase 11/12: 0505-218", (sent,)),
        rp.AlertEntry(9.0, "finished", (), "run finished: 0 succeeded", ()),
    )
    report = rp.RunReport(RUN, "nimadm", "/etc/c.yaml", 1.0, 9.0, "failed", (target,), alerts=alerts)
    md = rp.to_markdown(report)
    assert (
        "| failed | lpar02 | lpar02 failed in phase 11/12: 0505-218 | notify[0] mail.sh: failed: exit 1: no route |"
        in md
    )
    assert "| finished |  | run finished: 0 succeeded | not sent (no channel was on for it) |" in md
    data = json.loads(rp.render_json(report))["alerts"]
    assert data[0]["deliveries"] == [
        {"channel": "notify[0] mail.sh", "outcome": "failed: exit 1: no route", "at": rp.iso(6.0)}
    ]
    assert data[1]["targets"] == []
    suite = ET.fromstring(rp.to_junit(report)).find("testsuite")
    assert suite is not None
    case = suite.find("testcase")
    assert case is not None and "ALERT failed: lpar02 failed" in (case.findtext("system-out") or "")
    assert "ALERT finished" not in (case.findtext("system-out") or "")
    assert (suite.findtext("system-out") or "").count("ALERT") == 2
