"""A second look at candidate pairs: do the two small greyscale thumbnails show the same picture?

The 64-bit dHash cannot tell a lightly cropped copy (up to 15 bits away) from a different shot
of the same scene (an HDR and a non-HDR frame of one moment sit 3 bits apart), and on flat
pictures its bits are noise. So pairs are searched at a generous dHash radius and each one is
checked on a 32x32 greyscale thumbnail kept with the fingerprint:

1. Both thumbnails are smoothed and brought to zero mean and unit contrast, which makes
   re-grades, greyscale conversion and recompression disappear.
2. A crop is undone by aligning one thumbnail onto the other: a scale and a shift per axis,
   found by a few Gauss-Newton (Lucas-Kanade) steps, tried in both directions since either
   file may be the cropped one. Pairs that already agree, or clearly do not, skip this.
3. The residual is the 75th percentile of the absolute differences of the aligned,
   normalised thumbnails. It ignores what covers less than a quarter of the picture (a
   watermark, a date stamp), while a different frame, re-lit or moved, differs almost
   everywhere. (The median would be fooled by two different objects on the same plain
   background, which agree on more than half of the pixels.)

Flat thumbnails (little gradient anywhere: fog, a wall, a blank frame) would have their noise
magnified by step 1; they are compared on raw grey levels instead, so only near-identical
flat pictures pass.

Everything is vectorised over pairs so that thousands of candidates cost well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from dedupe_gui.core.workers import default_workers

F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]

THUMB_SIDE: Final = 32
THUMB_BYTES: Final = THUMB_SIDE * THUMB_SIDE

# The residual accepted by default (75th percentile of the absolute differences of the
# aligned, normalised thumbnails). On the development corpus 99.5 % of true copies stay
# below 0.12 (crops, watermarks and re-grades included), the closest different frame of one
# scene (an HDR pair) sits at 0.146 and other different photos above 0.29. docs/ACCURACY.md
DEFAULT_MAX_RESIDUAL: Final = 0.13
_QUANTILE: Final = 75

# Mean absolute gradient (grey levels per thumbnail pixel) below which a thumbnail is flat.
FLAT_DETAIL: Final = 1.5
# For flat pairs: raw grey-level difference that counts as a residual of 1.0.
FLAT_SCALE: Final = 10.0

# Unaligned correlation (of the smoothed thumbnails) below which alignment is not tried:
# copies that only alignment lets through stay above 0.79 on the development corpora.
_PREFILTER: Final = 0.7
# 16x16 correlation below which a pair is ruled out without the full check.
_HOPELESS: Final = 0.5
# Unaligned residual below which alignment cannot change the verdict that matters.
_SKIP_ALIGN: Final = 0.03
# Share of a thumbnail that must land inside the other after alignment.
_MIN_COVERAGE: Final = 0.85
_SCALE_LIMITS: Final = (0.8, 1.25)
_SHIFT_LIMIT: Final = 0.15
_COARSE_STEPS: Final = 6
_FINE_STEPS: Final = 3
# Pairs processed at once: bounds memory to a few tens of MB.
_CHUNK: Final = 1024
# Below this many pairs a batch is not worth splitting over threads.
_MIN_SHARE: Final = 64


def thumbnail(grey: Image.Image, transpose: Image.Transpose | None = None) -> bytes:
    """The 32x32 greyscale thumbnail kept with a fingerprint, upright as displayed.

    ``reducing_gap`` lets Pillow box-reduce a large image before the LANCZOS step: the
    thumbnail is only compared with other thumbnails, so speed wins over bit-exactness.
    """
    small = grey.resize((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    if transpose is not None:
        small = small.transpose(transpose)
    return small.tobytes()


def thumbs_to_array(thumbs: Sequence[bytes]) -> tuple[U8, npt.NDArray[np.bool_]]:
    """Stacked thumbnails (n, 32, 32) and which of them exist (older records have none)."""
    out = np.zeros((len(thumbs), THUMB_SIDE, THUMB_SIDE), dtype=np.uint8)
    present = np.zeros(len(thumbs), dtype=bool)
    for i, t in enumerate(thumbs):
        if len(t) == THUMB_BYTES:
            out[i] = np.frombuffer(t, dtype=np.uint8).reshape(THUMB_SIDE, THUMB_SIDE)
            present[i] = True
    return out, present


def signatures(thumbs: U8) -> F32:
    """Per file, its thumbnail at 16x16, normalised to zero mean and unit length: the dot
    product of two signatures is their correlation, a cheap first test for a pair."""
    t = thumbs.astype(np.float32)
    t = t.reshape(t.shape[0], THUMB_SIDE // 2, 2, THUMB_SIDE // 2, 2).mean(axis=(2, 4))
    t = t.reshape(t.shape[0], -1)
    t -= t.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(t, axis=1, keepdims=True)
    out: F32 = (t / np.maximum(norm, np.float32(1e-3))).astype(np.float32)
    return out


def hopeless(sig_a: F32, sig_b: F32, flat: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Pairs that cannot be copies of each other: their 16x16 correlation is below 0.5.

    Copies correlate above 0.8 even when cropped by 5 % per edge. Flat thumbnails (whose
    correlation is noise) are never ruled out here. Ruling a pair out costs a dot product,
    so a search at a high threshold does not pay the full check for every distant pair.
    """
    corr = np.einsum("ij,ij->i", sig_a, sig_b)
    out: npt.NDArray[np.bool_] = (corr < _HOPELESS) & ~flat
    return out


