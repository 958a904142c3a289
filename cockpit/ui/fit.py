"""Fitting a line of pieces into a width by priority: shorten, then drop, the least important first.

Pure (no Textual): the pieces may be any text with a length (plain strings in tests, Content on screen).
Each piece has a rank: 0 is never dropped (a window's countdown, a READ-ONLY badge, the fleet's counts);
higher ranks go first. At each rank, from the highest down, the pieces of that rank are first shortened
(when they have a short form), then dropped, until the line fits.
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
        for step in ("shorten", "drop"):
            if step == "drop" and rank == 0:
                continue
            for i in reversed(range(len(pieces))):  # the rightmost of a rank first
                piece = pieces[i]
                if piece.rank != rank or chosen[i] is None:
                    continue
                if step == "shorten" and piece.short is not None:
                    chosen[i] = piece.short
                elif step == "drop":
                    chosen[i] = None
                if total() <= width:
                    break
            if total() <= width:
                break
    return [t for t in chosen if t is not None]
