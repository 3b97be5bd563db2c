"""Pillow's LANCZOS downscale of small greyscale grids, bit for bit, as two matrix products.

A fingerprint takes about a dozen 9x8 LANCZOS resizes of small crops (core.windows). Each
``Image.resize`` call costs tens of microseconds of set-up around a few thousand
multiply-adds; as two matrix products over a numpy grid the same arithmetic costs a few. The
result must stay exactly Pillow's, because stored hashes were made by it: the weights are
Pillow's (``precompute_coeffs`` in libImaging/Resample.c: the LANCZOS kernel scaled to the
reduction, normalised per output pixel, then rounded to 22-bit fixed point), each pass adds
half a unit and shifts, and the horizontal pass is clipped to 0-255 before the vertical one
reads it. Sums of 8-bit pixels times 22-bit weights stay far below 2**53, so float64
products are exact integers. ``tests/core/test_resample.py`` holds the result equal to
Pillow's on many sizes and crops.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

_PRECISION_BITS: Final = 32 - 8 - 2
_ONE: Final = float(1 << _PRECISION_BITS)
_HALF: Final = float(1 << (_PRECISION_BITS - 1))
_SUPPORT: Final = 3.0  # LANCZOS (a = 3)

F64 = npt.NDArray[np.float64]


def _lanczos(x: F64) -> F64:
    """Pillow's ``lanczos_filter`` of every value of ``x``, the same operations in the same
    order. The sines are the C library's (``math.sin``, as Pillow calls it), not numpy's,
    whose own SIMD sine may differ from it in the last bit on some machines."""
    px = x * math.pi
    px3 = x / 3 * math.pi
    sines = np.fromiter(map(math.sin, [*px.ravel().tolist(), *px3.ravel().tolist()]), np.float64)
    sin_px, sin_px3 = sines[: x.size].reshape(x.shape), sines[x.size :].reshape(x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):  # x == 0: taken as 1 below
        out = (sin_px / px) * (sin_px3 / px3)
    out[x == 0.0] = 1.0
    out[(x < -_SUPPORT) | (x >= _SUPPORT)] = 0.0
    return out


@functools.lru_cache(maxsize=512)
def weights(in_size: int, out_size: int) -> F64:
    """The (out_size, in_size) fixed-point weights of Pillow's LANCZOS from the whole side.

    Pillow's ``precompute_coeffs`` for every output pixel at once, each value by the same
    double operations in the same order: the taps' kernel values, their sum added from the
    first tap to the last (``cumsum``, never numpy's pairwise sum), each divided by it, then
    rounded half away from zero. Cached: the crops of one picture, and pictures of one
    camera, share their sizes.
    """
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = _SUPPORT * filterscale
    ss = 1.0 / filterscale
    center = (np.arange(out_size, dtype=np.float64) + 0.5) * scale
    xmin = np.maximum(np.trunc(center - support + 0.5), 0.0).astype(np.intp)
    xmax = np.minimum(np.trunc(center + support + 0.5).astype(np.intp), in_size) - xmin
    taps = np.arange(max(int(xmax.max()), 0), dtype=np.intp)
    used = taps < xmax[:, None]  # (out_size, taps): the taps each output pixel reads
    k = _lanczos((taps + xmin[:, None] - center[:, None] + 0.5) * ss)
    k[~used] = 0.0  # adds nothing to a sum, rounds to nothing
    ww = np.cumsum(k, axis=1)[:, -1:] if taps.size else np.zeros((out_size, 1))
    v = np.where(ww != 0.0, k / np.where(ww != 0.0, ww, 1.0), k) * _ONE
    fixed = np.where(v < 0, np.trunc(v - 0.5), np.trunc(v + 0.5))
    out = np.zeros((out_size, in_size), dtype=np.float64)
    rows, cols = np.nonzero(used)
    out[rows, xmin[rows] + cols] = fixed[rows, cols]
    out.setflags(write=False)
    return out


def _settle(sums: F64) -> F64:
    """Pillow's rounding of a weighted sum to an 8-bit value: add half, shift, clip."""
    return np.clip(np.floor((sums + _HALF) / _ONE), 0.0, 255.0)


def _across_first(width: int, height: int, out_w: int, out_h: int) -> bool:
    """Pillow's pass order when both sides shrink: the horizontal pass first unless the
    height loses more than twice as many pixels as the width (measured against Pillow)."""
    return not height - out_h > 2 * (width - out_w)


def lanczos(grid: npt.NDArray[np.generic], size: tuple[int, int]) -> F64:
    """``Image.fromarray(grid).resize(size, LANCZOS)`` for an 8-bit grid, as float64 values.

    ``grid`` holds 0-255 values, shape (height, width); no side may grow. A side that keeps
    its length is not filtered (Pillow skips that pass).
    """
    height, width = grid.shape
    out_w, out_h = size
    if out_w > width or out_h > height:
        raise ValueError(f"lanczos() only shrinks, not {width}x{height} to {out_w}x{out_h}")
    pixels = np.asarray(grid, dtype=np.float64)
    if out_w == width:
        return pixels if out_h == height else _settle(weights(height, out_h) @ pixels)
    if out_h == height:
        return _settle(pixels @ weights(width, out_w).T)
    if _across_first(width, height, out_w, out_h):
        return _settle(weights(height, out_h) @ _settle(pixels @ weights(width, out_w).T))
    return _settle(_settle(weights(height, out_h) @ pixels) @ weights(width, out_w).T)


Region = tuple[int, int, int, int]  # left, top, right, bottom in pixels


def _dhash(tiny: F64) -> int:
    return int.from_bytes(np.packbits(tiny[:, 1:] > tiny[:, :-1]).tobytes(), "big")


def _settled(sums: F64) -> F64:
    """``_settle`` in place (multiplying by a power of two is exact, as dividing is)."""
    sums += _HALF
    sums *= 1.0 / _ONE
    np.floor(sums, out=sums)
    np.clip(sums, 0.0, 255.0, out=sums)
    return sums


@dataclass(frozen=True, slots=True)
class _Stack:
    """Regions resized together in one pass order: a stacked product per pass.

    Across first: ``first`` holds one (width, 9) horizontal pass per distinct column span
    (regions that share their columns, a window trimmed at the top and one trimmed at the
    bottom, share it), run over every row; ``second`` one (8, height) vertical pass per
    region, zero outside its rows. Down first (regions far taller than wide), the other way
    round: (8, height) passes per distinct row span over every column, then (width, 9) per
    region. Pixels outside a region meet zero weights, so each region's sums are those of
    its crop; ``of`` says which first-pass result each region reads.
    """

    chosen: tuple[int, ...]
    first: F64
    of: npt.NDArray[np.intp]
    second: F64


@dataclass(frozen=True, slots=True)
class _Plan:
    """How the regions of one grid shape are resized (``_plan``)."""

    across: _Stack | None
    down: _Stack | None
    alone: tuple[int, ...]  # one side kept or smaller than 9x8: one by one


def _stack(
    chosen: list[int], regions: Sequence[Region], height: int, width: int, across: bool
) -> _Stack:
    spans: dict[tuple[int, int], int] = {}
    of = []
    for i in chosen:
        left, top, right, bottom = regions[i]
        of.append(spans.setdefault((left, right) if across else (top, bottom), len(spans)))
    picked = [regions[i] for i in chosen]
    if across:
        first = _stacked([_columns(width, left, right) for left, right in spans])
        second = _stacked([_rows(height, top, bottom) for _, top, _, bottom in picked])
    else:
        first = _stacked([_rows(height, top, bottom) for top, bottom in spans])
        second = _stacked([_columns(width, left, right) for left, _, right, _ in picked])
    return _Stack(tuple(chosen), first, np.array(of, dtype=np.intp), second)


def _stacked(parts: list[F64]) -> F64:
    """``np.stack(parts)``, read-only, in a third of its time (one concatenation)."""
    out = np.concatenate(parts).reshape(len(parts), *parts[0].shape)
    out.setflags(write=False)
    return out


# The weights of one span of a side, placed on the whole side (zero outside the span): what
# a plan stacks. Plans of one picture size share most of them. At most 5 KB each (72 px).
@functools.lru_cache(maxsize=256)
def _columns(width: int, left: int, right: int) -> F64:
    """(width, 9): the horizontal pass to 9 columns over columns ``left:right``."""
    out = np.zeros((width, 9), dtype=np.float64)
    out[left:right] = weights(right - left, 9).T
    out.setflags(write=False)  # shared by every plan and thread that asks for it
    return out


@functools.lru_cache(maxsize=256)
def _rows(height: int, top: int, bottom: int) -> F64:
    """(8, height): the vertical pass to 8 rows over rows ``top:bottom``."""
    out = np.zeros((8, height), dtype=np.float64)
    out[:, top:bottom] = weights(bottom - top, 8)
    out.setflags(write=False)
    return out


@functools.lru_cache(maxsize=8)
def _plan(height: int, width: int, regions: tuple[Region, ...]) -> _Plan:
    """The stacked weights of ``regions`` of a (height, width) grid, made once: a camera's
    pictures share their shape, and most windows depend on the shape alone (the 150 photos
    of 13 shapes of the speed set have 48 plans). A plan takes up to 0.3 MB, so few are
    kept; making one from the weights of its spans, which outlive it (``_columns``,
    ``_rows``), costs a third as much as using it (0.04 against 0.12 ms)."""
    across: list[int] = []
    down: list[int] = []
    alone: list[int] = []
    for i, (left, top, right, bottom) in enumerate(regions):
        if right - left > 9 and bottom - top > 8:
            (across if _across_first(right - left, bottom - top, 9, 8) else down).append(i)
        else:
            alone.append(i)
    return _Plan(
        _stack(across, regions, height, width, True) if across else None,
        _stack(down, regions, height, width, False) if down else None,
        tuple(alone),
    )


def _bits_into(tiny: F64, chosen: Sequence[int], out: list[int]) -> None:
    """The dHashes of stacked 9x8 grids (regions, 8, 9) into ``out`` at ``chosen``."""
    bits = np.packbits(tiny[:, :, 1:] > tiny[:, :, :-1], axis=-1).reshape(len(chosen), 8)
    for i, value in zip(chosen, bits.view(">u8").ravel().tolist(), strict=True):
        out[i] = value


def region_dhashes(grid: npt.NDArray[np.generic], regions: Sequence[Region]) -> list[int]:
    """The dHash of each region of an 8-bit grid: for every region exactly
    ``dhash(Image.fromarray(grid).crop(region).resize((9, 8), LANCZOS))``.

    The regions that shrink on both sides are resized together, two stacked matrix products
    for each of Pillow's pass orders (``_Stack``), with weights made once per grid shape and
    regions (``_plan``). The products are stacks of small ones, each a single call of the
    BLAS library, which never spreads them over threads (one large product did, and on a
    busy machine that cost 20-40 ms per picture instead of under one). Regions that keep a
    side are resized one by one; regions Pillow would enlarge, by Pillow.
    """
    pixels = np.asarray(grid, dtype=np.float64)
    height, width = pixels.shape
    plan = _plan(height, width, tuple(regions))
    out = [0] * len(regions)
    if plan.across is not None:
        first = _settled(np.matmul(pixels, plan.across.first))  # (spans, height, 9)
        tiny = _settled(np.matmul(plan.across.second, first[plan.across.of]))
        _bits_into(tiny, plan.across.chosen, out)
    if plan.down is not None:
        first = _settled(np.matmul(plan.down.first, pixels))  # (spans, 8, width)
        tiny = _settled(np.matmul(first[plan.down.of], plan.down.second))
        _bits_into(tiny, plan.down.chosen, out)
    for i in plan.alone:
        left, top, right, bottom = regions[i]
        if right - left >= 9 and bottom - top >= 8:
            out[i] = _dhash(lanczos(pixels[top:bottom, left:right], (9, 8)))
        else:
            # Smaller than 9x8 (a narrow square window of a panorama): Pillow enlarges it,
            # which lanczos() does not imitate; Pillow itself does it.
            part = Image.fromarray(np.asarray(grid[top:bottom, left:right], dtype=np.uint8))
            small = np.asarray(part.resize((9, 8), Image.Resampling.LANCZOS), dtype=np.float64)
            out[i] = _dhash(small)
    return out
