"""Extra dHashes over parts of a picture, so that trimmed and framed copies meet as candidates.

A copy trimmed by 6-10 % on one or two edges has a dHash 10-25 bits away from its original's:
the 9x8 grid no longer falls on the same places. Its own dHash is close, though, to the dHash
of the original's matching part. So each fingerprint also keeps the dHashes of a few windows
of the displayed picture: each edge (each corner's two edges, each three edges) trimmed by
``TRIM``, its middle half (``CENTRE``: compared with other centres, for darkened corners),
the centred square (a square crop), and, when the picture has a uniform border (a frame, a
letterbox, the bars of a screenshot), the picture inside it. The grouping searches every
file's own hash against every other file's windows (core.grouping); the thumbnail check then
decides as for any other candidate.

Measured on bench.edit_corpus (seed 1): the edge windows bring trims of 6-10 % on up to three
edges within 10 bits for 88-100 % of the pairs, against 25 % for the full hashes alone
(docs/ACCURACY.md); with the three-edge windows, all 48 of seeds 1-2. Deeper windows (the
"far" windows: off-centre squares, and edges, corners, opposite edges and three edges trimmed
by 15-21 %) reach square crops and trims of 12-25 %. All windows come from one small resize
of the picture already decoded for the hash.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from dedupe_gui.core.frame_readings import (
    BORDER_TOLERANCE,
    MIN_BORDER,
    Box,
    content_box,
    content_in,
    photo_box,
    photo_in,
    uniform,
)
from dedupe_gui.core.orientations import dhash_bits
from dedupe_gui.core.resample import Region, region_dhashes

# Share of the picture trimmed off an edge by an edge window.
TRIM: Final = 0.08
# Longest side of the picture the windows are taken from.
_SIDE: Final = 72
# Longest side of the picture where a border or a screenshot's chrome, once found, is placed.
FINE_SIDE: Final = 288
_FILTER: Final = Image.Resampling.LANCZOS
_SMALL: Final = Image.Resampling.BILINEAR
# Share of a photo window's width and height left out on each side. The photo inside a
# screenshot's chrome is placed to a pixel of a 288-px picture, and a row or column of the
# chrome left in it is a stripe of the darkest or lightest grey at its edge: the photos of
# screenshots of seeds 1-2 of bench.edit_corpus within 10 bits of their photo's own hash
# 38 -> 44 of 48 with it, and their second looks (core.window_candidates) 0.13-0.60 ->
# 0.02-0.12 on the pairs that failed them. A window a little inside is a slight trim. Not for
# a uniform border, which is peeled off exactly: inside it, fine texture (gravel) shifted by
# a fraction of a 32x32 pixel failed the second look (0.00 -> 0.23).
INSIDE: Final = 0.02
# Square crops are looked for when the sides differ by more than this ratio.
_SQUARE_FROM: Final = 1.1
# Where along the long side the square windows sit (0: flush with the start, 1: the end),
# centred first. A square crop's hash leaves its window's by 10 bits or more once it is
# 5-10 % of that slack off (measured on bench.edit_corpus): one centred square found half
# the square crops of seeds 1-2, these five 44 of 48.
_SQUARE_AT: Final = (0.5, 0.3, 0.7, 0.4, 0.6)
# Depths of the deep windows, for trims of 12-25 %. A window covers a trim when every edge
# it cuts is within about 3 % of the trim's depth there (share of (original, copy) pairs of
# seeds 1-2 of bench.edit_corpus within 10 bits of the window over the trimmed edges, by the
# worst edge's offset: 1.00 at 2 %, 0.94-1.00 at 3 %, 0.80-0.91 at 4 %, 0.57-0.82 at 5 %).
# So an edge trimmed alone is looked for at one depth (``DEEP_TRIM``: 15-21 %) and two or
# three edges at two (``DEEP_TRIMS``: 12-18 % and 18-24 %). One depth for every shape
# found 26 of the 48 heavy trims of seeds 1-2; these, 40 (docs/ACCURACY.md).
DEEP_TRIM: Final = 0.18
DEEP_TRIMS: Final = (0.15, 0.21)


# The middle half of the picture (a quarter off each edge), always the window after the edges:
# darkened corners (a vignette) move a whole picture's dHash by 13-20 bits and this window's
# by 0-6, so the grouping also compares centres with centres (core.centre_candidates). It is
# not searched against other files' own hashes: a copy zoomed in twice is not an edit the
# windows are for. docs/ACCURACY.md
CENTRE: Final[Box] = (0.25, 0.25, 0.75, 0.75)


def _trimmed(t: float, edges: tuple[int, ...]) -> Box:
    """The picture with ``t`` cut off each of ``edges`` (0 left, 1 top, 2 right, 3 bottom)."""
    cut = [t if e in edges else 0.0 for e in range(4)]
    return (cut[0], cut[1], 1.0 - cut[2], 1.0 - cut[3])


# A trim cuts one to four edges; which ones, each window's list of edges says.
_ONE: Final = ((0,), (2,), (1,), (3,))
_CORNERS: Final = ((0, 1), (1, 2), (0, 3), (2, 3))
_ACROSS: Final = ((0, 2), (1, 3))
_THREE: Final = ((1, 2, 3), (0, 2, 3), (0, 1, 3), (0, 1, 2))


def _edges(t: float, shapes: Sequence[tuple[int, ...]]) -> tuple[Box, ...]:
    return tuple(_trimmed(t, edges) for edges in shapes)


# Each edge, each corner (two edges) and each three edges trimmed by ``TRIM``. Without the
# three-edge windows, the 6-10 % trims of three edges of seeds 1-2 (4 of 48) were in reach
# of no window; with them, all 48 are.
_EDGES: Final = _edges(TRIM, _ONE + _CORNERS + _THREE)
# The deep windows: each edge at ``DEEP_TRIM``; each corner, each pair of opposite edges
# (the picture narrowed or shortened from both sides) and each three edges at each of
# ``DEEP_TRIMS``.
_DEEP_EDGES: Final = _edges(DEEP_TRIM, _ONE) + tuple(
    box for t in DEEP_TRIMS for box in _edges(t, _CORNERS + _ACROSS + _THREE)
)
CENTRE_SLOT: Final = len(_EDGES)
# Windows every fingerprint with windows holds: the edges, the middle half, the deep edges.
_ALWAYS: Final = len(_EDGES) + 1 + len(_DEEP_EDGES)


def window_hashes(grey: Image.Image, transpose: Image.Transpose | None = None) -> tuple[int, ...]:
    """The window dHashes of a greyscale picture shown turned by ``transpose``."""
    small = shown_small(grey, transpose)
    grid = np.asarray(small, dtype=np.uint8)  # read out of Pillow once
    boxes = window_boxes(small, lambda: shown_small(grey, transpose, FINE_SIDE), grid)
    if not boxes:
        return ()
    # Cropped first: resizing with a box would let the filter reach past the window (into a
    # frame, say), which moves the edge bits. The windows of the small picture are resized
    # to 9x8 all at once, with Pillow's own arithmetic (core.resample).
    # The edges, the middle half and the deep edges (first and last) are placed by the
    # picture's size alone: their pixels are worked out once a size.
    head, tail = _placed_regions(small.size, _EDGES, _DEEP_EDGES)
    middle = boxes[len(head) : len(boxes) - len(tail)]
    regions = [*head, *(pixel_region(box, small.size) for box, p in middle if not p), *tail]
    from_small = iter(region_dhashes(grid, regions))
    out = []
    for box, precise in boxes:
        if precise:
            # The picture inside a border or a screenshot's chrome is small in the 72-px
            # resize (a third of a phone screenshot's height): taken from the decode instead.
            tiny = _crop_stored(grey, box, transpose).resize((9, 8), _FILTER)
            out.append(dhash_bits(np.asarray(tiny, dtype=np.int16)))
        else:
            out.append(next(from_small))
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _placed_regions(
    size: tuple[int, int], edges: tuple[Box, ...], deep: tuple[Box, ...]
) -> tuple[tuple[Region, ...], tuple[Region, ...]]:
    """The pixels (``pixel_region``) of the windows every picture of ``size`` holds, before
    and after those that depend on its content: the ``edges`` and the middle half, the
    ``deep`` edges (``window_boxes``)."""
    head = tuple(pixel_region(box, size) for box in (*edges, CENTRE))
    return head, tuple(pixel_region(box, size) for box in deep)


def shown_small(
    grey: Image.Image, transpose: Image.Transpose | None = None, side: int = _SIDE
) -> Image.Image:
    """The picture the windows are laid on: at most ``side`` px, turned as displayed.

    What ``Image.thumbnail`` makes of a copy of ``grey`` (a copy has nothing to draft), by
    the one resize it would make, without the copy of the decode.
    """
    size = thumbnail_size(grey.size, side)
    small = grey.copy() if size == grey.size else grey.resize(size, _SMALL, reducing_gap=2.0)
    if transpose is not None:
        small = small.transpose(transpose)
    return small


def thumbnail_size(size: tuple[int, int], side: int) -> tuple[int, int]:
    """The size ``Image.thumbnail((side, side))`` gives a picture of ``size``: unchanged
    when it fits, else its shape kept, the shortened side rounded to whichever whole number
    of pixels keeps the shape closer (at least one)."""
    width, height = size
    if side >= width and side >= height:
        return size
    aspect = width / height
    if aspect <= 1:  # side / side >= aspect: the height is the side
        low = math.floor(side * aspect)
        x = min(low, math.ceil(side * aspect), key=lambda n: abs(aspect - n / side))
        return max(x, 1), side
    low = math.floor(side / aspect)
    y = min(low, math.ceil(side / aspect), key=lambda n: 0 if n == 0 else abs(aspect - side / n))
    return side, max(y, 1)


def window_boxes(
    small: Image.Image,
    finer: Callable[[], Image.Image] | None = None,
    grid: npt.NDArray[np.uint8] | None = None,
) -> list[tuple[Box, bool]]:
    """The windows of a picture (``shown_small``) in the order of its window hashes, each
    with whether its hash is taken from the decode rather than from ``small``. ``finer``
    gives the picture at ``FINE_SIDE``, where a border or chrome found is placed again:
    one pixel of the small picture is 2-3 % of a phone screenshot's width. ``grid``:
    ``small``'s pixels when the caller has them already."""
    w, h = small.size
    if w < 9 or h < 9:
        return []
    boxes: list[tuple[Box, bool]] = [(edge, False) for edge in _EDGES]
    boxes.append((CENTRE, False))
    # One map of the pixels of the corners' colour serves both readings.
    pixels = np.asarray(small if grid is None else grid, dtype=np.int16)
    bar = uniform(pixels, BORDER_TOLERANCE)
    content = content_in(bar)
    photo = photo_in(bar)
    if finer is not None and (content is not None or photo is not None):
        bar = uniform(np.asarray(finer(), dtype=np.int16), BORDER_TOLERANCE)
        content = content and (content_in(bar) or content)
        photo = photo and (photo_in(bar) or photo)
    if content is not None:
        boxes.append((content, True))
    if photo is not None and (content is None or _differs(photo, content)):
        boxes.append((inset(photo, INSIDE), True))
    left, top, right, bottom = photo or content or (0.0, 0.0, 1.0, 1.0)
    cw, ch = (right - left) * w, (bottom - top) * h
    if max(cw, ch) > _SQUARE_FROM * min(cw, ch):
        side = min(cw, ch)
        for at in _SQUARE_AT:
            x = left + (cw - side) * at / w
            y = top + (ch - side) * at / h
            boxes.append(((x, y, x + side / w, y + side / h), False))
    boxes.extend((edge, False) for edge in _DEEP_EDGES)
    return boxes


