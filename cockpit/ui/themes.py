"""Colour themes from YAML files, turned into `textual.theme.Theme` and registered with the app.

Where themes come from, in order (a later file with the same `name` replaces an earlier one):

1. the built-in files shipped in the package, `cockpit/themes/*.yaml` (cockpit-dark, cockpit-light,
   cockpit-high-contrast). The repository's top-level `themes/` holds the same files for people to
   read and copy; a test keeps the two identical;
2. the operator's own, `$XDG_CONFIG_HOME/migration-cockpit/themes/*.yaml` (by default
   `~/.config/migration-cockpit/themes/`).

A file holds one theme: `name`, `primary`, optionally `secondary`, `accent`, `foreground`,
`background`, `surface`, `panel`, `boost`, `success`, `warning`, `error` (colours as Textual parses
them: `#rrggbb`, `rgb(...)`, names), `dark` (true/false) and `variables` (Textual CSS variables such as
`block-cursor-background`, or `foreground-muted`). The fleet's state colours are the theme's
`primary` (running), `warning` (stalled), `error` (failed, unreachable), `success` (succeeded),
`accent` (blocked), `foreground-muted` (pending) and `foreground` (rolled back), so a theme changes
them live.

A bad file is reported in one line, `FILE:LINE:COL: what is wrong`, and skipped; the others load.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from textual.app import App
from textual.color import Color, ColorParseError
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.theme import Theme

COLOR_FIELDS: tuple[str, ...] = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
)
"""Theme fields that hold a colour (only `primary` is required)."""
_ALL_FIELDS = frozenset({"name", "dark", "variables", *COLOR_FIELDS})
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_VARIABLE = re.compile(r"^[a-z][a-z0-9-]*$")

BUILTIN_THEMES: tuple[str, ...] = ("cockpit-dark", "cockpit-light", "cockpit-high-contrast")


class ThemeFileError(Exception):
    """A theme file that cannot be used; `str()` is one line: `FILE:LINE:COL: message`."""


@dataclass
class ThemeSet:
    """Themes found, by name, and the one-line errors of the files that were skipped."""

    themes: dict[str, Theme] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def user_theme_dir(environ: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CONFIG_HOME/migration-cockpit/themes` (default `~/.config/migration-cockpit/themes`)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "migration-cockpit" / "themes"


def builtin_theme_files() -> list[Path]:
    """The YAML files shipped in the package (cockpit/themes/), sorted by name."""
    root = resources.files("cockpit") / "themes"
    return sorted(Path(str(entry)) for entry in root.iterdir() if entry.name.endswith((".yaml", ".yml")))


def load_theme_file(path: Path) -> Theme:
    """Read one theme file. Raises ThemeFileError with `FILE:LINE:COL: message`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeFileError(f"{path}: cannot read: {exc}") from exc
    return parse_theme(text, str(path))


