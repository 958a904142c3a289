"""Command palette (Ctrl+P) entries that open any target's log, troubleshoot screen or rollback wizard."""

from __future__ import annotations

from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider


@runtime_checkable
class LogOpener(Protocol):
    """What the provider needs from the app (kept as a protocol to avoid importing the app)."""

    def target_names(self) -> list[str]: ...

    def describe_target(self, target: str) -> str: ...

    def open_log(self, target: str) -> None: ...


class TargetLogCommands(Provider):
    """``Open log: <target>`` for every target, searchable by name."""

    def _opener(self) -> LogOpener | None:
        app = self.app
        return app if isinstance(app, LogOpener) else None

    async def discover(self) -> Hits:
        opener = self._opener()
        if opener is None:
            return
        for target in opener.target_names():
            yield DiscoveryHit(
                f"Open log: {target}",
                partial(opener.open_log, target),
                help=opener.describe_target(target),
            )

    async def search(self, query: str) -> Hits:
        opener = self._opener()
        if opener is None:
            return
        matcher = self.matcher(query)
        for target in opener.target_names():
            title = f"Open log: {target}"
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(opener.open_log, target),
                    text=title,
                    help=opener.describe_target(target),
                )


@runtime_checkable
class TroubleshootOpener(Protocol):
    """What the troubleshoot provider needs from the app."""

    @property
    def can_troubleshoot(self) -> bool: ...

    def target_names(self) -> list[str]: ...

    def describe_target(self, target: str) -> str: ...

    def open_troubleshoot(self, target: str) -> None: ...


class TargetTroubleshootCommands(Provider):
    """``Troubleshoot: <target>`` for every target, when the app has the engine's controls."""

    def _opener(self) -> TroubleshootOpener | None:
        app = self.app
        if isinstance(app, TroubleshootOpener) and app.can_troubleshoot:
            return app
        return None

    async def discover(self) -> Hits:
        opener = self._opener()
        if opener is None:
            return
        for target in opener.target_names():
            yield DiscoveryHit(
                f"Troubleshoot: {target}",
                partial(opener.open_troubleshoot, target),
                help=opener.describe_target(target),
            )

    async def search(self, query: str) -> Hits:
        opener = self._opener()
        if opener is None:
            return
        matcher = self.matcher(query)
        for target in opener.target_names():
            title = f"Troubleshoot: {target}"
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(opener.open_troubleshoot, target),
                    text=title,
                    help=opener.describe_target(target),
                )


@runtime_checkable
class RollbackOpener(Protocol):
    """What the rollback provider needs from the app."""

    @property
    def can_rollback(self) -> bool: ...

    def target_names(self) -> list[str]: ...

    def describe_target(self, target: str) -> str: ...

    def open_rollback(self, targets: list[str]) -> None: ...


class TargetRollbackCommands(Provider):
    """``Roll back: <target>`` for every target, when the app can make the engine's rollback wizard."""

    def _opener(self) -> RollbackOpener | None:
        app = self.app
        if isinstance(app, RollbackOpener) and app.can_rollback:
            return app
        return None

    async def discover(self) -> Hits:
        opener = self._opener()
        if opener is None:
            return
        for target in opener.target_names():
            yield DiscoveryHit(
                f"Roll back: {target}",
                partial(opener.open_rollback, [target]),
                help=opener.describe_target(target),
            )

    async def search(self, query: str) -> Hits:
        opener = self._opener()
        if opener is None:
            return
        matcher = self.matcher(query)
        for target in opener.target_names():
            title = f"Roll back: {target}"
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(opener.open_rollback, [target]),
                    text=title,
                    help=opener.describe_target(target),
                )