def detail(thumbs: U8 | F32) -> F32:
    """Mean absolute gradient of each thumbnail: how much structure its hash can rest on."""
    t = thumbs.astype(np.float32)
    gx = np.abs(np.diff(t, axis=-1)).mean(axis=(-2, -1))
    gy = np.abs(np.diff(t, axis=-2)).mean(axis=(-2, -1))
    out: F32 = ((gx + gy) / 2).astype(np.float32)
    return out


def residuals(a: U8, b: U8, good_enough: float = 0.0) -> F32:
    """The residual of each pair of thumbnails ``a[k]``, ``b[k]`` (shape (P, 32, 32) each).

    ``good_enough``: a caller that only asks "at most this?" lets the check stop as soon as
    one way of aligning the pair gets there; such pairs then report that first residual, an
    upper bound of the exact one that is still at most ``good_enough``. The default (0) gives
    exact residuals. Large batches are split over threads: the work is whole-array numpy
    arithmetic, which runs without the interpreter lock, so every core takes a share.
    """
    if a.shape != b.shape or a.ndim != 3:
        raise ValueError(f"thumbnail stacks must match: {a.shape} vs {b.shape}")
    count = a.shape[0]
    workers = default_workers()
    step = min(_CHUNK, max(_MIN_SHARE, -(-count // workers)))
    starts = range(0, count, step)
    out = np.empty(count, dtype=np.float32)

    def run(start: int) -> None:
        stop = start + step
        out[start:stop] = _residuals(
            a[start:stop].astype(np.float32), b[start:stop].astype(np.float32), good_enough
        )

    if len(starts) == 1 or workers == 1:
        for start in starts:
            run(start)
    else:
        with ThreadPoolExecutor(min(workers, len(starts))) as pool:
            list(pool.map(run, starts))
    return out


def _residuals(a: F32, b: F32, good_enough: float) -> F32:
    flat = np.minimum(detail(a), detail(b)) < FLAT_DETAIL
    sa, sb = _smooth(a), _smooth(b)
    out = np.empty(a.shape[0], dtype=np.float32)
    if flat.any():
        raw = np.abs(sa[flat] - sb[flat])
        out[flat] = np.percentile(raw, _QUANTILE, axis=(1, 2)) / FLAT_SCALE
    rest = ~flat
    if not rest.any():
        return out
    za, zb = _normalise(sa[rest]), _normalise(sb[rest])
    identity = np.percentile(np.abs(za - zb), _QUANTILE, axis=(1, 2)).astype(np.float32)
    correlation = (za * zb).mean(axis=(1, 2))
    result = identity.copy()
    align = (identity > max(_SKIP_ALIGN, good_enough)) & (correlation >= _PREFILTER)
    if align.any():
        pa, pb = a[rest][align], b[rest][align]
        sa2, sb2 = sa[rest][align], sb[rest][align]
        best = np.minimum(identity[align], _aligned_residual(pa, pb, sa2, sb2))
        # The other direction only where the first did not already settle the question.
        again = best > good_enough
        if again.any():
            backward = _aligned_residual(pb[again], pa[again], sb2[again], sa2[again])
            best[again] = np.minimum(best[again], backward)
        result[align] = best
    out[rest] = result
    return out


def _smooth(t: F32) -> F32:
    """Two passes of a [1 2 1]/4 blur: alignment converges from further away, and the
    residual measures the picture rather than resampling noise."""
    for _ in range(2):
        h = t.copy()
        h[:, :, 1:-1] = 0.25 * t[:, :, :-2] + 0.5 * t[:, :, 1:-1] + 0.25 * t[:, :, 2:]
        v = h.copy()
        v[:, 1:-1, :] = 0.25 * h[:, :-2, :] + 0.5 * h[:, 1:-1, :] + 0.25 * h[:, 2:, :]
        t = v
    return t


def _normalise(t: F32, weight: F32 | None = None) -> F32:
    if weight is None:
        mean = t.mean(axis=(1, 2), keepdims=True)
        sd = t.std(axis=(1, 2), keepdims=True)
    else:
        total = weight.sum(axis=(1, 2), keepdims=True) + np.float32(1e-6)
        mean = (t * weight).sum(axis=(1, 2), keepdims=True) / total
        sd = np.sqrt((((t - mean) ** 2) * weight).sum(axis=(1, 2), keepdims=True) / total)
    out: F32 = ((t - mean) / (sd + np.float32(1e-3))).astype(np.float32)
    return out


def _sample(img: F32, cx: F32, cy: F32) -> tuple[F32, F32, F32, F32]:
    """Bilinear samples of ``img`` at pixel coordinates, their x/y gradients, and a mask of
    the coordinates that fall inside the image."""
    p, n, _ = img.shape
    inside = ((cx >= -0.5) & (cx <= n - 0.5) & (cy >= -0.5) & (cy <= n - 0.5)).astype(np.float32)
    cx = np.clip(cx, 0, n - 1.001)
    cy = np.clip(cy, 0, n - 1.001)
    x0 = np.floor(cx).astype(np.int64)
    y0 = np.floor(cy).astype(np.int64)
    fx = (cx - x0).astype(np.float32)
    fy = (cy - y0).astype(np.float32)
    flat = img.reshape(-1)
    i00 = (np.arange(p, dtype=np.int64) * n * n)[:, None, None] + y0 * n + x0
    v00, v01 = flat[i00], flat[i00 + 1]
    v10, v11 = flat[i00 + n], flat[i00 + n + 1]
    top = v00 + (v01 - v00) * fx
    bottom = v10 + (v11 - v10) * fx
    value = top + (bottom - top) * fy
    gx = (v01 - v00) * (1 - fy) + (v11 - v10) * fy
    gy = bottom - top
    return value, gx, gy, inside


def _aligned_residual(moving: F32, fixed: F32, moving_s: F32, fixed_s: F32) -> F32:
    """Residual after warping ``fixed`` onto ``moving`` with per-axis scale and shift."""
    params = np.tile(np.array([1.0, 1.0, 0.0, 0.0], dtype=np.float32), (moving.shape[0], 1))
    params = _gauss_newton(moving_s, fixed_s, params, _COARSE_STEPS)
    params = _gauss_newton(moving, fixed, params, _FINE_STEPS)
    value, _, _, inside = _warp(fixed_s, params)
    zm = _normalise(moving_s, inside)
    zf = _normalise(value, inside)
    # Pixels that fell outside sort last; the quantile is taken over the ones inside.
    diff = np.where(inside > 0, np.abs(zm - zf), np.inf).reshape(moving.shape[0], -1)
    diff.sort(axis=1)
    count = (inside > 0).reshape(moving.shape[0], -1).sum(axis=1)
    at = np.clip((count - 1) * _QUANTILE // 100, 0, diff.shape[1] - 1)
    res: F32 = np.take_along_axis(diff, at[:, None], axis=1)[:, 0].astype(np.float32)
    res[(count < _MIN_COVERAGE * diff.shape[1]) | ~np.isfinite(res)] = np.inf
    return res


def _grid(n: int) -> tuple[F32, F32]:
    u = ((np.arange(n, dtype=np.float32) + 0.5) / n).astype(np.float32)
    return u[None, None, :], u[None, :, None]


def _warp(img: F32, params: F32) -> tuple[F32, F32, F32, F32]:
    n = img.shape[1]
    ux, uy = _grid(n)
    cx = (params[:, 0, None, None] * ux + params[:, 2, None, None]) * n - 0.5
    cy = (params[:, 1, None, None] * uy + params[:, 3, None, None]) * n - 0.5
    return _sample(img, cx.astype(np.float32), cy.astype(np.float32))


def _gauss_newton(moving: F32, fixed: F32, params: F32, steps: int) -> F32:
    n = moving.shape[1]
    ux, uy = _grid(n)
    ux_full = np.broadcast_to(ux, moving.shape)
    uy_full = np.broadcast_to(uy, moving.shape)
    damping = np.float32(1e-3) * np.eye(4, dtype=np.float32)
    for _ in range(steps):
        value, gx, gy, inside = _warp(fixed, params)
        total = inside.sum(axis=(1, 2), keepdims=True) + np.float32(1e-6)
        mean = (value * inside).sum(axis=(1, 2), keepdims=True) / total
        sd = np.sqrt((((value - mean) ** 2) * inside).sum(axis=(1, 2), keepdims=True) / total)
        sd = sd + np.float32(1e-3)
        zf = (value - mean) / sd
        zm = _normalise(moving, inside)
        gxn = gx / sd * n
        gyn = gy / sd * n
        jac = np.stack([gxn * ux_full, gyn * uy_full, gxn, gyn], axis=1) * inside[:, None]
        jac = jac.reshape(moving.shape[0], 4, n * n)
        r = ((zm - zf) * inside).reshape(moving.shape[0], n * n, 1)
        hess = jac @ jac.transpose(0, 2, 1) + damping
        grad = jac @ r
        params = params + np.linalg.solve(hess, grad)[..., 0].astype(np.float32)
        params[:, :2] = np.clip(params[:, :2], *_SCALE_LIMITS)
        params[:, 2:] = np.clip(params[:, 2:], -_SHIFT_LIMIT, _SHIFT_LIMIT)
    return params
