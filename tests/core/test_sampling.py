"""Bilinear sampling of the thumbnail check (core.align): read from each pixel's cell, the same
samples, gradients and masks to the bit as read from the four grey levels around each point."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.align import cells, gauss_newton, identity_params, sample, warp, warp_values

F32 = npt.NDArray[np.float32]


def _four_levels(img: F32, cx: F32, cy: F32) -> tuple[F32, F32, F32, F32]:
    """Bilinear samples, gradients and mask, each corner gathered on its own."""
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
    return value, gx, bottom - top, inside


def _stack(count: int, side: int, seed: int) -> F32:
    rng = np.random.default_rng(seed)
    out: F32 = (rng.random((count, side, side)) * 255).astype(np.float32)
    return out


def test_samples_from_cells_are_the_four_levels_to_the_bit() -> None:
    rng = np.random.default_rng(3)
    for side in (16, 32, 64):
        img = _stack(7, side, side)
        # Points inside, on the last row and column, and outside (clipped, masked out).
        cx = rng.uniform(-2, side + 1, (7, side, side)).astype(np.float32)
        cy = rng.uniform(-2, side + 1, (7, side, side)).astype(np.float32)
        cx[:, 0, :3] = [side - 1, side - 0.5, side - 1.0005]
        cy[:, 0, :3] = [side - 1, side - 0.5, -0.5]
        for got, want in zip(sample(img, cx, cy), _four_levels(img, cx, cy), strict=True):
            assert got.dtype == np.float32
            assert np.array_equal(got, want)


def test_values_without_gradients_are_the_warps_values() -> None:
    img = _stack(5, 32, 1)
    params = identity_params(5)
    params[:, :2] *= np.float32(1.07)
    params[:, 2:] = np.float32(-0.04)
    value, _, _, inside = warp(img, params)
    only, only_inside = warp_values(img, params)
    assert np.array_equal(only, value) and np.array_equal(only_inside, inside)
    assert inside.min() == 0 and inside.max() == 1  # some of it fell outside


def test_alignment_finds_a_crop_from_cells_made_once() -> None:
    # A 10 % crop of a smooth picture, resampled: the alignment finds its scale.
    img = _stack(1, 32, 2)
    for _ in range(3):
        img = (img + np.roll(img, 1, axis=1) + np.roll(img, 1, axis=2)) / np.float32(3)
    crop = identity_params(1)
    crop[0] = (0.9, 0.9, 0.05, 0.05)
    cropped = warp_values(img, crop)[0]
    found = gauss_newton(cropped, img, identity_params(1), 30)
    assert np.allclose(found[0], crop[0], atol=0.02)


def test_cells_hold_each_pixel_and_its_steps() -> None:
    img = _stack(2, 4, 4)
    got = cells(img).view(np.float32).reshape(2, 4, 4, 4)
    assert np.array_equal(got[..., 0], img)
    assert np.array_equal(got[:, :, :3, 1], img[:, :, 1:] - img[:, :, :3])
    assert np.array_equal(got[:, :3, :, 2], img[:, 1:])
    assert np.array_equal(got[:, :3, :3, 3], img[:, 1:, 1:] - img[:, 1:, :3])
