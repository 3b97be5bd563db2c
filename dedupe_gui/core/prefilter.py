"""The first, cheap test of a candidate pair: the correlation of the two thumbnails at 16x16.
Most pairs the hash search brings are different pictures; this rules them out before any
alignment, and is kept apart from the check itself (``core.verify``) because it is also what
the loaded thumbnails keep per row (their signatures), and because it must forgive exactly one
overlay (a caption bar, a sticker) that dominates a quiet picture's contrast."""

from __future__ import annotations

import functools
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.hashes import THUMB_SIDE

F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]

# 16x16 correlation below which a pair is ruled out without the full check, also with one
# overlay's place left out: a band of _BAND cells along an edge (a caption bar over 8-12 % of
# the height, with the blur's spill), or a box of _BOX_CELLS cells (a sticker over 7-13 % of
# the picture fits in 7x7 cells of 16x16 wherever it sits).
_HOPELESS: Final = 0.5
# With the overlay's place left out, what remains must correlate as copies do: measured on
# two edit corpora, captioned and stickered copies 0.85-1.00, pairs of different pictures
# 0.5-0.62 (slides of two sets that share all but a title band up to 0.97, which the full
# check then fails).
_HOPELESS_ELSEWHERE: Final = 0.8
_BAND: Final = 3
_BOX_CELLS: Final = 7
# A pair that correlates below _HOPELESS but at least this well with one overlay's place
# left out (``first_test``): the rest of the picture agrees as a copy's does. Measured over
# every pair of one shape on edit seeds 1, 2, 4 and 5 and the first corpus whose 32x32
# residual is 1-2 times over the limit: copies with a sticker over a quiet picture (1.03-
# 1.28 times), and pictures of flat areas and edges (slides against objects on one backdrop:
# the box left out is all of their content); no other pair of different pictures.
_ONE_OVERLAY: Final = 0.95
# Two thumbnails whose middle halves (at 8x8) correlate at least this well show one scene
# there: measured over every pair of files of one shape on edit seeds 1, 2, 4 and 5 and the
# first corpus, no pair of different pictures at 0.9 or above whose whole thumbnails
# correlate below 0.5 or whose 32x32 residual is 1-2 times over the limit; copies with
# darkened corners, a caption bar or a border many (their centre 0.9-1.0).
CENTRES_AGREE: Final = 0.9


def signatures(thumbs: U8 | F32) -> F32:
    """Per file, its thumbnail at 16x16, normalised to zero mean and unit length: the dot
    product of two signatures is their correlation, a cheap first test for a pair."""
    t = thumbs.astype(np.float32)
    t = t.reshape(t.shape[0], THUMB_SIDE // 2, 2, THUMB_SIDE // 2, 2).mean(axis=(2, 4))
    return _normalised(t.reshape(t.shape[0], -1))


def middles_agree(a: U8, b: U8) -> npt.NDArray[np.bool_]:
    """Pairs of 32x32 thumbnails ``a[k]``, ``b[k]`` whose middle halves (a quarter of the
    picture, at 8x8) correlate at least ``CENTRES_AGREE``: a copy whose edges or corners
    were edited heavily (a strong vignette, a caption bar over a quiet picture) correlates
    poorly as a whole and leaves its 32x32 residual far over the limit, while its middle
    agrees as any copy's does."""
    out: npt.NDArray[np.bool_] = np.einsum("ij,ij->i", _middle(a), _middle(b)) >= CENTRES_AGREE
    return out


def _middle(thumbs: U8) -> F32:
    """Each thumbnail's middle half at 8x8, normalised as ``signatures`` are."""
    side = THUMB_SIDE // 2
    t = thumbs[:, side // 2 : side // 2 + side, side // 2 : side // 2 + side].astype(np.float32)
    t = t.reshape(t.shape[0], side // 2, 2, side // 2, 2).mean(axis=(2, 4))
    return _normalised(t.reshape(t.shape[0], -1))


def _normalised(t: F32) -> F32:
    t = t - t.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(t, axis=1, keepdims=True)
    out: F32 = (t / np.maximum(norm, np.float32(1e-3))).astype(np.float32)
    return out


def hopeless(sig_a: F32, sig_b: F32, flat: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``first_test``'s pairs that cannot be copies of each other."""
    return first_test(sig_a, sig_b, flat)[0]


def first_test(
    sig_a: F32, sig_b: F32, flat: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Pairs that cannot be copies of each other: their 16x16 correlation is below 0.5, and
    below 0.8 with the place of one overlay (a caption bar, a sticker) left out.

    Copies correlate above 0.8 even when cropped by 5 % per edge. A caption bar or a sticker
    on a low-contrast picture is most of its contrast, though: such a copy's correlation
    with its original falls to 0.1-0.4 while the rest of the picture agrees (0.8-1.0 without
    the overlay's cells). Flat thumbnails (whose correlation is noise) are never ruled out
    here. Ruling a pair out costs a dot product (and a hundred masked ones for the few that
    fail it), so a search at a high threshold does not pay the full check for every distant
    pair.

    Second, of those below 0.5, the pairs that agree as one picture once one overlay's place
    is left out (at least ``_ONE_OVERLAY``): a sticker over most of a quiet picture's
    contrast, whose 32x32 residual may be over the local-edit look's usual bound.
    """
    corr = np.einsum("ij,ij->i", sig_a, sig_b)
    out: npt.NDArray[np.bool_] = (corr < _HOPELESS) & ~flat
    overlaid = np.zeros_like(out)
    low = np.flatnonzero(out)
    if low.size:
        robust = _robust_correlation(sig_a[low], sig_b[low])
        out[low] = robust < _HOPELESS_ELSEWHERE
        overlaid[low] = robust >= _ONE_OVERLAY
    return out, overlaid


def _robust_correlation(sig_a: F32, sig_b: F32) -> F32:
    """The best correlation of two signatures with one overlay's place left out: a band of
    ``_BAND`` cells along an edge (a caption bar) or a box of ``_BOX_CELLS`` cells anywhere (a
    sticker). One region only, and at most a fifth of the picture: two different pictures
    disagree all over, and leaving out their worst cells would find agreement in any pair."""
    side = int(np.sqrt(sig_a.shape[1]))
    scale = np.float32(side)  # unit-length signatures to unit variance
    za, zb = sig_a * scale, sig_b * scale
    keep = 1 - _overlay_places(side)  # (places, cells)
    n = keep.sum(axis=1)[None]
    sa, sb = za @ keep.T, zb @ keep.T
    cov = (za * zb) @ keep.T - sa * sb / n
    var_a = (za * za) @ keep.T - sa * sa / n
    var_b = (zb * zb) @ keep.T - sb * sb / n
    corr = cov / np.sqrt(np.maximum(var_a * var_b, np.float32(1e-6)))
    out: F32 = corr.max(axis=1).astype(np.float32)
    return out


@functools.cache
def _overlay_places(side: int) -> F32:
    """Where one overlay may sit on a ``side`` x ``side`` signature, as masks (one row each,
    1 where left out): the four edge bands, and every box of ``_BOX_CELLS`` cells."""
    places = []
    for k in range(4):
        band = np.zeros((side, side), dtype=np.float32)
        band[:, :_BAND] = 1
        places.append(np.rot90(band, k))
    for y in range(side - _BOX_CELLS + 1):
        for x in range(side - _BOX_CELLS + 1):
            box = np.zeros((side, side), dtype=np.float32)
            box[y : y + _BOX_CELLS, x : x + _BOX_CELLS] = 1
            places.append(box)
    out: F32 = np.stack(places).reshape(len(places), side * side)
    return out
