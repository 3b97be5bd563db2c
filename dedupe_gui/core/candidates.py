"""Candidate pairs as arrays: which records may be copies of which, and stable names for them.

Kept apart from the grouping walk (core.grouping) because this is plain array arithmetic
over record indices, with no thumbnails, keepers or caches: the pair identities are also
what the cache keys kept thumbnail checks by (core.cache ``pair_checks``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.file_ids import version_id
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.orientations import INVERSE

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
U8 = npt.NDArray[np.uint8]

# Pairings ``cross`` makes at a time (some 40 MB of steps).
_CROSS_ROWS: Final = 1 << 20


@dataclass(frozen=True, slots=True)
class Candidates:
    """Record pairs: ``b`` turned by ``turn`` is within ``distance`` bits of ``a`` upright."""

    a: I64
    b: I64
    turn: I64
    distance: I64

    @staticmethod
    def concat(parts: Sequence[Candidates]) -> Candidates:
        return Candidates(
            np.concatenate([p.a for p in parts]),
            np.concatenate([p.b for p in parts]),
            np.concatenate([p.turn for p in parts]),
            np.concatenate([p.distance for p in parts]),
        )


def file_id(record: ImageRecord) -> int:
    """64 bits naming one version of one file (path, size, mtime), the same in every run."""
    key = record.key
    return version_id(key.path, key.size, key.mtime_ns)


_MIX_INTS: Final = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xBF58476D1CE4E5B9)
_MIX = tuple(np.uint64(c) for c in _MIX_INTS)


# Pairs up to this many are keyed with Python's integers (``_pair_id``): the walk asks about
# a pair or a few at a time, where a dozen array operations cost ten times the arithmetic.
_ONE_BY_ONE: Final = 8
_MASK: Final = (1 << 64) - 1


def _pair_id(low: int, high: int, turn: int) -> int:
    """``pair_id`` of one pair, with the same 64-bit arithmetic (wrapping products)."""
    x = (low * _MIX_INTS[0] + high * _MIX_INTS[1] + (turn + 1) * _MIX_INTS[2]) & _MASK
    x ^= x >> 31
    x = (x * _MIX_INTS[3]) & _MASK
    x ^= x >> 29
    return x >> 1


def pair_id(low: npt.NDArray[np.uint64], high: npt.NDArray[np.uint64], turn: I64) -> I64:
    """A 63-bit key for (file, file, turn), stable across runs: the cache keeps residuals by it.

    Each part is multiplied by its own odd constant and the sum goes through a 64-bit
    finaliser, so every input bit moves the output; two different pairs share a key with odds
    of about one in 10^18.
    """
    if low.size <= _ONE_BY_ONE:
        ids = map(_pair_id, low.tolist(), high.tolist(), turn.tolist())
        return np.fromiter(ids, dtype=np.int64, count=low.size)
    with np.errstate(over="ignore"):
        x = low * _MIX[0] + high * _MIX[1] + (turn.astype(np.uint64) + np.uint64(1)) * _MIX[2]
        x ^= x >> np.uint64(31)
        x *= _MIX[3]
        x ^= x >> np.uint64(29)
    out: I64 = (x >> np.uint64(1)).astype(np.int64)
    return out


def said_id(keeper: npt.NDArray[np.uint64], member: npt.NDArray[np.uint64], turn: I64) -> I64:
    """A 63-bit key for what differs between ``member`` (turned by ``turn``) and its
    ``keeper``, stable across runs: the cache keeps the words by it. Unlike ``pair_id`` the
    order counts (the words are said from the keeper's side); the turn is offset past the
    eight orientations so no key of a pair's words is also the key of its check."""
    return pair_id(keeper, member, turn + len(INVERSE))


def cross(bounds_a: I64, seg_a: I64, bounds_b: I64, seg_b: I64) -> tuple[I64, I64, I64]:
    """For each k, every pairing of the entries of segment ``seg_a[k]`` (positions
    ``bounds_a[s]:bounds_a[s + 1]``) with those of segment ``seg_b[k]``: both positions, and k.

    Made ``_CROSS_ROWS`` pairings at a time into the three arrays returned: all at once, the
    steps between held some seven arrays as long as the result, the window search's peak at
    100,000 files (millions of pairings of a file with another's windows)."""
    ca = bounds_a[seg_a + 1] - bounds_a[seg_a]
    cb = bounds_b[seg_b + 1] - bounds_b[seg_b]
    reps = ca * cb
    del ca
    ends = np.cumsum(reps)
    total = int(ends[-1]) if ends.size else 0
    pos_a = np.empty(total, dtype=np.int64)
    pos_b = np.empty(total, dtype=np.int64)
    which = np.empty(total, dtype=np.int64)
    cuts = np.searchsorted(ends, np.arange(_CROSS_ROWS, total, _CROSS_ROWS), side="right")
    for lo, hi in itertools.pairwise([0, *distinct(cuts).tolist(), int(reps.size)]):
        if lo == hi:
            continue
        part = reps[lo:hi]
        start = int(ends[lo] - reps[lo])
        end = int(ends[hi - 1])
        if start == end:
            continue
        w = np.repeat(np.arange(lo, hi, dtype=np.int64), part)
        k = np.arange(end - start, dtype=np.int64) - np.repeat(np.cumsum(part) - part, part)
        cbw = cb[w]
        pos_a[start:end] = bounds_a[seg_a[w]] + k // cbw
        pos_b[start:end] = bounds_b[seg_b[w]] + k % cbw
        which[start:end] = w
    return pos_a, pos_b, which


def pairs_within_segments(order: I64, bounds: I64) -> tuple[I64, I64]:
    """Every pair (i < j by position) inside each segment ``order[bounds[u]:bounds[u + 1]]``."""
    count = np.diff(bounds)
    seg = np.repeat(np.arange(count.size, dtype=np.int64), count)
    pos = np.arange(order.size, dtype=np.int64)
    after = bounds[seg + 1] - pos - 1  # later entries of the same segment
    first = np.repeat(pos, after)
    k = np.arange(int(after.sum()), dtype=np.int64) - np.repeat(np.cumsum(after) - after, after)
    return order[first], order[first + 1 + k]


# Values a row's distance (0-64 bits) and turn (eight orientations) take in the key.
_DISTANCES: Final = 65
_TURNS: Final = 8
# Files a row's key tells apart (file and neighbour, distance and turn in 63 bits): some
# 133 million.
_MOST_FILES: Final = math.isqrt(np.iinfo(np.int64).max // (_DISTANCES * _TURNS))


@dataclass(frozen=True, slots=True)
class Adjacent:
    """Candidate pairs as CSR rows: record f's neighbours are ``nbr[indptr[f]:indptr[f + 1]]``
    at ``dist`` bits, turned by ``turn``. Held in small types through the whole walk that
    checks the pairs (a 100,000-file library's 2.6 million rows: 16 MB, not 63 MB as 64-bit
    arrays); ``row`` gives one record's in 64 bits."""

    indptr: I64
    nbr: I32
    dist: U8
    turn: U8

    def row(self, f: int) -> tuple[I64, I64, I64]:
        """Record ``f``'s neighbours, their distances and turns."""
        lo, hi = int(self.indptr[f]), int(self.indptr[f + 1])
        return (
            self.nbr[lo:hi].astype(np.int64),
            self.dist[lo:hi].astype(np.int64),
            self.turn[lo:hi].astype(np.int64),
        )


def adjacency(c: Candidates, n: int) -> Adjacent:
    """Both directions of every candidate pair as CSR rows (``Adjacent``).

    Seen from ``b``, ``a`` is turned by the inverse orientation. Where a pair is found more
    than once (several orientations), the smallest (distance, turn) is kept.

    Sorted as one 64-bit key per row (file, neighbour, distance, turn) rather than four
    arrays and their lexsort order: a 100,000-file library's 2.6 million rows held some
    seven 21 MB arrays at once that way, the peak of a cold grouping after the searches.
    """
    if n > _MOST_FILES:
        raise ValueError(f"{n} files are more than one grouping can tell apart ({_MOST_FILES})")
    inverse = np.asarray(INVERSE, dtype=np.int64)
    key = np.concatenate([c.a, c.b]).astype(np.int64, copy=False)
    key *= n
    key += np.concatenate([c.b, c.a])
    key *= _DISTANCES
    key += np.concatenate([c.distance, c.distance])
    key *= _TURNS
    key += np.concatenate([c.turn, inverse[c.turn]])
    key.sort()
    pair = key // (_DISTANCES * _TURNS)
    first = np.ones(key.size, dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    del pair
    key = key[first]
    del first
    turn = key % _TURNS
    key //= _TURNS
    dist = key % _DISTANCES
    key //= _DISTANCES
    src, dst = np.divmod(key, n) if n else (key, key)
    del key
    indptr = np.searchsorted(src, np.arange(n + 1)).astype(np.int64)
    return Adjacent(indptr, dst.astype(np.int32), dist.astype(np.uint8), turn.astype(np.uint8))


def distinct(values: I64) -> I64:
    """The sorted distinct values: ``np.unique(values)`` without its check for masked arrays,
    which imports numpy.ma (30-60 ms of every scan's start-up for a module never used)."""
    ordered = np.sort(values, axis=None)
    if ordered.size < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
