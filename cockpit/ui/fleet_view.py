"""Which targets the fleet shows and in what order: a state filter, a text filter and a sort.

Pure Python (no Textual): the fleet table asks it for the order of its rows; the screen's keys
change it (`f` the state filter, `/` the text, `o` the sort). With 1,000 targets an order is a list
comprehension and a sort of 1,000 keys (well under a millisecond); the table keeps each target's
row (its cells and drawn line) across orders, so a new order draws nothing that did not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from cockpit.domain.models import TargetState
from cockpit.ui.bridge import TargetView

STATE_FILTERS: tuple[tuple[frozenset[TargetState] | None, str], ...] = (
    (None, "all"),
    (
        frozenset({TargetState.FAILED, TargetState.STALLED, TargetState.UNREACHABLE, TargetState.BLOCKED}),
        "needs attention",
    ),
    (frozenset({TargetState.RUNNING, TargetState.STALLED}), "running"),
    (frozenset({TargetState.PENDING}), "waiting"),
    (frozenset({TargetState.SUCCEEDED, TargetState.ROLLED_BACK}), "done"),
)
"""What `f` steps through: the states shown, and what the header calls it."""
SORTS: tuple[tuple[str, str], ...] = (
    ("plan", "plan order"),
    ("state", "problems first"),
    ("progress", "least progress first"),
    ("name", "name"),
)
"""What `o` steps through: the sort key and what the header calls it."""
_URGENCY = {
    TargetState.FAILED: 0,
    TargetState.STALLED: 1,
    TargetState.UNREACHABLE: 2,
    TargetState.BLOCKED: 3,
    TargetState.RUNNING: 4,
    TargetState.PENDING: 5,
    TargetState.SUCCEEDED: 6,
    TargetState.ROLLED_BACK: 7,
}


@dataclass(frozen=True)
class FleetView:
    """The shown targets: those in `states` (None: all) whose name, error or last line holds `text`
    (case-insensitive), sorted by `sort` (plan order breaks ties)."""

    states: frozenset[TargetState] | None = None
    text: str = ""
    sort: str = "plan"

    @property
    def plain(self) -> bool:
        """Every target, in plan order: what the table shows without asking."""
        return self.states is None and not self.text and self.sort == "plan"

    @property
    def state_label(self) -> str:
        return next(label for states, label in STATE_FILTERS if states == self.states)

    @property
    def sort_label(self) -> str:
        return next(label for key, label in SORTS if key == self.sort)

    def summary(self, shown: int, total: int) -> str:
        """`needs attention, “lpar1”: 3/1000, problems first` (what the table's header line says)."""
        said = [
            label for label in (self.state_label if self.states else "", f"“{self.text}”" if self.text else "") if label
        ]
        counts = f"{shown}/{total}"
        head = f"{', '.join(said)}: {counts}" if said else counts
        return head if self.sort == "plan" else f"{head}, {self.sort_label}"

    def next_states(self) -> FleetView:
        at = next(i for i, (states, _) in enumerate(STATE_FILTERS) if states == self.states)
        return replace(self, states=STATE_FILTERS[(at + 1) % len(STATE_FILTERS)][0])

    def next_sort(self) -> FleetView:
        at = next(i for i, (key, _) in enumerate(SORTS) if key == self.sort)
        return replace(self, sort=SORTS[(at + 1) % len(SORTS)][0])

    def with_text(self, text: str) -> FleetView:
        return replace(self, text=text.strip())

    def shows(self, view: TargetView) -> bool:
        if self.states is not None and view.state not in self.states:
            return False
        if not self.text:
            return True
        needle = self.text.lower()
        change = view.change
        said = (view.name, view.last_line, change.error or "", change.reason or "") if change else (view.name,)
        return any(needle in s.lower() for s in said)

    def order(self, views: Mapping[str, TargetView], plan: Iterable[str] | None = None) -> list[str]:
        """The targets shown, in order (`plan`: the plan's order, default the views')."""
        names = [n for n in (plan if plan is not None else views) if n in views and self.shows(views[n])]
        if self.sort == "plan":
            return names
        rank = {n: i for i, n in enumerate(names)}
        if self.sort == "name":
            return sorted(names)
        if self.sort == "state":
            return sorted(names, key=lambda n: (_URGENCY.get(views[n].state, 9), rank[n]))
        # progress: the least advanced first (phase or step, then the plan's order)
        return sorted(names, key=lambda n: (views[n].phase or 0, rank[n]))

    def relevant(self, view: TargetView) -> tuple[object, ...]:
        """What of `view` this filter and sort look at: a target whose value changed may move."""
        if self.plain:
            return ()
        state = view.state if self.states is not None or self.sort == "state" else None
        phase = view.phase if self.sort == "progress" else None
        return (state, phase, self.shows(view) if self.text else None)
