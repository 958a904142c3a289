"""The record of a run: `cockpit runs` and `cockpit report` in Markdown, JSON and JUnit,
made from the journal of real runs over SSH on the simulator.

- tiny: nimadm on two clients, lpar02 fails in phase 11 on its ghost device; a waiver given before
  the run and an operator action after it are in the record;
- linuxha-fail: a lockstep cluster upgrade that stops at a step, then backed out with --yes: the
  back-out run shows up as the upgrade's rollback.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cockpit import cli
from cockpit.commands import backout
from cockpit.commands import report as report_cmd
from cockpit.commands import runs as runs_cmd
from cockpit.config import load_config
from cockpit.config.runbooks import load_runbook
from cockpit.domain import report as rp
from cockpit.domain.events import ListSink
from cockpit.engine.journal import Journal
from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for

GHOST_ERROR = "0516-082 /usr/sbin/lchangelv: Unable to access a special device file"
WAIVER_REASON = "IBM case TS01234: checked by support"
WAIVER_KEY = "SHA256:qfJ1w0tJ0WcZQm3mIeP5kTn7Hrl8m+g2rKq1bA0Yt4Q"


def _digest(state_dir: Path) -> str:
    h = hashlib.sha256()
    for name in ("journal.sqlite", "journal.sqlite-wal"):
        path = state_dir / name
        h.update(path.read_bytes() if path.exists() else b"-")
    return h.hexdigest()


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A finished nimadm run on the `tiny` fleet: (inventory, run id)."""
    tmp = tmp_path_factory.mktemp("tiny")

    async def go() -> tuple[Path, str]:
        fleet = await SimFleet.start(load_scenario("tiny"), tmp / "fleet")
        try:
            inventory = fleet.write_inventory(tmp / "inventory.yaml")
            config = load_config(inventory)
            engine = RunbookRun(
                config,
                Journal(config.state_dir / "journal.sqlite"),
                lambda h: transport_for(h, config.ssh),
                config_path=inventory,
                operator="alice",
            )
            # A waiver given before the run (what `cockpit check --waive` journals).
            engine.journal.add_waiver(
                "nimsh.ports", "lpar01", WAIVER_REASON, "bob", expires_at=time.time() + 3600, key=WAIVER_KEY
            )
            await asyncio.wait_for(engine.run(ListSink()), 120)
            engine.snooze("lpar02", 600)  # an operator action after the end, journaled with who did it
            engine.journal.close()  # the writer is done: from here on the journal's bytes must not change
            return inventory, engine.run_id
        finally:
            await fleet.stop()

    return asyncio.run(go())


def _report(inventory: Path, run_id: str) -> rp.RunReport:
    config = load_config(inventory)
    journal = Journal.read_only(config.state_dir / "journal.sqlite")
    try:
        return report_cmd.build_report(journal, report_cmd.resolve_run(journal, run_id))
    finally:
        journal.close()


def test_the_report_gathers_outcomes_phases_steps_actions_and_waivers(tiny_run: tuple[Path, str]) -> None:
    inventory, run_id = tiny_run
    report = _report(inventory, run_id)
    assert (report.run_id, report.runbook, report.outcome) == (run_id, "nimadm", "failed")
    ok, bad = report.targets
    assert (ok.name, ok.outcome, ok.error) == ("lpar01", "succeeded", None)
    assert (bad.name, bad.outcome, bad.error) == ("lpar02", "failed", GHOST_ERROR)
    # Phases from the journaled banners: 1..12 for the good client, 1..11 for the one that failed in 11.
    assert [p.phase for p in ok.phases] == list(range(1, 13))
    assert [p.phase for p in bad.phases] == list(range(1, 12))
    assert all(p.duration is not None and p.duration >= 0 for p in ok.phases + bad.phases)
    assert bad.phases[-1].finished_at == bad.finished_at  # the failing phase ends with the target
    assert ok.phases[0].started_at >= ok.started_at
    (step,) = bad.steps
    assert step.command == "nimadm -c lpar02 -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y"
    assert (step.host, step.state) == ("nim01", "failed") and step.exit_status not in (None, 0)
    assert ok.steps[0].exit_status == 0 and ok.steps[0].duration is not None
    assert [(a.action, a.detail, a.operator) for a in bad.actions] == [("snooze", "600s", "alice")]
    assert ok.actions == ()
    assert ("oslevel-before", "7100-05-03-1838") in ok.facts
    assert [(w.check, w.host, w.reason, w.operator, w.key) for w in report.waivers] == [
        ("nimsh.ports", "lpar01", WAIVER_REASON, "bob", WAIVER_KEY)
    ]
    assert report.waivers[0].expires_at is not None and report.waivers[0].expires_at > report.waivers[0].at
    assert any(a.action == "waive" and WAIVER_REASON in a.detail for a in report.preflight)
    assert report.rollbacks == ()


