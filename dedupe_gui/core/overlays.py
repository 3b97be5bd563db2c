"""Which of two aligned copies carries what differs between them: an overlay (a caption bar,
a sticker) or darkened corners (a vignette). The words for what differs say it
(core.differences), and the keeper rule "clean" passes over the copy that carries it.

The region where two copies differ does not say which one was edited. Two facts of the 32x32
thumbnails do, measured on the edit corpora (seeds 1 and 2):

- an overlay adds edges: its outline, the text on a caption bar. In the tiles that differ,
  the copy with the overlay has the stronger gradients, against the gradients of the rest of
  the picture (so a copy that is sharper or softer all over does not read as an overlay);
- a vignette darkens the picture more the farther from the centre: the brightness ratio of
  the two copies falls from the centre through the middle ring to each of the four corners;
- a caption bar, solid or translucent, has a straight edge across the whole width near the
  top or the bottom, at a row where the other copy has none (edit seeds 1 and 2: 32 of 40
  caption pairs told, none the wrong way; of the other families' pairs aligned one to one,
  only frames and screenshots, which the words tell apart before this);
- a solid bar across one edge of one copy, where the other copy of the same proportions shows
  picture, is an overlay even when the alignment took it for a crop: over a smooth, pale
  picture (fog) the bar holds most of the thumbnail's contrast, and the warp that fits it
  best is a zoom of 12 %, which the words said as a trim on four sides. With the bar left out,
  the two copies agree where they are, unmoved, at least as well as under that zoom.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.align import normalise, quantile, smooth, warp_values
from dedupe_gui.core.verify import border_of

U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]
I8 = npt.NDArray[np.int8]
Flags = npt.NDArray[np.bool_]

_TILES: Final = 8
# Log ratio of the copies' gradients inside the differing tiles against outside them, beyond
# which one copy carries the overlay (0.15: some 16 % more edges).
_CARRIER: Final = 0.15
# How near the identity a warp must be for the thumbnails to be compared tile by tile.
_NEAR_SCALE: Final = 0.05
_NEAR_SHIFT: Final = 0.03
# Darkened corners: each corner tile's log brightness ratio at least this far under the
# centre's, the corner ring's this far, and the middle ring in between.
_CORNER_TILE: Final = 0.10
_CORNER_RING: Final = 0.15
_MIDDLE_RING: Final = 0.03
_RING_STEP: Final = 0.05

# A caption bar's edge: a step of more than _STEP grey levels between two rows in at least
# _BAR_EDGE of the columns, where the other copy steps in at most _NO_BAR_EDGE of them; looked
# for between the rows of the outer fifth of the thumbnail, top and bottom.
_STEP: Final = 10
_BAR_EDGE: Final = 0.75
_NO_BAR_EDGE: Final = 0.5
_BAR_ROWS: Final = np.array([*range(0, 7), *range(23, 31)])
# A bar across one edge (``edge_bars``): a uniform band on that side only of the thumbnail, at
# most this share of the side; what it hides of the picture is left out of the comparison,
# with the rows a smoothed thumbnail spreads its edge over.
_EDGE_BAR: Final = 0.25
_SMOOTHED: Final = 2
_QUANTILE: Final = 75
# Where a bar sits (``bars``, ``edge_bars``): the top and the bottom, the left and the right.
TOP, BOTTOM, LEFT, RIGHT = -1, 1, -2, 2

_yy, _xx = np.mgrid[0:_TILES, 0:_TILES]
_RADIUS: Final = np.hypot((_yy - 3.5) / 3.5, (_xx - 3.5) / 3.5)
_CENTRE: Final = _RADIUS < 0.6
_CORNER_RING_TILES: Final = _RADIUS > 1.1
_MIDDLE: Final = ~_CENTRE & ~_CORNER_RING_TILES
_CORNERS: Final = (np.array([0, 0, 7, 7]), np.array([0, 7, 0, 7]))


def _near(warp: F32) -> Flags:
    """Warps near the identity: copies whose thumbnails compare row to row, tile to tile."""
    scale = np.abs(warp[:, :2] - 1) < _NEAR_SCALE
    shift = np.abs(warp[:, 2:]) < _NEAR_SHIFT
    out: Flags = np.logical_and(scale.all(axis=1), shift.all(axis=1))
    return out


def _gradients(thumbs: F32) -> F32:
    """Absolute horizontal plus vertical differences, 31x31 per thumbnail, zero-padded to
    32x32 so that tiles line up."""
    out = np.zeros_like(thumbs)
    out[:, :-1, :-1] = (
        np.abs(np.diff(thumbs, axis=2))[:, :-1, :] + np.abs(np.diff(thumbs, axis=1))[:, :, :-1]
    )
    return out


def carriers(member: U8, keeper: U8, differing: Flags) -> I8:
    """Per pair: 1 when the member carries the overlay in its ``differing`` tiles (8x8 per
    pair), -1 when the keeper does, 0 when the thumbnails cannot tell (or nothing differs)."""
    n = member.shape[0]
    side = member.shape[1]
    t = side // _TILES
    g = _gradients(np.concatenate([member, keeper]).astype(np.float32))
    tiles = g.reshape(2 * n, _TILES, t, _TILES, t).sum(axis=(2, 4))
    gm, gk = tiles[:n], tiles[n:]
    inside = differing.astype(np.float32)
    outside = 1 - inside
    eps = np.float32(t * t)  # a grey level per pixel: flat tiles do not make ratios

    def ratio(w: F32) -> F32:
        a = (gm * w).sum(axis=(1, 2)) + eps
        b = (gk * w).sum(axis=(1, 2)) + eps
        out: F32 = np.log(a / b)
        return out

    score = ratio(inside) - ratio(outside)
    out: I8 = np.where(score > _CARRIER, 1, np.where(score < -_CARRIER, -1, 0)).astype(np.int8)
    out[~differing.any(axis=(1, 2))] = 0
    return out


def corner_shading(member: U8, keeper: U8, warp: F32) -> I8:
    """Per pair: 1 when the member's corners are darkened against the keeper's (a vignette
    added), -1 when the keeper's are (the member is the lighter), 0 otherwise or when the
    warp is not near the identity (a trimmed copy's tiles show other parts of the scene)."""
    n = member.shape[0]
    t = member.shape[1] // _TILES
    both = np.concatenate([member, keeper]).astype(np.float32)
    means = both.reshape(2 * n, _TILES, t, _TILES, t).mean(axis=(2, 4)) + 8  # no log of 0
    log_ratio = np.log(means[:n] / means[n:])
    # The median of the centre tiles (a sticker there moves their mean); sorted by hand, as
    # np.median loads numpy.ma, which nothing else of a scan needs.
    inner = np.sort(log_ratio[:, _CENTRE], axis=1)
    centre = inner[:, inner.shape[1] // 2]
    middle = log_ratio[:, _MIDDLE].mean(axis=1)
    ring = log_ratio[:, _CORNER_RING_TILES].mean(axis=1)
    corners = log_ratio[:, _CORNERS[0], _CORNERS[1]]

    def darker(c: F32, m: F32, r: F32, k: F32) -> Flags:
        out: Flags = (
            (r < c - _CORNER_RING)
            & (m < c - _MIDDLE_RING)
            & (r < m - _RING_STEP)
            & (k < (c - _CORNER_TILE)[:, None]).all(axis=1)
        )
        return out

    near = _near(warp)
    out = np.zeros(n, dtype=np.int8)
    out[near & darker(centre, middle, ring, corners)] = 1
    out[near & darker(-centre, -middle, -ring, -corners)] = -1
    return out


def bars(member: U8, keeper: U8, warp: F32) -> tuple[I8, I8]:
    """Per pair: which copy carries a bar across the picture near its top or bottom edge
    (a caption: 1 the member, -1 the keeper, 0 neither or both) and where (1 bottom, -1 top).

    A bar's edge is a straight line across the whole width: between two rows, nearly every
    column steps the same way. A photo rarely has one at the very row the other copy lacks
    it; a translucent bar (the picture darkened under the words) has one as well. Only for
    copies aligned one to one (a trimmed copy shows its rows elsewhere)."""
    n = member.shape[0]
    carrier = np.zeros(n, dtype=np.int8)
    place = np.zeros(n, dtype=np.int8)
    near = _near(warp)
    if not near.any():
        return carrier, place
    steps = [_row_steps(t) for t in (member, keeper)]
    rows = _BAR_ROWS[_BAR_ROWS < steps[0].shape[1]]  # noqa: SIM300
    for sign, (mine, theirs) in ((1, steps), (-1, steps[::-1])):
        # The other copy's steps one row either side too: a JPEG may move an edge a row.
        other = np.maximum(
            theirs, np.maximum(np.roll(theirs, 1, axis=1), np.roll(theirs, -1, axis=1))
        )
        hit = (mine[:, rows] >= _BAR_EDGE) & (other[:, rows] <= _NO_BAR_EDGE)
        found = hit.any(axis=1) & near & (carrier == 0)
        first = rows[np.argmax(hit, axis=1)]
        carrier[found] = sign
        place[found] = np.where(first[found] >= steps[0].shape[1] // 2, BOTTOM, TOP)
    return carrier, place


def _row_steps(thumbs: U8) -> F32:
    """Per thumbnail and row boundary: the share of columns that step the same way between
    the two rows (by more than a JPEG's noise)."""
    d = np.diff(thumbs.astype(np.int16), axis=1)
    out: F32 = np.maximum((d > _STEP).mean(axis=2), (d < -_STEP).mean(axis=2)).astype(np.float32)
    return out


def edge_bars(member: U8, keeper: U8, warp: F32, one_canvas: Flags) -> tuple[I8, I8]:
    """Per pair: which copy carries a solid bar across one edge (1 the member, -1 the keeper,
    0 neither) and where (``TOP``, ``BOTTOM``, ``LEFT``, ``RIGHT``), for copies of the same
    proportions (``one_canvas``) whose ``warp`` is not near the identity.

    The bar is a uniform band on one side of one thumbnail (core.windows content_box, the
    strict reading), with none on that side of the other. It counts as an overlay when the
    two thumbnails, the band and the rows next to it left out, agree unmoved at least as
    well as under the warp: then the warp was fitted to the bar, and nothing was trimmed.
    A crop of the same proportions agrees better under its warp."""
    n = member.shape[0]
    carrier = np.zeros(n, dtype=np.int8)
    place = np.zeros(n, dtype=np.int8)
    for i in np.flatnonzero(one_canvas & ~_near(warp)).tolist():
        m_side, k_side = _one_side(member[i]), _one_side(keeper[i])
        for sign, found, other in ((1, m_side, k_side), (-1, k_side, m_side)):
            if found is None or (other is not None and other[0] == found[0]):
                continue
            side, band = found
            outside = _outside(member.shape[1], side, band)
            ms = smooth(member[i : i + 1].astype(np.float32))
            ks = smooth(keeper[i : i + 1].astype(np.float32))
            moved, inside = warp_values(ks, warp[i : i + 1])
            if _apart(ms, ks, outside) <= _apart(ms, moved, outside * inside):
                carrier[i], place[i] = sign, side
            break
    return carrier, place


def _one_side(thumb: U8) -> tuple[int, int] | None:
    """The side (``TOP``...) and the rows or columns of a uniform band along one edge only
    of a thumbnail, or None."""
    box = border_of(thumb)
    if box is None:
        return None
    side = thumb.shape[0]
    left, top, right, bottom = box
    margins = {LEFT: left, TOP: top, RIGHT: 1 - right, BOTTOM: 1 - bottom}
    banded = [(s, m) for s, m in margins.items() if m > 0]
    if len(banded) != 1 or banded[0][1] > _EDGE_BAR:
        return None
    return banded[0][0], round(banded[0][1] * side)


def _outside(side: int, place: int, band: int) -> F32:
    """A (1, side, side) weight: 1 away from a band of ``band`` rows or columns at
    ``place``, 0 on it and on the rows next to it that smoothing spreads it over."""
    out = np.ones((1, side, side), dtype=np.float32)
    cut = band + _SMOOTHED
    if place == TOP:
        out[:, :cut] = 0
    elif place == BOTTOM:
        out[:, side - cut :] = 0
    elif place == LEFT:
        out[:, :, :cut] = 0
    else:
        out[:, :, side - cut :] = 0
    return out


def _apart(a: F32, b: F32, weight: F32) -> float:
    """How far two smoothed thumbnails are apart where ``weight`` is positive: the check's
    plain reading (core.verify), normalised there."""
    diff = np.abs(normalise(a, weight) - normalise(b, weight))
    return float(quantile(diff, weight, _QUANTILE)[0])
