"""Image arithmetic of the thumbnail check (core.verify), on stacks of small greyscale pictures.

Everything takes a stack (P, n, n) and works on all P pictures at once: smoothing, contrast
normalisation, tiles, a bilinear warp with per-axis scale and shift, and the Gauss-Newton
(Lucas-Kanade) steps that find the warp aligning one picture onto another.
"""

from __future__ import annotations

import functools
import math
from typing import Final

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
C128 = npt.NDArray[np.complex128]

# Bounds of the warp the alignment may find: scale per axis, and shift as a share of the side.
SCALE_LIMITS: Final = (0.8, 1.25)
SHIFT_LIMIT: Final = 0.15
# A set of flagged tiles is compact when it fits in one box of at most this share.
OVERLAY_AREA: Final = 0.3
# The warp that moves nothing: scale 1 and shift 0 on both axes.
IDENTITY: Final = (1.0, 1.0, 0.0, 0.0)


def quantile(values: F32, weight: F32, q: int) -> F32:
    """The ``q``th percentile of each picture's ``values`` where ``weight`` is positive."""
    p = values.shape[0]
    masked = np.where(weight > 0, values, np.inf).reshape(p, -1)
    masked.sort(axis=1)
    count = (weight > 0).reshape(p, -1).sum(axis=1)
    at = np.clip((count - 1) * q // 100, 0, masked.shape[1] - 1)
    out: F32 = np.take_along_axis(masked, at[:, None], axis=1)[:, 0].astype(np.float32)
    return out


def percentile(values: F32, q: int) -> F32:
    """``np.percentile(values, q, axis=(1, 2))`` to the bit (its linear reading between the
    two nearest ranks of each picture), without the import of numpy.ma that np.percentile
    makes on its first call: 30-50 ms of CPU in the grouping of any scan with a flat
    picture in a candidate pair, for the sort of a few thousand values."""
    rows = np.sort(values.reshape(values.shape[0], -1), axis=1)
    n = rows.shape[1]
    at = (n - 1) * (q / 100)
    lo = min(math.floor(at), n - 1)
    a, b = rows[:, lo], rows[:, min(lo + 1, n - 1)]
    # numpy's weight: what is past ``lo`` (taken from n - 1 when ``at`` is the last rank)
    gamma = at - (lo if at < n - 1 else -1)
    diff = b - a
    # numpy interpolates from the nearer end, in the pictures' own float type
    out: F32 = b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma
    # a picture with a NaN (sorted last) reads NaN, as it does in numpy
    return np.where(np.isnan(rows[:, -1]), rows[:, -1], out)


def compact_tiles(bad: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Whether each tile grid's flagged tiles fit in one box of at most ``OVERLAY_AREA``."""
    tiles = bad.shape[1]
    rows = np.asarray(bad.any(axis=2))
    cols = np.asarray(bad.any(axis=1))
    height = np.where(
        rows.any(axis=1), tiles - rows[:, ::-1].argmax(axis=1) - rows.argmax(axis=1), 0
    )
    width = np.where(
        cols.any(axis=1), tiles - cols[:, ::-1].argmax(axis=1) - cols.argmax(axis=1), 0
    )
    out: npt.NDArray[np.bool_] = np.asarray(height * width <= OVERLAY_AREA * tiles * tiles)
    return out


def highpass(t: F32, r: int = 2) -> F32:
    """``t`` minus its (2r+1)-pixel box average: the edges without the shading."""
    pad = np.pad(t, ((0, 0), (r, r), (r, r)), mode="edge")
    c = pad.cumsum(axis=1).cumsum(axis=2)
    c = np.pad(c, ((0, 0), (1, 0), (1, 0)))
    w = 2 * r + 1
    n = t.shape[1]
    box = c[:, w : w + n, w : w + n] - c[:, :n, w : w + n] - c[:, w : w + n, :n] + c[:, :n, :n]
    out: F32 = (t - box / np.float32(w * w)).astype(np.float32)
    return out


def tile_sum(t: F32, k: int) -> F32:
    p, n, _ = t.shape
    out: F32 = t.reshape(p, n // k, k, n // k, k).sum(axis=(2, 4))
    return out


@functools.cache
def field_basis(n: int, steep: bool = False) -> F32:
    """Smooth shapes (a constant, slopes, and the quadratic terms a vignette follows);
    ``steep`` adds the fourth power of the distance from the centre, which strong vignettes
    follow (dark corners, a centre left as it was)."""
    u = (np.arange(n, dtype=np.float32) + 0.5) / n - 0.5
    y, x = np.meshgrid(u, u, indexing="ij")
    terms = [np.ones_like(x), x, y, x * x, y * y, x * y]
    if steep:
        terms.append((x * x + y * y) ** 2)
    out: F32 = np.stack(terms).reshape(len(terms), n * n)
    return out


def smooth_field(diff: F32, weight: F32, steep: bool = False) -> F32:
    """The smooth part of ``diff`` (weighted least squares on ``field_basis``): darkened
    corners and gentle re-grades that vary across the picture, which are not differences."""
    p, n, _ = diff.shape
    basis = field_basis(n, steep)
    w = weight.reshape(p, 1, n * n)
    eye = np.eye(basis.shape[0], dtype=np.float32)
    lhs = (basis[None] * w) @ basis.T[None] + np.float32(1e-3) * eye
    rhs = (basis[None] * w) @ diff.reshape(p, n * n, 1)
    coef = np.linalg.solve(lhs, rhs)
    out: F32 = (basis.T[None] @ coef).reshape(p, n, n).astype(np.float32)
    return out


def smooth(t: F32) -> F32:
    """Two passes of a [1 2 1]/4 blur: alignment converges from further away, and the
    residual measures the picture rather than resampling noise."""
    for _ in range(2):
        h = t.copy()
        h[:, :, 1:-1] = 0.25 * t[:, :, :-2] + 0.5 * t[:, :, 1:-1] + 0.25 * t[:, :, 2:]
        v = h.copy()
        v[:, 1:-1, :] = 0.25 * h[:, :-2, :] + 0.5 * h[:, 1:-1, :] + 0.25 * h[:, 2:, :]
        t = v
    return t


def normalise(t: F32, weight: F32 | None = None) -> F32:
    if weight is None:
        mean = t.mean(axis=(1, 2), keepdims=True)
        sd = t.std(axis=(1, 2), keepdims=True)
    else:
        total = weight.sum(axis=(1, 2), keepdims=True) + np.float32(1e-6)
        mean = (t * weight).sum(axis=(1, 2), keepdims=True) / total
        sd = np.sqrt((((t - mean) ** 2) * weight).sum(axis=(1, 2), keepdims=True) / total)
    out: F32 = ((t - mean) / (sd + np.float32(1e-3))).astype(np.float32)
    return out


def cells(img: F32) -> C128:
    """Each pixel of a stack (P, n, n) as the bilinear cell it starts, one 16-byte item: its
    grey level, the step to its right, the grey level below it and the step to the right
    there. A sample then gathers one item instead of four grey levels, and a stack sampled
    in several steps (``gauss_newton``) is cut into cells once. The cells of the last row
    and column are never read: samples are clipped inside them."""
    p, n, _ = img.shape
    out = np.zeros((p, n, n, 4), dtype=np.float32)
    out[..., 0] = img
    out[:, :, :-1, 1] = img[:, :, 1:] - img[:, :, :-1]
    out[:, :-1, :, 2] = img[:, 1:, :]
    out[:, :-1, :-1, 3] = img[:, 1:, 1:] - img[:, 1:, :-1]
    flat: C128 = out.reshape(p * n * n, 4).view(np.complex128).reshape(-1)
    return flat


def sample(img: F32, cx: F32, cy: F32) -> tuple[F32, F32, F32, F32]:
    """Bilinear samples of ``img`` at pixel coordinates, their x/y gradients, and a mask of
    the coordinates that fall inside the image."""
    value, inside, gradients = _sample(cells(img), img.shape[1], cx, cy, True)
    assert gradients is not None
    return value, gradients[0], gradients[1], inside


def _sample(
    cell: C128, n: int, cx: F32, cy: F32, gradients: bool
) -> tuple[F32, F32, tuple[F32, F32] | None]:
    """``sample`` from the stack's ``cells`` (side ``n``): the samples, the mask of those
    inside, and (with ``gradients``) their x/y gradients."""
    p = cx.shape[0]
    inside = ((cx >= -0.5) & (cx <= n - 0.5) & (cy >= -0.5) & (cy <= n - 0.5)).astype(np.float32)
    cx = np.clip(cx, 0, n - 1.001)
    cy = np.clip(cy, 0, n - 1.001)
    x0, y0 = np.floor(cx), np.floor(cy)
    # Exact in 32 bits: a coordinate less its floor keeps fewer significant bits.
    fx, fy = cx - x0, cy - y0
    at = (np.arange(p, dtype=np.int64) * n * n)[:, None, None] + (
        y0.astype(np.int64) * n + x0.astype(np.int64)
    )
    corners = cell.take(at).view(np.float32).reshape(*at.shape, 4)
    v00, step0, v10, step1 = (corners[..., k] for k in range(4))
    top = v00 + step0 * fx
    bottom = v10 + step1 * fx
    value: F32 = top + (bottom - top) * fy
    if not gradients:
        return value, inside, None
    gx: F32 = step0 * (1 - fy) + step1 * fy
    gy: F32 = bottom - top
    return value, inside, (gx, gy)


def grid(n: int) -> tuple[F32, F32]:
    u = ((np.arange(n, dtype=np.float32) + 0.5) / n).astype(np.float32)
    return u[None, None, :], u[None, :, None]


def warp(img: F32, params: F32) -> tuple[F32, F32, F32, F32]:
    n = img.shape[1]
    value, inside, gradients = _warp_cells(cells(img), n, params, True)
    assert gradients is not None
    return value, gradients[0], gradients[1], inside


def warp_values(img: F32, params: F32) -> tuple[F32, F32]:
    """``warp``'s samples and mask without the gradients, which only the alignment reads."""
    value, inside, _ = _warp_cells(cells(img), img.shape[1], params, False)
    return value, inside


def _warp_cells(
    cell: C128, n: int, params: F32, gradients: bool
) -> tuple[F32, F32, tuple[F32, F32] | None]:
    ux, uy = grid(n)
    cx = (params[:, 0, None, None] * ux + params[:, 2, None, None]) * n - 0.5
    cy = (params[:, 1, None, None] * uy + params[:, 3, None, None]) * n - 0.5
    return _sample(cell, n, cx.astype(np.float32), cy.astype(np.float32), gradients)


def gauss_newton(moving: F32, fixed: F32, params: F32, steps: int) -> F32:
    n = moving.shape[1]
    ux, uy = grid(n)
    ux_full = np.broadcast_to(ux, moving.shape)
    uy_full = np.broadcast_to(uy, moving.shape)
    damping = np.float32(1e-3) * np.eye(4, dtype=np.float32)
    cell = cells(fixed)
    for _ in range(steps):
        value, inside, gradients = _warp_cells(cell, n, params, True)
        assert gradients is not None
        gx, gy = gradients
        total = inside.sum(axis=(1, 2), keepdims=True) + np.float32(1e-6)
        mean = (value * inside).sum(axis=(1, 2), keepdims=True) / total
        sd = np.sqrt((((value - mean) ** 2) * inside).sum(axis=(1, 2), keepdims=True) / total)
        sd = sd + np.float32(1e-3)
        zf = (value - mean) / sd
        zm = normalise(moving, inside)
        gxn = gx / sd * n
        gyn = gy / sd * n
        jac = np.stack([gxn * ux_full, gyn * uy_full, gxn, gyn], axis=1) * inside[:, None]
        jac = jac.reshape(moving.shape[0], 4, n * n)
        r = ((zm - zf) * inside).reshape(moving.shape[0], n * n, 1)
        hess = jac @ jac.transpose(0, 2, 1) + damping
        grad = jac @ r
        params = params + np.linalg.solve(hess, grad)[..., 0].astype(np.float32)
        params[:, :2] = np.clip(params[:, :2], *SCALE_LIMITS)
        params[:, 2:] = np.clip(params[:, 2:], -SHIFT_LIMIT, SHIFT_LIMIT)
    return params


def identity_params(count: int) -> F32:
    """``count`` warps that move nothing (``IDENTITY``), one row each."""
    out: F32 = np.tile(np.array(IDENTITY, dtype=np.float32), (count, 1))
    return out


def align_halves(moving: F32, fixed: F32, coarse_steps: int, fine_steps: int) -> F32:
    """The warps aligning each of ``fixed`` onto ``moving`` (stacks of square pictures whose
    side divides by 4), found from the identity on both box-averaged to a quarter of the side
    (``coarse_steps``) and refined at half the side (``fine_steps``), each level smoothed:
    the second looks at 128x128 (core.strokes, core.local_edits) align this way."""
    count, side = moving.shape[0], moving.shape[1]
    params = identity_params(count)
    for f, steps in ((4, coarse_steps), (2, fine_steps)):
        n = side // f
        ms = moving.reshape(count, n, f, n, f).mean(axis=(2, 4))
        fs = fixed.reshape(count, n, f, n, f).mean(axis=(2, 4))
        params = gauss_newton(smooth(ms), smooth(fs), params, steps)
    return params
