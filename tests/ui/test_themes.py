"""YAML themes: the loader's errors, the shipped files, live switching, the palette, NO_COLOR."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.color import Color
from textual.pilot import Pilot
from textual.widgets._toast import Toast

from cockpit.cli import build_parser
from cockpit.ui.app import CockpitApp
from cockpit.ui.themes import (
    BUILTIN_THEMES,
    ThemeFileError,
    UnknownTheme,
    builtin_theme_files,
    discover,
    parse_theme,
    user_theme_dir,
)
from cockpit.ui.widgets.fleet_table import FleetTable
from tests.ui.conftest import SIZE, MakeApp, settle
from tests.ui.fake_engine import FakeClock, ScriptedEngine
from tests.ui.scenarios import HOSTS, SEVEN, WEB, every_state, three_hosts

REPO = Path(__file__).resolve().parents[2]
GOOD = """\
name: ops-night
primary: "#3b8eea"
error: "#ff0000"
variables:
  block-cursor-background: "#224466"
"""


def error_of(text: str) -> str:
    with pytest.raises(ThemeFileError) as caught:
        parse_theme(text, "t.yaml")
    return str(caught.value)


# -- the loader -----------------------------------------------------------------------------------


def test_a_good_file_becomes_a_textual_theme() -> None:
    theme = parse_theme(GOOD, "t.yaml")
    assert (theme.name, theme.primary, theme.error, theme.dark) == ("ops-night", "#3b8eea", "#ff0000", True)
    assert theme.variables == {"block-cursor-background": "#224466"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('name: x\nprimary: "#3b8eea"\nerror: reddish\n', "t.yaml:3:8: error: 'reddish' is not a colour"),
        ('name: x\nprimary: "#3b8eea"\nwarn: "#ffaa00"\n', "t.yaml:3:1: unknown field 'warn'"),
        ('primary: "#3b8eea"\n', "t.yaml:1:1: missing 'name'"),
        ("name: x\nsurface: '#000000'\n", "t.yaml:1:1: missing 'primary'"),
        ('name: Bad Name\nprimary: "#3b8eea"\n', "t.yaml:1:7: name 'Bad Name'"),
        ('name: x\nprimary: "#3b8eea"\ndark: maybe\n', "t.yaml:3:7: dark: 'maybe' is not true or false"),
        ('name: x\nprimary: "#3b8eea"\nvariables: [a, b]\n', "t.yaml:3:12: 'variables' must be a mapping"),
        ('name: x\nprimary: ["#3b8eea"\n', "t.yaml:3:1: not valid YAML"),
        ("- just\n- a list\n", "t.yaml:1:1: a theme is a mapping"),
    ],
)
def test_a_bad_file_is_one_line_with_where(text: str, expected: str) -> None:
    message = error_of(text)
    assert message.startswith(expected), message
    assert "\n" not in message


def test_the_shipped_themes_load_and_match_the_documented_copies() -> None:
    files = builtin_theme_files()
    assert sorted(parse_theme(f.read_text(), str(f)).name for f in files) == sorted(BUILTIN_THEMES)
    for packaged in files:
        documented = REPO / "themes" / packaged.name
        assert documented.read_bytes() == packaged.read_bytes(), f"themes/{packaged.name} differs from the package's"


def test_user_themes_replace_and_add_and_bad_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "night.yaml").write_text(GOOD)
    (tmp_path / "override.yaml").write_text('name: cockpit-dark\nprimary: "#123456"\n')
    (tmp_path / "broken.yaml").write_text('name: broken\nprimary: "#zzzzzz"\n')
    found = discover([tmp_path, tmp_path / "missing"])
    assert {"ops-night", *BUILTIN_THEMES} <= set(found.themes)
    assert found.themes["cockpit-dark"].primary == "#123456"
    assert found.sources["cockpit-dark"] == tmp_path / "override.yaml"
    assert "broken" not in found.themes
    assert len(found.errors) == 1 and found.errors[0].startswith(f"{tmp_path / 'broken.yaml'}:2:10: primary:")


def test_user_theme_dir_follows_xdg() -> None:
    assert user_theme_dir({"XDG_CONFIG_HOME": "/x"}) == Path("/x/migration-cockpit/themes")
    assert user_theme_dir({"HOME": "/home/op"}) == Path("/home/op/.config/migration-cockpit/themes")


def test_theme_flag_on_the_commands_that_open_the_tui() -> None:
    parser = build_parser()
    assert parser.parse_args(["demo", "--theme", "cockpit-light"]).theme == "cockpit-light"
    assert parser.parse_args(["run", "x.yaml", "--theme", "cockpit-high-contrast"]).theme == "cockpit-high-contrast"
    assert parser.parse_args(["run", "x.yaml"]).theme is None


# -- in the app -----------------------------------------------------------------------------------


def failed_state_color(table: FleetTable) -> Any:
    """The colour the failed host's state cell is drawn in, read from the rendered line."""
    y = 1 + table.get_row_index(WEB) - table.scroll_offset.y
    segment = next(s for s in table.render_line(y) if "failed" in s.text)
    assert segment.style is not None
    return segment.style.color


