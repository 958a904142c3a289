"""`cockpit schema`: the config file's JSON Schema accepts every sample config and rejects what the loader rejects."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from cockpit.cli import main
from cockpit.config.models import Config

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "sample_configs"
SAMPLES = sorted(SAMPLES_DIR.glob("*.yaml")) + sorted(SAMPLES_DIR.glob("*.yml"))


def schema_from_cli(tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "cockpit.schema.json"
    assert main(["schema", "--output", str(out)]) == 0
    return json.loads(out.read_text())


def test_schema_is_pydantics_and_a_valid_2020_12_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = schema_from_cli(tmp_path)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    pydantic = Config.model_json_schema()
    assert schema["$defs"] == pydantic["$defs"] and schema["properties"] == pydantic["properties"]
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == schema


def test_unwritable_output_is_a_one_line_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--output", str(tmp_path / "no" / "such" / "dir.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cockpit: schema: cannot write ") and err.count("\n") == 1


def test_there_are_samples_to_check() -> None:
    assert len(SAMPLES) >= 3


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_every_sample_config_validates_against_the_schema(sample: Path, tmp_path: Path) -> None:
    schema = schema_from_cli(tmp_path)
    document = yaml.safe_load(sample.read_text())
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(document), key=lambda e: e.json_path)
    assert not errors, "\n".join(f"{sample.name}: {e.json_path}: {e.message}" for e in errors)


def test_the_schema_rejects_a_misspelt_key_and_a_wrong_type(tmp_path: Path) -> None:
    """Not a schema that accepts anything: the mistakes an editor should underline are caught."""
    validator = jsonschema.Draft202012Validator(schema_from_cli(tmp_path))
    document = yaml.safe_load(SAMPLES[0].read_text())
    assert not list(validator.iter_errors(document))

    misspelt = copy.deepcopy(document)
    misspelt["hosts"][0]["adress"] = "192.0.2.99"
    assert any("adress" in e.message for e in validator.iter_errors(misspelt))

    wrong_type = copy.deepcopy(document)
    wrong_type["hosts"][0]["port"] = "twenty-two"
    assert any(e.json_path == "$.hosts[0].port" for e in validator.iter_errors(wrong_type))

    no_hosts = copy.deepcopy(document)
    no_hosts["hosts"] = []
    assert list(validator.iter_errors(no_hosts))
