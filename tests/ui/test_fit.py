"""Header lines shorten by priority (pure): the least important goes first, rank 0 never goes."""

from __future__ import annotations

from cockpit.ui.fit import Piece, fit


def line(pieces: list[Piece[str]], width: int, reserve: int = 0) -> str:
    return " · ".join(fit(pieces, width, len, reserve=reserve))


PIECES = [
    Piece("nimadm · inventory.yaml", 6),
    Piece("run 20261205-235328-215 (nimadm)", 5, "run 20261205-235328-215"),
    Piece("running", 1),
    Piece("6m13s left · cutoff in 5m08s", 0, "6m13s left · cut 5m08s"),
    Piece("concurrency 4 (2 running)", 4, "conc 4"),
]


def test_wide_enough_keeps_everything() -> None:
    assert line(PIECES, 200) == (
        "nimadm · inventory.yaml · run 20261205-235328-215 (nimadm) · running · "
        "6m13s left · cutoff in 5m08s · concurrency 4 (2 running)"
    )


def test_the_title_goes_first_then_the_run_then_the_concurrency_the_countdown_stays() -> None:
    assert line(PIECES, 110) == (
        "run 20261205-235328-215 (nimadm) · running · 6m13s left · cutoff in 5m08s · concurrency 4 (2 running)"
    )
    assert line(PIECES, 60) == "running · 6m13s left · cutoff in 5m08s · conc 4"
    assert line(PIECES, 40) == "running · 6m13s left · cutoff in 5m08s"
    assert line(PIECES, 30) == "6m13s left · cutoff in 5m08s"
    assert line(PIECES, 20) == "6m13s left · cut 5m08s"  # never dropped: as short as it gets


def test_a_rank_is_shortened_as_a_whole_and_the_reserve_is_kept() -> None:
    counts = [Piece("NO-GO"), Piece("! warn 1", 3, "!1"), Piece("✗ fail 6", 3, "✗6")]
    assert line(counts, 30) == "NO-GO · ! warn 1 · ✗ fail 6"
    assert line(counts, 20) == "NO-GO · !1 · ✗6"
    assert line(counts, 30, reserve=20) == "NO-GO · !1"
    assert line(counts, 30, reserve=21) == "NO-GO"
