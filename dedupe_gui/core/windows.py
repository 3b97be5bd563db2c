"""Extra dHashes over parts of a picture, so that trimmed and framed copies meet as candidates.

A copy trimmed by 6-10 % on one or two edges has a dHash 10-25 bits away from its original's:
the 9x8 grid no longer falls on the same places. Its own dHash is close, though, to the dHash
of the original's matching part. So each fingerprint also keeps the dHashes of a few windows
of the displayed picture: each edge (and each corner's two edges) trimmed by ``TRIM``, the
centred square (a square crop), and, when the picture has a uniform border (a frame, a
letterbox, the bars of a screenshot), the picture inside it. The grouping searches every
file's own hash against every other file's windows (core.grouping); the thumbnail check then
decides as for any other candidate.

Measured on bench.edit_corpus (seed 1): the edge windows bring trims of 6-10 % on up to three
edges within 10 bits for 88-100 % of the pairs, against 25 % for the full hashes alone
(docs/ACCURACY.md). All windows come from one small resize of the picture already decoded
for the hash.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from PIL import Image

from dedupe_gui.core.orientations import dhash_bits

# Share of the picture trimmed off an edge by an edge window.
TRIM: Final = 0.08
# Longest side of the picture the windows are taken from.
_SIDE: Final = 72
_FILTER: Final = Image.Resampling.LANCZOS
# A border is trimmed when at least this share of a side is uniform (smaller is noise).
_MIN_BORDER: Final = 0.02
# Grey levels a border pixel may differ from the border's colour, and the share of a row or
# column that must be border for the row to count (screenshot bars carry a few icons).
_BORDER_TOLERANCE: Final = 10
_BORDER_ROW_SHARE: Final = 0.9
# Square crops are looked for when the sides differ by more than this ratio.
_SQUARE_FROM: Final = 1.1

Box = tuple[float, float, float, float]  # left, top, right, bottom as shares of the picture

_EDGES: Final[tuple[Box, ...]] = (
    (TRIM, 0.0, 1.0, 1.0),
    (0.0, 0.0, 1.0 - TRIM, 1.0),
    (0.0, TRIM, 1.0, 1.0),
    (0.0, 0.0, 1.0, 1.0 - TRIM),
    (TRIM, TRIM, 1.0, 1.0),
    (0.0, TRIM, 1.0 - TRIM, 1.0),
    (TRIM, 0.0, 1.0, 1.0 - TRIM),
    (0.0, 0.0, 1.0 - TRIM, 1.0 - TRIM),
)


def window_hashes(grey: Image.Image, transpose: Image.Transpose | None = None) -> tuple[int, ...]:
    """The window dHashes of a greyscale picture shown turned by ``transpose``."""
    small = grey.copy()
    small.thumbnail((_SIDE, _SIDE), Image.Resampling.BILINEAR, reducing_gap=2.0)
    if transpose is not None:
        small = small.transpose(transpose)
    w, h = small.size
    if w < 9 or h < 9:
        return ()
    boxes = list(_EDGES)
    content = content_box(np.asarray(small, dtype=np.int16))
    if content is not None:
        boxes.append(content)
    left, top, right, bottom = content or (0.0, 0.0, 1.0, 1.0)
    cw, ch = (right - left) * w, (bottom - top) * h
    if max(cw, ch) > _SQUARE_FROM * min(cw, ch):
        side = min(cw, ch)
        x = left + (cw - side) / 2 / w
        y = top + (ch - side) / 2 / h
        boxes.append((x, y, x + side / w, y + side / h))
    out = []
    for box in boxes:
        # Cropped first: resizing with a box would let the filter reach past the window
        # (into a frame, say), which moves the edge bits.
        region = (round(box[0] * w), round(box[1] * h), round(box[2] * w), round(box[3] * h))
        tiny = small.crop(region).resize((9, 8), _FILTER)
        out.append(dhash_bits(np.asarray(tiny, dtype=np.int16)))
    return tuple(out)


def content_box(
    pixels: np.ndarray[tuple[int, ...], np.dtype[np.int16]],
    tolerance: int = _BORDER_TOLERANCE,
) -> Box | None:
    """The picture inside a uniform border, or None when there is no border to speak of.

    The border's colour is the most common of the four corners; rows and columns are peeled
    off each edge while nearly all their pixels are within ``tolerance`` grey levels of it.
    """
    h, w = pixels.shape
    corners = [int(pixels[0, 0]), int(pixels[0, -1]), int(pixels[-1, 0]), int(pixels[-1, -1])]
    colour = max(set(corners), key=corners.count)
    border = np.abs(pixels - colour) <= tolerance
    rows = border.mean(axis=1) >= _BORDER_ROW_SHARE
    cols = border.mean(axis=0) >= _BORDER_ROW_SHARE
    if rows.all() or cols.all():
        return None  # a blank picture: nothing inside
    top = int(np.argmin(rows))
    bottom = h - int(np.argmin(rows[::-1]))
    left = int(np.argmin(cols))
    right = w - int(np.argmin(cols[::-1]))
    box = (left / w, top / h, right / w, bottom / h)
    if max(box[0], box[1], 1 - box[2], 1 - box[3]) < _MIN_BORDER:
        return None
    if (right - left) < 9 or (bottom - top) < 9:
        return None
    return box
