"""The preflight screen's top line: what is going on, the fleet verdict and the counts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from cockpit.ui.preflight_content import verdict_content
from cockpit.ui.preflight_present import CELL_LOOKS, LEGEND_ORDER, PreflightMatrix


def summary_content(matrix: PreflightMatrix) -> Content:
    """``NO-GO · go 6 · no-go 2 · ✗ 3 · ! 1 · ~ 1`` (cell counts, zero ones left out)."""
    go = len(matrix.go_clients())
    parts: list[Content | str | tuple[str, str]] = [
        verdict_content(matrix.verdict.decision),
        " · ",
        (f"go {go}", "$success"),
        " · ",
        (f"no-go {len(matrix.clients) - go}", "$error" if go < len(matrix.clients) else ""),
    ]
    counts = matrix.counts()
    for status in LEGEND_ORDER[1:]:
        if counts[status]:
            look = CELL_LOOKS[status]
            parts += [" · ", (f"{look.glyph} {look.label} {counts[status]}", f"${look.color}")]
    return Content.assemble(*parts)


def legend_content() -> Content:
    parts: list[Content | str | tuple[str, str]] = []
    for status in LEGEND_ORDER:
        look = CELL_LOOKS[status]
        parts += [(look.glyph, f"bold ${look.color}"), f" {look.label}   "]
    parts.append(
        ("GO: no unwaived inhibitor/high failure and no error · a master finding shows in every client's row", "dim")
    )
    return Content.assemble(*parts)


class PreflightHeader(Horizontal):
    DEFAULT_CSS = """
    PreflightHeader {
        dock: top;
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    PreflightHeader #preflight-title {
        width: 1fr;
        text-style: bold;
    }
    PreflightHeader #preflight-summary {
        width: auto;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._title = Static(id="preflight-title")
        self._summary = Static(id="preflight-summary")

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._summary

    def show(self, title: str, status: str, matrix: PreflightMatrix | None) -> None:
        self._title.update(Content.assemble((title, "$primary"), " · preflight · ", status))
        self._summary.update(summary_content(matrix) if matrix is not None else "")

    @property
    def title_text(self) -> str:
        return _plain(self._title)

    @property
    def summary_text(self) -> str:
        return _plain(self._summary)


def _plain(widget: Static) -> str:
    content = widget.content
    return content.plain if isinstance(content, Content) else str(content)
