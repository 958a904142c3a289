"""The troubleshoot screen's top lines: the target's state, why it is there, and which step is on the master."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from cockpit.domain import catalogue
from cockpit.domain.models import TargetState
from cockpit.ui.bridge import TargetView
from cockpit.ui.present import STATE_LOOKS, format_elapsed, state_text

_ACTIVE = (TargetState.RUNNING, TargetState.STALLED)


class TroubleHeader(Static):
    """Three lines::

    lpar01 · ◐ stalled · phase 3/12 · 02:13 · silent 00:45
    stalled: silent for 45s in phase 3 (expected ...)
    step lpar01.nimadm · /var/tmp/cockpit/RUN/lpar01.nimadm on nim01

    When the error is an AIX message the catalogue knows, the second line ends with the command that
    explains it (`cockpit explain 0516-404`).
    """

    DEFAULT_CSS = """
    TroubleHeader {
        dock: top;
        height: 3;
        background: $panel;
        padding: 0 1;
    }
    """

    def show(self, view: TargetView, now: float, step: str) -> None:
        state = view.state
        look = STATE_LOOKS[state]
        phase = "phase -" if view.phase is None else f"phase {view.phase}/{view.phases_total}"
        first: list[Content | str | tuple[str, str]] = [
            (view.name, "bold"),
            " · ",
            (state_text(state), f"bold ${look.color}"),
            " · ",
            phase,
        ]
        elapsed = format_elapsed(view.elapsed(now))
        if elapsed:
            first += [" · ", elapsed]
        silent = view.silent_for(now) if state in _ACTIVE else None
        if silent is not None:
            first += [" · ", (f"silent {format_elapsed(silent)}", "$warning" if state is TargetState.STALLED else "")]
        change = view.change
        why = [part for part in (change.reason, change.error) if part] if change is not None else []
        pointer = explain_pointer(change.error if change is not None else None)
        if pointer:
            why.append(pointer)
        second = Content.styled(" · ".join(why) or "-", f"${look.color}" if why else "$text-muted")
        self.update(Content.assemble(*first, "\n", second, "\n", Content.styled(step, "$text-muted")))

    @property
    def text(self) -> str:
        content = self.content
        return content.plain if isinstance(content, Content) else str(content)


def explain_pointer(error: str | None) -> str | None:
    """`cockpit explain CODE` for an error line that carries a message code the catalogue knows."""
    if not error:
        return None
    code, entry = catalogue.lookup(error)
    return f"cockpit explain {code}" if code and entry is not None else None
