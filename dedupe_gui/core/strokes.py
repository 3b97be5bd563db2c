"""Two slides on one background: a last look at pairs the 32x32 check let through.

Two slides that share a busy photo background and differ only in their text look the same
at 32x32: the text is a grey smudge that the plain reading ignores (less than a quarter of
the picture) or the forgiving one takes for a caption bar. At 128x128 the text is strokes,
and what makes it different from an edit is who has them. An edit is one-sided: a
watermark or a date stamp adds strokes to one file only, and a caption bar, a sticker or a
vignette covers a solid region, where each file disagrees with the other in the same place.
Two slides are two-sided: each file has strokes of its own where the other shows the shared
background, so each file has pixels the other cannot explain, at places where it can
explain the other's.

So both files are decoded again at 128x128 (only the pairs of photo-like pictures that
passed, since pictures of flat areas and edges are already compared on their fine
thumbnails in core.verify), aligned, and a pair is rejected when both files have at least
``_OWN_SHARE`` of the picture in strokes of their own and those strokes overlap the other
file's for less than ``_SHARED`` of all unexplained pixels. docs/ACCURACY.md has the
measurements behind the numbers.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.align import align_halves, identity_params, normalise, warp

F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]

SIDE: Final = 128
# Normalised grey-level difference (units of each picture's contrast) above which a pixel is
# not explained by any pixel of the other picture within one pixel: the one-pixel slack
# absorbs what the alignment and resampling leave over on photo edges.
_TOLERANCE: Final = 1.5
# Share of the picture each file must have in strokes of its own (unexplained by the other
# file at places where the other is explained by it). Measured at 128x128 on the edit corpus:
# slides on one background 0.0005-0.03, watermarks (one-sided) and re-encodes under 0.002.
_OWN_SHARE: Final = 0.004
# Overlap of the two files' unexplained pixels (share of all of them) from which the
# difference is one solid region covering both (caption bar, sticker): not text.
_SHARED: Final = 0.2
_COARSE_STEPS: Final = 6
_FINE_STEPS: Final = 3
# Warp parameters (scale, shift as shares of the picture) closer than this to the identity
# move no pixel at 128x128 by more than about a quarter: the picture is compared unwarped.
_STILL: Final = 0.002


def two_sided_text(a: U8, b: U8) -> npt.NDArray[np.bool_]:
    """For each pair of 128x128 greyscale pictures ``a[k]``, ``b[k]``: whether each one has
    strokes of its own where the other shows the shared background (two different slides),
    rather than one file covering or marking part of the other (an edit)."""
    if a.shape != b.shape or a.ndim != 3 or a.shape[1:] != (SIDE, SIDE):
        raise ValueError(f"picture stacks must be (n, {SIDE}, {SIDE}): {a.shape} vs {b.shape}")
    ma, fb = a.astype(np.float32), b.astype(np.float32)
    count = ma.shape[0]
    if count == 0:
        return np.zeros(0, dtype=bool)
    # Aligned at 32x32, refined at 64x64 (a crop, a resize); pairs that need no warp (most
    # copies) skip it: the one-pixel slack of ``_unexplained`` covers a quarter pixel.
    still = identity_params(count)
    params = align_halves(ma, fb, _COARSE_STEPS, _FINE_STEPS)
    moved = np.flatnonzero(np.abs(params - still).max(axis=1) > _STILL)
    value, inside = fb.copy(), np.ones_like(fb)
    if moved.size:
        value[moved], _, _, inside[moved] = warp(fb[moved], params[moved])
    zm, zf = normalise(ma, inside), normalise(value, inside)
    covered = inside > 0.5
    own_a = _unexplained(zm, zf) & covered
    own_b = _unexplained(zf, zm) & covered
    both = (own_a & own_b).sum(axis=(1, 2))
    either = (own_a | own_b).sum(axis=(1, 2))
    only_a = (own_a & ~own_b).mean(axis=(1, 2))
    only_b = (own_b & ~own_a).mean(axis=(1, 2))
    out: npt.NDArray[np.bool_] = np.asarray(
        (np.minimum(only_a, only_b) >= _OWN_SHARE) & (both < _SHARED * np.maximum(either, 1))
    )
    return out


def _unexplained(a: F32, b: F32) -> npt.NDArray[np.bool_]:
    """Pixels of ``a`` that no pixel of ``b`` within one pixel matches to ``_TOLERANCE``."""
    n = a.shape[1]
    padded = np.pad(b, ((0, 0), (1, 1), (1, 1)), mode="edge")
    best = np.full(a.shape, np.inf, dtype=np.float32)
    for dy in range(3):
        for dx in range(3):
            np.minimum(best, np.abs(a - padded[:, dy : dy + n, dx : dx + n]), out=best)
    out: npt.NDArray[np.bool_] = best > _TOLERANCE
    return out
