"""Runbooks as data: the built-in files load, bad runbook files and bad plan values are reported at their
line, and every value that reaches a command is shape-checked and quoted."""

from __future__ import annotations

import re
import shlex
import textwrap
from pathlib import Path

import pytest

from cockpit.config import ConfigError, load_config
from cockpit.config.models import Host
from cockpit.config.runbooks import builtin_names, load_runbook
from cockpit.domain import template
from cockpit.domain.step_check import StepCheck, StepJudge
from cockpit.engine.binding import Binding
from cockpit.engine.journal import Journal
from cockpit.engine.preflight import contexts_for
from cockpit.engine.run import ControlError, RunbookRun
from cockpit.transports.base import Transport

BUILTINS = ["alt-disk-copy", "alt-disk-mksysb", "hacws", "linuxha", "nimadm"]


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def config_text(runbook: str, params: str = "", targets: str = "    - host: a1\n") -> str:
    return (
        "hosts:\n  - {name: a1}\n  - {name: a2}\nplan:\n"
        f"  runbook: {runbook}\n" + (f"  params:\n{params}" if params else "") + "  targets:\n" + targets
    )


def test_the_five_builtin_runbooks_ship_and_load() -> None:
    assert builtin_names() == BUILTINS
    modes = {name: load_runbook(name).mode for name in BUILTINS}
    assert modes == {
        "alt-disk-copy": "independent",
        "alt-disk-mksysb": "independent",
        "hacws": "lockstep",
        "linuxha": "lockstep",
        "nimadm": "independent",
    }
    assert load_runbook("nimadm").phases_total == 12
    assert [s.id for s in load_runbook("alt-disk-copy").steps][:3] == ["clone", "update", "finish"]


def test_an_unknown_builtin_is_named_with_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", config_text("alt-disk-clone"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = str(err.value)
    assert text.startswith(f"{path}:5:12: plan.runbook: no built-in runbook 'alt-disk-clone'")
    assert "alt-disk-copy" in text


def test_a_broken_runbook_file_is_reported_at_its_own_line(tmp_path: Path) -> None:
    write(
        tmp_path / "mine.yaml",
        """
        name: mine
        title: mine
        steps:
          - id: one
            title: one
            run: echo {nothere}
        """,
    )
    path = write(tmp_path / "c.yaml", config_text("./mine.yaml"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"{tmp_path / 'mine.yaml'}:6:10: steps[0].run: unknown parameter {{nothere}}"


def test_a_typo_in_a_runbook_key_suggests_the_right_one(tmp_path: Path) -> None:
    write(
        tmp_path / "mine.yaml",
        """
        name: mine
        title: mine
        steps:
          - id: one
            title: one
            run: "true"
            expct: {exit: 0}
        """,
    )
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path / "c.yaml", config_text("mine.yaml")))
    assert "steps[0].expct: unknown key (did you mean 'expect'?)" in str(err.value)


def test_plan_values_are_checked_against_the_runbook(tmp_path: Path) -> None:
    params = "    package: /tmp/x.rpm\n    new_version: 1.1.01\n    cluster: 'prod; reboot'\n    colour: red\n"
    path = write(tmp_path / "c.yaml", config_text("linuxha", params))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    lines = str(err.value).splitlines()
    assert lines[0].startswith(f"{path}:9:14: plan.params.cluster: cluster 'prod; reboot' is not a valid word")
    assert lines[1].startswith(f"{path}:10:5: plan.params.colour: no parameter 'colour' in runbook 'linuxha'")


def test_a_missing_per_target_value_and_a_wrong_role_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", config_text("alt-disk-copy", targets="    - {host: a1, role: primary}\n"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = str(err.value)
    assert "plan.targets[0]: a1: runbook 'alt-disk-copy' needs 'disk' (disk) in plan.targets[0].params" in text
    assert "plan.targets[0].role: runbook 'alt-disk-copy' has no roles" in text


def test_a_number_that_yaml_would_mangle_must_be_quoted(tmp_path: Path) -> None:
    params = "    package: /tmp/x.rpm\n    new_version: 1.10\n    cluster: prodcl\n"
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path / "c.yaml", config_text("linuxha", params)))
    assert "plan.params.new_version: expected text, got the number 1.1; put the value in quotes" in str(err.value)


def test_values_are_quoted_in_commands_and_escaped_in_patterns(tmp_path: Path) -> None:
    params = "    package: /tmp/linuxha12 1.rpm\n"
    with pytest.raises(ConfigError):  # a blank is not part of a plain path
        load_config(write(tmp_path / "c.yaml", config_text("linuxha", params)))
    values = {"disk": "hdisk1", "bundle": None, "images": "/export/u p"}
    assert template.render("alt_disk_copy -d {disk} -P 2 {-b bundle} {-l images}", values) == (
        "alt_disk_copy -d hdisk1 -P 2 -l '/export/u p'"
    )
    pattern = template.render_pattern("^{v}$", {"v": "1.1.01"})
    assert pattern.match("1.1.01") and not pattern.match("1x1x01")
    with pytest.raises(template.TemplateError, match="not a valid disk"):
        template.check_value("disk", "hdisk1;reboot")