def far_windows(count: int) -> int:
    """How many of a fingerprint's ``count`` window hashes reach past a 10 % trim: the
    off-centre squares and the deep edges, which ``window_boxes`` lists last: the deep
    edges, and the off-centre squares before them when the picture has squares. Besides the
    edges, the middle half and the deep edges, a fingerprint holds at most two windows inside
    a border or chrome, fewer than the squares, so the count tells whether there are
    squares."""
    if count < _ALWAYS:
        return 0
    _, squares = _layout(count)
    return len(_DEEP_EDGES) + max(0, squares - 1)


def _layout(count: int) -> tuple[int, int]:
    """How many of ``count`` window hashes (at least ``_ALWAYS``) sit inside a border or
    chrome, and how many are the off-centre squares: a fingerprint holds at most two windows
    inside a border or chrome, fewer than the squares, so the count tells them apart."""
    squares = len(_SQUARE_AT) if count - _ALWAYS >= len(_SQUARE_AT) else 0
    return count - _ALWAYS - squares, squares


def placed_box(count: int, slot: int, aspect: float) -> Box | None:
    """Where window ``slot`` of a fingerprint with ``count`` window hashes sits on a picture
    of ``aspect`` (width / height as displayed), as ``window_boxes`` lays it: the windows
    placed by the picture's shape alone (the edges, the middle half, the squares of a
    picture without a border or chrome, the deep edges). None for the others (a window
    inside a border or chrome, the squares inside one: placed on the picture itself) and
    for a slot the fingerprint does not hold. The squares are placed on the shape, not on
    the 72-px picture's whole pixels: within a pixel of it."""
    if not 0 <= slot < count:
        return None
    if slot < len(_EDGES):
        return _EDGES[slot]
    if slot == CENTRE_SLOT:
        return CENTRE
    if count < _ALWAYS:
        return None
    inside, squares = _layout(count)
    at = slot - CENTRE_SLOT - 1 - inside
    if at < 0:
        return None
    if at >= squares:
        return _DEEP_EDGES[at - squares]
    if inside:
        return None
    side = min(aspect, 1 / aspect)
    start = (1 - side) * _SQUARE_AT[at]
    if aspect >= 1:
        return (start, 0.0, start + side, 1.0)
    return (0.0, start, 1.0, start + side)


