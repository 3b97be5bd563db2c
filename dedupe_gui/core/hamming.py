"""Exact Hamming range search over 64-bit hashes: every pair within T, and queries against an index.

Multi-index hashing: the 64 bits are cut into m chunks, chunk i given a radius r_i with
sum(r_i + 1) = T + 1. Two hashes within T bits of each other must then agree on some chunk
i to within r_i bits (otherwise they would differ by at least T + 1), so comparing every hash
with the bucket of each chunk value at most r_i bits away from its own finds every pair, and a
popcount of the full XOR removes the candidates that only agree on one chunk. BK-trees and
VP-trees do not prune at these radii.

The cost is probes (hash x flip mask) plus candidates (probes x bucket size), and numpy pays a
fixed price per operation, so the layout is chosen to make each operation long and regular:

- the number of chunks is picked by a cost estimate for the given n and T (a million hashes
  at T = 10 gets four 16-bit chunks: 428 masks and buckets of about 15);
- self-search compares whole buckets: the first K entries of every bucket sit in dense
  arrays, so all pairs between bucket u and bucket u ^ mask are one K x K block, and many
  blocks are one broadcast XOR (``_Blocks``);
- entries past the K-th of their bucket, chunks too wide for dense arrays, and queries
  against an index probe per hash: each probe gathers the bucket as rows of K slots
  (``BucketTable``), the few buckets larger than K continuing on rows only their probes visit;
- the (chunk, mask, bucket range) work is shared between threads: the numpy kernels used
  release the GIL.

docs/BENCHMARKS.md has the measurements behind these choices.

Everything runs on numpy arrays of unique hashes; callers collapse identical hashes first
(they are at distance 0 by definition and would otherwise make buckets quadratic).

The chunk layout and its cost estimate live in core.hamming_plan, the bucket tables in
core.hamming_table; the dense-block kernel and the probe kernel stay here side by side: they
share the work units and only make sense together.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.hamming_plan import BLOCK_MAX_WIDTH, Chunk, plan
from dedupe_gui.core.hamming_table import BucketTable, pad_value, popcount
from dedupe_gui.core.workers import default_workers

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
_R = TypeVar("_R")

# Slots compared per step of one work unit: keeps a step's arrays in the CPU caches.
_STEP_SLOTS = 1 << 18
# (query, row) pairs of one probe made at once (``_probe``): four 8-byte arrays of them are
# held at a time. At 2 million, a 100,000-file library's window search (some 40 window hashes
# a bucket, several buckets a probe) held 64 MB of them per thread, most of its peak.
_ROWS_AT_ONCE = 1 << 19
# Slots compared per work unit, at most: small enough that threads finish together.
_UNIT_SLOTS = 1 << 27
# Below this many hashes the plain all-pairs comparison is cheaper than building tables.
BRUTE_MAX = 1500


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


class _Found:
    """Pairs found by one worker, kept as arrays until the merge."""

    def __init__(self) -> None:
        self.a: list[I64] = []
        self.b: list[I64] = []
        self.d: list[npt.NDArray[np.uint8]] = []

    def add(self, a: I64, b: I64, d: npt.NDArray[np.uint8]) -> None:
        if a.size:
            self.a.append(a)
            self.b.append(b)
            self.d.append(d)


def _probe(
    table: BucketTable,
    q_index: I64,
    q_hash: U64,
    keys: U64,
    threshold: int,
    found: _Found,
    ordered: bool,
    earlier: Sequence[Chunk] = (),
) -> None:
    """Compare each query with every entry of the bucket of its key.

    ``earlier``: chunks probed by other jobs of the same search; a pair that agrees on one
    of them within its radius is found there and left out here, so that each pair is found
    once and the search holds no repeats (``cross_pairs``).

    ``ordered`` (self-search) keeps each pair as (smaller index, larger index) and drops a
    hash met against itself. Every (query, row) of the probed buckets is gathered at once, a
    bounded number of rows per pass: real libraries have a few buckets of thousands (the
    hashes of flat, dark or white pictures share chunks of zeros or ones), and walking such
    a bucket one row per numpy pass made a probe of it cost thousands of passes.
    """
    first, rows = table.lookup(keys)
    live = np.flatnonzero(rows > 0)
    if live.size == 0:
        return
    counts = rows[live]
    if int(counts.max()) == 1:
        _probe_rows(table, q_index, q_hash, live, first[live], threshold, found, ordered, earlier)
        return
    # The probes' (query, row) pairs a bounded number at a time: queries meeting the large
    # buckets of flat pictures' windows made tens of millions of them at once (two 8-byte
    # arrays of each), most of a 100,000-file window search's peak.
    ends = np.cumsum(counts)
    cuts = np.searchsorted(ends, np.arange(_ROWS_AT_ONCE, int(ends[-1]), _ROWS_AT_ONCE))
    # ``cuts`` never decreases: a cut met twice makes an empty part, skipped below (np.unique
    # here imported numpy.ma, 9 ms of the first probe of a large bucket).
    for lo, hi in itertools.pairwise([0, *cuts.tolist(), int(live.size)]):
        if lo == hi:
            continue
        part, part_counts = live[lo:hi], counts[lo:hi]
        who = np.repeat(part, part_counts)
        starts = np.repeat(np.cumsum(part_counts) - part_counts, part_counts)
        row = first[who] + (np.arange(who.size, dtype=np.int64) - starts)
        del starts
        _probe_rows(table, q_index, q_hash, who, row, threshold, found, ordered, earlier)


def _probe_rows(
    table: BucketTable,
    q_index: I64,
    q_hash: U64,
    who: I64,
    row: I64,
    threshold: int,
    found: _Found,
    ordered: bool,
    earlier: Sequence[Chunk],
) -> None:
    """Compare query ``who[i]`` with the entries of table row ``row[i]`` (see ``_probe``)."""
    k = table.k
    step = max(256, _STEP_SLOTS // k)
    for start in range(0, int(who.size), step):
        part_who, part_row = who[start : start + step], row[start : start + step]
        # A row is one item of K * 8 bytes: np.take copies it whole, far faster than
        # fancy indexing a 2-D array.
        block = np.take(table.slot_rows, part_row).view(np.uint64).reshape(-1, k)
        np.bitwise_xor(block, q_hash[part_who, None], out=block)
        dist = popcount(block)
        flat = np.flatnonzero(dist <= threshold)
        if flat.size and earlier:
            xor = block.reshape(-1)[flat]
            elsewhere = np.zeros(flat.size, dtype=bool)
            for chunk in earlier:
                elsewhere |= popcount(chunk.values(xor)) <= chunk.radius
            flat = flat[~elsewhere]
        if flat.size:
            r, c = np.divmod(flat, k)
            other = table.slot_index[part_row[r] * k + c]
            mine = q_index[part_who[r]]
            _keep(mine, other, dist.reshape(-1)[flat], ordered, found)


def _keep(mine: I64, other: I64, d: npt.NDArray[np.uint8], ordered: bool, found: _Found) -> None:
    real = other >= 0
    if ordered:
        real &= other != mine
        found.add(np.minimum(mine, other)[real], np.maximum(mine, other)[real], d[real])
    else:
        found.add(mine[real], other[real], d[real])


class _Blocks:
    """The first K entries of every bucket of one chunk, as dense (K, 2**width) arrays.

    For self-search. Every bucket sits in the column of its chunk value, so the pairs between
    bucket u and bucket u ^ mask are one K x K block: gathering 2 columns and broadcasting one
    XOR over the block replaces K gathers. Blocks of many buckets are laid out (K, K, buckets)
    so that numpy's inner loops run along the buckets, long and contiguous. Sources and
    targets are padded with two values 64 bits apart (and far from every hash), so that pads
    meet nothing. Entries past the K-th of their bucket are the ``overflow``, searched one by
    one against the whole table.
    """

    def __init__(self, table: BucketTable, hashes: U64, k: int, pad: np.uint64) -> None:
        width = table.chunk.width
        self.k = k
        size = 1 << width
        self.src = np.full((k, size), pad, dtype=np.uint64)
        self.tgt = np.full((k, size), ~pad, dtype=np.uint64)
        self.index = np.full((k, size), -1, dtype=np.int64)
        ranked = table.rank < k
        entries = table.order[ranked]
        cols = table.sorted_values[ranked].astype(np.int64)
        rows = table.rank[ranked]
        self.src[rows, cols] = hashes[entries]
        self.tgt[rows, cols] = hashes[entries]
        self.index[rows, cols] = entries
        self.overflow = table.order[~ranked]
        self.nonempty = np.flatnonzero(table.counts_by_value > 0)

    @staticmethod
    def row_width(counts: I64, width: int, probe_cost: float) -> int:
        """K minimising block slots (K*K per bucket pair) plus overflow probes."""
        best_k, best = 1, math.inf
        for k in range(1, 65):
            overflow = float(np.maximum(counts - k, 0).sum())
            cost = (1 << (width - 1)) * k * k + overflow * probe_cost
            if cost < best:
                best_k, best = k, cost
        return best_k

    def compare(
        self, buckets: I64, mask: int, threshold: int, found: _Found, buffers: _Buffers
    ) -> None:
        k = self.k
        size = int(buckets.size)
        other = buckets ^ mask
        src = np.take(self.src, buckets, axis=1).reshape(k, 1, size)
        tgt = np.take(self.tgt, other, axis=1).reshape(1, k, size)
        x, d, hit = buffers.get(size * k * k)
        np.bitwise_xor(src, tgt, out=x.reshape(k, k, size))
        np.bitwise_count(x, out=d)
        np.less_equal(d, threshold, out=hit)
        flat = np.flatnonzero(hit)
        if flat.size:
            ij, blk = np.divmod(flat, size)
            i, j = np.divmod(ij, k)
            mine = self.index[i, buckets[blk]]
            theirs = self.index[j, other[blk]]
            real = mine >= 0
            _keep(mine[real], theirs[real], d[flat][real], True, found)


class _Buffers:
    """Scratch arrays reused across the blocks of one work unit."""

    def __init__(self) -> None:
        self.size = 0
        self.x = np.empty(0, np.uint64)
        self.d = np.empty(0, np.uint8)
        self.hit = np.empty(0, np.bool_)

    def get(self, size: int) -> tuple[U64, npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
        if size > self.size:
            self.size = size
            self.x = np.empty(size, np.uint64)
            self.d = np.empty(size, np.uint8)
            self.hit = np.empty(size, np.bool_)
        return self.x[:size], self.d[:size], self.hit[:size]


def _merge(found: Sequence[_Found], n_b: int, repeats: bool = True) -> Pairs:
    """One copy of each pair, sorted by (a, b) so that results are deterministic.
    ``repeats=False``: no pair was found twice, so sorting is enough."""
    a_parts = [x for f in found for x in f.a]
    if not a_parts:
        return Pairs.empty()
    a = np.concatenate(a_parts)
    b = np.concatenate([x for f in found for x in f.b])
    d = np.concatenate([x for f in found for x in f.d])
    key = a * max(n_b, 1) + b
    if repeats:
        _, first = np.unique(key, return_index=True)
    else:
        first = np.argsort(key)
    del key
    return Pairs(a[first], b[first], d[first].astype(np.int8))


def _slice_steps(size: int, k: int) -> Iterator[slice]:
    step = max(256, _STEP_SLOTS // k)
    for start in range(0, size, step):
        yield slice(start, min(size, start + step))


def self_pairs(
    hashes: U64, threshold: int, *, workers: int | None = None, brute_max: int = BRUTE_MAX
) -> Pairs:
    """All index pairs (a < b) of distinct ``hashes`` within ``threshold`` bits.

    ``hashes`` must hold no repeated value (see ``numpy.unique``). ``workers`` threads share
    the work (default: one per core). Up to ``brute_max`` hashes are compared all against
    all, which is faster there (tests set it to 0 to exercise the index on small inputs).
    """
    hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
    n = int(hashes.size)
    if n < 2 or threshold <= 0:
        return Pairs.empty()
    if threshold >= 64 or n <= brute_max:
        return brute_self_pairs(hashes, threshold)
    pad = pad_value(hashes)

    def prepare(chunk: Chunk) -> list[tuple[float, Callable[[], _Found]]]:
        return list(_self_units(BucketTable(chunk, hashes, pad), hashes, threshold, pad))

    # Every chunk's table is prepared before any is searched, so that the longest work units
    # of all chunks start first. Preparing as many chunks at a time as there are workers
    # held fewer tables at once (53 MB less at 100,000 hashes) but cost twice the CPU on a
    # real library's hashes (docs/BENCHMARKS.md, "100,000 small photos").
    chunks = [c for c in plan(n, threshold) if c.radius >= 0]
    units = [u for part in _map([partial(prepare, c) for c in chunks], workers) for u in part]
    units.sort(key=lambda u: -u[0])
    return _merge(_map([u[1] for u in units], workers), n)


def _self_units(
    table: BucketTable, hashes: U64, threshold: int, pad: np.uint64
) -> Iterator[tuple[float, Callable[[], _Found]]]:
    """Work units (estimated cost, job) finding the pairs that agree on one chunk within r.

    Masks are grouped by their highest bit and probed only from the side with a 0 there,
    so that each pair is met once per mask; mask 0 (same bucket) keeps a < b.
    """
    chunk = table.chunk
    n = int(hashes.size)
    groups = [(-1, [0]), *chunk.masks_by_top_bit()]
    mean = n / (1 << chunk.width)
    if table.dense and chunk.width <= BLOCK_MAX_WIDTH:
        k = _Blocks.row_width(table.counts_by_value, chunk.width, 3.0 * (6.0 + mean))
        blocks = _Blocks(table, hashes, k, pad)
        for top, masks in groups:
            if top < 0:
                buckets = blocks.nonempty
            else:
                buckets = blocks.nonempty[(blocks.nonempty & (1 << top)) == 0]
            # Large units are cut by bucket range so that threads finish together.
            cost = float(len(masks) * buckets.size * k * k)
            parts = max(1, min(int(buckets.size) // 256, math.ceil(cost / _UNIT_SLOTS)))
            for part in np.array_split(buckets, parts):
                yield cost / parts, partial(_block_job, blocks, part, masks, threshold)
        overflow = blocks.overflow
        masks_all = [m for _, ms in groups for m in ms]
        if overflow.size:
            yield from _probe_units(table, hashes, overflow, masks_all, threshold, mean)
        return
    for top, masks in groups:
        if top < 0:
            sources = table.order
        else:
            sources = table.order[(table.sorted_values & np.uint64(1 << top)) == 0]
        yield from _probe_units(table, hashes, sources, masks, threshold, mean)


def _probe_units(
    table: BucketTable, hashes: U64, sources: I64, masks: list[int], threshold: int, mean: float
) -> Iterator[tuple[float, Callable[[], _Found]]]:
    """Per-hash probe units, cut into parts of bounded cost (sources stay in chunk order)."""
    cost = float(len(masks) * sources.size * (6.0 + mean))
    parts = max(1, min(int(sources.size) // 1024, math.ceil(cost / _UNIT_SLOTS)))
    for part in np.array_split(sources, parts):
        yield cost / parts, partial(_probe_job, table, hashes, part, masks, threshold, True)


def _block_job(blocks: _Blocks, buckets: I64, masks: list[int], threshold: int) -> _Found:
    found = _Found()
    buffers = _Buffers()
    step = max(64, _STEP_SLOTS // (blocks.k * blocks.k))
    for start in range(0, int(buckets.size), step):
        part = buckets[start : start + step]
        for mask in masks:
            blocks.compare(part, mask, threshold, found, buffers)
    return found


def _probe_job(
    table: BucketTable,
    hashes: U64,
    sources: I64,
    masks: list[int],
    threshold: int,
    ordered: bool,
    earlier: Sequence[Chunk] = (),
) -> _Found:
    """Probe the bucket of every source's chunk value flipped by each mask (``earlier``: see
    ``_probe``)."""
    found = _Found()
    own = hashes is table.hashes and not table.probed
    values = table.values if own else table.chunk.values(hashes)
    for part in _slice_steps(int(sources.size), table.k):
        q = sources[part]
        q_hash = hashes[q]
        q_values = values[q]
        for mask in masks:
            _probe(table, q, q_hash, q_values ^ np.uint64(mask), threshold, found, ordered, earlier)
    return found


def _map(jobs: Sequence[Callable[[], _R]], workers: int | None) -> list[_R]:
    """Run the jobs on ``workers`` threads (numpy releases the GIL in the kernels used)."""
    count = default_workers() if workers is None else max(1, workers)
    if count == 1 or len(jobs) < 2:
        return [job() for job in jobs]
    with ThreadPoolExecutor(count, thread_name_prefix="hamming") as pool:
        return list(pool.map(lambda job: job(), jobs))


def cross_pairs(
    queries: U64,
    index: U64,
    threshold: int,
    *,
    workers: int | None = None,
    brute_max: int = BRUTE_MAX,
    sure: int | None = None,
) -> Pairs:
    """All (query, index entry) pairs within ``threshold``; ``a`` indexes queries, ``b`` index.

    ``index`` must hold no repeated value; ``queries`` may. Up to ``brute_max ** 2``
    query-entry combinations are compared directly (see ``self_pairs``).

    ``sure`` (below ``threshold``): chunks are probed only as far as finding every pair
    within ``sure`` bits needs, and any pair met within ``threshold`` is kept. Pairs between
    the two are then found when their differing bits are unevenly spread over the chunks
    (most are: three quarters at ``sure`` 7 and ``threshold`` 10 over four 16-bit chunks),
    at the cost of the smaller search: each bit of radius multiplies the probes by about
    the chunk width over the radius. For callers to whom a candidate is a chance, not a
    promise (core.window_candidates).
    """
    plan_bits = threshold if sure is None else max(0, min(sure, threshold))
    queries = np.ascontiguousarray(queries, dtype=np.uint64)
    index = np.ascontiguousarray(index, dtype=np.uint64)
    if queries.size == 0 or index.size == 0 or threshold < 0:
        return Pairs.empty()
    if threshold >= 64 or queries.size * index.size <= brute_max**2:
        # Every query against the whole index as one (queries, index) grid: no grid of
        # indices is made and gathered from, only the pairs kept are located.
        d = popcount(queries[:, None] ^ index[None, :])
        a, b = np.nonzero(d <= threshold)
        return Pairs(a.astype(np.int64), b.astype(np.int64), d[a, b].astype(np.int8))
    pad = pad_value(index)
    # Each chunk's table is built by the job that probes it and dropped when it is done, so
    # that only as many tables as there are workers are alive at once: a library's window
    # hashes (core.window_candidates) made four tables of 50-60 MB each at 100,000 files.
    # Each pair is kept by the first chunk it agrees on (``_probe``'s ``earlier``), so the
    # jobs' pairs hold no repeats: a window search found most pairs on two or three chunks.
    chunks = [c for c in plan(int(index.size), plan_bits) if c.radius >= 0]
    building = threading.Lock()
    jobs = [
        partial(_cross_job, chunk, chunks[:i], index, pad, queries, threshold, building)
        for i, chunk in enumerate(chunks)
    ]
    return _merge(_map(jobs, workers), int(index.size), repeats=False)


def _cross_job(
    chunk: Chunk,
    earlier: Sequence[Chunk],
    index: U64,
    pad: np.uint64,
    queries: U64,
    threshold: int,
    building: threading.Lock,
) -> _Found:
    """The pairs of ``queries`` and ``index`` that agree on ``chunk`` within its radius and
    on none of the ``earlier`` chunks within theirs. One job at a time builds its table
    (``building``): a build's sorting and placing hold several arrays as long as the index
    for a moment, and two at once made most of a 100,000-file window search's peak."""
    with building:
        table = BucketTable(chunk, index, pad, probed=True)
    # Queries in chunk order, so that consecutive probes read neighbouring rows.
    sources = np.argsort(chunk.values(queries), kind="stable").astype(np.int64)
    masks = [0] + [m for _, ms in chunk.masks_by_top_bit() for m in ms]
    return _probe_job(table, queries, sources, masks, threshold, False, earlier)


def brute_self_pairs(hashes: U64, threshold: int) -> Pairs:
    """Reference answer for tests and benchmarks: O(n^2), small inputs only."""
    hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
    n = int(hashes.size)
    a, b = np.triu_indices(n, 1)
    d = popcount(hashes[a] ^ hashes[b])
    keep = d <= threshold
    return Pairs(a[keep].astype(np.int64), b[keep].astype(np.int64), d[keep].astype(np.int8))
