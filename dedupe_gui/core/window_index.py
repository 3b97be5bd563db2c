"""The window hashes of a library indexed for the search of its files' own hashes.

That search is ten times larger than the plain one (about ten windows per file), so it is
kept cheap in two ways. Its radius is at most ``WINDOW_BITS`` (core.window_candidates):
windows multiply the chances of a chance match, and trims within 10 bits of a window are
88-100 % of those measured. And
the chunks of the multi-index are probed only as far as ``SURE_BITS`` needs: every pair
within that is found, and most pairs up to ``WINDOW_BITS`` are (their differing bits are
rarely spread evenly over the chunks), the more so as the search runs twice, the second time
with each hash's grid of bits transposed (``LAYOUTS``). Measured in docs/BENCHMARKS.md
("Window search"). One search sure to 7 bits lost 3 cropped copies of the first corpus
(their windows sit 8 bits away); sure to 8 bits found them at 3.5x the CPU of the plain
search at 100k hashes, the transposed pass at a few probes per hash.

The window hashes are laid out in small types and searched one set at a time (far windows
first, on one thread): at 100,000 files they are some four million, and the index's arrays
and the search's tables made a cold grouping's peak (docs/BENCHMARKS.md, "100,000 small
photos: a cold grouping's memory cut down").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.candidates import cross
from dedupe_gui.core.hamming import Pairs, cross_pairs
from dedupe_gui.core.models import Hashes, ImageRecord
from dedupe_gui.core.windows import CENTRE_SLOT, far_windows

if TYPE_CHECKING:
    from dedupe_gui.core.kept_searches import Searches

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]
U64 = npt.NDArray[np.uint64]

# Distance up to which every such pair is found for sure (see the module docstring).
SURE_BITS: Final = 7
# The search runs on the hashes as they are (sure to ``SURE_BITS``) and once more with each
# hash's 8x8 grid of bits transposed, sure to 3 bits only. The multi-index chunks are pairs
# of rows of the grid, and a trim or a shift moves the bits of a column or two in every row:
# two per chunk, just the even spread a search sure to fewer bits misses. Transposed, those
# columns are rows, in one or two chunks, and the other chunks agree exactly: probing each
# chunk's own bucket (what sure to 3 bits does) finds them, for a few probes per hash.
LAYOUTS: Final = ((False, SURE_BITS), (True, 3))
# The far windows (off-centre squares, deep trims: core.windows.far_windows), twice as many
# as the others, are searched once, over transposed bit grids (a deep trim or a shifted
# square moves columns of bits, rows once transposed) sure to 5 bits: without the second
# table set and pass the near windows get. Measured on seeds 1-2 of bench.edit_corpus: of
# the square crops and trims of 12-25 % within 10 bits of a far window of their photo (62
# of 96), this finds 59 (each chunk's own bucket in both layouts: 55, at more CPU).
FAR_LAYOUTS: Final = ((True, 5),)
# Threads of the far windows' search. Measured in process on the 100,000-file library's
# hashes: 2 threads +382 MB over what was held, 1 thread +315 MB, and less CPU on a loaded
# machine (docs/BENCHMARKS.md, "100,000 small photos").
FAR_WORKERS: Final = 1


class WindowIndex:
    """Window hashes (``values``, each of record ``owner``'s window number ``slot``) searched
    against the records' own hashes with ``layouts`` (``window_pairs``), once per largest
    radius asked."""

    def __init__(
        self,
        values: U64,
        owner: I32,
        slot: I8,
        layouts: Sequence[tuple[bool, int]],
        workers: int | None = None,
        largest: int = 64,
        *,
        searches: Searches | None = None,
        kind: str = "windows",
    ) -> None:
        """``workers``: threads of the search (``cross_pairs``; None: one per core).
        ``largest``: the largest radius ever asked; once searched at it, the distinct window
        hashes are let go (some 30 MB at 100,000 files, held through the whole walk that
        checks the pairs). ``searches``: where the search is made, as ``kind``
        (core.kept_searches; None: in full here)."""
        self._searches = searches
        self._kind = kind
        by_value = np.argsort(values, kind="stable")
        # The records owning unique window value v are _owners[_bounds[v]:_bounds[v + 1]],
        # each through its window number _slots[...] (small types: two of these per window
        # hash of the library, some two million at 100,000 files). Each array is made
        # as it is kept, and the order goes before the unique values are found: at 100,000
        # files each of these steps holds tens of megabytes.
        self._owners: I32 = owner[by_value].astype(np.int32, copy=False)
        self._slots: I8 = slot[by_value].astype(np.int8, copy=False)
        ordered = values[by_value]
        del by_value
        first = np.ones(min(1, ordered.size), dtype=bool)  # none for no windows at all
        starts = np.flatnonzero(np.concatenate([first, ordered[1:] != ordered[:-1]]))
        self._values: U64 = ordered[starts]
        del ordered
        self._bounds: I64 = np.append(starts, values.size).astype(np.int64, copy=False)
        self._layouts = layouts
        self._workers = workers
        self._largest = largest
        self._pairs = Pairs.empty()
        self._bits = -1

    def pairs(self, queries: U64, bounds: I64, bits: int) -> tuple[I64, I32, I8, I8]:
        """(position, owner, slot, distance) of every window found within ``bits`` of one of
        ``queries`` (distinct hashes, always the same ones), one row per record sharing the
        query: ``bounds`` gives the positions of query u's records (as core.grouping keeps
        them). In the index's small types: millions of rows at 100,000 files."""
        if bits > self._bits:
            if self._bits >= self._largest:
                # The hashes went after the widest search asked for: a wider one would find
                # nothing and say nothing.
                raise ValueError(
                    f"window hashes searched at {self._bits} bits and let go; {bits} asked"
                )
            if self._searches is None:
                self._pairs = window_pairs(
                    queries, self._values, bits, self._layouts, self._workers
                )
            else:
                self._pairs = self._searches.window_pairs(
                    self._kind, queries, self._values, bits, self._layouts, self._workers
                )
            self._bits = bits
            if bits >= self._largest:
                self._values = np.zeros(0, np.uint64)  # never searched again
        keep = self._pairs.distance <= bits
        position, entry, which = cross(
            bounds, self._pairs.a[keep], self._bounds, self._pairs.b[keep]
        )
        distance: I8 = self._pairs.distance[keep][which]
        del which
        return position, self._owners[entry], self._slots[entry], distance


