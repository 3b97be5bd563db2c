"""Candidate pairs as CSR rows: both directions, one row per pair, its least (distance, turn)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from dedupe_gui.core import candidates
from dedupe_gui.core.candidates import Candidates, adjacency
from dedupe_gui.core.orientations import INVERSE

I64 = npt.NDArray[np.int64]


def _by_lexsort(c: Candidates, n: int) -> tuple[I64, I64, I64, I64]:
    """``adjacency`` the plain way: four arrays sorted together by their lexsort order."""
    inverse = np.asarray(INVERSE, dtype=np.int64)
    src = np.concatenate([c.a, c.b])
    dst = np.concatenate([c.b, c.a])
    dist = np.concatenate([c.distance, c.distance])
    turn = np.concatenate([c.turn, inverse[c.turn]])
    order = np.lexsort((turn, dist, dst, src))
    src, dst, dist, turn = src[order], dst[order], dist[order], turn[order]
    first = np.ones(src.size, dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    src, dst, dist, turn = src[first], dst[first], dist[first], turn[first]
    indptr = np.searchsorted(src, np.arange(n + 1)).astype(np.int64)
    return indptr, dst, dist, turn


def _random_candidates(seed: int, n: int, rows: int) -> Candidates:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, rows, dtype=np.int64)
    b = rng.integers(0, n, rows, dtype=np.int64)
    # Pairs found again (by another search, in another orientation, at another distance).
    again = rng.integers(0, rows, rows // 3)
    a = np.concatenate([a, a[again]])
    b = np.concatenate([b, b[again]])
    keep = a != b
    a, b = a[keep], b[keep]
    turn = rng.integers(0, 8, a.size, dtype=np.int64)
    distance = rng.integers(0, 65, a.size, dtype=np.int64)
    return Candidates(a, b, turn, distance)


def test_rows_are_those_of_four_arrays_sorted_together() -> None:
    for seed, n, rows in ((1, 50, 400), (2, 3000, 20000), (3, 2, 10), (4, 7, 0)):
        c = _random_candidates(seed, n, rows)
        got = adjacency(c, n)
        want = _by_lexsort(c, n)
        for g, w in zip((got.indptr, got.nbr, got.dist, got.turn), want, strict=True):
            np.testing.assert_array_equal(g, w)
        for f in range(n):
            lo, hi = int(want[0][f]), int(want[0][f + 1])
            for g, w in zip(got.row(f), want[1:], strict=True):
                np.testing.assert_array_equal(g, w[lo:hi])
                assert g.dtype == np.int64


def test_a_pair_found_twice_keeps_its_least_distance_then_turn_both_ways() -> None:
    c = Candidates(
        np.array([0, 2, 0, 0], np.int64),
        np.array([2, 0, 2, 1], np.int64),
        np.array([3, 1, 1, 0], np.int64),
        np.array([9, 5, 5, 64], np.int64),
    )
    got = adjacency(c, 3)
    indptr, nbr, dist, turn = got.indptr, got.nbr, got.dist, got.turn
    least = min(1, INVERSE[1])
    assert indptr.tolist() == [0, 2, 3, 4]
    rows = list(zip(nbr.tolist(), dist.tolist(), turn.tolist(), strict=True))
    # From 0: file 1 at 64 bits; file 2 at 5 bits, found as (0, 2, turn 1) and as (2, 0,
    # turn 1), which from 0 is turn INVERSE[1]: the least of the two turns. From 2 the same.
    assert rows == [(1, 64, 0), (2, 5, least), (0, 64, INVERSE[0]), (0, 5, least)]


def test_the_largest_library_one_key_tells_apart_is_the_limit() -> None:
    """The key of the last file's row with its last neighbour, farthest and last turned,
    still fits 64 bits; one file more is refused with an error, not grouped wrongly."""
    most = candidates._MOST_FILES
    key = ((most - 1) * most + most - 1) * 65 * 8 + 64 * 8 + 7
    assert key <= np.iinfo(np.int64).max < ((most * (most + 1) + most) * 65 * 8 + 64 * 8 + 7)
    c = Candidates(*(np.zeros(0, np.int64) for _ in range(4)))
    with pytest.raises(ValueError, match="more than one grouping"):
        adjacency(c, most + 1)


@pytest.mark.parametrize("rows_at_once", [1, 7, 1 << 20])
def test_cross_pairs_every_entry_of_two_segments_in_any_block_size(
    rows_at_once: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cross`` made a block of pairings at a time gives what one pass gives: segments of
    0 to 4 entries, blocks smaller than one segment's pairings and larger than all."""
    monkeypatch.setattr(candidates, "_CROSS_ROWS", rows_at_once)
    rng = np.random.default_rng(4)
    bounds_a = np.concatenate([[0], np.cumsum(rng.integers(0, 5, 30))]).astype(np.int64)
    bounds_b = np.concatenate([[0], np.cumsum(rng.integers(0, 5, 20))]).astype(np.int64)
    seg_a = rng.integers(0, 30, 50).astype(np.int64)
    seg_b = rng.integers(0, 20, 50).astype(np.int64)
    expected = [
        (i, j, k)
        for k, (sa, sb) in enumerate(zip(seg_a.tolist(), seg_b.tolist(), strict=True))
        for i in range(int(bounds_a[sa]), int(bounds_a[sa + 1]))
        for j in range(int(bounds_b[sb]), int(bounds_b[sb + 1]))
    ]
    got = candidates.cross(bounds_a, seg_a, bounds_b, seg_b)
    assert all(x.dtype == np.int64 for x in got)
    assert list(zip(*(x.tolist() for x in got), strict=True)) == expected
    assert len(expected) > 100
    empty = candidates.cross(bounds_a, seg_a[:0], bounds_b, seg_b[:0])
    assert [x.size for x in empty] == [0, 0, 0]
