"""One chunk's buckets of 64-bit hashes laid out for the Hamming search (core.hamming).

Every bucket's entries sit in rows of K slots, so that a probe gathers a whole bucket with
one indexed read and compares it with one broadcast XOR; pads fill the rows that are not
full, with a value far from every hash so that pads never pass the distance test. The
search's kernels (dense blocks and probes) read these tables; the chunk layout that decides
K and the chunk widths lives in core.hamming_plan.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.hamming_plan import Chunk, row_width

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

# Chunk widths up to this get a direct (dense) bucket lookup table; wider ones bisect.
_DENSE_MAX_WIDTH = 22


def popcount(x: U64) -> npt.NDArray[np.uint8]:
    return np.bitwise_count(x)


class BucketTable:
    """One chunk's buckets as rows of K slots: a bucket of c entries owns ceil(c / K) rows.

    ``slot_rows`` holds the hashes, one row of K per item (a pad value where a row is not
    full), and ``slot_index`` their positions in the input (-1 for a pad). A probe of chunk
    value v gathers the bucket's first row (``lookup``); the probes whose bucket has more
    rows gather those in later steps.
    """

    def __init__(self, chunk: Chunk, hashes: U64, pad: np.uint64, *, probed: bool = False) -> None:
        """``probed``: the table is only probed by queries of another set (``cross_pairs``),
        so the sorted order, ranks and chunk values that self-search walks are not kept:
        over a million window hashes they were four of a table's seven arrays."""
        n = int(hashes.size)
        self.chunk = chunk
        self.probed = probed
        self.hashes = hashes
        self.k = k = row_width(n, chunk.width)
        if probed and k == 1 and chunk.width <= _DENSE_MAX_WIDTH:
            self._one_per_row(n, pad)
            return
        self.values = chunk.values(hashes)
        order = np.argsort(self.values, kind="stable")
        sorted_values = self.values[order]
        # Runs of equal values in the sorted order are the buckets (np.unique would sort again).
        starts = np.flatnonzero(np.concatenate(([True], sorted_values[1:] != sorted_values[:-1])))
        keys = sorted_values[starts]
        counts = np.diff(np.append(starts, n))
        rows = (counts + (k - 1)) // k
        first = np.cumsum(rows) - rows
        total_rows = int(rows.sum())
        # Entry j of the sorted order, of bucket b, sits at slot first[b] * k + (j - starts[b])
        # (its rank in the bucket; row first[b] + rank // k, column rank % k).
        slot = np.repeat(first * k - starts, counts)
        slot += np.arange(n)
        if probed:
            nothing = np.zeros(0, np.int64)
            self.values = self.sorted_values = np.zeros(0, np.uint64)
            self.order = self.rank = nothing
            del sorted_values
        else:
            self.order = order.astype(np.int64)
            self.sorted_values = sorted_values
            self.rank = slot - np.repeat(first * k, counts)
        slot_hash = np.full((total_rows + 1) * k, pad, dtype=np.uint64)
        slot_hash[slot] = hashes[order]
        slot_index = np.full((total_rows + 1) * k, -1, dtype=np.int64)
        slot_index[slot] = order
        del slot, order
        self.slot_rows = slot_hash.view(np.dtype((np.void, 8 * k)))
        self.slot_index = slot_index
        self.empty_row = total_rows  # all pads: where probes of absent values land
        self.dense = chunk.width <= _DENSE_MAX_WIDTH
        self.keys = keys
        self.first = first.astype(np.int64)
        self.rows = rows.astype(np.int64)
        if self.dense:
            # One entry per chunk value (four million at 22 bits): row numbers and counts
            # fit 32 bits, and only self-search (``_Blocks``) reads the counts.
            size = 1 << chunk.width
            self.first_by_value = np.full(size, self.empty_row, dtype=np.int32)
            self.rows_by_value = np.zeros(size, dtype=np.int32)
            idx = keys.astype(np.int64)
            self.first_by_value[idx] = self.first
            self.rows_by_value[idx] = self.rows
            self.counts_by_value = np.zeros(0 if probed else size, dtype=np.int64)
            if not probed:
                self.counts_by_value[idx] = counts
            else:
                # Probes look buckets up by value only: the per-bucket arrays (as long as
                # the hashes where most buckets hold one) are not needed.
                self.keys = np.zeros(0, np.uint64)
                self.first = self.rows = np.zeros(0, np.int64)

    def _one_per_row(self, n: int, pad: np.uint64) -> None:
        """The table of ``__init__`` where every bucket row holds one entry (K = 1) and a
        probe looks buckets up by chunk value only: entries sit in the chunk values' sorted
        order, a bucket's first row is where its value starts there. Counted per chunk value
        (``bincount``) rather than per bucket: at 22 bits and two million window hashes the
        per-bucket arrays were seven arrays as long as the hashes, most of a search's peak.
        """
        chunk, hashes = self.chunk, self.hashes
        values = chunk.values(hashes)
        order = np.argsort(values, kind="stable")
        counts = np.bincount(values.view(np.int64), minlength=1 << chunk.width)
        del values
        self.dense = True
        self.empty_row = n  # all pads: where probes of absent values land
        self.rows_by_value = counts.astype(np.int32)
        np.cumsum(counts, out=counts)
        counts -= self.rows_by_value
        self.first_by_value = counts.astype(np.int32)
        del counts
        self.first_by_value[self.rows_by_value == 0] = n
        slot_hash = np.empty(n + 1, dtype=np.uint64)
        np.take(hashes, order, out=slot_hash[:n])
        slot_hash[n] = pad
        slot_index = np.empty(n + 1, dtype=np.int64)
        slot_index[:n] = order
        slot_index[n] = -1
        del order
        self.slot_rows = slot_hash.view(np.dtype((np.void, 8)))
        self.slot_index = slot_index
        nothing = np.zeros(0, np.int64)
        self.values = self.sorted_values = self.keys = np.zeros(0, np.uint64)
        self.order = self.rank = self.first = self.rows = self.counts_by_value = nothing

    def lookup(self, values: U64) -> tuple[I64, I64]:
        """First row and row count of the bucket of each chunk value (0 rows when absent)."""
        if self.dense:
            idx = values.astype(np.int64)
            return (
                self.first_by_value[idx].astype(np.int64),
                self.rows_by_value[idx].astype(np.int64),
            )
        pos = np.searchsorted(self.keys, values)
        pos_c = np.minimum(pos, self.keys.size - 1)
        found = self.keys[pos_c] == values
        first = np.where(found, self.first[pos_c], self.empty_row)
        rows = np.where(found, self.rows[pos_c], 0)
        return first, rows


