"""The preflight screen's top line: what is going on, the fleet verdict and the counts.

Like the fleet's header it shortens by priority when narrow: the title goes first, the window's
countdown and the fleet's verdict stay.
"""

from __future__ import annotations

from textual.content import Content

from cockpit.ui.fit import Piece
from cockpit.ui.preflight_content import verdict_content
from cockpit.ui.preflight_present import CELL_LOOKS, LEGEND_ORDER, PreflightMatrix
from cockpit.ui.widgets.priority_line import PriorityLine


def summary_pieces(matrix: PreflightMatrix) -> list[Piece[Content]]:
    """``NO-GO · go 6 · no-go 2 · ! warn 1 · ✗ fail 3`` (cell counts, zero ones left out)."""
    go = len(matrix.go_clients())
    total = len(matrix.clients)
    counts = Content.assemble((f"go {go}", "$success"), " · ", (f"no-go {total - go}", "$error" if go < total else ""))
    pieces = [
        Piece(verdict_content(matrix.verdict.decision)),
        Piece(counts, 0, Content.assemble((f"go {go}", "$success"), f"/{total}")),
    ]
    cells = matrix.counts()
    for status in LEGEND_ORDER[1:]:
        if cells[status]:
            look = CELL_LOOKS[status]
            long = Content.styled(f"{look.glyph} {look.label} {cells[status]}", f"${look.color}")
            pieces.append(Piece(long, 3, Content.styled(f"{look.glyph}{cells[status]}", f"${look.color}")))
    return pieces


def legend_pieces() -> list[Piece[Content]]:
    """The glyphs' meanings (kept), then what GO means (dropped first on a narrow terminal)."""
    parts: list[Content | str | tuple[str, str]] = []
    for status in LEGEND_ORDER:
        look = CELL_LOOKS[status]
        parts += [(look.glyph, f"bold ${look.color}"), f" {look.label}  "]
    go = "GO: no unwaived inhibitor/high failure and no error · a master finding shows in every client's row"
    return [Piece(Content.assemble(*parts).rstrip()), Piece(Content.styled(go, "dim"), 5)]


def scroll_cue(left: list[str], right: list[str], loud: set[str]) -> list[Piece[Content]]:
    """How many check columns are out of view on each side, and whether one of them has a finding."""
    if not left and not right:
        return []
    said = []
    if left:
        said.append(f"← {len(left)}")
    if right:
        said.append(f"{len(right)} more check{'s' if len(right) != 1 else ''} →")
    hidden_loud = len(loud.intersection(left + right))
    text = " · ".join(said)
    if hidden_loud:
        text += f" ({hidden_loud} with findings)"
    style = "bold reverse $warning" if hidden_loud else "bold reverse $accent"
    return [Piece(Content.styled(f" {text} ", style), 0, Content.styled(f" {' '.join(said)} ", style))]


class PreflightHeader(PriorityLine):
    DEFAULT_CSS = """
    PreflightHeader {
        dock: top;
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    """

    def show_preflight(
        self, title: str, status: str, matrix: PreflightMatrix | None, window: tuple[str, str] | None = None
    ) -> None:
        """`window`: the countdown, long and short."""
        left: list[Piece[Content]] = [
            Piece(Content.styled(title, "bold $primary"), 6),
            Piece(Content.styled("preflight", "bold"), 5),
        ]
        if status:
            left.append(Piece(Content(status), 1))
        if window is not None:
            left.append(Piece(Content(window[0]), 0, Content(window[1])))
        self.show(left, summary_pieces(matrix) if matrix is not None else [])

    @property
    def title_text(self) -> str:
        return self.left_text

    @property
    def summary_text(self) -> str:
        return self.right_text
