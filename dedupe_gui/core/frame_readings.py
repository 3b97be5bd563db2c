"""Where a picture sits inside a uniform border or a screenshot's chrome, read on a small grey
picture (a 32x32 thumbnail, or a picture decoded again at some 288 px a side).

Two readings of one map of the pixels of the corners' colour: ``content_box`` peels a
uniform border off each edge (a frame, a letterbox); ``photo_box`` finds the photo inside
bars that carry a clock, a title and icons, which no uniform reading peels off. The window
hashes (core.windows), the boxes the words and the keeper rule "clean" place
(core.picture_boxes), the thumbnail check's border readings (core.verify) and the chrome
look-alike rule (core.chrome) all read frames this way.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

Box = tuple[float, float, float, float]  # left, top, right, bottom as shares of the picture

# A border is trimmed when at least this share of a side is uniform (smaller is noise).
MIN_BORDER: Final = 0.02
# Grey levels a border pixel may differ from the border's colour, and the share of a row or
# column that must be border for the row to count (screenshot bars carry a few icons).
BORDER_TOLERANCE: Final = 10
_BORDER_ROW_SHARE: Final = 0.9


def uniform(
    pixels: np.ndarray[tuple[int, ...], np.dtype[np.int16]], tolerance: int
) -> np.ndarray[tuple[int, ...], np.dtype[np.bool_]]:
    """Which pixels are within ``tolerance`` grey levels of the most common of the four
    corners: a border's (``content_box``) or a screenshot's bars' (``photo_box``) colour."""
    out: np.ndarray[tuple[int, ...], np.dtype[np.bool_]] = (
        np.abs(pixels - border_level(pixels)) <= tolerance
    )
    return out


def border_level(pixels: np.ndarray[tuple[int, ...], np.dtype[np.int16]]) -> int:
    """The grey level the border readings take for a border's: the most common of the four
    corners."""
    corners = [int(pixels[0, 0]), int(pixels[0, -1]), int(pixels[-1, 0]), int(pixels[-1, -1])]
    return max(set(corners), key=corners.count)


def _shares(
    flags: np.ndarray[tuple[int, ...], np.dtype[np.bool_]], axis: int
) -> np.ndarray[tuple[int, ...], np.dtype[np.float64]]:
    """``flags.mean(axis)``, the same float64 values (an exact count divided once) without
    the mean's conversion of every flag to float64. The count adds the flags as bytes into
    16-bit sums while they cannot overflow: a third of ``count_nonzero``'s time along an
    axis of a 288-px picture."""
    length = flags.shape[axis]
    total = np.uint16 if length <= np.iinfo(np.uint16).max else np.intp
    counts = np.add.reduce(flags.view(np.uint8), axis=axis, dtype=total)
    out: np.ndarray[tuple[int, ...], np.dtype[np.float64]] = counts / length
    return out


def content_box(
    pixels: np.ndarray[tuple[int, ...], np.dtype[np.int16]],
    tolerance: int = BORDER_TOLERANCE,
) -> Box | None:
    """The picture inside a uniform border, or None when there is no border to speak of.

    The border's colour is the most common of the four corners; rows and columns are peeled
    off each edge while nearly all their pixels are within ``tolerance`` grey levels of it.
    """
    return content_in(uniform(pixels, tolerance))


def content_in(border: np.ndarray[tuple[int, ...], np.dtype[np.bool_]]) -> Box | None:
    """``content_box`` from the map of the pixels of the border's colour (``_uniform``).

    Nothing is peeled unless an outermost row or column is border, so those four lines are
    looked at first: most photos stop there, at a fifth of the cost of every line's share.
    """
    h, w = border.shape
    edges = (border[0], border[-1], border[:, 0], border[:, -1])
    if all(np.count_nonzero(line) / line.size < _BORDER_ROW_SHARE for line in edges):
        return None
    rows = _shares(border, 1) >= _BORDER_ROW_SHARE
    cols = _shares(border, 0) >= _BORDER_ROW_SHARE
    if rows.all() or cols.all():
        return None  # a blank picture: nothing inside
    top = int(np.argmin(rows))
    bottom = h - int(np.argmin(rows[::-1]))
    left = int(np.argmin(cols))
    right = w - int(np.argmin(cols[::-1]))
    box = (left / w, top / h, right / w, bottom / h)
    if max(box[0], box[1], 1 - box[2], 1 - box[3]) < MIN_BORDER:
        return None
    if (right - left) < 9 or (bottom - top) < 9:
        return None
    return box


def may_have_border(
    stack: np.ndarray[tuple[int, ...], np.dtype[np.uint8]]
    | np.ndarray[tuple[int, ...], np.dtype[np.int16]],
) -> np.ndarray[tuple[int, ...], np.dtype[np.bool_]]:
    """For each picture of ``stack`` (n, h, w), False where ``content_box`` finds no border
    at the default tolerance or any smaller one, for a whole batch in a few array passes.

    ``content_box`` peels nothing unless an outermost row or column is border at its share,
    so a picture none of whose four edge lines is within the tolerance of any of its four
    corners (whichever the most common of them is) has no box: most photos. True means
    only that ``content_box`` must be asked.
    """
    x = stack.astype(np.int16)
    corners = np.stack((x[:, 0, 0], x[:, 0, -1], x[:, -1, 0], x[:, -1, -1]), axis=1)
    out = np.zeros(x.shape[0], dtype=bool)
    for line, length in ((x[:, 0, :], x.shape[2]), (x[:, -1, :], x.shape[2]),
                         (x[:, :, 0], x.shape[1]), (x[:, :, -1], x.shape[1])):  # fmt: skip
        near = np.abs(line[:, None, :] - corners[:, :, None]) <= BORDER_TOLERANCE
        out |= (np.count_nonzero(near, axis=2) / length >= _BORDER_ROW_SHARE).any(axis=1)
    return out


