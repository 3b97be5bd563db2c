"""Which copy carries an overlay or darkened corners, said in words and weighed by the keeper
rule "clean" in a pair too; and a colour copy over one in print colours (CMYK)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from dedupe_gui.core.keeper import DEFAULT_RULES
from dedupe_gui.core.models import Group
from dedupe_gui.core.overlays import bars, carriers, corner_shading
from tests.grouped import one_group
from tests.imaging import captioned, save, textured, vignetted

WITHOUT_CLEAN = tuple(r for r in DEFAULT_RULES if r != "clean")


def _said(group: Group) -> dict[str, tuple[str, ...]]:
    return {m.path: m.differences for m in group.members}


def test_the_photo_is_kept_over_its_captioned_copy_in_a_pair(tmp_path: Path) -> None:
    img = textured(31)
    photo = save(img, tmp_path / "a.jpg", quality=85)
    # Same pixels, and as a PNG the larger file: without the rule it is kept.
    caption = save(captioned(img), tmp_path / "b.png")
    group = one_group([photo, caption])
    assert group.suggested_keeper.path == str(photo)
    assert "overlay at the bottom" in _said(group)[str(caption)]
    without = one_group([photo, caption], WITHOUT_CLEAN)
    assert without.suggested_keeper.path == str(caption)
    assert "no overlay at the bottom" in _said(without)[str(photo)]


def test_the_photo_is_kept_over_its_vignetted_copy(tmp_path: Path) -> None:
    img = textured(32)
    photo = save(img, tmp_path / "a.jpg", quality=85)
    dark = save(vignetted(img), tmp_path / "b.png")
    group = one_group([photo, dark])
    assert group.suggested_keeper.path == str(photo)
    assert _said(group)[str(dark)] == ("darkened corners", "saved as PNG")
    without = one_group([photo, dark], WITHOUT_CLEAN)
    assert without.suggested_keeper.path == str(dark)
    assert "lighter corners" in _said(without)[str(photo)]


def test_the_colour_photo_is_kept_over_its_cmyk_copy(tmp_path: Path) -> None:
    img = textured(33)
    photo = save(img, tmp_path / "a.jpg", quality=85)
    # Four channels: the larger file, with as many pixels.
    print_copy = save(img.convert("CMYK"), tmp_path / "b.jpg", quality=90)
    assert print_copy.stat().st_size > photo.stat().st_size
    group = one_group([photo, print_copy])
    assert group.suggested_keeper.path == str(photo)
    assert "CMYK" in _said(group)[str(print_copy)]


def test_the_copy_with_more_edges_where_they_differ_carries_the_overlay() -> None:
    rng = np.random.default_rng(5)
    base = rng.integers(60, 190, (1, 32, 32)).astype(np.uint8)
    base = np.asarray(np.repeat(np.repeat(base[:, ::4, ::4], 4, 1), 4, 2), dtype=np.uint8)
    marked = base.copy()
    marked[0, 28:, :] = 0
    marked[0, 29:31, 2:30:3] = 255  # words on a bar
    differing = np.zeros((1, 8, 8), dtype=bool)
    differing[0, 7, :] = True
    assert carriers(marked, base, differing).tolist() == [1]
    assert carriers(base, marked, differing).tolist() == [-1]
    assert carriers(base, base, np.zeros_like(differing)).tolist() == [0]


def test_corners_darkened_by_position_not_by_brightness() -> None:
    yy, xx = np.mgrid[0:32, 0:32]
    flat = np.full((1, 32, 32), 160, dtype=np.uint8)
    r = np.hypot(xx - 15.5, yy - 15.5) / np.hypot(15.5, 15.5)
    dark = (160 * (1 - 0.6 * np.clip((r - 0.35) / 0.65, 0, 1) ** 1.5)).astype(np.uint8)[None]
    identity = np.array([[1, 1, 0, 0]], dtype=np.float32)
    assert corner_shading(dark, flat, identity).tolist() == [1]
    assert corner_shading(flat, dark, identity).tolist() == [-1]
    # A copy darker all over is not a vignette.
    assert corner_shading((flat * 0.7).astype(np.uint8), flat, identity).tolist() == [0]
    # Nor are tiles compared when the copies are not aligned one to one.
    shifted = np.array([[0.9, 0.9, 0.05, 0.05]], dtype=np.float32)
    assert corner_shading(dark, flat, shifted).tolist() == [0]


def test_a_translucent_caption_bar_is_told_by_its_straight_edge(tmp_path: Path) -> None:
    """A bar that darkens the picture under its words changes little of each tile; its edge
    across the whole width, where the photo has none, tells which copy carries it."""
    img = textured(34)
    bar = img.copy()
    h = bar.height
    pixels = np.asarray(bar, dtype=np.float32)
    pixels[h - h // 10 :] *= 0.45
    bar = captioned(Image.fromarray(pixels.astype(np.uint8)), fill=None)
    photo = save(img, tmp_path / "a.jpg", quality=85)
    caption = save(bar, tmp_path / "b.png")
    group = one_group([photo, caption])
    assert group.suggested_keeper.path == str(photo)
    assert "overlay at the bottom" in _said(group)[str(caption)]
    assert bars(np.zeros((1, 32, 32), np.uint8), np.zeros((1, 32, 32), np.uint8),
                np.array([[1, 1, 0, 0]], np.float32))[0].tolist() == [0]  # fmt: skip