# The pads tried, best first found kept: the first eight draws of numpy's
# ``default_rng(0x5EED).integers(0, 2**64 - 1, size=8, dtype=np.uint64)``, written out. The
# generator's module (numpy.random, and random, secrets and hmac with it) took 12 ms of CPU
# in the first search that built a table, while one core of two sat idle in the grouping.
PAD_CANDIDATES: Final = (
    0x234F4E02517BBEFB,
    0xFD7E720FAFB23632,
    0x38F684EAB9E346BE,
    0xA146DD2C5D05C904,
    0x7CFE7917356635AD,
    0x1B003DC733167453,
    0xCB90F1656FAF94FB,
    0x0E43B5873C2B4F95,
)


def pad_value(hashes: U64) -> np.uint64:
    """A value p such that p and ~p are both far from every hash.

    Pads hold p or ~p, so that pads never pass the distance test against each other (they
    differ in all 64 bits) and almost never against a hash; pads are recognised by their
    index anyway, a far pad only keeps them out of the hits.
    """
    best = 0
    best_distance = -1
    for candidate in PAD_CANDIDATES:
        d = popcount(hashes ^ np.uint64(candidate))
        nearest = min(int(d.min(initial=64)), 64 - int(d.max(initial=0)))
        if nearest > best_distance:
            best, best_distance = int(candidate), nearest
    pad: np.uint64 = np.uint64(best)
    return pad
