"""A first glance through the window that brought a pair together, on the thumbnails at hand.

In a dense library most pairs the window search brings (crops of one photo that overlap in
part, chance matches between photos) are different pictures, and each cost the whole check:
the aligned 32x32 residual, the local-edit look, the window decoded again. A trimmed copy
shows what its original's window shows, so the window's part of the owner's stored 32x32
thumbnail, brought to the thumbnail's size, correlates with the other file's thumbnail as
copies do. A pair that fails the 16x16 first test (core.prefilter.first_test) through its
window, as well as whole, is no copy; it is ruled out before any alignment or decode.

Only the windows a picture's shape places are read here (core.windows.placed_box: the
edges, the middle half, the squares of a picture without a border, the deep edges); a
window inside a border or a screenshot's chrome is placed on the picture itself, which the
fingerprint does not keep, so a pair brought by one is never ruled out here. Nor are two
pictures of flat areas and edges (slides, pages, screenshots: the pair check leaves them
out), whose chrome or layout may be most of what correlates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.align import warp_values
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.prefilter import first_test, signatures
from dedupe_gui.core.verify import FLAT_DETAIL, detail
from dedupe_gui.core.windows import placed_box

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]
Bools = npt.NDArray[np.bool_]


def window_params(records: Sequence[ImageRecord], owners: I64, slots: I64) -> F32:
    """Per window (its owner's record, its slot), the warp (core.align.warp: scale x, scale
    y, shift x, shift y) that brings the window's part of a thumbnail to the whole
    thumbnail; NaN where ``placed_box`` does not place it."""
    out = np.full((slots.size, 4), np.nan, dtype=np.float32)
    for n, (owner, slot) in enumerate(zip(owners.tolist(), slots.tolist(), strict=True)):
        fp = records[owner].fingerprint
        box = placed_box(len(fp.windows), slot, fp.width / max(1, fp.height))
        if box is not None:
            out[n] = (box[2] - box[0], box[3] - box[1], box[0], box[1])
    return out


def apart_through_window(
    records: Sequence[ImageRecord], pairs: tuple[I64, I64, I64], thumbs: Callable[[I64], U8]
) -> Bools:
    """Which pairs (window owner, window slot, the other record) fail the 16x16 first test
    through their window: the window's part of the owner's thumbnail against the other
    file's thumbnail (``thumbs``: the 32x32 thumbnails of records). Windows that
    ``placed_box`` does not place, and flat parts (whose correlation is noise), are never
    apart here."""
    owners, slots, others = pairs
    params = window_params(records, owners, slots)
    out = np.zeros(slots.size, dtype=bool)
    known = np.flatnonzero(~np.isnan(params[:, 0]))
    if known.size:
        parts = warp_values(thumbs(owners[known]).astype(np.float32), params[known])[0]
        ruled, _ = first_test(
            signatures(parts), signatures(thumbs(others[known])), detail(parts) < FLAT_DETAIL
        )
        out[known] = ruled
    return out


def apart_through(
    through: tuple[Bools, I64, I64],
    records: Sequence[ImageRecord],
    pairs: tuple[I64, I64, I64],
    asked: Bools,
    thumbs: Callable[[I64], U8],
) -> Bools:
    """Which of the ``asked`` pairs of records (a, b, b's turn) an upright window brought
    together (``through``: ``WindowCandidates.through`` of the pairs, which the caller
    has already) and fail the first test through it (``apart_through_window``)."""
    a, b, turn = pairs
    out = np.zeros(a.size, dtype=bool)
    came, owners, slots = through
    glance = np.flatnonzero(asked & came & (turn == 0))
    if glance.size:
        others = np.where(owners[glance] == a[glance], b[glance], a[glance])
        found = (owners[glance], slots[glance], others)
        out[glance] = apart_through_window(records, found, thumbs)
    return out
