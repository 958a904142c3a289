"""A plan with several NIM masters: each with its clients, concurrency and resources; mistakes positioned."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.config import ConfigError, load_config
from cockpit.config.models import NimadmPlan
from cockpit.engine.binding import Binding

TWO = """\
hosts:
  - {name: nima, role: nim_master}
  - {name: nimb, role: nim_master}
  - {name: a1}
  - {name: a2}
  - {name: b1}
plan:
  lpp_source: lpp_73
  spot: spot_73
  concurrency: 2
  masters:
    - host: nima
      concurrency: 1
      clients:
        - {host: a1, disk: hdisk1}
        - {host: a2, disk: hdisk1}
    - host: nimb
      spot: spot_73_b
      cache_vg: cachevg
      clients:
        - {host: b1, disk: hdisk2}
"""


def load(tmp_path: Path, text: str) -> NimadmPlan:
    path = tmp_path / "cockpit.yaml"
    path.write_text(text)
    plan = load_config(path).plan
    assert isinstance(plan, NimadmPlan)
    return plan


def problem(tmp_path: Path, text: str) -> str:
    path = tmp_path / "cockpit.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert len(caught.value.problems) == 1, caught.value.problems
    return str(caught.value.problems[0]).removeprefix(f"{path}:")


def test_each_master_has_its_clients_concurrency_and_resources(tmp_path: Path) -> None:
    plan = load(tmp_path, TWO)
    assert plan.master_names == ["nima", "nimb"]
    assert plan.target_names == ["a1", "a2", "b1"]
    assert [(g.master, g.concurrency) for g in plan.groups] == [("nima", 1), ("nimb", 2)]
    assert plan.master_of("a2") == "nima" and plan.master_of("b1") == "nimb"
    assert plan.target_values("a1") == {"lpp_source": "lpp_73", "spot": "spot_73", "disk": "hdisk1", "cache_vg": None}
    assert plan.target_values("b1") == {
        "lpp_source": "lpp_73",
        "spot": "spot_73_b",
        "disk": "hdisk2",
        "cache_vg": "cachevg",
    }


def test_the_binding_runs_each_client_on_its_own_master(tmp_path: Path) -> None:
    path = tmp_path / "cockpit.yaml"
    path.write_text(TWO)
    binding = Binding(load_config(path), "r1")
    a1, b1 = binding.steps("a1")[0], binding.steps("b1")[0]
    assert a1.host is not None and a1.host.name == "nima"
    assert b1.host is not None and b1.host.name == "nimb"
    assert b1.command == "nimadm -c b1 -l lpp_73 -s spot_73_b -d hdisk2 -Y -j cachevg"
    assert binding.undo("b1", "nimadm") is not None
    assert binding.undo("b1", "nimadm").command == "nimadm -C -c b1 -s spot_73_b"  # type: ignore[union-attr]


def test_the_one_master_form_is_one_group(tmp_path: Path) -> None:
    text = TWO.split("  masters:\n")[0] + "  master: nima\n  clients:\n    - {host: a1, disk: hdisk1}\n"
    plan = load(tmp_path, text)
    assert [(g.master, g.concurrency, [c.host for c in g.clients]) for g in plan.groups] == [("nima", 2, ["a1"])]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("  masters:\n", "  master: nima\n  masters:\n"),
            "11:11: plan.master: give either master and clients, or masters (each with its clients)",
        ),
        (
            ("    - host: nimb\n", "    - host: b1\n"),
            "17:13: plan.masters[1].host: host 'b1' does not have role nim_master",
        ),
        (("    - host: nimb\n", "    - host: nima\n"), "17:13: plan.masters[1].host: master 'nima' is listed twice"),
        (
            ("        - {host: b1,", "        - {host: a1,"),
            "21:18: plan.masters[1].clients[0].host: client 'a1' is planned twice",
        ),
        (
            ("        - {host: b1,", "        - {host: zz,"),
            "21:18: plan.masters[1].clients[0].host: no host named 'zz' in hosts",
        ),
        (
            ("      concurrency: 1\n", "      concurrency: 0\n"),
            "13:20: plan.masters[0].concurrency: should be greater than or equal to 1",
        ),
        (
            ("      clients:\n        - {host: b1, disk: hdisk2}\n", ""),
            "17:7: plan.masters[1].clients: required key is missing",
        ),
    ],
)
def test_mistakes_are_positioned(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert TWO.count(old) == 1
    got = problem(tmp_path, TWO.replace(old, new))
    assert got.startswith(expected), got


def test_neither_form_says_what_is_missing(tmp_path: Path) -> None:
    text = TWO.split("  masters:\n")[0]
    assert "plan.master: required key is missing (or give masters, each with its clients)" in problem(tmp_path, text)


def test_dry_run_and_validate_name_each_master(capsys: pytest.CaptureFixture[str]) -> None:
    from cockpit.cli import main

    sample = Path(__file__).resolve().parents[2] / "sample_configs" / "nimadm-several-masters.yaml"
    assert main(["run", str(sample), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "lyo01: nimadm on nimlyo" in out and "-s spot_7300-03-lyo -d hdisk1 -Y -j nimcachevg" in out
    assert out.rstrip().endswith("concurrency per master: nimpar 3, nimlyo 2; nothing was run")
    assert main(["validate", str(sample)]) == 0
    assert "nimadm plan for 5 targets on nimpar, nimlyo" in capsys.readouterr().out