def chrome_photo(windows: Sequence[int]) -> int | None:
    """The hash of the photo inside a screenshot's chrome, when a fingerprint's ``windows``
    hold one: then the picture inside the uniform border (which stops at the first title
    line) and the photo are two windows, right after the middle half."""
    count = len(windows)
    if count < _ALWAYS:
        return None
    inside, _ = _layout(count)
    return windows[CENTRE_SLOT + 2] if inside == 2 else None


def inset(box: Box, share: float) -> Box:
    """``box`` with ``share`` of its width and height taken off each side."""
    dx, dy = (box[2] - box[0]) * share, (box[3] - box[1]) * share
    return (box[0] + dx, box[1] + dy, box[2] - dx, box[3] - dy)


def pixel_region(box: Box, size: tuple[int, int]) -> Region:
    """``box`` (shares of the picture) in whole pixels of a picture of ``size``, as a crop
    takes it: each edge rounded to the nearest pixel."""
    w, h = size
    return (round(box[0] * w), round(box[1] * h), round(box[2] * w), round(box[3] * h))


def bordered_sides(box: Box) -> int:
    """On how many sides ``box`` (a window inside a border) leaves a border to speak of."""
    return sum(side >= MIN_BORDER for side in (box[0], box[1], 1 - box[2], 1 - box[3]))


