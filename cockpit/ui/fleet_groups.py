"""The fleet grouped by NIM master: the row order, one line per master with its counts, and a filter.

With several masters (a plan's `masters:`) the fleet shows each master's line, then its clients;
`g` shows one master's at a time. Each master's counts are kept as the states change (one
decrement and one increment per change), never recounted over its clients: a fleet of 1,000
clients behind 4 masters costs the same per change as one of ten. Pure Python (no Textual).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from cockpit.domain.models import TargetState

GROUP_KEY = "\x00master:"
"""Row keys of the masters' lines (no target name starts with NUL)."""
_SHOWN = (
    (TargetState.RUNNING, "running"),
    (TargetState.STALLED, "stalled"),
    (TargetState.PENDING, "waiting"),
    (TargetState.SUCCEEDED, "succeeded"),
    (TargetState.FAILED, "failed"),
    (TargetState.BLOCKED, "blocked"),
    (TargetState.UNREACHABLE, "unreachable"),
)


def group_key(master: str) -> str:
    return GROUP_KEY + master


def master_of_key(key: str) -> str | None:
    """The master of a master's line, None for a target's row."""
    return key[len(GROUP_KEY) :] if key.startswith(GROUP_KEY) else None


class FleetGroups:
    """Targets by master; built once from the plan (target -> master)."""

    def __init__(self, master_of: Mapping[str, str]) -> None:
        self.master_of = dict(master_of)
        self.masters: list[str] = list(dict.fromkeys(master_of.values()))
        self.sizes: Counter[str] = Counter(master_of.values())
        self._states: dict[str, TargetState] = {}
        self._counts: dict[str, Counter[TargetState]] = {m: Counter() for m in self.masters}

    @classmethod
    def of(cls, master_of: Mapping[str, str] | None) -> FleetGroups | None:
        """Groups when there is more than one master to group by; else None (the plain fleet)."""
        if not master_of or len(set(master_of.values())) < 2:
            return None
        return cls(master_of)

    def rows(self, targets: Iterable[str], only: str | None = None) -> list[str]:
        """Row keys in display order: each master's line then its targets (in `targets` order);
        targets of no master last. With `only`, that master's line and targets alone."""
        by_master: dict[str, list[str]] = {m: [] for m in self.masters}
        loose: list[str] = []
        for t in targets:
            master = self.master_of.get(t)
            (by_master[master] if master is not None else loose).append(t)
        keys: list[str] = []
        for master in self.masters if only is None else [only]:
            keys.append(group_key(master))
            keys += by_master.get(master, [])
        return keys if only is not None else keys + loose

    def note(self, target: str, state: TargetState) -> str | None:
        """A target's state as now shown; the master whose counts changed (None: none did)."""
        master = self.master_of.get(target)
        if master is None:
            return None
        old = self._states.get(target)
        if old is state:
            return None
        counts = self._counts[master]
        if old is not None:
            counts[old] -= 1
        counts[state] += 1
        self._states[target] = state
        return master

    def line(self, master: str, *, alone: bool = False) -> str:
        """`▾ nim01 · 4 clients: 2 running, 1 succeeded, 1 failed`; `alone`: the only master shown
        (said at the start of the line, where a narrow screen still shows it)."""
        counts = self._counts.get(master, Counter())
        parts = [f"{counts[state]} {word}" for state, word in _SHOWN if counts[state]]
        size = self.sizes[master]
        head = f"▾ {master}{' only (g: next)' if alone else ''} · {size} client{'s' if size != 1 else ''}"
        return f"{head}: {', '.join(parts)}" if parts else head

    def next_filter(self, current: str | None) -> str | None:
        """The filter after `current`: every master in turn, then all of them again (None)."""
        if current is None:
            return self.masters[0]
        at = self.masters.index(current) if current in self.masters else -1
        return self.masters[at + 1] if at + 1 < len(self.masters) else None
