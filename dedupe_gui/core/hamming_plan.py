"""How the multi-index Hamming search (core.hamming) cuts the 64 bits into chunks.

The search's cost is probes plus candidates, and which chunking is cheapest depends on the
number of hashes and the threshold: more chunks mean narrower buckets but more flip masks.
The plan is the chunking with the least estimated work, from a cost model fitted to timings
of the two kernels (dense blocks and per-hash probes) on a million hashes; it is pure
arithmetic on (n, T), kept apart from the kernels that carry it out.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]

# Chunk widths up to this are searched as dense K x K blocks in self-search.
BLOCK_MAX_WIDTH = 20


@dataclass(frozen=True, slots=True)
class Chunk:
    shift: int
    width: int
    radius: int

    def values(self, hashes: U64) -> U64:
        shifted: U64 = hashes >> np.uint64(self.shift)
        masked: U64 = shifted & np.uint64((1 << self.width) - 1)
        return masked

    def masks_by_top_bit(self) -> Iterator[tuple[int, list[int]]]:
        """Flip masks of 1..radius bits grouped by their highest bit (mask 0 is apart)."""
        for top in range(self.width):
            masks = [
                (1 << top) | sum(1 << b for b in low)
                for weight in range(self.radius)
                for low in itertools.combinations(range(top), weight)
            ]
            if masks:
                yield top, masks


def _ball(width: int, radius: int) -> int:
    """How many values lie within ``radius`` bits of one ``width``-bit value."""
    return sum(math.comb(width, k) for k in range(min(radius, width) + 1))


def _chunks(m: int, threshold: int) -> list[Chunk]:
    base, extra = divmod(threshold + 1, m)
    wbase, wextra = divmod(64, m)
    chunks: list[Chunk] = []
    shift = 0
    for i in range(m):
        width = wbase + (1 if i < wextra else 0)
        radius = base - 1 + (1 if i < extra else 0)
        chunks.append(Chunk(shift, width, radius))
        shift += width
    return chunks


def row_width(n: int, width: int) -> int:
    """Slots per row: about the mean bucket size, so rows are neither mostly pads nor chained."""
    return max(1, min(64, round(n / (1 << width))))


def _estimated_cost(n: int, chunks: Sequence[Chunk]) -> float:
    """Estimated nanoseconds for ``n`` hashes, from timings of the two paths on 1M hashes.

    Chunks narrow enough for dense blocks cost about 1.6 ns per block slot (K*K per pair of
    buckets, K a little above the mean bucket size) plus a few ns per bucket pair; wider
    chunks cost about 17 ns per probe plus 3 ns per slot of the probed rows.
    """
    cost = 0.0
    for c in chunks:
        if c.radius < 0:
            continue
        masks = _ball(c.width, c.radius)
        mean = n / (1 << c.width)
        if c.width <= BLOCK_MAX_WIDTH:
            k = max(1.0, mean + math.sqrt(mean))
            buckets = min(float(1 << c.width), float(n))
            cost += masks * buckets / 2 * (1.6 * k * k + 4.0)
        else:
            k = row_width(n, c.width)
            slots = k * (1 + mean / k)
            cost += masks * n / 2 * (17.0 + 3.0 * slots)
    return cost


def plan(n: int, threshold: int) -> list[Chunk]:
    """The chunking with the least estimated work for ``n`` hashes at ``threshold``."""
    best: list[Chunk] = []
    best_cost = math.inf
    for m in range(1, min(threshold + 1, 64) + 1):
        chunks = _chunks(m, threshold)
        if any(c.radius > c.width for c in chunks):
            continue
        cost = _estimated_cost(n, chunks)
        if cost < best_cost:
            best, best_cost = chunks, cost
    return best