def test_binding_renders_each_step_where_it_runs(tmp_path: Path) -> None:
    text = (
        "hosts:\n  - {name: cws1}\n  - {name: cws2}\nplan:\n  runbook: hacws\n  targets:\n"
        "    - {host: cws1, role: primary}\n    - {host: cws2, role: backup}\n"
    )
    binding = Binding(load_config(write(tmp_path / "c.yaml", text)), "run1")
    primary = {s.step_id: s for s in binding.steps("cws1")}
    backup = {s.step_id: s for s in binding.steps("cws2")}
    assert primary["backup-rootvg"].command == "mksysb -i /backup/cws1.mksysb"
    assert "clverify-software" in primary and "clverify-software" not in backup  # `first` only
    assert "hacws-verify" in primary and "hacws-verify" not in backup  # role:primary only
    guard = primary["hacws-verify"].guard
    assert guard is not None and guard.command == "lsvg -o" and not guard.skip
    assert guard.reason.startswith("cws1 is not the active control workstation (spdatavg is not varied on there)")
    assert primary["backup-rootvg"].remote.directory == "/var/tmp/cockpit/run1/cws1.backup-rootvg"


def test_back_out_steps_look_before_they_act(tmp_path: Path) -> None:
    """Each step of the Linuxha.net back-out is guarded by the state it would change (skip otherwise)."""
    from cockpit.commands.backout import backout_runbook

    text = config_text(
        "linuxha",
        "    package: /tmp/linuxha12-1.1.01-1.noarch.rpm\n    old_package: /tmp/linuxha-1.0.4-1.noarch.rpm\n"
        "    new_version: 1.1.01\n    cluster: prodcl\n",
        "    - host: a1\n    - host: a2\n",
    )
    config = load_config(write(tmp_path / "c.yaml", text))
    backout = backout_runbook(load_runbook("linuxha"))
    assert backout is not None
    steps = {s.step_id: s for s in Binding(config, "run1", backout).steps("a2")}
    guards = {k: s.guard for k, s in steps.items() if s.guard is not None}
    assert all(g.skip for g in guards.values()) and set(guards) == {
        "remove-new",
        "reinstall-old",
        "restore-config",
    }  # halt-new, rebuild and form run on the first node only
    remove, reinstall = guards["remove-new"], guards["reinstall-old"]
    assert remove.command == "rpm -q linuxha12" and remove.holds(True, "linuxha12-1.1.01-1\n")
    assert not remove.holds(False, "package linuxha12 is not installed\n")
    assert reinstall.command == "rpm -qa" and reinstall.holds(True, "bash-5.1\n")
    assert not reinstall.holds(True, "bash-5.1\nlinuxha-1.0.4-1\n")  # already back: skipped
    assert reinstall.reason == "the old package is installed on a2 already"
    first = {s.step_id: s for s in Binding(config, "run1", backout).steps("a1")}
    assert first["form"].guard is not None and first["form"].guard.absent is not None
    assert first["form"].guard.absent.pattern == r"cldaemon-prodcl\b"


def test_a_guard_pattern_names_only_declared_parameters(tmp_path: Path) -> None:
    book = write(
        tmp_path / "book.yaml",
        """
        name: mine
        title: t
        steps:
          - id: one
            title: t
            run: "true"
            guard: {run: ps -ef, absent: 'daemon-{clustr}', otherwise: skip, reason: r}
        """,
    )
    with pytest.raises(ConfigError, match=r"book\.yaml:7:34: steps\[0\]\.guard\.absent: unknown parameter \{clustr\}"):
        load_runbook(str(book))


