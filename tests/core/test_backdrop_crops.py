"""Heavy trims of an object photographed on a plain backdrop: the backdrop is as uniform as a
frame, but the picture is not framed (core.windows.framed), so the trimmed copy is looked at
through the original's deep-trim windows (core.window_looks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.windows import FINE_SIDE, framed, shown_small
from tests.core.test_geometry import _grouped
from tests.imaging import save, textured


def _on_backdrop(seed: int, size: tuple[int, int] = (600, 400)) -> Image.Image:
    """A textured oval object on a near-white backdrop, clear of every edge."""
    w, h = size
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse([int(w * 0.12), int(h * 0.15), int(w * 0.85), int(h * 0.8)], 255)
    mask = mask.filter(ImageFilter.GaussianBlur(2))
    return Image.composite(textured(seed, size), Image.new("RGB", size, (250, 250, 250)), mask)


def _framed(img: Image.Image) -> bool | None:
    grey = img.convert("L")
    small, fine = shown_small(grey), shown_small(grey, side=FINE_SIDE)
    return framed(np.asarray(small, np.int16), np.asarray(fine, np.int16), 2)


@pytest.mark.parametrize("box", [(0, 0, 480, 400), (120, 0, 600, 400)])
def test_an_object_on_a_backdrop_trimmed_by_a_fifth_is_grouped_with_its_photo(
    tmp_path: Path, box: tuple[int, int, int, int]
) -> None:
    img = _on_backdrop(41)
    a = save(img, tmp_path / "a.jpg", quality=92)
    b = save(img.crop(box), tmp_path / "b.jpg", quality=92)
    assert (fingerprint_file(str(a)).hash ^ fingerprint_file(str(b)).hash).bit_count() > (
        DEFAULT_THRESHOLD
    )
    assert _grouped(a, b) == [{str(a), str(b)}]


def test_a_frame_is_told_from_a_backdrop_by_where_its_colour_stops() -> None:
    photo = textured(42, (400, 300))
    assert _framed(ImageOps.expand(photo, 30, fill=(250, 250, 250)))
    # A dark photo in a dark frame, its own edge of the frame's colour along one side.
    dark = np.asarray(photo, dtype=np.float64) * 0.5 + 60
    dark[:12] = 20
    darkened = Image.fromarray(dark.astype(np.uint8))
    assert _framed(ImageOps.expand(darkened, 30, fill=(20, 20, 20)))
    assert _framed(_on_backdrop(41)) is False
    assert _framed(photo) is None  # no border at all
