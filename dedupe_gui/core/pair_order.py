"""Which way the thumbnail check reads a pair, from the pictures alone.

Several steps of the check read a pair one way: the alignment warps the second picture onto
the first and tries the other way only when the first does not settle the pair, a window
found on one side is looked through from the other, the local-edit look and the text check
weigh one side's tiles. So a copy and its original can pass read one way and fail read the
other, and whatever picks the way picks the verdict. Picked by the files' names, sizes or
times (the order of their ids), the same photos grouped one way on one disk and another way
after a rename or a copy; picked by the pictures, they group the same everywhere.

Two pictures of two sizes may be a copy made from the other, and which one is the reference
the sizes do not say (a crop or a resize has fewer pixels than its original, a frame or a
letterbox more): such a pair is read both ways, and passes when either reading does. Two
pictures of one size (a re-encode, a filter, a caption or a sticker on the same canvas, but
also two frames of one scene from one camera) must pass both readings. Measured over every
pair the grouping checked on edit seeds 1, 2, 4, 5 and the first corpus, read the other way than
the ids had it, 0.07-0.4 % changed verdict: every copy among them passes under these rules,
and the one pair of different photos among them, two frames of one size, fails
(docs/ACCURACY.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.orientations import INVERSE

I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]
Flags = npt.NDArray[np.bool_]
# Residuals of pairs (a, b, b's turn seen from a) and which could not be checked
# (PairChecker._residuals).
Read = Callable[[I64, I64, I64], tuple[F32, Flags]]


def reference_first(
    pixels: I64, hashes: npt.NDArray[np.uint64], pair: tuple[I64, I64, I64]
) -> tuple[I64, I64, I64, Flags]:
    """``pair`` (records ``a``, ``b``, and ``b``'s turn seen from ``a``) in the order it is
    read first: the record with more ``pixels`` first, then the one with the lower hash, the
    turn seen from it; and which pairs are of one size. Only a pair of one size and one hash
    keeps the order it came in (``PairOrder.residuals`` reads those both ways)."""
    a, b, turn = pair
    swap = (pixels[b] > pixels[a]) | ((pixels[b] == pixels[a]) & (hashes[b] < hashes[a]))
    first = np.where(swap, b, a)
    second = np.where(swap, a, b)
    seen = np.where(swap, np.asarray(INVERSE, dtype=np.int64)[turn], turn)
    return first, second, seen, pixels[a] == pixels[b]


class PairOrder:
    """The pixels and hashes of one scan's records, which decide how its pairs are read."""

    def __init__(self, records: Sequence[ImageRecord]) -> None:
        n = len(records)
        self._pixels: I64 = np.fromiter(
            (r.fingerprint.width * r.fingerprint.height for r in records), dtype=np.int64, count=n
        )
        self._hashes = np.fromiter((r.fingerprint.hash for r in records), dtype=np.uint64, count=n)

    def residuals(self, read: Read, pair: tuple[I64, I64, I64], limit: float) -> tuple[F32, Flags]:
        """``read``'s residuals of ``pair`` (records ``a``, ``b``, ``b``'s turn seen from
        ``a``), the same whichever of the two is ``a``: read first from ``reference_first``'s
        side, then the other way where that decides. Pairs of two sizes that failed
        (``limit``) keep the smaller residual, pairs of one size that passed the larger, and
        so do pairs of one size and one hash that failed; a pair that could not be checked
        either way is marked so."""
        first, second, seen, one_size = reference_first(self._pixels, self._hashes, pair)
        out, unknown = read(first, second, seen)
        passed = out <= limit
        same_hash = self._hashes[first] == self._hashes[second]
        again = np.flatnonzero(~unknown & np.where(one_size, passed | same_hash, ~passed))
        if again.size:
            back, lost = read(
                second[again], first[again], np.asarray(INVERSE, dtype=np.int64)[seen[again]]
            )
            both = (out[again], back)
            out[again] = np.where(one_size[again], np.maximum(*both), np.minimum(*both))
            unknown[again] = lost
        return out, unknown