def test_nimadm_plans_bind_to_the_same_command_as_before(tmp_path: Path) -> None:
    text = (
        "hosts:\n  - {name: nim01, role: nim_master}\n  - {name: lpar01}\nplan:\n  master: nim01\n"
        "  lpp_source: lpp72\n  spot: spot72\n  cache_vg: cachevg\n"
        "  clients:\n    - {host: lpar01, disk: hdisk2 hdisk3}\n"
    )
    binding = Binding(load_config(write(tmp_path / "c.yaml", text)), "run1")
    (step,) = binding.steps("lpar01")
    assert step.command == "nimadm -c lpar01 -l lpp72 -s spot72 -d 'hdisk2 hdisk3' -Y -j cachevg"
    assert step.host is not None and step.host.name == "nim01" and step.check is None
    _, spec = binding.step_by_id("nimadm")
    assert binding.spec("lpar01", spec, 1, phase=7, attempt=2).name == "nimadm-P7-r2"
    assert binding.spec("lpar01", spec, 1, phase=7).command.endswith("-j cachevg -P 7")
    # Several disks travel as one argument, as nimadm -d takes them.
    assert shlex.split(binding.spec("lpar01", spec, 1, phase=6).command) == [
        *("nimadm", "-c", "lpar01", "-l", "lpp72", "-s", "spot72", "-d", "hdisk2 hdisk3", "-Y"),
        *("-j", "cachevg", "-P", "6"),
    ]


NIMADM_PLAN = (
    "hosts:\n  - {name: adachi-nim, role: nim_master}\n  - {name: adachi-AIX7}\nplan:\n  master: adachi-nim\n"
    "  lpp_source: lpp_source_AIX72TL5\n  spot: spot_AIX72TL5\n  clients:\n    - {host: adachi-AIX7, disk: hdisk2}\n"
)


def test_the_nimadm_runbook_runs_the_documented_command_and_cleans_up_with_nimadm_c(tmp_path: Path) -> None:
    binding = Binding(load_config(write(tmp_path / "c.yaml", NIMADM_PLAN)), "run1")
    (step,) = binding.steps("adachi-AIX7")
    assert step.command == "nimadm -c adachi-AIX7 -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y"
    undo = binding.undo("adachi-AIX7", "nimadm")
    assert undo is not None and undo.host.name == "adachi-nim"
    assert undo.command == "nimadm -C -c adachi-AIX7 -s spot_AIX72TL5"
    # The preflight's hints quote the same line (rootvg.leftover_alt): the runbook is its one source.
    assert [c.cleanup for c in contexts_for(binding.config)] == [undo.command]


def test_a_nimadm_retry_runs_each_phase_alone_and_only_phases_1_to_12(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "c.yaml", NIMADM_PLAN))
    engine = RunbookRun(config, Journal(tmp_path / "journal.sqlite"), _no_transport)
    base = "nimadm -c adachi-AIX7 -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y"
    assert engine.retry_commands("adachi-AIX7", 11) == [f"{base} -P 11", f"{base} -P 12"]
    for phase in (0, 13):
        with pytest.raises(ControlError, match=f"phase {phase} is not between 1 and 12"):
            engine.retry_commands("adachi-AIX7", phase)


def _no_transport(host: Host) -> Transport:
    raise AssertionError(f"nothing may connect to {host.name} to plan a retry")


def test_the_judge_reads_exit_status_patterns_and_emptiness() -> None:
    check = StepCheck(
        output=(re.compile(r"^1\.1\.01$"),), fail_output=(re.compile(r"^error: "), re.compile(r"is needed by"))
    )
    ok = StepJudge(check)
    ok.feed("1.1.01\n")
    assert ok.error(0) is None
    failed = StepJudge(check)
    for line in ["error: Failed dependencies:", "\tperl-XML-Simple is needed by linuxha12-1.1.01-1.noarch"]:
        failed.feed(line)
    assert failed.error(1) == "error: Failed dependencies: perl-XML-Simple is needed by linuxha12-1.1.01-1.noarch"
    missing = StepJudge(check)
    missing.feed("1.0.4")
    assert missing.error(0) == ("expected output matching '^1\\\\.1\\\\.01$' was not printed; the last line was: 1.0.4")
    assert StepJudge(check).error(3) == "exited with status 3"
    below = StepJudge(StepCheck(empty=True))
    below.feed("Fileset                      Actual Level        Maintenance Level")
    below.feed("bos.rte.libc                 4.3.2.0             4.3.3.0")
    assert below.error(0) == (
        "expected no output, got 2 line(s), the last: bos.rte.libc                 4.3.2.0             4.3.3.0"
    )


def test_the_readme_example_runbook_is_valid(tmp_path: Path) -> None:
    """The README documents the format with one complete example: it must load as it is written."""
    from cockpit.config.loader import load_model
    from cockpit.config.runbook import RunbookFile

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = readme.index("```yaml\n", readme.index("A complete example")) + len("```yaml\n")
    example = write(tmp_path / "vios-fix.yaml", readme[start : readme.index("```", start)])
    runbook = load_model(example, RunbookFile)
    assert runbook.mode == "lockstep" and [s.id for s in runbook.steps] == ["level", "apply"]
    fields = set(RunbookFile.model_fields) | {f for s in runbook.steps for f in s.model_fields_set}
    assert {"facts", "backout", "probes", "preflight", "guard", "undo", "when", "record"} <= fields
