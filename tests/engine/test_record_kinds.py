"""The journal keeps migrations and rollbacks apart (over real SSH on the simulator).

A look at a rollback (`cockpit rollback` without --yes) writes nothing; a confirmed rollback is a run
of kind rollback; `cockpit report CONFIG latest` stays the migration unless asked for another kind;
`cockpit runs` says the kind. Text an operator or a host put in the journal reaches the report (md,
json, junit) without its terminal escapes.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from cockpit.config import load_config
from cockpit.engine.journal import Journal
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from tests.rollback.fleet import cockpit, scenario
from tests.rollback.test_rollback_over_ssh import migrate

RAW = "ok\x1b]0;owned\x07 then\x1b[2J\x1b[8m hidden\x9b0m\x08!"


def run_ids(inventory: Path) -> list[tuple[str, str]]:
    journal = Journal.read_only(load_config(inventory).state_dir / "journal.sqlite")
    try:
        return [(r.run_id, r.kind) for r in journal.runs()]
    finally:
        journal.close()


async def test_a_look_writes_nothing_and_latest_is_the_migration(tmp_path: Path) -> None:
    async with await SimFleet.start(load_scenario(scenario(tmp_path)), tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        migration = await migrate(inventory)
        assert run_ids(inventory) == [(migration, "migration")]

        look = await cockpit("rollback", str(inventory), "--host", "lpar01", "--headless")
        assert look.exit_status == 2 and "bootlist -m normal hdisk0" in look.out
        assert "journal: nothing written" in look.out
        assert run_ids(inventory) == [(migration, "migration")]  # no "proposed 0 of 0" run

        done = await cockpit("rollback", str(inventory), "--host", "lpar01", "--yes", "--headless")
        assert done.exit_status == 0, done.out + done.err
        (rollback, kind) = run_ids(inventory)[-1]
        assert kind == "rollback" and rollback != migration

    # Text from operators and hosts, as an older cockpit may have stored it raw.
    journal = Journal(load_config(inventory).state_dir / "journal.sqlite")
    try:
        journal.record_action(migration, "lpar01", "note", RAW, "ops\x1b[31m")
        journal.add_waiver("nimsh.ports", "lpar01", RAW, "ops", expires_at=journal.clock() + 3600)
    finally:
        journal.close()

    latest = await cockpit("report", str(inventory), "latest", "--format", "json")
    assert latest.exit_status == 0, latest.err
    record = json.loads(latest.out)
    assert record["run_id"] == migration and record["runbook"] == "nimadm"
    assert [r["run_id"] for r in record["rollbacks"]] == [rollback]
    back = await cockpit("report", str(inventory), "latest", "--kind", "rollback", "--format", "json")
    assert json.loads(back.out)["run_id"] == rollback
    last = await cockpit("report", str(inventory), "latest", "--kind", "any", "--format", "json")
    assert json.loads(last.out)["run_id"] == rollback

    runs = await cockpit("runs", str(inventory), "--format", "json")
    assert [(r["run_id"], r["kind"]) for r in json.loads(runs.out)] == [
        (rollback, "rollback"),
        (migration, "migration"),
    ]
    table = (await cockpit("runs", str(inventory))).out.splitlines()
    assert table[0].split()[:3] == ["RUN", "KIND", "RUNBOOK"] and table[1].split()[1] == "rollback"

    # The record is safe to print: no escape, no control character, in any of its formats.
    for fmt in ("md", "json", "junit"):
        text = (await cockpit("report", str(inventory), "latest", "--format", fmt)).out
        assert not any(c in text for c in "\x1b\x07\x08\x9b"), fmt
    md = (await cockpit("report", str(inventory), "latest")).out
    assert "| note | ok then hidden! | ops |" in md
    listing = (await cockpit("waivers", str(inventory))).out
    assert "\x1b" not in listing and listing.rstrip().endswith("ok then hidden!")
    detail = next(a["detail"] for t in record["targets"] for a in t["actions"] if a["action"] == "note")
    assert "\x1b" not in detail and "owned" not in detail
    junit = (await cockpit("report", str(inventory), "latest", "--format", "junit")).out
    assert ET.fromstring(junit).find("testsuite") is not None