# A row of a screenshot's photo holds a run of non-chrome pixels over at least this share of
# the width (text and icons make short runs, a photo a long one); the photo spans at least
# this share of the picture's height and width, and ``PHOTO_MIN_PX`` pixels of the small
# picture (a title line is one or two).
_PHOTO_MIN_SHARE: Final = 0.08
PHOTO_MIN_PX: Final = 6
# Columns of the photo, within its rows, are at least this share not of the bar colour.
_PHOTO_COLUMN_SHARE: Final = 0.5
# The chrome around it (the rows above and below, the columns beside) is at least this share
# of the bar colour on average: bars with a clock, a title and icons, not a sky.
_CHROME_SHARE: Final = 0.85


def photo_box(
    pixels: np.ndarray[tuple[int, ...], np.dtype[np.int16]],
    tolerance: int = BORDER_TOLERANCE,
    min_px: int = PHOTO_MIN_PX,
    min_share: float = _PHOTO_MIN_SHARE,
) -> Box | None:
    """The photo inside a screenshot's chrome, whose bars carry a clock, a title and icons,
    so are not the uniform border ``content_box`` peels off. None without such chrome.

    The bar colour is the most common of the four corners. The photo's rows are the longest
    band of rows that each hold a long run of other pixels; its columns, the longest band of
    columns mostly of other pixels within those rows. The chrome must lie above and below it
    (or beside it), mostly of the bar colour. ``min_px``: the fewest rows and columns of
    ``pixels`` the photo may span; ``min_share``: the least share of the picture's height
    and width.
    """
    return photo_in(uniform(pixels, tolerance), min_px, min_share)


def photo_in(
    bar: np.ndarray[tuple[int, ...], np.dtype[np.bool_]],
    min_px: int = PHOTO_MIN_PX,
    min_share: float = _PHOTO_MIN_SHARE,
) -> Box | None:
    """``photo_box`` from the map of the pixels of the bar colour (``_uniform``)."""
    h, w = bar.shape
    # A run is whole pixels: at least the share of the width is at least its ceiling.
    top, bottom = _longest_run(_has_run(~bar, math.ceil(_PHOTO_MIN_SHARE * w)))
    if bottom - top < max(min_px, min_share * h):
        return None
    left, right = _longest_run(_shares(~bar[top:bottom], 0) >= _PHOTO_COLUMN_SHARE)
    if right - left < max(min_px, min_share * w):
        return None
    margins = (left / w, top / h, 1 - right / w, 1 - bottom / h)
    framed_across = min(margins[1], margins[3]) >= MIN_BORDER
    framed_beside = min(margins[0], margins[2]) >= MIN_BORDER
    if not (framed_across or framed_beside):
        return None
    # The share of bar colour outside the photo (never empty here: a margin is left).
    outside = h * w - (bottom - top) * (right - left)
    chrome = np.count_nonzero(bar) - np.count_nonzero(bar[top:bottom, left:right])
    if chrome / outside < _CHROME_SHARE:
        return None
    return (left / w, top / h, right / w, bottom / h)


def _longest_run(flags: np.ndarray[tuple[int, ...], np.dtype[np.bool_]]) -> tuple[int, int]:
    """(start, end) of the first longest run of True in ``flags``; (0, 0) when there is
    none. A loop over a list: the flags are a row or a column of a picture of at most 288
    px, where a handful of numpy steps cost two to three times as much."""
    best_start = best_end = 0
    start = -1
    for i, flag in enumerate(flags.tolist()):
        if flag:
            if start < 0:
                start = i
        elif start >= 0:
            if i - start > best_end - best_start:
                best_start, best_end = start, i
            start = -1
    if start >= 0 and len(flags) - start > best_end - best_start:
        best_start, best_end = start, len(flags)
    return best_start, best_end


def _has_run(
    flags: np.ndarray[tuple[int, ...], np.dtype[np.bool_]], length: int
) -> np.ndarray[tuple[int, ...], np.dtype[np.bool_]]:
    """Whether each row of ``flags`` holds a run of at least ``length`` (>= 1) True values.

    ``ends[:, i]`` says that ``flags[:, i : i + n]`` is all True; doubling ``n`` takes one
    pass over booleans, and a last pass joins two overlapping spans into ``length``: a few
    passes where the longest run of every row took several over 64-bit integers.
    """
    ends, n = flags, 1
    while 2 * n <= length:
        ends = ends[:, :-n] & ends[:, n:]
        n *= 2
    if n < length:
        ends = ends[:, : n - length] & ends[:, length - n :]
    return np.asarray(ends.any(axis=1))