def table_background(table: FleetTable) -> Any:
    line = table.render_line(table.size.height - 1)  # an empty line below the rows
    style = next(iter(line)).style
    assert style is not None
    return style.bgcolor


async def test_switching_themes_live_recolours_the_fleet(make_app: MakeApp, tmp_path: Path) -> None:
    app, engine = make_app(HOSTS, three_hosts, theme="cockpit-dark", theme_dirs=[tmp_path])
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        t = app.fleet.table
        seen = {}
        for name in ("cockpit-dark", "cockpit-light", "cockpit-high-contrast"):
            app.theme = name
            await settle(pilot)
            assert app.theme == name and app.current_theme.name == name
            expected = Color.parse(app.get_css_variables()["error"])  # the theme's $error
            assert failed_state_color(t) == expected.rich_color, name
            seen[name] = (failed_state_color(t), table_background(t))
        assert len(set(seen.values())) == 3  # every theme drew the row differently


async def test_an_unknown_theme_is_refused(make_app: MakeApp, tmp_path: Path) -> None:
    with pytest.raises(UnknownTheme, match=r"no theme named 'nope'.*cockpit-high-contrast"):
        make_app(HOSTS, theme="nope", theme_dirs=[tmp_path])


async def test_a_users_bad_theme_file_is_told_not_fatal(make_app: MakeApp, tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text('name: mine\nprimary: "#3b8eea"\nerorr: "#ff0000"\n')
    app, _engine = make_app(HOSTS, theme_dirs=[tmp_path])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        toasts = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert any(f"{tmp_path / 'mine.yaml'}:3:1: unknown field 'erorr'" in t for t in toasts), toasts
        assert "cockpit-light" in app.available_themes


async def palette_pick(pilot: Pilot[None], query: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    await pilot.pause(0.3)  # the palette searches in a worker
    await pilot.press("enter")
    await pilot.pause()


async def test_theme_from_the_command_palette(make_app: MakeApp, tmp_path: Path) -> None:
    (tmp_path / "night.yaml").write_text(GOOD)
    app, engine = make_app(HOSTS, three_hosts, theme_dirs=[tmp_path])
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        assert app.theme == "textual-dark"
        await palette_pick(pilot, "Theme: cockpit-light")
        assert app.theme == "cockpit-light"
        await palette_pick(pilot, "Theme: ops-night")  # a user's theme too
        assert app.theme == "ops-night"
        error = Color.parse(app.get_css_variables()["error"])  # the file's #ff0000, as Textual rounds it
        assert error.r >= 250 and error.g <= 5 and error.b <= 5
        assert failed_state_color(app.fleet.table) == error.rich_color


async def test_textuals_theme_picker_lists_ours(make_app: MakeApp, tmp_path: Path) -> None:
    app, engine = make_app(HOSTS, three_hosts, theme_dirs=[tmp_path])
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("mid")
        await settle(pilot)
        app.action_change_theme()  # what the palette's "Theme" command opens
        await pilot.pause()
        await pilot.press(*"cockpit-high-contrast")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "cockpit-high-contrast"


async def test_no_color_draws_in_greys_and_keeps_the_state_words(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app, engine = make_app(SEVEN, every_state, theme="cockpit-dark", theme_dirs=[tmp_path])
    async with app.run_test(size=SIZE) as pilot:
        await engine.reached("all")
        await settle(pilot)
        assert app.no_color
        svg = app.export_screenshot()
        # The terminal's cells only (text classes and cell backgrounds), not the picture's window frame.
        colours = set(re.findall(r"\.terminal-\w+-r\d+ \{ fill: #([0-9a-f]{6})", svg))
        colours |= set(re.findall(r'<rect fill="#([0-9a-f]{6})"', svg))
        colours.discard("c5c8c6")  # the export's default foreground (class r1), not a colour the app chose
        greys = {c for c in colours if c[0:2] == c[2:4] == c[4:6]}
        assert colours and colours == greys, colours - greys
        for word in ("succeeded", "failed", "running", "stalled", "blocked", "unreachable", "pending"):
            assert word in svg


# -- pictures -------------------------------------------------------------------------------------


def themed(tmp_path: Path, theme: str) -> tuple[CockpitApp, ScriptedEngine]:
    clock = FakeClock()
    engine = ScriptedEngine(tmp_path, clock, every_state)
    app = CockpitApp(engine.run, SEVEN, engine.log_path, clock=clock, theme=theme, theme_dirs=[])
    return app, engine


@pytest.mark.parametrize("theme", ["cockpit-light", "cockpit-high-contrast"])
def test_fleet_in_theme(snap_compare: Any, tmp_path: Path, theme: str) -> None:
    """The mid-run fleet (one host in every state) in a shipped theme: state colours, cursor, header."""
    app, engine = themed(tmp_path, theme)

    async def run_before(pilot: Pilot[None]) -> None:
        await engine.reached("all")
        app.flush()
        await pilot.pause()
        app.clear_notifications()  # the stall's toast: not part of this picture
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