# A side of a box inside a border is edged when at least ``_EDGED`` of the band of
# ``_BAND`` pixels just inside it is not of the border's colour, and at least as much of
# the band just outside it is.
_EDGED: Final = 0.5
_BAND: Final = 2
# A photo in a screenshot's chrome has a long side at most this many times its short one.
_STRIP: Final = 3.0


def framed(
    small: np.ndarray[tuple[int, ...], np.dtype[np.int16]],
    pixels: np.ndarray[tuple[int, ...], np.dtype[np.int16]],
    sides: int,
) -> bool | None:
    """Whether a picture (``small``: as the windows are laid on, ``pixels``: at
    ``FINE_SIDE``) sits in a frame, a letterbox or a screenshot's chrome: the picture inside
    a uniform border (``content_box``) or inside chrome (``photo_box``), found and placed as
    ``window_boxes`` finds and places them, leaves a border on ``sides`` sides at least, and
    is edged along
    as many and along all of them but one at most (``_edged_sides``: a dark photo in a dark
    frame may end in the frame's colour on one side).

    A frame holds a photo that fills its box: the border's colour stops at a line, where the
    photo's rows and columns start. An object photographed on a plain backdrop is peeled to
    a box too (the backdrop is as uniform as a frame), but the object touches that box only
    at its tips, so the band inside is mostly backdrop; and the part of it that
    ``photo_box`` takes for a photo in chrome (a fish's body) runs on past that box, so the
    band outside is not of the backdrop's colour; a part of it taken for a photo is mostly
    a strip (a handle). None when neither box is found.
    """
    found = False
    for find in (content_box, photo_box):
        box, where = find(small), small
        if box is None:
            continue
        found = True
        # Placed again at ``FINE_SIDE`` when it is found there; its edges are read where it
        # was placed.
        fine = find(pixels)
        if fine is not None:
            box, where = fine, pixels
        h, w = where.shape
        bw, bh = (box[2] - box[0]) * w, (box[3] - box[1]) * h
        # No photo is a strip: a part of an object (a wrench's handle) taken for a photo in
        # chrome may be.
        if find is photo_box and max(bw, bh) > _STRIP * min(bw, bh):
            continue
        bordered = bordered_sides(box)
        if bordered >= sides and _edged_sides(where, box) >= max(sides, bordered - 1):
            return True
    return False if found else None


