"""Fitting a line of pieces into a width by priority: shorten, then drop, the least important first.

Pure (no Textual): the pieces may be any text with a length (plain strings in tests, Content on screen).
Each piece has a rank: 0 is never dropped (a window's countdown, a READ-ONLY badge, the fleet's counts);
higher ranks go first. At each rank, from the highest down, the pieces of that rank are first shortened
together (those that have a short form), then dropped one at a time, until the line fits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Piece(Generic[T]):
    text: T
    rank: int = 0
    short: T | None = None


def fit(
    pieces: Sequence[Piece[T]],
    width: int,
    length: Callable[[T], int],
    *,
    separator: int = 3,
    reserve: int = 0,
) -> list[T]:
    """The pieces' texts (in their order) that fit in `width` cells with `separator` cells between two.

    `reserve`: cells taken by something else on the line (the right-hand side). What cannot be made to
    fit is returned as short as it gets (the widget crops it).
    """
    chosen: list[T | None] = [p.text for p in pieces]

    def total() -> int:
        shown = [length(t) for t in chosen if t is not None]
        return sum(shown) + separator * max(len(shown) - 1, 0) + reserve

    ranks = sorted({p.rank for p in pieces}, reverse=True)
    for rank in ranks:
        if total() <= width:
            break
        # Every piece of the rank shortened together (one short, one long would read as a mistake) ...
        for i, piece in enumerate(pieces):
            if piece.rank == rank and piece.short is not None:
                chosen[i] = piece.short
        if total() <= width or rank == 0:
            continue
        # ... then dropped one at a time, the rightmost first.
        for i in reversed(range(len(pieces))):
            if pieces[i].rank == rank and chosen[i] is not None:
                chosen[i] = None
                if total() <= width:
                    break
    return [t for t in chosen if t is not None]
