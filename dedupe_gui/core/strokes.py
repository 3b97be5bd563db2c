"""Two slides on one background: a last look at pairs the 32x32 check let through.

Two slides that share a busy photo background and differ only in their text look the same
at 32x32: the text is a grey smudge that the plain reading ignores (less than a quarter of
the picture) or the forgiving one takes for a caption bar. At 256x256 the text is strokes,
and what makes it different from an edit is who has them. An edit is one-sided: a
watermark or a date stamp adds strokes to one file only, and a caption bar, a sticker or a
vignette covers a solid region, where each file disagrees with the other in the same place.
Two slides are two-sided: each file has strokes of its own where the other shows the shared
background, so each file has pixels the other cannot explain, at places where it can
explain the other's.

So both files of a pair that passed are decoded again at 256x256, aligned, and a pair is
rejected when both files have at least ``_OWN_SHARE`` of the picture in strokes of their own
and those strokes overlap the other file's for less than ``_SHARED`` of all unexplained
pixels. Pictures of flat areas and edges are read too, after their fine thumbnails
(core.verify) agreed: slides on a plain background saved as JPEG, and forms filled in small
print, have text a pixel thin at 128x128 that the fine check's tiles do not see.

At 128x128 the text of a slide is one or two pixels thin and, against a bright blurred
photo, within the tolerance: half the slides on one blurred photo passed. At 256x256 it is
resolved, but so is the misfit of a straightened copy (turned by a few degrees, which a
scale and a shift cannot undo): its edges leave thin strokes on both sides too. A pair the
rule rejects is therefore looked at once more with either file turned as a straightening
tool turns it (core.straighten); when a turn explains most of what differed and the turned
pair is not two-sided, the pair was one photo straightened. Two slides are not: turning one
only adds to what differs. docs/ACCURACY.md has the measurements behind the numbers.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.align import (
    align_halves,
    gauss_newton,
    identity_params,
    normalise,
    smooth,
    warp_values,
)
from dedupe_gui.core.straighten import ANGLES, turned_crop

F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]
B = npt.NDArray[np.bool_]

SIDE: Final = 256
# Normalised grey-level difference (units of each picture's contrast) above which a pixel is
# not explained by any pixel of the other picture within one pixel: the one-pixel slack
# absorbs what the alignment and resampling leave over on photo edges.
_TOLERANCE: Final = 1.0
# Share of the picture each file must have in strokes of its own (unexplained by the other
# file at places where the other is explained by it). Measured at 256x256 on edit seeds 1-2:
# slides on one blurred photo 0.0025-0.0099, copies that are not straightened and whose
# strokes overlap less than ``_SHARED`` at most 0.0011.
_OWN_SHARE: Final = 0.002
# Overlap of the two files' unexplained pixels (share of all of them) from which the
# difference is one solid region covering both (caption bar, sticker): not text. Measured:
# slides 0.03-0.16 (the highest two slides whose lines of text sit on the same rows, where
# letters cross), captions and stickers 0.165 and more. Captions are told by the band they
# fill (``_caption_band``), so the line sits where the 128x128 reading has it: on edit seeds
# 1, 2, 4, 5 and the first corpus no copy read by this check changed its verdict between
# 0.15 and 0.2 (the pairs above 0.15 are captions in their band or straightened copies
# that a turn explains).
_SHARED: Final = 0.2
# The same reading at 128x128 (each side halved), as the text check read pairs before it
# looked at 256x256: large text has strokes several pixels thick at 256, and the cores of
# two texts crossing are unexplained both ways, which reads as a solid region. At 128 it
# kept its own numbers (tolerance 1.5, own share 0.004, overlap 0.2: measured on the first
# corpus, no true pair of 400 rejected).
HALF_TOLERANCE: Final = 1.5
Scales = dict[int, tuple[float, float, float]]
_SCALES: Final[Scales] = {1: (_TOLERANCE, _OWN_SHARE, _SHARED), 2: (HALF_TOLERANCE, 0.004, 0.2)}
# Fine thumbnails (128x128) are read once, as the 128x128 reading above, with a smaller own
# share. Measured on both-fine pairs that pass the fine check (edit seeds 1-2, first
# corpus): two forms of one template 0.0048, two screenshots in one layout 0.0052; copies
# whose strokes overlap less than 0.2 at most 0.002.
_FINE_OWN_SHARE: Final = 0.003
_FINE_SCALES: Final[Scales] = {1: (HALF_TOLERANCE, _FINE_OWN_SHARE, 0.2)}
# A caption bar along one edge (core.strokes._caption_band): at most this share of the side
# deep, all but ``_BAND_REST`` of the unexplained pixels in it, along at least
# ``_BAND_LENGTH`` of the edge's ``_BAND_PARTS`` parts. Measured at 256 and 128 (edit seeds
# 4-5, every same-shape pair of a caption, sticker or vignette copy and every same-shape
# pair of two look-alikes that the rule above flags): caption copies 0.09-0.11 deep, at most
# 0.03 of their unexplained pixels outside a band 0.2 deep, along 0.88-1.0 of the edge;
# slides, chats and forms of one layout at least 0.32 outside any such band.
_BAND_DEPTH: Final = 0.2
_BAND_REST: Final = 0.1
_BAND_LENGTH: Final = 0.75
_BAND_PARTS: Final = 16
_COARSE_STEPS: Final = 6
_FINE_STEPS: Final = 3
# Gauss-Newton steps at the full 256x256 after the coarser levels: a 6-10 % trim left the
# scale a few per cent off at 128, and the misfit of the panels' edges read as strokes.
_FULL_STEPS: Final = 3
# Warp parameters (scale, shift as shares of the picture) closer than this to the identity
# move no pixel at 256x256 by more than about half a pixel: only the unwarped reading.
_STILL: Final = 0.002
# The aligned reading replaces the pair as it is only when it leaves at most this share of
# the pixels the pair as it is leaves unexplained. A crop, a resize or a trim misread as it
# is leaves misfit along every edge, which the alignment clears (copies read as two texts
# as they are kept 0.01-0.73 of it, edit seeds 1, 2, 4, 5 and the first corpus). Two slides
# share their background in place, and their own text pulls the alignment a per cent off
# it for nothing: 0.87-1.2 of the pixels stay unexplained, and the few that moved could
# take one file's own strokes under the own-share line (two banner slides: 0.00252 as
# they are, 0.00198 aligned, keeping 0.99 of the pixels).
_ALIGNED_GAIN: Final = 0.8
# A turn explains a rejected pair when it leaves at most this share of its unexplained
# pixels (straightened copies: under 1 %; slides: more than before, 110-190 %), with at
# least ``_MIN_COVERAGE`` of the picture compared.
_TURN_GAIN: Final = 0.6
_MIN_COVERAGE: Final = 0.85
# Pairs aligned at once: the Gauss-Newton steps at 256x256 hold about 8 MB per pair (traced:
# 252 MB for 32 pairs, 63 MB for 8, at less CPU a pair: the arrays stay in the CPU's caches).
_BATCH: Final = 8


def two_sided_text(a: U8, b: U8, aspects: F32 | None = None) -> B:
    """For each pair of 256x256 greyscale pictures ``a[k]``, ``b[k]``: whether each one has
    strokes of its own where the other shows the shared background (two different slides),
    rather than one file covering or marking part of the other (an edit).

    ``aspects``: shape (P, 2), each picture's width / height as displayed; with them, a pair
    found two-sided is looked at again as a straightened copy (see the module docstring)."""
    if a.shape != b.shape or a.ndim != 3 or a.shape[1:] != (SIDE, SIDE):
        raise ValueError(f"picture stacks must be (n, {SIDE}, {SIDE}): {a.shape} vs {b.shape}")
    return _two_sided(a, b, aspects, _SCALES)


def two_sided_fine(a: U8, b: U8, aspects: F32 | None = None) -> B:
    """``two_sided_text`` for pairs of 128x128 fine thumbnails (core.verify) of pictures made
    of flat areas and edges: two forms of one template, two screenshots in one layout. Their
    fine check counts differing tiles, and a form's filled fields are a few tiles of many;
    the fields' text is two-sided like a slide's. Read as at 128x128 above, with the own
    share at ``_FINE_OWN_SHARE``."""
    if a.shape != b.shape or a.ndim != 3 or a.shape[1] != a.shape[2] or a.shape[1] % 4:
        raise ValueError(f"picture stacks must be square, sides of 4k: {a.shape} vs {b.shape}")
    return _two_sided(a, b, aspects, _FINE_SCALES)


def _two_sided(a: U8, b: U8, aspects: F32 | None, scales: Scales) -> B:
    out = np.zeros(a.shape[0], dtype=bool)
    for start in range(0, a.shape[0], _BATCH):
        stop = start + _BATCH
        flagged, either, _ = _judge(a[start:stop], b[start:stop], scales)
        if aspects is not None and flagged.any():
            idx = np.flatnonzero(flagged)
            straight = _straightened(
                a[start:stop][idx],
                b[start:stop][idx],
                aspects[start:stop][idx],
                either[idx],
                scales,
            )
            flagged[idx[straight]] = False
        out[start:stop] = flagged
    return out


def _straightened(a: U8, b: U8, aspects: F32, either: F32, scales: Scales) -> B:
    """Which pairs a turn of either picture explains (see the module docstring)."""
    out = np.zeros(a.shape[0], dtype=bool)
    for sign in (1.0, -1.0):
        for angle in ANGLES:
            for first in (True, False):
                todo = np.flatnonzero(~out)
                if todo.size == 0:
                    return out
                if first:
                    ma = np.stack(
                        [turned_crop(a[k], sign * angle, float(aspects[k, 0])) for k in todo]
                    )
                    mb = b[todo]
                else:
                    ma = a[todo]
                    mb = np.stack(
                        [turned_crop(b[k], sign * angle, float(aspects[k, 1])) for k in todo]
                    )
                flagged, left, coverage = _judge(ma, mb, scales)
                out[todo] = (
                    ~flagged & (left <= _TURN_GAIN * either[todo]) & (coverage >= _MIN_COVERAGE)
                )
    return out


def _judge(a: U8, b: U8, scales: Scales) -> tuple[B, F32, F32]:
    """Whether each pair is two-sided text at any of ``scales`` (at 256x256, or at half that
    size, where large text has thinner strokes), the share of its pixels unexplained either
    way at the first scale, and the share of the picture compared once aligned."""
    ma, fb = a.astype(np.float32), b.astype(np.float32)
    count = ma.shape[0]
    # Aligned at 64, 128 and 256 (a crop, a resize). The pair is also compared as it is,
    # and the aligned reading counts only when it leaves clearly fewer pixels unexplained
    # (``_ALIGNED_GAIN``): two slides' own text pulls the alignment a little off a
    # background they share exactly. An aligned reading
    # is taken for two texts only when the pair as it is reads so too: a caption bar can
    # pull the alignment off the other way (the picture squeezed a few per cent to shrink
    # the bar's misfit), and the rest's misfit then reads as strokes on both sides.
    params = align_halves(ma, fb, _COARSE_STEPS, _FINE_STEPS)
    params = gauss_newton(smooth(ma), smooth(fb), params, _FULL_STEPS)
    moved = np.flatnonzero(np.abs(params - identity_params(count)).max(axis=1) > _STILL)
    flagged = np.zeros(count, dtype=bool)
    share = np.zeros(count, dtype=np.float32)
    coverage = np.zeros(count, dtype=np.float32)
    first = True
    for scale, (tolerance, own_share, shared) in scales.items():
        sa, sb = _reduced(ma, scale), _reduced(fb, scale)
        own_a, own_b, covered = _own(sa, sb, np.ones_like(sb), tolerance)
        as_it_is = _two_texts(own_a, own_b, own_share, shared)
        if moved.size:
            value, inside = warp_values(sb[moved], params[moved])
            wa, wb, wc = _own(sa[moved], value, inside, tolerance)
            left = (own_a[moved] | own_b[moved]).sum(axis=(1, 2))
            better = (wa | wb).sum(axis=(1, 2)) < _ALIGNED_GAIN * left
            take = moved[better]
            own_a[take], own_b[take], covered[take] = wa[better], wb[better], wc[better]
        two = np.flatnonzero(_two_texts(own_a, own_b, own_share, shared) & as_it_is)
        flagged[two] |= ~_caption_band(own_a[two], own_b[two])
        if first:
            either = (own_a | own_b).sum(axis=(1, 2))
            share = either.astype(np.float32) / np.float32(sa.shape[1] * sa.shape[2])
            coverage = covered.mean(axis=(1, 2)).astype(np.float32)
            first = False
    return flagged, share, coverage


def _two_texts(own_a: B, own_b: B, own_share: float, shared: float) -> B:
    """Whether each pair's unexplained pixels (``_own``) are two-sided text: at least
    ``own_share`` of the picture of each file's own, overlapping for less than ``shared``."""
    both = (own_a & own_b).sum(axis=(1, 2))
    either = (own_a | own_b).sum(axis=(1, 2))
    only = np.minimum((own_a & ~own_b).mean(axis=(1, 2)), (own_b & ~own_a).mean(axis=(1, 2)))
    out: B = (only >= own_share) & (both < shared * np.maximum(either, 1))
    return out


