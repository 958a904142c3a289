"""`cockpit schema [--output FILE]`: the JSON Schema of the config file, for editors and other tools.

The schema is pydantic's own (`Config.model_json_schema()`), so it follows the models as they change.
Point an editor at it with a first line `# yaml-language-server: $schema=<path or URL of the file>`
(yaml-language-server: VS Code's YAML extension, Neovim, Helix ...). Cross-references between sections
(the plan's master is a host, each client is planned once) are beyond JSON Schema: `cockpit validate`
checks those too.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from cockpit.config.models import Config

DIALECT = "https://json-schema.org/draft/2020-12/schema"
EXIT_OK, EXIT_USAGE = 0, 2


def config_schema() -> dict[str, Any]:
    """The config file's schema: pydantic's, with the dialect and a title and description for editors."""
    schema = Config.model_json_schema()
    return {
        "$schema": DIALECT,
        "title": "Migration Cockpit config",
        "description": "Inventory (ssh, hosts) and plan of a cockpit config file; `cockpit validate` checks the rest.",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def render() -> str:
    return json.dumps(config_schema(), indent=2, sort_keys=False) + "\n"


def run(output: Path | None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    text = render()
    if output is None:
        (out or sys.stdout).write(text)
        return EXIT_OK
    try:
        output.write_text(text)
    except OSError as exc:
        (err or sys.stderr).write(f"cockpit: schema: cannot write {output}: {exc.strerror or exc}\n")
        return EXIT_USAGE
    (err or sys.stderr).write(f"cockpit: schema written to {output}\n")
    return EXIT_OK
