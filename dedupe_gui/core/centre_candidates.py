"""Candidate pairs through the middle of the pictures: darkened corners, compared centre to
centre.

A vignette darkens the corners by half or more. The whole picture's dHash compares
neighbouring pixels across the frame, and the falling light near the edges flips the bits
there: a vignetted copy sits 13-20 bits from its original, beyond the default threshold,
while its 32x32 thumbnail still agrees once the smooth gain field is divided out
(core.verify). The middle half of the picture (core.windows.CENTRE) keeps its bits: 0-6 of
64 on two edit corpora. So every file's centre hash is searched against the other files'
centre hashes within ``CENTRE_BITS`` (never more than the grouping's threshold), with the
same multi-index search as the own hashes; the thumbnail check decides as for any other
candidate. The radius is tighter than the threshold because a centre is only part of the
picture: measured on two edit corpora (150,000 pairs of different pictures each), 41 and 43
pairs of different pictures have centres within 8 bits, of which 4 and 27 were not within 12
bits of each other's whole hash already; the vignetted copies' centres were 0-6 bits apart
(docs/ACCURACY.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.candidates import Candidates, cross, pairs_within_segments
from dedupe_gui.core.hamming import Pairs
from dedupe_gui.core.kept_searches import Searches
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.windows import CENTRE_SLOT

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]

# Largest distance between two files' centre hashes that makes a candidate.
CENTRE_BITS: Final = 8


class CentreCandidates:
    """The centre hashes of one set of records, searched once per largest radius asked."""

    def __init__(
        self, records: Sequence[ImageRecord], own: U64, searches: Searches | None = None
    ) -> None:
        """``own``: each record's own hash (the distance a candidate reports); ``searches``:
        where the search is made (core.kept_searches)."""
        self._own = own
        self._searches = Searches() if searches is None else searches
        has = np.fromiter(
            (len(r.fingerprint.windows) > CENTRE_SLOT for r in records),
            dtype=bool,
            count=len(records),
        )
        self._records: I64 = np.flatnonzero(has).astype(np.int64)
        centres = np.fromiter(
            (records[i].fingerprint.windows[CENTRE_SLOT] for i in self._records.tolist()),
            dtype=np.uint64,
            count=self._records.size,
        )
        self._unique, inverse = np.unique(centres, return_inverse=True)
        inverse = inverse.reshape(-1)
        # Records sharing unique centre u: _order[_bounds[u]:_bounds[u + 1]] (record indices).
        by_value = np.argsort(inverse, kind="stable")
        self._order: I64 = self._records[by_value]
        self._bounds: I64 = np.searchsorted(
            inverse[by_value], np.arange(self._unique.size + 1)
        ).astype(np.int64)
        self._pairs = Pairs.empty()
        self._bits = -1

    def at(self, threshold: int) -> Candidates:
        """Record pairs whose centre hashes are within ``min(threshold, CENTRE_BITS)``;
        ``distance`` is the one between the two files' own hashes."""
        bits = min(threshold, CENTRE_BITS)
        if bits > self._bits:
            self._pairs = self._searches.self_pairs("centre", self._unique, bits)
            self._bits = bits
        keep = self._pairs.distance <= bits
        same_a, same_b = pairs_within_segments(self._order, self._bounds)
        pos_a, pos_b, _ = cross(
            self._bounds, self._pairs.a[keep], self._bounds, self._pairs.b[keep]
        )
        a = np.concatenate([same_a, self._order[pos_a]])
        b = np.concatenate([same_b, self._order[pos_b]])
        distance = np.bitwise_count(self._own[a] ^ self._own[b]).astype(np.int64)
        return Candidates(a, b, np.zeros(a.size, np.int64), distance)