def windows_of(records: Sequence[ImageRecord], far: bool) -> tuple[U64, I32, I8]:
    """The far window hashes of ``records`` (``far``) or the others but the centre's (which
    is compared with other centres only: core.centre_candidates), each with its record and
    its window number, in record and window order. Read from the fingerprints' packed hashes
    at once, not one int at a time, in small types, one kind at a time: some four million
    windows at 100,000 files, where each 64-bit array of all of them is 33 MB, and all of
    them with both kinds picked out of them, beside the two indexes' builds, made the
    window search's index 220 MB over what the grouping held."""
    counts = np.fromiter((len(r.fingerprint.windows) for r in records), np.int64, len(records))
    total = int(counts.sum())
    packed = b"".join([Hashes.of(r.fingerprint.windows).packed for r in records])
    owner = np.repeat(np.arange(len(records), dtype=np.int32), counts)
    # Each window's number within its record: steps of one, back to 0 at each record's
    # first (counted in int8 as they are kept: a fingerprint holds under 128 windows).
    step = np.ones(total, dtype=np.int8)
    held = counts > 0
    step[(np.cumsum(counts) - counts)[held][1:]] = (1 - counts[held][:-1]).astype(np.int8)
    step[:1] = 0
    slot = np.cumsum(step, dtype=np.int8)
    del step
    far_of = np.array([far_windows(c) for c in range(int(counts.max(initial=0)) + 1)], np.int64)
    first_far = (counts - far_of[counts]).astype(np.int8)
    chosen = slot >= first_far[owner]
    if not far:
        chosen = ~chosen
    chosen &= slot != CENTRE_SLOT
    values = np.frombuffer(packed, dtype=">u8")[chosen]
    del packed
    values.byteswap(inplace=True)  # the kept ones only, in place: no second copy of them
    out: U64 = values.view(values.dtype.newbyteorder())
    return out, owner[chosen], slot[chosen]


def window_pairs(
    queries: U64,
    index: U64,
    bits: int,
    layouts: Sequence[tuple[bool, int]] = LAYOUTS,
    workers: int | None = None,
) -> Pairs:
    """``cross_pairs`` of ``queries`` against ``index`` (no repeated values) within ``bits``,
    once per (transposed, sure) of ``layouts``: the bit grids transposed or not, probed sure
    to that many bits; each pair once, sorted by (query, entry)."""
    parts = [
        cross_pairs(laid(queries, t), laid(index, t), bits, sure=sure, workers=workers)
        for t, sure in layouts
    ]
    if not parts:
        return Pairs.empty()
    a = np.concatenate([p.a for p in parts])
    b = np.concatenate([p.b for p in parts])
    d = np.concatenate([p.distance for p in parts])
    _, first = np.unique(a * max(int(index.size), 1) + b, return_index=True)
    return Pairs(a[first], b[first], d[first])


def laid(values: U64, transposed: bool) -> U64:
    """The values, or each one's 8x8 grid of bits transposed (three delta swaps); either
    way distances between values stay the same."""
    if not transposed:
        return values
    x: U64 = values.copy()
    for shift, mask in ((7, 0x00AA00AA00AA00AA), (14, 0x0000CCCC0000CCCC), (28, 0xF0F0F0F0)):
        k, m = np.uint64(shift), np.uint64(mask)
        t = (x ^ (x >> k)) & m
        x ^= t ^ (t << k)
    return x
