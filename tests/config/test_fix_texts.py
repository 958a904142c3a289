"""Every fix the cockpit prints names only what the config accepts.

A fix that says "give X in the plan" when the config refuses X sends an operator in circles at 2 a.m.
So fix texts name configuration keys by their path (`plan.target_level`, `hosts[].nim_name`), and this
test reads every string of the modules that write fix texts and checks each such path against the
config model, the way the loader would accept it.
"""

from __future__ import annotations

import ast
import re
import types
import typing
from dataclasses import replace
from pathlib import Path

import pydantic
import pytest

from cockpit.config import load_config
from cockpit.config.models import Config
from cockpit.domain.preflight.checks.oslevel import MasterNotBelowTarget
from cockpit.domain.preflight.models import Status
from cockpit.engine.preflight import contexts_for
from tests.unit.preflight.fleet import CTX, Out, evaluate, healthy

ROOT = Path(__file__).resolve().parents[2] / "cockpit"
# The modules whose strings become the fix (and meaning) texts an operator reads.
FIX_TEXT_MODULES = sorted(
    path
    for pattern in ("preflight/checks/*.py", "catalogue.py", "messages/*.py", "troubleshoot.py", "rollback/*.py")
    for path in (ROOT / "domain").glob(pattern)
)
KEY_PATH = re.compile(r"\b(?:plan|hosts|ssh|state_dir)(?:\[\])?(?:\.[a-z_]+(?:\[\])?)+")
VAGUE = re.compile(r"\bin the (?:plan|config(?:uration)?(?: file)?)\b")


def texts(path: Path) -> list[str]:
    """Every string literal of a module, f-strings with their holes as `{}`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            found.append("".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values))
    return found


def _models(annotation: object) -> list[object]:
    """The types an annotation allows, Annotated / Optional / unions unwrapped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _models(arg)]
    return [annotation]


def accepted(path: str) -> bool:
    """True when the config model has the key `path` (`plan.clients[].disk`; a union: any member)."""
    current: list[object] = [Config]
    for part in re.findall(r"[a-z_]+|\[\]", path):
        following: list[object] = []
        for kind in (m for c in current for m in _models(c)):
            if part == "[]":
                if typing.get_origin(kind) is list:
                    following += _models(typing.get_args(kind)[0])
            elif isinstance(kind, type) and issubclass(kind, pydantic.BaseModel) and part in kind.model_fields:
                following.append(kind.model_fields[part].annotation)
        if not following:
            return False
        current = following
    return True


def test_the_model_walk_tells_keys_from_non_keys() -> None:
    assert accepted("plan.target_level") and accepted("plan.clients[].target_level") and accepted("hosts[].nim_name")
    assert accepted("plan.targets[].params") and accepted("ssh.known_hosts") and accepted("plan.window")
    assert not accepted("plan.target") and not accepted("hosts[].nim_object") and not accepted("plan.clients.disk")


def test_the_modules_that_write_fix_texts_are_all_read() -> None:
    names = {p.relative_to(ROOT / "domain").as_posix() for p in FIX_TEXT_MODULES}
    assert {"preflight/checks/oslevel.py", "preflight/checks/nim.py", "catalogue.py"} <= names


@pytest.mark.parametrize("module", FIX_TEXT_MODULES, ids=lambda p: p.relative_to(ROOT / "domain").as_posix())
def test_every_config_key_a_fix_names_is_one_the_config_accepts(module: Path) -> None:
    for text in texts(module):
        for path in KEY_PATH.findall(text):
            assert accepted(path.rstrip(".")), f"{module.name}: {text!r} names {path}, which the config refuses"
        assert not VAGUE.search(text), f"{module.name}: {text!r} says where in the config but names no key"


def test_the_oslevel_fix_names_plan_target_level_and_the_check_uses_it(tmp_path: Path) -> None:
    # Without a target and with an lpp_source that tells nothing: the fix names the key ...
    ctx = replace(CTX, target_level=None)
    check = MasterNotBelowTarget()
    answers = healthy() | {("master", check.probes(ctx)[1].command): Out(0, "")}
    [finding] = evaluate(check, answers, ctx)
    assert finding.status is Status.WARN and "plan.target_level" in finding.remediation.hint
    # ... which the config accepts (a client's own overrides it), and the check takes it from there.
    path = tmp_path / "c.yaml"
    path.write_text(
        "hosts:\n  - {name: nim01, role: nim_master}\n  - {name: lpar01}\n  - {name: lpar02}\nplan:\n"
        "  master: nim01\n  lpp_source: lpp\n  spot: spot\n  target_level: 7300-02-01-2346\n  clients:\n"
        "    - {host: lpar01, disk: hdisk2}\n"
        "    - {host: lpar02, disk: hdisk2, target_level: 7200-05-08-2420}\n"
    )
    levels = {c.client: c.target_level for c in contexts_for(load_config(path))}
    assert levels == {"lpar01": "7300-02-01-2346", "lpar02": "7200-05-08-2420"}
    probes = [p.command for p in check.probes(contexts_for(load_config(path))[0])]
    assert probes == ["oslevel -s"]  # the plan says the target: the lpp_source is not asked
