"""Pillow's LANCZOS as matrix products: the same bytes as ``Image.resize``, window hashes intact."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from dedupe_gui.core import windows as windows_module
from dedupe_gui.core.orientations import dhash_bits
from dedupe_gui.core.resample import Region, lanczos, region_dhashes
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