def test_markdown_report(tiny_run: tuple[Path, str]) -> None:
    inventory, run_id = tiny_run
    md = rp.to_markdown(_report(inventory, run_id))
    assert md.startswith(f"# Run {run_id}: nimadm\n")
    assert "| outcome | failed: 1 of 2 targets succeeded (not: lpar02) |" in md
    assert "## lpar01: succeeded" in md and "## lpar02: failed" in md
    assert f"- error: `{GHOST_ERROR}`" in md
    lpar02 = md.split("## lpar02: failed", 1)[1]
    assert "| 11 |" in lpar02.split("### Steps")[0] and "| 12 |" not in lpar02.split("### Steps")[0]
    assert "`nimadm -c lpar02 -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y`" in lpar02
    assert "| snooze | 600s | alice |" in lpar02
    assert f"| nimsh.ports | lpar01 | {WAIVER_REASON} | bob | {WAIVER_KEY} |" in md


def test_json_report(tiny_run: tuple[Path, str]) -> None:
    inventory, run_id = tiny_run
    data = json.loads(rp.render_json(_report(inventory, run_id)))
    assert (data["run_id"], data["outcome"], data["succeeded"], data["failed"]) == (
        run_id,
        "failed",
        ["lpar01"],
        ["lpar02"],
    )
    by_name = {t["target"]: t for t in data["targets"]}
    bad = by_name["lpar02"]
    assert (bad["outcome"], bad["error"], bad["phase"], bad["phases_total"]) == ("failed", GHOST_ERROR, 11, 12)
    assert [p["phase"] for p in bad["phases"]] == list(range(1, 12))
    assert bad["steps"][0]["host"] == "nim01" and bad["steps"][0]["exit_status"] != 0
    assert bad["actions"] == [
        {"at": bad["actions"][0]["at"], "target": "lpar02", "action": "snooze", "detail": "600s", "operator": "alice"}
    ]
    assert by_name["lpar01"]["facts"] == {"oslevel-before": "7100-05-03-1838"}
    assert by_name["lpar01"]["duration"] > 0 and by_name["lpar01"]["started_at"].startswith("20")
    assert data["waivers"][0]["reason"] == WAIVER_REASON and data["waivers"][0]["revoked_at"] is None
    assert data["waivers"][0]["key"] == WAIVER_KEY and data["waivers"][0]["expires_at"].startswith("20")


def test_junit_report_parses_as_junit(tiny_run: tuple[Path, str]) -> None:
    inventory, run_id = tiny_run
    report = _report(inventory, run_id)
    root = ET.fromstring(rp.to_junit(report))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "2",
        "failures": "1",
        "errors": "0",
        "skipped": "0",
    }
    assert float(suite.get("time", "")) == pytest.approx(report.duration, abs=0.001)
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [("nimadm", "lpar01"), ("nimadm", "lpar02")]
    good, bad = cases
    assert good.find("failure") is None and float(good.get("time", "")) > 0
    failure = bad.find("failure")
    assert failure is not None and failure.get("message") == GHOST_ERROR and failure.get("type") == "failed"
    out = bad.findtext("system-out") or ""
    assert "nimadm -c lpar02" in out and "phase 11" in out and "alice: snooze 600s" in out
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["run_id"] == run_id and props["runbook"] == "nimadm"


