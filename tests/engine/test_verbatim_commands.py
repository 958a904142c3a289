"""A runbook's `run:` reaches the host exactly as written: a run of blanks or a tab inside a quoted
argument is part of the command (printf, awk, grep and sed patterns depend on it; a YAML block
scalar is how a runbook writes a tab). Shown verbatim by
`cockpit run --dry-run` and in the back-out plan the cockpit shows, journaled verbatim, and run
verbatim over SSH on the simulator."""

from __future__ import annotations

import asyncio
import contextlib
import io
from pathlib import Path

from cockpit.cli import main
from cockpit.config import load_config
from cockpit.domain.events import ListSink
from cockpit.engine.journal import Journal
from cockpit.engine.run import RunbookRun
from cockpit.sim.scenario import load_scenario
from cockpit.sim.server import SimFleet
from cockpit.transports.factory import transport_for

COMMAND = "printf '[%s]\\n' \"a    b\" 'c\td'   {-x flag} \"{word}\""
RENDERED = "printf '[%s]\\n' \"a    b\" 'c\td'   \"w1\""
RUNBOOK = f"""name: verbatim
title: commands as written
params:
  word: {{type: word, default: w1}}
  flag: {{type: word, required: false}}
steps:
  - id: spaces
    title: "repeated blanks and a tab"
    run: |-
      {COMMAND}
    expect:
      output: ['^\\[a    b\\]$', '^\\[c\\td\\]$']
backout:
  - id: undo
    title: "the same, going back"
    run: |-
      {COMMAND}
"""


def cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(list(argv))
    return status, out.getvalue()


async def test_a_step_with_repeated_blanks_and_a_tab_is_shown_and_run_verbatim(tmp_path: Path) -> None:
    (tmp_path / "verbatim.yaml").write_text(RUNBOOK)
    async with await SimFleet.start(load_scenario("alt-disk-copy"), tmp_path / "fleet") as fleet:
        inventory = fleet.write_inventory(tmp_path / "inventory.yaml")
        text = inventory.read_text()
        plan = text[text.index("plan:") :]
        inventory.write_text(text.replace(plan, "plan:\n  runbook: verbatim.yaml\n  targets:\n    - host: lpar01\n"))
        config = load_config(inventory)

        status, shown = await asyncio.to_thread(cli, "run", str(inventory), "--dry-run")
        assert status == 0
        assert f"lpar01: spaces on lpar01 (root@127.0.0.1:{fleet.hosts['lpar01']}): {RENDERED}\n" in shown
        status, plan_shown = await asyncio.to_thread(cli, "rollback", str(inventory))
        assert status == 2 and f"       {RENDERED}\n" in plan_shown  # the back-out plan, as the cockpit shows it

        engine = RunbookRun(
            config,
            Journal(config.state_dir / "journal.sqlite"),
            lambda host: transport_for(host, config.ssh),
            config_path=inventory,
        )
        try:
            done = await asyncio.wait_for(engine.run(ListSink()), 60)
            assert done.ok, engine.log_path("lpar01").read_text()
            (step,) = engine.journal.steps(engine.run_id)
            assert step.command == RENDERED
        finally:
            engine.journal.close()
        output = engine.log_path("lpar01").read_text().splitlines()
        assert "[a    b]" in output and "[c\td]" in output
