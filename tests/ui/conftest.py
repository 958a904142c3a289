"""Fixtures for the cockpit UI tests: a frozen clock, a scripted engine, the app under test."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from cockpit.ui.app import CockpitApp
from tests.ui.fake_engine import FakeClock, Script, ScriptedEngine

SIZE = (160, 48)


@pytest.fixture(autouse=True)
def _no_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture(autouse=True)
def _no_user_themes(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    # The app loads ~/.config/migration-cockpit/themes: keep the tester's own themes out of the tests.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


MakeApp = Callable[..., tuple[CockpitApp, ScriptedEngine]]


@pytest.fixture
def make_app(tmp_path: Path, clock: FakeClock) -> MakeApp:
    def make(
        targets: tuple[str, ...],
        script: Script | None = None,
        **kwargs: object,
    ) -> tuple[CockpitApp, ScriptedEngine]:
        engine = ScriptedEngine(tmp_path, clock, script)
        app = CockpitApp(engine.run, targets, engine.log_path, clock=clock, **kwargs)  # type: ignore[arg-type]
        return app, engine

    return make


async def wait_until(pilot: Pilot[None], predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app run until `predicate()` holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met within the timeout")
        await pilot.pause(0.01)


async def settle(pilot: Pilot[None]) -> None:
    """Flush the bridge now (instead of waiting for the timer) and let the screen repaint."""
    app = pilot.app
    assert isinstance(app, CockpitApp)
    app.flush()
    await pilot.pause()
