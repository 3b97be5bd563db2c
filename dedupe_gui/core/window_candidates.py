"""Candidate pairs through window hashes: one file's own hash near a window of another's.

A trimmed, square-cropped or framed copy has a dHash far from its original's, but close to
the dHash of the matching window of the other picture (core.windows). Every file's own hash
is searched against every window hash of the library (core.hamming ``cross_pairs``).

That search is ten times larger than the plain one (about ten windows per file), so it is
kept cheap in two ways. Its radius is at most ``WINDOW_BITS``: windows multiply the chances
of a chance match, and trims within 10 bits of a window are 88-100 % of those measured. And
the chunks of the multi-index are probed only as far as ``SURE_BITS`` needs: every pair
within that is found, and most pairs up to ``WINDOW_BITS`` are (their differing bits are
rarely spread evenly over the chunks). Measured in docs/BENCHMARKS.md ("Window search"):
this is what keeps the search in the class of the plain one at 100k and 1M hashes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.candidates import Candidates, cross
from dedupe_gui.core.hamming import Pairs, cross_pairs
from dedupe_gui.core.models import ImageRecord

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]

# Largest distance between a file's hash and a window hash of another that makes a
# candidate (never more than the grouping's threshold).
WINDOW_BITS: Final = 10
# Distance up to which every such pair is found for sure (see the module docstring).
SURE_BITS: Final = 7


class WindowCandidates:
    """The window hashes of one set of records, searched once per largest radius asked."""

    def __init__(
        self, records: Sequence[ImageRecord], unique: U64, inverse: I64, order: I64, bounds: I64
    ) -> None:
        """``unique``: the records' distinct own hashes, record i's being
        ``unique[inverse[i]]``; the records sharing unique hash u are
        ``order[bounds[u]:bounds[u + 1]]`` (as core.grouping keeps them)."""
        self._hashes = unique[inverse]
        self._unique = unique
        self._order = order
        self._bounds = bounds
        values: list[int] = []
        owner: list[int] = []
        for i, r in enumerate(records):
            values.extend(r.fingerprint.windows)
            owner.extend([i] * len(r.fingerprint.windows))
        uniq, inv = np.unique(np.array(values, dtype=np.uint64), return_inverse=True)
        inv = inv.reshape(-1)
        by_value = np.argsort(inv, kind="stable")
        self._values = uniq
        # The records owning unique window value v are _owners[_vbounds[v]:_vbounds[v + 1]].
        self._vbounds = np.searchsorted(inv[by_value], np.arange(uniq.size + 1)).astype(np.int64)
        self._owners = np.array(owner, np.int64)[by_value]
        self._pairs = Pairs.empty()
        self._bits = -1

    def at(self, threshold: int) -> Candidates:
        """Record pairs where one file's own hash is within ``min(threshold, WINDOW_BITS)``
        of a window of another (``a``: the file, ``b``: the window's owner). ``distance`` is
        still the one between the two files' own hashes."""
        bits = min(threshold, WINDOW_BITS)
        if bits > self._bits:
            self._pairs = cross_pairs(self._unique, self._values, bits, sure=SURE_BITS)
            self._bits = bits
        pairs = self._pairs
        keep = pairs.distance <= bits
        pos_a, entry, _ = cross(self._bounds, pairs.a[keep], self._vbounds, pairs.b[keep])
        a, b = self._order[pos_a], self._owners[entry]
        other = a != b
        a, b = a[other], b[other]
        distance = np.bitwise_count(self._hashes[a] ^ self._hashes[b]).astype(np.int64)
        return Candidates(a, b, np.zeros(a.size, np.int64), distance)
