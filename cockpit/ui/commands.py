"""Command palette (Ctrl+P) entries that open any target's log, troubleshoot screen or rollback wizard."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

Action = tuple[str, Callable[[], None], str]
"""A palette entry: its title, what it does, its help line."""


class _PerTargetCommands(Provider):
    """``LABEL: <target>`` for every target, searchable by name; subclasses say which and what it opens."""

    def _actions(self) -> list[Action]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for title, action, help_text in self._actions():
            yield DiscoveryHit(title, action, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in self._actions():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), action, text=title, help=help_text)


@runtime_checkable
class LogOpener(Protocol):
    """What the provider needs from the app (kept as a protocol to avoid importing the app)."""

    def target_names(self) -> list[str]: ...

    def describe_target(self, target: str) -> str: ...

    def open_log(self, target: str) -> None: ...


class TargetLogCommands(_PerTargetCommands):
    """``Open log: <target>`` for every target, searchable by name."""

    def _actions(self) -> list[Action]:
        app = self.app
        if not isinstance(app, LogOpener):
            return []
        return [(f"Open log: {t}", partial(app.open_log, t), app.describe_target(t)) for t in app.target_names()]


@runtime_checkable
class TroubleshootOpener(Protocol):
    """What the troubleshoot provider needs from the app."""

    @property
    def can_troubleshoot(self) -> bool: ...

    def target_names(self) -> list[str]: ...

    def describe_target(self, target: str) -> str: ...

    def open_troubleshoot(self, target: str) -> None: ...


class TargetTroubleshootCommands(_PerTargetCommands):
    """``Troubleshoot: <target>`` for every target, when the app has the engine's controls."""

    def _actions(self) -> list[Action]:
        app = self.app
        if not isinstance(app, TroubleshootOpener) or not app.can_troubleshoot:
            return []
        return [
            (f"Troubleshoot: {t}", partial(app.open_troubleshoot, t), app.describe_target(t))
            for t in app.target_names()
        ]


@runtime_checkable
class RollbackOpener(Protocol):
    """What the rollback provider needs from the app."""

    @property
    def can_rollback(self) -> bool: ...

    def target_names(self) -> list[str]: ...

    def describe_target(self, target: str) -> str: ...

    def open_rollback(self, targets: list[str]) -> None: ...

    def rollback_offered(self, target: str) -> str | None: ...


class TargetRollbackCommands(_PerTargetCommands):
    """``Roll back: <target>`` for every target that started and is not rolled back already, when the
    app can make the engine's rollback wizard."""

    def _actions(self) -> list[Action]:
        app = self.app
        if not isinstance(app, RollbackOpener) or not app.can_rollback:
            return []
        return [
            (f"Roll back: {t}", partial(app.open_rollback, [t]), app.describe_target(t))
            for t in app.target_names()
            if app.rollback_offered(t) is None
        ]
