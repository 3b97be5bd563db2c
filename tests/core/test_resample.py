"""Pillow's LANCZOS as matrix products: the same bytes as ``Image.resize``, window hashes intact."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from dedupe_gui.core import windows as windows_module
from dedupe_gui.core.orientations import dhash_bits
from dedupe_gui.core.resample import Region, lanczos, region_dhashes, weights
from dedupe_gui.core.windows import window_hashes
from tests.imaging import photo


def _grid(rng: random.Random, width: int, height: int) -> npt.NDArray[np.uint8]:
    """Noise (every rounding is exercised) or a smooth picture (sums near the clip limits)."""
    if rng.random() < 0.5:
        data = bytes(rng.randrange(256) for _ in range(width * height))
        return np.frombuffer(data, dtype=np.uint8).reshape(height, width)
    small = photo(rng.randrange(1000), (max(2, width // 6), max(2, height // 6)))
    return np.asarray(small.convert("L").resize((width, height), Image.Resampling.BICUBIC))


def _pillow(grid: npt.NDArray[np.uint8], size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    return np.asarray(Image.fromarray(grid).resize(size, Image.Resampling.LANCZOS))


@pytest.mark.parametrize("size", [(9, 8), (8, 9), (32, 32)])
def test_lanczos_equals_pillow_on_many_shapes(size: tuple[int, int]) -> None:
    """Wide, tall, square and nearly unchanged shapes: both pass orders and skipped passes."""
    rng = random.Random(size[0] * 100 + size[1])
    for _ in range(80):
        width = rng.randrange(size[0], 2 * size[0] + 90)
        height = rng.randrange(size[1], 2 * size[1] + 90)
        grid = _grid(rng, width, height)
        got = lanczos(grid, size)
        assert np.array_equal(got, _pillow(grid, size)), (width, height)


def test_lanczos_equals_pillow_on_every_width_to_a_hash_row() -> None:
    """Every width of a window (9-300 px) to the 9 and 8 columns of a hash, on rows of noise
    with the height kept: one pass of Pillow's weights alone, each tap of each of them."""
    rng = random.Random(3)
    for width in range(9, 301):
        for out_w in (9, 8):
            data = bytes(rng.randrange(256) for _ in range(width * 24))
            grid = np.frombuffer(data, dtype=np.uint8).reshape(24, width)
            assert np.array_equal(lanczos(grid, (out_w, 24)), _pillow(grid, (out_w, 24))), width


def _kernel(x: float) -> float:
    """Pillow's ``lanczos_filter``, one value at a time, as its C code reads."""
    if -3.0 <= x < 3.0:
        if x == 0.0:
            return 1.0
        px, px3 = x * math.pi, x / 3 * math.pi
        return (math.sin(px) / px) * (math.sin(px3) / px3)
    return 0.0


def _coefficients(in_size: int, out_size: int) -> npt.NDArray[np.float64]:
    """Pillow's ``precompute_coeffs`` and 8-bit ``normalize_coeffs``, loop by loop."""
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support, ss = 3.0 * filterscale, 1.0 / filterscale
    out = np.zeros((out_size, in_size))
    for xx in range(out_size):
        center = (xx + 0.5) * scale
        xmin = max(0, int(center - support + 0.5))
        xmax = min(in_size, int(center + support + 0.5)) - xmin
        k = [_kernel((x + xmin - center + 0.5) * ss) for x in range(xmax)]
        ww = 0.0
        for w in k:
            ww += w
        for x, w in enumerate(k):
            v = (w / ww if ww != 0.0 else w) * (1 << 22)
            out[xx, xmin + x] = math.trunc(v - 0.5) if v < 0 else math.trunc(v + 0.5)
    return out


def test_weights_are_pillows_coefficients_to_the_last_unit() -> None:
    """A weight one unit (2**-22) off moves a sum by less than a grey level, so a resize
    rarely shows it; the weights themselves are held equal to Pillow's arithmetic done one
    value at a time, for every side of up to 300 px to the sizes the fingerprint uses and
    every reduction of up to 64 px."""
    sizes = [(n, out) for n in range(1, 301) for out in (1, 8, 9, 32, 72, 128) if out <= n]
    sizes += [(n, out) for n in range(1, 65) for out in range(1, n + 1)]
    for in_size, out_size in sizes:
        assert np.array_equal(weights(in_size, out_size), _coefficients(in_size, out_size)), (
            in_size,
            out_size,
        )


