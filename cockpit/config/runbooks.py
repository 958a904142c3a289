"""Finding runbooks: the built-in ones by name, an operator's own by path.

Built-ins are the YAML files in cockpit/runbooks/ (shipped with the package). A plan names one of
them (`runbook: linuxha`) or a file of its own (`runbook: ./runbooks/our-hacmp.yaml`, relative to the
config file). Both go through the config loader, so a mistake in a runbook file is reported as
`FILE:LINE:COL: key: message` like a mistake in the config.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cockpit.config.models import Config, KeyPathLike, RunbookPlan
from cockpit.config.runbook import RunbookFile
from cockpit.domain import template

UNKNOWN_PARAM = "no parameter"
BUILTIN_DIR = Path(__file__).resolve().parent.parent / "runbooks"


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def is_path(ref: str) -> bool:
    """A reference naming a file rather than a built-in runbook."""
    return "/" in ref or ref.endswith((".yaml", ".yml"))


def resolve(ref: str, base_dir: Path | None) -> Path:
    """The file a runbook reference names (a built-in's file for a bare name)."""
    if not is_path(ref):
        return BUILTIN_DIR / f"{ref}.yaml"
    path = Path(ref).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return Path(os.path.normpath(path))


def load_runbook(ref: str, base_dir: Path | None = None) -> RunbookFile:
    """Load a runbook by name or path; raises ConfigError (positioned) or LookupError (no such runbook)."""
    path = resolve(ref, base_dir)
    if not is_path(ref) and not path.exists():
        raise LookupError(f"no built-in runbook {ref!r} (built-in: {', '.join(builtin_names())})")
    if is_path(ref) and not path.exists():
        raise LookupError(f"runbook file {str(path)!r} does not exist")
    return _load(path, path.stat().st_mtime_ns)


def plan_problems(runbook: RunbookFile, config: Config) -> list[tuple[KeyPathLike, str]]:
    """What is wrong between a plan and its runbook: unknown or ill-shaped values, missing ones, roles.

    An unknown parameter's message starts with UNKNOWN_PARAM (the loader points at its key, not its value).
    """
    plan = config.plan
    problems: list[tuple[KeyPathLike, str]] = []
    if runbook.needs_master and not plan.master_names:
        problems.append((("plan",), f"runbook {runbook.name!r} runs steps on the NIM master: set plan.master"))
    if not isinstance(plan, RunbookPlan):
        return problems  # a nimadm plan's values are checked by its own model
    params = runbook.params

    def check(values: dict[str, str], where: KeyPathLike) -> None:
        for name, value in values.items():
            spec = params.get(name)
            if spec is None:
                known = ", ".join(params) or "none"
                message = f"{UNKNOWN_PARAM} {name!r} in runbook {runbook.name!r} (known: {known})"
                problems.append(((*where, name), message))
                continue
            try:
                template.check_value(spec.type, value, param=name)
            except template.TemplateError as exc:
                problems.append(((*where, name), str(exc)))

    check(plan.params, ("plan", "params"))
    for i, target in enumerate(plan.targets):
        where = ("plan", "targets", i)
        check(target.params, (*where, "params"))
        values = plan.target_values(target.host)
        for name, spec in params.items():
            if spec.required and spec.default is None and not values.get(name):
                scope = f"plan.targets[{i}].params" if spec.per_target else "plan.params"
                problems.append(
                    (where, f"{target.host}: runbook {runbook.name!r} needs {name!r} ({spec.type}) in {scope}")
                )
        if runbook.roles and target.role not in runbook.roles:
            problems.append(((*where, "role"), f"{target.host}: role must be one of {', '.join(runbook.roles)}"))
        elif not runbook.roles and target.role is not None:
            problems.append(((*where, "role"), f"runbook {runbook.name!r} has no roles"))
    return problems


@lru_cache(maxsize=32)
def _load(path: Path, mtime_ns: int) -> RunbookFile:  # mtime in the key: an edited file is re-read
    from cockpit.config.loader import load_model

    return load_model(path, RunbookFile)


__all__ = ["BUILTIN_DIR", "builtin_names", "is_path", "load_runbook", "plan_problems", "resolve"]