def _edged_sides(pixels: np.ndarray[tuple[int, ...], np.dtype[np.int16]], box: Box) -> int:
    """On how many of the sides where ``box`` leaves a border the border's colour stops at
    the box (see ``framed``)."""
    h, w = pixels.shape
    other = ~uniform(pixels, BORDER_TOLERANCE)
    left, top, right, bottom = pixel_region(box, (w, h))
    if right - left < 2 * _BAND or bottom - top < 2 * _BAND:
        return 0
    b = _BAND
    # (inside, outside) bands of the left, top, right and bottom sides.
    bands = (
        (other[top:bottom, left : left + b], other[top:bottom, max(0, left - b) : left]),
        (other[top : top + b, left:right], other[max(0, top - b) : top, left:right]),
        (other[top:bottom, right - b : right], other[top:bottom, right : right + b]),
        (other[bottom - b : bottom, left:right], other[bottom : bottom + b, left:right]),
    )
    shares = (box[0], box[1], 1 - box[2], 1 - box[3])
    return sum(
        share >= MIN_BORDER
        and inside.size > 0
        and outside.size > 0
        and float(inside.mean()) >= _EDGED
        and float(outside.mean()) <= 1 - _EDGED
        for share, (inside, outside) in zip(shares, bands, strict=True)
    )


def _differs(a: Box, b: Box) -> bool:
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) > MIN_BORDER


# Where a displayed point (x, y), as shares of the picture, sits in the stored picture.
_STORED: Final[dict[Image.Transpose, Callable[[float, float], tuple[float, float]]]] = {
    Image.Transpose.FLIP_LEFT_RIGHT: lambda x, y: (1 - x, y),
    Image.Transpose.FLIP_TOP_BOTTOM: lambda x, y: (x, 1 - y),
    Image.Transpose.ROTATE_180: lambda x, y: (1 - x, 1 - y),
    Image.Transpose.TRANSPOSE: lambda x, y: (y, x),
    Image.Transpose.ROTATE_90: lambda x, y: (1 - y, x),
    Image.Transpose.ROTATE_270: lambda x, y: (y, 1 - x),
    Image.Transpose.TRANSVERSE: lambda x, y: (1 - y, 1 - x),
}


def _crop_stored(grey: Image.Image, box: Box, transpose: Image.Transpose | None) -> Image.Image:
    """The part of the displayed picture inside ``box``, cut from the stored pixels and
    turned as displayed."""
    if transpose is not None:
        corners = [_STORED[transpose](x, y) for x, y in ((box[0], box[1]), (box[2], box[3]))]
        xs, ys = sorted(c[0] for c in corners), sorted(c[1] for c in corners)
        box = (xs[0], ys[0], xs[1], ys[1])
    part = grey.crop(pixel_region(box, grey.size))
    return part if transpose is None else part.transpose(transpose)
