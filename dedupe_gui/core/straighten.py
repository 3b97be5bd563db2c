"""A second look at candidate pairs that may be one photo straightened: turned by a few
degrees and cropped to the largest upright rectangle of the same shape.

The thumbnail check aligns by scale and shift only, so a copy straightened by 2-4 degrees
leaves a residual of 0.15-0.45 (measured on bench.edit_corpus), over the limit. Its hash
mostly stays within T (the crop is centred and the turn small), so the pair is a candidate
already. Pairs of one shape that failed the check, but not by far, are checked again with
either thumbnail turned by each of ``ANGLES`` and cropped as a straightening tool crops;
the best reading counts. The turn is done on the 32x32 thumbnails (an affine map that
accounts for the picture's shape, since the thumbnail squeezes it square): no decode.

Pairs of two pictures of flat areas and edges (graphics, drawings, objects on a backdrop)
are judged on their 128x128 fine thumbnails too, where a turn of 3 degrees moves their edges
by 3 pixels: a straightened copy failed there (0.17-0.34 on seed 1 of bench.edit_corpus, 7 of
its 11 lost straightened copies), and such pairs were not offered the turned look. Their fine
thumbnails are now turned and cropped with the thumbnails, the fine check judges the turned
pair as it judges any pair, what passes still goes through the layout rules (two pages, two
screenshots in one chrome) on the turned pictures, and then through the colour reading
(core.colour_agree): two objects of other colours on one backdrop turned onto each other
agree in grey levels, not in colour.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from dedupe_gui.core.colour_agree import colours_apart
from dedupe_gui.core.row_memo import RowMemo
from dedupe_gui.core.verify import residuals

if TYPE_CHECKING:  # core.window_looks imports core.strokes, which imports this module
    from dedupe_gui.core.window_looks import FlatJudge

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
# The whole picture, as a window (core.colour_agree reads a part of the first picture).
_WHOLE: Final = (0.0, 0.0, 1.0, 1.0)
# Pairs turned and read at once (see straightened_again).
_PAIRS_AT_ONCE: Final = 32


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


def straightened_again(
    res: F32,
    limit: float,
    ta: U8,
    tb: U8,
    aspect_a: F32,
    aspect_b: F32,
    flat: tuple[Callable[[I64], tuple[U8, U8, B]], Callable[[F32, U8, U8, F32], F32]] | None = None,
    memo: RowMemo | None = None,
) -> F32:
    """``res`` with the pairs (thumbnails ``ta[k]``, ``tb[k]``, both upright) that failed
    but may be one photo straightened checked again, each way and at each angle.

    ``flat``, for pairs of two pictures of flat areas and edges: their fine thumbnails (two
    stacks for the pairs at the positions asked, and whether both were found: a pair without
    them is not looked at), turned with the thumbnails and checked with them; and the layout
    rules (the turned readings' residuals, the two fine stacks and their shapes in; the
    residuals with look-alikes at infinity out). ``memo``: the alignments of a pair read the
    other way (core.row_memo), as the check takes them."""
    spread = np.maximum(aspect_a / aspect_b, aspect_b / aspect_a)
    todo = np.flatnonzero((res > limit) & (res < TRY_BELOW) & (spread < _SAME_SHAPE))
    out: F32 = res.copy()
    # A few dozen pairs at a time: each pair stacks 8 turned crops of both thumbnails (and of
    # both fine thumbnails, 16 KB each), and the readings of a pair do not depend on the
    # others', so the verdicts are those of one batch while the memory stays small.
    for start in range(0, todo.size, _PAIRS_AT_ONCE):
        part = todo[start : start + _PAIRS_AT_ONCE]
        fa = fb = None
        if flat is not None:
            fa, fb, found = flat[0](part)
            fa, fb, part = fa[found], fb[found], part[found]
        if part.size:
            again, which = _turned_readings(
                part, limit, (ta, tb), (aspect_a, aspect_b), (fa, fb), flat, memo
            )
            np.minimum.at(out, which, again)
    return out


def _turned_readings(
    todo: I64,
    limit: float,
    thumbs: tuple[U8, U8],
    aspects: tuple[F32, F32],
    fine_pairs: tuple[U8 | None, U8 | None],
    flat: tuple[Callable[[I64], tuple[U8, U8, B]], Callable[[F32, U8, U8, F32], F32]] | None,
    memo: RowMemo | None,
) -> tuple[F32, I64]:
    """The residuals of the pairs ``todo`` with either picture turned each way at each
    angle, and the pair each reading belongs to (``fine_pairs``: the pairs' fine
    thumbnails, for pictures of flat areas and edges)."""
    (ta, tb), (aspect_a, aspect_b), (fa, fb) = thumbs, aspects, fine_pairs
    moving: list[U8] = []
    fixed: list[U8] = []
    moving_fine: list[U8] = []
    fixed_fine: list[U8] = []
    shapes: list[tuple[float, float]] = []
    which: list[int] = []
    for n, k in enumerate(todo.tolist()):
        sides = ((ta[k], tb[k], float(aspect_a[k])), (tb[k], ta[k], float(aspect_b[k])))
        fines = ((fa[n], fb[n]), (fb[n], fa[n])) if fa is not None and fb is not None else ()
        for sign in (1.0, -1.0):
            for angle in ANGLES:
                for side, (turned, other, aspect) in enumerate(sides):
                    moving.append(turned_crop(turned, sign * angle, aspect))
                    fixed.append(other)
                    if fines:
                        moving_fine.append(turned_crop(fines[side][0], sign * angle, aspect))
                        fixed_fine.append(fines[side][1])
                    shapes.append((aspect, sides[1 - side][2]))
                    which.append(k)
    if not moving:
        return np.empty(0, dtype=np.float32), np.empty(0, dtype=np.int64)
    if flat is not None and moving_fine:
        mf, ff = np.stack(moving_fine), np.stack(fixed_fine)
        present = np.ones(len(moving), dtype=bool)  # every pair here has both (``flat``)
        again = residuals(
            np.stack(moving), np.stack(fixed), limit, mf, ff, memo=memo, fine_present=present
        )
        again = flat[1](again, mf, ff, np.array(shapes, dtype=np.float32))
    else:
        again = residuals(np.stack(moving), np.stack(fixed), limit, memo=memo)
    return again, np.array(which, dtype=np.int64)


def straightened_looks(
    res: F32,
    limit: float,
    pairs: tuple[I64, I64, I64],
    thumbs: Callable[[I64], U8],
    shapes: Callable[[I64, I64, I64], F32],
    has_fine: B,
    flat: FlatJudge | None = None,
    memo: RowMemo | None = None,
) -> F32:
    """``res`` of the pairs (records ``a``, ``b`` and the turn of ``b``: ``pairs``) with the
    upright ones that failed looked at again as a straightened copy (``straightened_again``).
    ``thumbs``: the records' 32x32 thumbnails; ``shapes``: the pairs' (width / height of
    ``a``, of ``b`` turned) as the pair check measures them; ``has_fine``: which records are
    pictures of flat areas and edges. Pairs of two such pictures are straightened only with
    ``flat`` (their fine thumbnails, the layout rules, their colour), as the check judges them
    whole; without it their verdict rests on the fine check. ``memo``: as for
    ``straightened_again``."""
    a, b, turn = pairs
    both_fine = has_fine[a] & has_fine[b]
    out: F32 = res.copy()
    for fine in (False, True) if flat is not None else (False,):
        upright = np.flatnonzero((turn == 0) & (both_fine == fine))
        if upright.size == 0:
            continue
        ra, rb = a[upright], b[upright]
        aspects = shapes(ra, rb, turn[upright])
        out[upright] = straightened_again(
            res[upright],
            limit,
            thumbs(ra),
            thumbs(rb),
            aspects[:, 0],
            aspects[:, 1],
            (_fine_pairs(flat, ra, rb), flat.apart) if fine and flat is not None else None,
            memo,
        )
        if fine and flat is not None:
            passed = upright[(out[upright] <= limit) & (res[upright] > limit)]
            for k in passed.tolist():
                if _apart_in_colour(flat, int(a[k]), int(b[k])):
                    out[k] = res[k]
    return out


def _fine_pairs(flat: FlatJudge, a: I64, b: I64) -> Callable[[I64], tuple[U8, U8, B]]:
    """The fine thumbnails of the pairs (``a[k]``, ``b[k]``) at the positions asked, and
    whether both were found (two blank ones would look identical)."""

    def fines(at: I64) -> tuple[U8, U8, B]:
        fa, has_a = flat.fines(a[at])
        fb, has_b = flat.fines(b[at])
        return fa, fb, has_a & has_b

    return fines


def _apart_in_colour(flat: FlatJudge, a: int, b: int) -> bool:
    """Whether two pictures of flat areas and edges that a turn brought together differ in
    colour where both are flat (core.colour_agree): two objects on one backdrop, not a
    straightened copy. A picture that cannot be read in colour again is not passed."""
    first = flat.colours(a)
    second = None if first is None else flat.colours(b)
    return first is None or second is None or colours_apart(first, _WHOLE, second)