def parse_theme(text: str, where: str) -> Theme:
    """Parse a theme's YAML `text`; `where` names it in errors (usually the file's path)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        raise ThemeFileError(_at(where, mark, f"not valid YAML: {problem}")) from exc
    except yaml.YAMLError as exc:
        raise ThemeFileError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(node, yaml.MappingNode):
        mark = node.start_mark if node is not None else None
        raise ThemeFileError(_at(where, mark, "a theme is a mapping (name: ..., primary: ...)"))
    fields: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key not in _ALL_FIELDS:
            known = ", ".join(sorted(_ALL_FIELDS))
            raise ThemeFileError(_at(where, key_node.start_mark, f"unknown field {key!r} (known: {known})"))
        if key in fields:
            raise ThemeFileError(_at(where, key_node.start_mark, f"{key!r} given twice"))
        fields[key] = value_node
    if "name" not in fields:
        raise ThemeFileError(_at(where, node.start_mark, "missing 'name'"))
    if "primary" not in fields:
        raise ThemeFileError(_at(where, node.start_mark, "missing 'primary' (the one colour every theme needs)"))
    name = _scalar(where, fields["name"], "name")
    if not _NAME.match(name):
        raise ThemeFileError(
            _at(where, fields["name"].start_mark, f"name {name!r}: use lower-case letters, digits and '-'")
        )
    colors = {key: _color(where, fields[key], key) for key in COLOR_FIELDS if key in fields}
    dark = True
    if "dark" in fields:
        dark = _boolean(where, fields["dark"])
    variables = _variables(where, fields["variables"]) if "variables" in fields else {}
    # `colors` holds only COLOR_FIELDS (all strings); mypy cannot tell those keys from Theme's float
    # and bool parameters, which are given by name here or left to their defaults.
    return Theme(name=name, dark=dark, variables=variables, **colors)  # type: ignore[arg-type]


def discover(directories: Iterable[Path] = ()) -> ThemeSet:
    """The built-in themes, then every `*.yaml` in `directories` (missing directories are skipped)."""
    found = ThemeSet()
    files = builtin_theme_files()
    for directory in directories:
        if directory.is_dir():
            files += sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))
    for path in files:
        try:
            theme = load_theme_file(path)
        except ThemeFileError as exc:
            found.errors.append(str(exc))
            continue
        found.themes[theme.name] = theme
        found.sources[theme.name] = path
    return found


class UnknownTheme(ValueError):
    """`--theme NAME` names no theme; `str()` says which ones there are."""


def install_themes(app: App[Any], directories: Iterable[Path] | None = None, theme: str | None = None) -> ThemeSet:
    """Register the built-in and the operator's themes with `app`; switch to `theme` if given.

    `directories` None means the operator's directory (user_theme_dir()). Returns what was found,
    with the one-line errors of the files skipped (the app shows them as a warning).
    Raises UnknownTheme when `theme` is not registered (ours or Textual's).
    """
    found = discover([user_theme_dir()] if directories is None else directories)
    for item in found.themes.values():
        app.register_theme(item)
    if theme is not None:
        if theme not in app.available_themes:
            names = ", ".join(sorted(app.available_themes))
            raise UnknownTheme(f"no theme named {theme!r} (themes: {names})")
        app.theme = theme
    return found


class ThemeCommands(Provider):
    """Command palette: ``Theme: <name>`` for each YAML theme (Textual's "Theme" lists all of them)."""

    def _names(self) -> list[str]:
        sources = getattr(self.app, "theme_sources", {})
        return sorted(name for name in sources if name in self.app.available_themes)

    def _switch(self, name: str) -> None:
        self.app.theme = name

    async def discover(self) -> Hits:
        for name in self._names():
            yield DiscoveryHit(f"Theme: {name}", partial(self._switch, name), help="Switch the colour theme")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name in self._names():
            title = f"Theme: {name}"
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._switch, name), text=title)


# -- helpers ---------------------------------------------------------------------------------------


def _at(where: str, mark: yaml.Mark | None, message: str) -> str:
    if mark is None:
        return f"{where}: {message}"
    return f"{where}:{mark.line + 1}:{mark.column + 1}: {message}"


def _scalar(where: str, node: yaml.Node, key: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise ThemeFileError(_at(where, node.start_mark, f"{key!r} must be a single value"))
    return str(node.value).strip()


def _color(where: str, node: yaml.Node, key: str) -> str:
    value = _scalar(where, node, key)
    try:
        Color.parse(value)
    except ColorParseError as exc:
        raise ThemeFileError(_at(where, node.start_mark, f"{key}: {value!r} is not a colour ({exc})")) from exc
    return value


def _boolean(where: str, node: yaml.Node) -> bool:
    value = _scalar(where, node, "dark").lower()
    if value in ("true", "yes", "on"):
        return True
    if value in ("false", "no", "off"):
        return False
    raise ThemeFileError(_at(where, node.start_mark, f"dark: {value!r} is not true or false"))


def _variables(where: str, node: yaml.Node) -> dict[str, str]:
    if not isinstance(node, yaml.MappingNode):
        raise ThemeFileError(_at(where, node.start_mark, "'variables' must be a mapping (name: value)"))
    variables: dict[str, str] = {}
    for key_node, value_node in node.value:
        key = _scalar(where, key_node, "variable name")
        if not _VARIABLE.match(key):
            raise ThemeFileError(_at(where, key_node.start_mark, f"variable {key!r}: use lower-case letters, '-'"))
        variables[key] = _scalar(where, value_node, key)
    return variables
