"""Which checked pairs are worth decoding again for a second look (core.strokes).

The second look decodes both files of a pair at 128x128, which costs tens of milliseconds a
pair; on a library of plain copies (re-encodes, resizes, format changes) nearly every file
is in a passing pair, and the look would decode the whole library again. What it looks for
(each file having strokes of its own where the other shows a shared background) leaves a
trace already in the 32x32 thumbnails kept with the fingerprints: once the pair is aligned,
the difference of the two normalised thumbnails goes far above and far below zero, at the
places where each file has its own text. A re-encode, a resize or a re-grade stays within
a fraction of the pictures' contrast everywhere, and a watermark or a date stamp goes one
way only. So only pairs whose aligned 32x32 difference is two-sided beyond that get the
second look. docs/ACCURACY.md has the measurements behind ``TWO_SIDED``.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.align import gauss_newton, identity_params, normalise, smooth, warp_values

F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]

# Smaller of the largest positive and the largest negative difference (normalised units) of
# two aligned 32x32 thumbnails above which a pair may hide two-sided text. Measured: two
# slides on one background that pass the 32x32 check 0.66 and more (23 pairs on two edit
# corpora), copies of the first corpus under 0.5 for 5 pairs in 6 (crops, re-grades and
# watermarks included).
TWO_SIDED: Final = 0.5
_COARSE_STEPS: Final = 6
_FINE_STEPS: Final = 3
# Warped pixels closer than this to the thumbnail's edge are left out: resampling there
# reads the border twice.
_EDGE: Final = 0.99


def two_sided(a: U8, b: U8) -> F32:
    """For each pair of 32x32 thumbnails ``a[k]``, ``b[k]``: the smaller of the largest
    positive and the largest negative difference of the two normalised thumbnails, taken
    unaligned and after aligning ``b`` onto ``a`` (a crop, a resize), whichever is smaller."""
    if a.shape != b.shape or a.ndim != 3:
        raise ValueError(f"thumbnail stacks must match: {a.shape} vs {b.shape}")
    ta, tb = a.astype(np.float32), b.astype(np.float32)
    count = ta.shape[0]
    if count == 0:
        return np.zeros(0, dtype=np.float32)
    out = _extremes(normalise(ta) - normalise(tb))
    again = np.flatnonzero(out > TWO_SIDED)
    if again.size:
        pa, pb = ta[again], tb[again]
        params = identity_params(again.size)
        params = gauss_newton(smooth(pa), smooth(pb), params, _COARSE_STEPS)
        params = gauss_newton(pa, pb, params, _FINE_STEPS)
        value, inside = warp_values(pb, params)
        diff = (normalise(pa, inside) - normalise(value, inside)) * (inside > _EDGE)
        out[again] = np.minimum(out[again], _extremes(diff))
    return out


def worth_a_look(a: U8, b: U8) -> npt.NDArray[np.bool_]:
    """Pairs of 32x32 thumbnails whose difference may be two slides' own text (see the
    module docstring); the others are plain copies as far as the second look can tell."""
    out: npt.NDArray[np.bool_] = np.asarray(two_sided(a, b) > TWO_SIDED)
    return out


def _extremes(diff: F32) -> F32:
    out: F32 = np.minimum(diff.max(axis=(1, 2)), (-diff).max(axis=(1, 2))).astype(np.float32)
    return out
