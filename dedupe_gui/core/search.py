"""Exact Hamming range search over 64-bit hashes: every pair within T, and queries against an index.

Multi-index hashing: the 64 bits are cut into m chunks, chunk i given a radius r_i with
sum(r_i + 1) = T + 1. Two hashes within T bits of each other must then agree on some chunk
i to within r_i bits (otherwise they would differ by at least T + 1), so probing each
chunk's table with every mask of at most r_i bits finds every pair, and a popcount of the
full XOR removes the candidates that only agree on one chunk. Chunk widths follow log2(n) so
that a table bucket holds about one entry. BK-trees and VP-trees do not prune at these radii.

Everything runs on numpy arrays of unique hashes; callers collapse identical hashes first
(they are at distance 0 by definition and would otherwise make buckets quadratic).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

# Candidates expanded per step: bounds the memory of one step to a few tens of MB.
_BATCH_CANDIDATES = 1 << 21


@dataclass(frozen=True, slots=True)
class Pairs:
    """Pairs ``(a[k], b[k])`` of indices with Hamming distance ``distance[k]``."""

    a: I64
    b: I64
    distance: npt.NDArray[np.int8]

    def __len__(self) -> int:
        return int(self.a.size)

    @staticmethod
    def empty() -> Pairs:
        return Pairs(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int8))


@dataclass(frozen=True, slots=True)
class _Chunk:
    shift: int
    width: int
    radius: int

    def values(self, hashes: U64) -> U64:
        shifted: U64 = hashes >> np.uint64(self.shift)
        masked: U64 = shifted & np.uint64((1 << self.width) - 1)
        return masked

    def masks(self) -> Iterator[int]:
        """Every flip mask of 1..radius bits within the chunk (0 is handled apart)."""
        for weight in range(1, self.radius + 1):
            for bits in itertools.combinations(range(self.width), weight):
                yield sum(1 << bit for bit in bits)


def popcount(x: U64) -> npt.NDArray[np.uint8]:
    return np.bitwise_count(x)


def _plan(n: int, threshold: int) -> list[_Chunk]:
    """Chunks for ``n`` hashes at ``threshold``: about log2(n) bits each, radii summing to T+1."""
    target = min(22, max(10, math.ceil(math.log2(max(n, 2)))))
    m = max(1, min(threshold + 1, round(64 / target)))
    base, extra = divmod(threshold + 1, m)
    wbase, wextra = divmod(64, m)
    chunks: list[_Chunk] = []
    shift = 0
    for i in range(m):
        width = wbase + (1 if i < wextra else 0)
        radius = base - 1 + (1 if i < extra else 0)
        chunks.append(_Chunk(shift, width, radius))
        shift += width
    return chunks


class _Table:
    """A chunk's buckets: entries sorted by chunk value, found by dense offsets or bisection.

    Narrow chunks (large inputs) get a dense offset array, one slot per chunk value; wide
    chunks (small thresholds) would need too many slots and are bisected instead.
    """

    DENSE_MAX_WIDTH = 22

    def __init__(self, chunk: _Chunk, hashes: U64) -> None:
        self.chunk = chunk
        self.values = chunk.values(hashes)
        self.order = np.argsort(self.values, kind="stable").astype(np.int64)
        self.sorted_values = self.values[self.order]
        self.offsets: I64 | None = None
        if chunk.width <= self.DENSE_MAX_WIDTH:
            counts = np.bincount(self.sorted_values.astype(np.int64), minlength=1 << chunk.width)
            self.offsets = np.zeros((1 << chunk.width) + 1, dtype=np.int64)
            np.cumsum(counts, out=self.offsets[1:])

    def probe(self, keys: U64) -> tuple[I64, I64]:
        """Start offset and count of the bucket of each key."""
        if self.offsets is not None:
            k = keys.astype(np.int64)
            starts = self.offsets[k]
            return starts, self.offsets[k + 1] - starts
        starts = np.searchsorted(self.sorted_values, keys, side="left").astype(np.int64)
        ends = np.searchsorted(self.sorted_values, keys, side="right").astype(np.int64)
        return starts, ends - starts


def _expand(queries: I64, starts: I64, counts: I64) -> Iterator[tuple[I64, I64]]:
    """(query, sorted position) for every entry of every probed bucket, in bounded batches."""
    nonzero = counts > 0
    queries, starts, counts = queries[nonzero], starts[nonzero], counts[nonzero]
    if queries.size == 0:
        return
    cum = np.cumsum(counts)
    begin = 0
    while begin < queries.size:
        base = int(cum[begin - 1]) if begin else 0
        end = int(np.searchsorted(cum, base + _BATCH_CANDIDATES, side="right"))
        end = max(end, begin + 1)
        q, s, c = queries[begin:end], starts[begin:end], counts[begin:end]
        total = int(c.sum())
        first = np.repeat(np.cumsum(c) - c, c)
        positions = np.arange(total, dtype=np.int64) - first + np.repeat(s, c)
        yield np.repeat(q, c), positions
        begin = end


def _verify(hashes_a: U64, hashes_b: U64, a: I64, b: I64, threshold: int, out: list[Pairs]) -> None:
    d = popcount(hashes_a[a] ^ hashes_b[b])
    keep = d <= threshold
    if keep.any():
        out.append(Pairs(a[keep], b[keep], d[keep].astype(np.int8)))


def _merge(found: list[Pairs], n_b: int) -> Pairs:
    """One copy of each pair, sorted by (a, b) so that results are deterministic."""
    if not found:
        return Pairs.empty()
    a = np.concatenate([p.a for p in found])
    b = np.concatenate([p.b for p in found])
    d = np.concatenate([p.distance for p in found])
    key = a * max(n_b, 1) + b
    _, first = np.unique(key, return_index=True)
    return Pairs(a[first], b[first], d[first])


def self_pairs(hashes: U64, threshold: int) -> Pairs:
    """All index pairs (a < b) of distinct ``hashes`` within ``threshold`` bits.

    ``hashes`` must hold no repeated value (see ``numpy.unique``).
    """
    hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
    n = int(hashes.size)
    if n < 2 or threshold <= 0:
        return Pairs.empty()
    if threshold >= 64:
        a, b = np.triu_indices(n, 1)
        return Pairs(
            a.astype(np.int64), b.astype(np.int64), popcount(hashes[a] ^ hashes[b]).astype(np.int8)
        )
    found: list[Pairs] = []
    everyone = np.arange(n, dtype=np.int64)
    for chunk in _plan(n, threshold):
        if chunk.radius < 0:
            continue
        table = _Table(chunk, hashes)
        # Mask 0: pairs inside one bucket, each once (later sorted position only).
        starts, counts = table.probe(table.values)
        sorted_pos = np.empty(n, dtype=np.int64)
        sorted_pos[table.order] = np.arange(n, dtype=np.int64)
        after = starts + counts - sorted_pos - 1
        for q, pos in _expand(everyone, sorted_pos + 1, after):
            _verify_pairs(hashes, q, table.order[pos], threshold, found)
        # Masks of 1..r bits: probe only from the side whose chunk has a 0 at the mask's
        # highest bit, so that each unordered pair is met once per mask.
        for mask in chunk.masks():
            top = 1 << (mask.bit_length() - 1)
            queries = everyone[(table.values & np.uint64(top)) == 0]
            starts, counts = table.probe(table.values[queries] ^ np.uint64(mask))
            for q, pos in _expand(queries, starts, counts):
                _verify_pairs(hashes, q, table.order[pos], threshold, found)
    return _merge(found, n)


def _verify_pairs(hashes: U64, q: I64, t: I64, threshold: int, out: list[Pairs]) -> None:
    lo = np.minimum(q, t)
    hi = np.maximum(q, t)
    _verify(hashes, hashes, lo, hi, threshold, out)


def cross_pairs(queries: U64, index: U64, threshold: int) -> Pairs:
    """All (query, index entry) pairs within ``threshold``; ``a`` indexes queries, ``b`` index.

    ``index`` must hold no repeated value; ``queries`` may.
    """
    queries = np.ascontiguousarray(queries, dtype=np.uint64)
    index = np.ascontiguousarray(index, dtype=np.uint64)
    if queries.size == 0 or index.size == 0 or threshold < 0:
        return Pairs.empty()
    if threshold >= 64:
        grid_a, grid_b = np.meshgrid(
            np.arange(queries.size, dtype=np.int64), np.arange(index.size, dtype=np.int64)
        )
        a, b = grid_a.ravel(), grid_b.ravel()
        return Pairs(a, b, popcount(queries[a] ^ index[b]).astype(np.int8))
    found: list[Pairs] = []
    everyone = np.arange(queries.size, dtype=np.int64)
    for chunk in _plan(int(index.size), threshold):
        if chunk.radius < 0:
            continue
        table = _Table(chunk, index)
        qvalues = chunk.values(queries)
        for mask in itertools.chain((0,), chunk.masks()):
            starts, counts = table.probe(qvalues ^ np.uint64(mask))
            for q, pos in _expand(everyone, starts, counts):
                _verify(queries, index, q, table.order[pos], threshold, found)
    return _merge(found, int(index.size))


def brute_self_pairs(hashes: U64, threshold: int) -> Pairs:
    """Reference answer for tests and benchmarks: O(n^2), small inputs only."""
    hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
    n = int(hashes.size)
    a, b = np.triu_indices(n, 1)
    d = popcount(hashes[a] ^ hashes[b])
    keep = d <= threshold
    return Pairs(a[keep].astype(np.int64), b[keep].astype(np.int64), d[keep].astype(np.int8))
