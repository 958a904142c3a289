"""A plan with two NIM masters over real SSH: each client migrated by its own master, each master held
to its own concurrency, the preflight's master checks made against each client's own master, and
the record saying which master migrated whom."""

from __future__ import annotations

import json
from pathlib import Path

from cockpit.commands.report import build_report
from cockpit.config import load_config
from cockpit.config.models import Host
from cockpit.domain.events import ListSink, TargetChanged
from cockpit.domain.models import TargetState
from cockpit.domain.report import to_json
from cockpit.engine.journal import Journal
from cockpit.engine.preflight import PreflightService
from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.base import Transport
from cockpit.transports.factory import transport_for

SCENARIOS = Path(__file__).resolve().parents[2] / "cockpit" / "sim" / "scenarios"


def two_masters(tmp_path: Path, *, nim02_alt_disk: str = "7.2.5.101") -> Path:
    """The `masters` scenario, fast, without its slow and ghost clients; nim02's fileset level as given."""
    text = (SCENARIOS / "masters.yaml").read_text().replace("time_scale: 185", "time_scale: 1100")
    text = text[: text.index("hosts:\n")] + text[text.index("plan:\n") :]
    head, _, rest = text.partition("  - name: nim02\n")
    rest = rest.replace("{bos.alt_disk_install.rte: 7.2.5.101}", f"{{bos.alt_disk_install.rte: {nim02_alt_disk}}}", 1)
    path = tmp_path / "two-masters.yaml"
    path.write_text(head + "  - name: nim02\n" + rest)
    return path


def most_at_once(events: list[object], group: set[str]) -> int:
    running: set[str] = set()
    most = 0
    for e in events:
        if isinstance(e, TargetChanged) and e.target in group:
            (running.add if e.state is TargetState.RUNNING else running.discard)(e.target)
            most = max(most, len(running))
    return most


async def test_each_client_on_its_own_master_each_master_at_its_own_pace(tmp_path: Path) -> None:
    async with await SimFleet.start(load_scenario(two_masters(tmp_path)), tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        assert [(g.master, g.concurrency) for g in config.plan.groups] == [("nim01", 3), ("nim02", 2)]  # type: ignore[union-attr]
        journal = Journal(config.state_dir / "journal.sqlite")

        def connect(host: Host) -> Transport:
            return transport_for(host, config.ssh)

        engine = RunbookRun(config, journal, connect, config_path=inventory)
        sink = ListSink()
        finished = await engine.run(sink)
        assert finished.ok and len(finished.succeeded) == 8
        nim01 = {f"lpar0{i}" for i in range(1, 5)}
        nim02 = {f"lpar0{i}" for i in range(5, 9)}
        assert most_at_once(sink.events, nim01) == 3 and most_at_once(sink.events, nim02) == 2
        for step in journal.steps(engine.run_id):
            assert step.host == ("nim01" if step.target in nim01 else "nim02"), step
        # The client's own master knows its migration; the other has never heard of it.
        logs = fleet.fleet_dir / "hosts"
        assert (logs / "nim02" / "var/adm/ras/alt_mig/lpar05_alt_mig.log").exists()
        assert not (logs / "nim01" / "var/adm/ras/alt_mig/lpar05_alt_mig.log").exists()
        report = to_json(build_report(journal, journal.run(engine.run_id)))  # type: ignore[arg-type]
        assert {t["target"]: t["master"] for t in report["targets"]} == {t: "nim01" for t in nim01} | {
            t: "nim02" for t in nim02
        }
        json.dumps(report)
        journal.close()


async def test_the_preflight_checks_each_client_against_its_own_master(tmp_path: Path) -> None:
    scenario = load_scenario(two_masters(tmp_path, nim02_alt_disk="7.2.5.100"))
    async with await SimFleet.start(scenario, tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        config = load_config(inventory)
        service = PreflightService(config, lambda h: transport_for(h, config.ssh), operator="tester")
        try:
            report = await service.check()
            blocked = service.blocked(report)
        finally:
            service.close()
        # nim02's bos.alt_disk_install.rte (7.2.5.100) is not its SPOT's: its clients only.
        assert sorted(blocked) == ["lpar05", "lpar06", "lpar07", "lpar08"]
        assert all("fileset.alt_disk_install" in why for why in blocked.values())
        finding = next(f for f in report.findings["lpar06"] if f.check == "fileset.alt_disk_install")
        assert finding.host == "nim02" and "7.2.5.100" in finding.summary