def _caption_band(own_a: B, own_b: B) -> B:
    """Whether each pair's unexplained pixels are what a caption bar leaves: all but
    ``_BAND_REST`` of them in a band along one edge, at most ``_BAND_DEPTH`` of the side
    deep, and along most of that edge (``_BAND_LENGTH`` of its ``_BAND_PARTS`` parts).

    A bar hides the covered file's texture along the whole edge, its text reads as strokes
    of the other's own, and the rest of the picture agrees. Two slides one word apart differ
    in one place (a word is a few parts of an edge long, even in a footer line), and two
    slides of other text differ away from the edges as well."""
    either = own_a | own_b
    count, n = either.shape[0], either.shape[1]
    depth = round(_BAND_DEPTH * n)
    total = either.sum(axis=(1, 2))
    out = np.zeros(count, dtype=bool)
    for band in (
        either[:, n - depth :, :],
        either[:, :depth, :],
        either[:, :, :depth].transpose(0, 2, 1),
        either[:, :, n - depth :].transpose(0, 2, 1),
    ):
        inside = band.sum(axis=(1, 2))
        parts = band.reshape(count, depth, _BAND_PARTS, n // _BAND_PARTS).any(axis=(1, 3))
        out |= (total - inside <= _BAND_REST * total) & (parts.mean(axis=1) >= _BAND_LENGTH)
    return out


def _reduced(pictures: F32, scale: int) -> F32:
    """``pictures`` box-averaged by ``scale`` on each side."""
    if scale == 1:
        return pictures
    p, n = pictures.shape[0], pictures.shape[1] // scale
    out: F32 = pictures.reshape(p, n, scale, n, scale).mean(axis=(2, 4)).astype(np.float32)
    return out


def _own(moving: F32, value: F32, inside: F32, tolerance: float) -> tuple[B, B, B]:
    """Each picture's pixels the other does not explain, where both are compared (``value``:
    the second picture warped onto the first; ``inside``: where it covers), and that area."""
    covered: B = inside > 0.5
    zm, zf = normalise(moving, inside), normalise(value, inside)
    return (
        _unexplained(zm, zf, tolerance) & covered,
        _unexplained(zf, zm, tolerance) & covered,
        covered,
    )


def _unexplained(a: F32, b: F32, tolerance: float) -> B:
    """Pixels of ``a`` that no pixel of ``b`` within one pixel matches to ``tolerance``."""
    n = a.shape[1]
    padded = np.pad(b, ((0, 0), (1, 1), (1, 1)), mode="edge")
    best = np.full(a.shape, np.inf, dtype=np.float32)
    for dy in range(3):
        for dx in range(3):
            np.minimum(best, np.abs(a - padded[:, dy : dy + n, dx : dx + n]), out=best)
    out: B = best > tolerance
    return out
