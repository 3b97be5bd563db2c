"""A second look at candidate pairs that may be one photo straightened: turned by a few
degrees and cropped to the largest upright rectangle of the same shape.

The thumbnail check aligns by scale and shift only, so a copy straightened by 2-4 degrees
leaves a residual of 0.15-0.45 (measured on bench.edit_corpus), over the limit. Its hash
mostly stays within T (the crop is centred and the turn small), so the pair is a candidate
already. Pairs of one shape that failed the check, but not by far, are checked again with
either thumbnail turned by each of ``ANGLES`` and cropped as a straightening tool crops;
the best reading counts. The turn is done on the 32x32 thumbnails (an affine map that
accounts for the picture's shape, since the thumbnail squeezes it square): no decode.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from dedupe_gui.core.verify import residuals

I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]
B = npt.NDArray[np.bool_]

# Turns tried, in degrees either way: straightening tools correct a tilt of 1-5 degrees;
# smaller ones already pass the check, and the alignment absorbs about half a degree.
ANGLES: Final = (2.5, 3.5)
# Pairs whose first residual is above this are different pictures, not a tilted copy
# (straightened pairs measured 0.14-0.45).
TRY_BELOW: Final = 0.6
# Shapes (width / height) may differ by this ratio: the crop keeps the shape.
_SAME_SHAPE: Final = 1.03


def turned_crop(thumb: U8, degrees: float, aspect: float) -> U8:
    """``thumb`` (a picture of shape ``aspect`` = width / height squeezed to a square, of
    any side) turned by ``degrees`` and cropped to the largest centred rectangle of its
    shape."""
    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    k = 1 / (c + abs(s) * max(aspect, 1 / aspect))
    half = thumb.shape[0] / 2
    # Output pixel (x, y) -> input pixel, about the centre, in thumbnail units.
    a, b = k * c, k * s / aspect
    d, e = -k * s * aspect, k * c
    data = (a, b, half - half * a - half * b, d, e, half - half * d - half * e)
    img = Image.fromarray(thumb)
    out = img.transform(img.size, Image.Transform.AFFINE, data, Image.Resampling.BILINEAR)
    return np.asarray(out, dtype=np.uint8)


def straightened_again(res: F32, limit: float, ta: U8, tb: U8, aspect_a: F32, aspect_b: F32) -> F32:
    """``res`` with the pairs (thumbnails ``ta[k]``, ``tb[k]``, both upright) that failed
    but may be one photo straightened checked again, each way and at each angle."""
    spread = np.maximum(aspect_a / aspect_b, aspect_b / aspect_a)
    todo = np.flatnonzero((res > limit) & (res < TRY_BELOW) & (spread < _SAME_SHAPE))
    if todo.size == 0:
        return res
    moving: list[U8] = []
    fixed: list[U8] = []
    which: list[int] = []
    for k in todo.tolist():
        for sign in (1.0, -1.0):
            for angle in ANGLES:
                moving.append(turned_crop(ta[k], sign * angle, float(aspect_a[k])))
                fixed.append(tb[k])
                moving.append(turned_crop(tb[k], sign * angle, float(aspect_b[k])))
                fixed.append(ta[k])
                which += [k, k]
    if not moving:
        return res
    again = residuals(np.stack(moving), np.stack(fixed), limit)
    out: F32 = res.copy()
    np.minimum.at(out, np.array(which, dtype=np.int64), again)
    return out


def straightened_looks(
    res: F32,
    limit: float,
    pairs: tuple[I64, I64, I64],
    thumbs: Callable[[I64], U8],
    shapes: Callable[[I64, I64, I64], F32],
    has_fine: B,
) -> F32:
    """``res`` of the pairs (records ``a``, ``b`` and the turn of ``b``: ``pairs``) with the
    upright ones that failed looked at again as a straightened copy (``straightened_again``).
    ``thumbs``: the records' 32x32 thumbnails; ``shapes``: the pairs' (width / height of
    ``a``, of ``b`` turned) as the pair check measures them; ``has_fine``: which records are
    pictures of flat areas and edges (slides, pages), whose pairs are not straightened: their
    verdict rests on the fine check."""
    a, b, turn = pairs
    upright = np.flatnonzero((turn == 0) & ~(has_fine[a] & has_fine[b]))
    if upright.size == 0:
        return res
    ra, rb = a[upright], b[upright]
    aspects = shapes(ra, rb, turn[upright])
    out: F32 = res.copy()
    out[upright] = straightened_again(
        res[upright], limit, thumbs(ra), thumbs(rb), aspects[:, 0], aspects[:, 1]
    )
    return out
