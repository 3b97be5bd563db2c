"""Turned hashes: each equals imagehash's dHash of the physically turned picture."""

from __future__ import annotations

from pathlib import Path

import imagehash
import numpy as np
import pytest
from imaging import jpeg_with_orientation, photo, save
from PIL import Image

from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.orientations import (
    INVERSE,
    LABELS,
    TRANSPOSES,
    relation,
    transform_grid,
    turned_hashes,
)


def _dhash(img: Image.Image) -> int:
    return int(str(imagehash.dhash(img)), 16)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_turned_hashes_equal_the_dhash_of_the_turned_picture(tmp_path: Path, seed: int) -> None:
    img = photo(seed, (160, 120))
    fp = fingerprint_file(str(save(img, tmp_path / "p.png")))
    assert len(fp.turned) == 7
    for k, transpose in enumerate(TRANSPOSES[1:], start=1):
        assert transpose is not None
        assert fp.turned[k - 1] == _dhash(img.transpose(transpose)), transpose.name


@pytest.mark.parametrize("orientation", [3, 6, 8, 5])
def test_turned_hashes_start_from_the_displayed_picture(tmp_path: Path, orientation: int) -> None:
    """A file shown rotated by its EXIF tag is turned from how it is shown, not stored."""
    upright = photo(11, (160, 120))
    lossless = tmp_path / "u.png"
    save(upright, lossless)
    tagged = fingerprint_file(str(jpeg_with_orientation(upright, tmp_path / "t.jpg", orientation)))
    plain = fingerprint_file(str(lossless))
    close = [bin(a ^ b).count("1") for a, b in zip(tagged.turned, plain.turned, strict=True)]
    assert max(close) <= 6  # JPEG and draft decoding move a few bits, never the orientation


def test_a_physically_rotated_copy_matches_a_turned_hash(tmp_path: Path) -> None:
    img = photo(5, (160, 120))
    original = fingerprint_file(str(save(img, tmp_path / "o.png")))
    rotated = fingerprint_file(
        str(save(img.transpose(Image.Transpose.ROTATE_90), tmp_path / "r.png"))
    )
    assert bin(original.hash ^ rotated.hash).count("1") > 16
    k = TRANSPOSES.index(Image.Transpose.ROTATE_270)
    assert rotated.turned[k - 1] == original.hash
    assert relation(k) == "rotated 90° counter-clockwise"


@pytest.mark.parametrize("k", range(8))
def test_grid_transforms_match_pillow_and_invert(k: int) -> None:
    grid = np.arange(12, dtype=np.uint8).reshape(3, 4)
    img = Image.fromarray(grid)
    transpose = TRANSPOSES[k]
    expected = np.asarray(img if transpose is None else img.transpose(transpose))
    assert np.array_equal(transform_grid(grid, k), expected)
    assert np.array_equal(transform_grid(transform_grid(grid, k), INVERSE[k]), grid)
    assert (LABELS[k] == "") == (k == 0)


def test_turned_hashes_refuse_wrong_sizes() -> None:
    with pytest.raises(ValueError):
        turned_hashes(Image.new("L", (9, 8)), Image.new("L", (8, 9)))