def test_lanczos_refuses_to_enlarge() -> None:
    with pytest.raises(ValueError):
        lanczos(np.zeros((8, 20), dtype=np.uint8), (9, 9))


def test_region_dhashes_equal_crop_and_resize() -> None:
    rng = random.Random(5)
    for _ in range(40):
        width, height = rng.randrange(20, 100), rng.randrange(20, 100)
        grid = _grid(rng, width, height)
        regions: list[Region] = []
        for _ in range(12):
            left, top = rng.randrange(width - 9), rng.randrange(height - 8)
            right = rng.randrange(left + 9, width + 1)  # 9 wide: no horizontal pass
            bottom = rng.randrange(top + 8, height + 1)
            regions.append((left, top, right, bottom))
        regions.append((0, 0, 10, height))  # far taller than wide: the vertical pass first
        regions.append((0, 0, rng.randrange(1, 9), rng.randrange(1, height)))  # enlarged
        regions.append((0, 0, rng.randrange(9, width), rng.randrange(1, 8)))  # enlarged
        want = [
            dhash_bits(
                np.asarray(
                    Image.fromarray(grid).crop(r).resize((9, 8), Image.Resampling.LANCZOS),
                    dtype=np.int16,
                )
            )
            for r in regions
        ]
        assert region_dhashes(grid, regions) == want


def test_region_dhashes_of_tall_regions_and_a_shape_seen_before() -> None:
    """Regions far taller than wide, several sharing their rows, are resized in Pillow's
    other pass order together; a second picture of the same shape and regions reuses the
    weights made for the first and still gets its own hashes."""
    rng = random.Random(11)
    for _ in range(12):
        width, height = rng.randrange(30, 80), rng.randrange(60, 120)
        regions: list[Region] = []
        for _ in range(8):
            top = rng.randrange(height // 3)
            bottom = rng.randrange(height - height // 4, height + 1)
            left = rng.randrange(width - 12)
            regions.append((left, top, left + rng.randrange(10, 13), bottom))
            regions.append((rng.randrange(width - 12), top, width, bottom))
        for _ in range(2):  # the same shape and regions, another picture
            grid = _grid(rng, width, height)
            assert region_dhashes(grid, regions) == _pillow_regions(grid, regions)


def _pillow_regions(grid: npt.NDArray[np.generic], regions: Sequence[Region]) -> list[int]:
    img = Image.fromarray(np.asarray(grid, dtype=np.uint8))
    return [
        dhash_bits(np.asarray(img.crop(r).resize((9, 8), Image.Resampling.LANCZOS), dtype=np.int16))
        for r in regions
    ]


@pytest.mark.parametrize("size", [(640, 480), (480, 640), (300, 300), (900, 200)])
def test_window_hashes_are_pillows(size: tuple[int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The windows of a framed picture equal those cropped and resized by Pillow itself."""
    inner = photo(8, (size[0] - 60, size[1] - 60)).convert("L")
    grey = Image.new("L", size, 250)
    grey.paste(inner, (30, 30))
    got = [window_hashes(grey, t) for t in (None, Image.Transpose.ROTATE_90)]
    assert len(got[0]) >= 9  # eight edge windows and the picture inside the frame
    monkeypatch.setattr(windows_module, "region_dhashes", _pillow_regions)
    assert got == [window_hashes(grey, t) for t in (None, Image.Transpose.ROTATE_90)]


def test_the_weights_plans_share_cannot_be_changed() -> None:
    """The per-span weights outlive the plans stacked from them and are read by every
    thread: a write to one would move the hashes of every later picture of that size."""
    from dedupe_gui.core import resample

    for shared in (
        resample._columns(72, 5, 60),
        resample._rows(54, 0, 50),
        resample.weights(30, 9),
    ):
        with pytest.raises(ValueError):
            shared[0, 0] = 1.0
