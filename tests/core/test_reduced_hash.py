"""Drafted JPEGs are hashed from a box-reduced copy: close to the exact resize, turns intact."""

from __future__ import annotations

from pathlib import Path

import imagehash
import pytest
from PIL import Image

from dedupe_gui.core.fingerprint import HASH_REDUCING_GAP, dhash_of_grey, fingerprint_file
from dedupe_gui.core.orientations import (
    TRANSPOSES,
    reduced_pair,
    small_pair,
    turned_hashes,
)
from tests.core.test_fingerprint import DRAFT_BIT_BOUND
from tests.imaging import jpeg_with_orientation, photo, save

# Bits the reduced 9x8 may differ from the exact one on the same pixels. Measured on 360
# JPEGs of the speed and development corpora: 0.45 on average, at most 6.
REDUCED_BIT_BOUND = 6


def _grey(seed: int, size: tuple[int, int]) -> Image.Image:
    return (
        photo(seed, (size[0] // 4, size[1] // 4))
        .resize(size, Image.Resampling.BICUBIC)
        .convert("L")
    )


def _hashes(pair: tuple[Image.Image, Image.Image]) -> tuple[int, ...]:
    wide, across = pair
    return (dhash_of_grey(wide), *turned_hashes(wide, across))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("size", [(500, 375), (375, 500), (451, 299), (1000, 750)])
def test_reduced_hashes_stay_close_to_the_exact_resize(seed: int, size: tuple[int, int]) -> None:
    grey = _grey(seed, size)
    exact = _hashes(small_pair(grey))
    reduced = _hashes(reduced_pair(grey, reducing_gap=HASH_REDUCING_GAP))
    for k, (a, b) in enumerate(zip(exact, reduced, strict=True)):
        assert (a ^ b).bit_count() <= REDUCED_BIT_BOUND, TRANSPOSES[k]


@pytest.mark.parametrize("size", [(540, 432), (543, 437), (437, 543)])
def test_reduced_upright_is_pillows_reducing_gap_resize(size: tuple[int, int]) -> None:
    """Where Pillow picks the same reduction factors, the upright 9x8 is its two-step resize,
    also when a factor leaves a partial block at the edge (543 = 5 x 108.6)."""
    grey = _grey(7, size)
    gap = HASH_REDUCING_GAP
    w, h = size
    # Pillow reduces each axis while reducing_gap x the target size remains.
    assert (w // (9 * gap), h // (9 * gap)) == (int(w / 9 / gap), int(h / 8 / gap))
    wide, across = reduced_pair(grey, reducing_gap=gap)
    expected = grey.resize((9, 8), Image.Resampling.LANCZOS, reducing_gap=gap)
    assert wide.tobytes() == expected.tobytes()
    # The transpose's blocks are the picture's blocks transposed: the same exactness.
    turned = grey.transpose(Image.Transpose.TRANSPOSE)
    expected = turned.resize((9, 8), Image.Resampling.LANCZOS, reducing_gap=gap)
    assert across.tobytes() == expected.tobytes()


@pytest.mark.parametrize("k", range(1, 8))
def test_reduced_turns_equal_the_reduced_hash_of_the_turned_picture(k: int) -> None:
    """Sides the factors divide: the turned hashes are exactly those of turned pixels."""
    grey = _grey(9, (540, 432))  # 540 = 5 x 108, 432 = 4 x 108
    transpose = TRANSPOSES[k]
    assert transpose is not None
    turned = _hashes(reduced_pair(grey, reducing_gap=HASH_REDUCING_GAP))[k]
    physically = _hashes(reduced_pair(grey.transpose(transpose), reducing_gap=HASH_REDUCING_GAP))
    assert turned == physically[0]


def test_small_pictures_are_not_reduced() -> None:
    grey = _grey(3, (160, 120))
    pair = reduced_pair(grey, reducing_gap=HASH_REDUCING_GAP)
    assert [p.tobytes() for p in pair] == [p.tobytes() for p in small_pair(grey)]


@pytest.mark.parametrize("orientation", [1, 6])
def test_large_jpeg_fingerprint_is_reduced_and_within_bound(
    tmp_path: Path, orientation: int
) -> None:
    """A 2400x1800 JPEG drafts to 300x225, which is halved before the 9x8 resizes."""
    upright = photo(31, (240, 180)).resize((2400, 1800), Image.Resampling.BICUBIC)
    path = jpeg_with_orientation(upright, tmp_path / "big.jpg", orientation)
    fp = fingerprint_file(str(path))
    with Image.open(path) as stored:
        stored.draft("L", (128, 128))
        grey = stored.convert("L")
    assert min(grey.size) // (9 * HASH_REDUCING_GAP) >= 2  # the reduced path was taken
    want = int(str(imagehash.dhash(upright)), 16)
    assert (fp.hash ^ want).bit_count() <= DRAFT_BIT_BOUND
    # The turned hashes agree with the upright hash of a physically turned copy.
    turned_copy = fingerprint_file(
        str(save(upright.transpose(Image.Transpose.ROTATE_90), tmp_path / "r.jpg", quality=92))
    )
    k = TRANSPOSES.index(Image.Transpose.ROTATE_90)
    assert (fp.turned[k - 1] ^ turned_copy.hash).bit_count() <= DRAFT_BIT_BOUND