def test_report_and_runs_commands(
    tiny_run: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory, run_id = tiny_run
    state_dir = load_config(inventory).state_dir
    before = _digest(state_dir)
    out = tmp_path / "junit.xml"
    assert cli.main(["report", str(inventory), "latest", "--format", "junit", "--output", str(out)]) == 0
    assert ET.parse(out).getroot().find("testsuite") is not None
    assert cli.main(["report", str(inventory), run_id, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["run_id"] == run_id
    assert cli.main(["runs", str(inventory), "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["run_id"], row["kind"], row["runbook"], row["outcome"], row["succeeded"], row["failed"]) == (
        run_id,
        "migration",
        "nimadm",
        "failed",
        1,
        1,
    )
    assert cli.main(["runs", str(inventory)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["RUN", "KIND", "RUNBOOK", "STARTED", "DURATION", "OUTCOME", "OK", "FAILED"]
    assert lines[1].split()[:3] == [run_id, "migration", "nimadm"] and lines[1].split()[-3:] == ["failed", "1", "1"]
    # An unknown run: one line, exit 2.
    assert cli.main(["report", str(inventory), "19700101-000000-000"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no run 19700101-000000-000" in err and "\n" not in err
    assert _digest(state_dir) == before  # the record reads the journal, never writes it


def test_runs_and_report_without_a_journal(tmp_path: Path) -> None:
    err = io.StringIO()
    assert runs_cmd.run(tmp_path / "nothing", "text", err=err) == 2
    assert "no journal in" in err.getvalue()
    err = io.StringIO()
    assert report_cmd.run(tmp_path / "nothing", "latest", "md", err=err) == 2


async def test_a_cluster_back_out_is_the_failed_upgrades_rollback(tmp_path: Path) -> None:
    fleet = await SimFleet.start(load_scenario("linuxha-fail"), tmp_path / "fleet")
    try:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        upgrade = RunbookRun(
            config,
            Journal(config.state_dir / "journal.sqlite"),
            lambda h: transport_for(h, config.ssh),
            config_path=inventory,
        )
        done = await asyncio.wait_for(upgrade.run(ListSink()), 120)
        assert not done.ok
        await asyncio.to_thread(
            backout.run, config, inventory, load_runbook("linuxha"), (), yes=True, out=io.StringIO()
        )
    finally:
        await fleet.stop()
    report = _report(inventory, upgrade.run_id)
    (rollback,) = report.rollbacks
    assert rollback.runbook == "linuxha-backout" and set(rollback.hosts) == set(config.targets)
    assert all(t.rollbacks == (rollback,) for t in report.targets)
    outcomes = {t.name: t.outcome for t in report.targets}
    failed = [n for n, o in outcomes.items() if o == "failed"]
    assert len(failed) == 1 and set(outcomes.values()) == {"failed", "blocked"}
    # Lockstep steps, no phases of their own; each target's steps are the runbook's, in order.
    assert all(t.phases == () for t in report.targets)
    assert report.targets[0].steps[0].launched_at is not None
    md = rp.to_markdown(report)
    assert f"| {rollback.run_id} | linuxha-backout |" in md
    root = ET.fromstring(rp.to_junit(report))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("failures") == str(len(report.targets))
    errors = {t.name: t.error for t in report.targets}
    for case in suite.findall("testcase"):
        failure = case.find("failure")
        assert failure is not None and failure.get("message") == errors[case.get("name", "")]
    assert errors[failed[0]] and not errors[failed[0]].startswith("stopped:")
    assert all((e or "").startswith("stopped:") for n, e in errors.items() if n != failed[0])
