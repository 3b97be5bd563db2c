"""HEIF fingerprints from the embedded preview phones store, and the full decode otherwise."""

from __future__ import annotations

from pathlib import Path

import imagehash
import pytest
from PIL import Image

from dedupe_gui.core import fingerprint as fingerprint_module
from dedupe_gui.core.decode import register_heif
from dedupe_gui.core.fingerprint import PREVIEW_MIN_SIDE, fingerprint_file
from dedupe_gui.core.hashes import THUMB_SIDE
from dedupe_gui.core.orientations import small_pair
from tests.imaging import jpeg_with_orientation, photo, save

# The bound tests/core/test_fingerprint.py holds for drafted JPEGs against the full decode.
DRAFT_BIT_BOUND = 6
FULL_SIZE = (768, 576)
PREVIEW = 256  # a 256x192 preview: above PREVIEW_MIN_SIDE on both sides


@pytest.fixture(autouse=True)
def _heif() -> None:
    if "HEIF" not in register_heif():
        pytest.skip("pillow-heif is not installed")


def _heic(path: Path, img: Image.Image, thumbnails: list[int], **params: object) -> Path:
    """A HEIC as phones write it: grid tiles and the given embedded previews (encoded with
    x265's fastest preset: its default takes seconds per picture)."""
    return save(
        img,
        path,
        quality=80,
        tile_size=512,
        thumbnails=thumbnails,
        enc_params={"preset": "ultrafast"},
        **params,
    )


def _decoded_sizes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Record the size of every picture the fingerprint hashes (preview or full decode)."""
    seen: list[tuple[int, int]] = []

    def spy(grey: Image.Image, shown: int = 0) -> tuple[Image.Image, Image.Image]:
        seen.append(grey.size)
        return small_pair(grey, shown)

    monkeypatch.setattr(fingerprint_module, "small_pair", spy)
    return seen


def _full_decode_hash(path: Path) -> int:
    with Image.open(path) as img:
        return int(str(imagehash.dhash(img)), 16)


def test_preview_is_large_enough_for_hash_and_check() -> None:
    assert PREVIEW_MIN_SIDE >= 2 * THUMB_SIDE
    assert PREVIEW_MIN_SIDE >= fingerprint_module.DRAFT_MIN_SIDE


@pytest.mark.parametrize("seed", range(4))
def test_fingerprint_from_preview_stays_within_draft_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    big = photo(seed, (256, 192)).resize(FULL_SIZE, Image.Resampling.BICUBIC)
    path = _heic(tmp_path / "p.heic", big, [PREVIEW])
    sizes = _decoded_sizes(monkeypatch)
    got = fingerprint_file(str(path))
    assert sizes == [(PREVIEW, PREVIEW * 3 // 4)]  # the preview, not the picture
    assert (got.hash ^ _full_decode_hash(path)).bit_count() <= DRAFT_BIT_BOUND
    assert (got.width, got.height, got.format) == (*FULL_SIZE, "HEIF")


def test_too_small_preview_means_full_decode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = photo(5, (256, 192)).resize(FULL_SIZE, Image.Resampling.BICUBIC)
    small_side = PREVIEW_MIN_SIDE - 8  # its short side falls further below the minimum
    path = _heic(tmp_path / "p.heic", big, [small_side])
    sizes = _decoded_sizes(monkeypatch)
    got = fingerprint_file(str(path))
    assert sizes == [FULL_SIZE]
    assert got.hash == _full_decode_hash(path)


def test_no_preview_means_full_decode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = photo(6, (256, 192)).resize(FULL_SIZE, Image.Resampling.BICUBIC)
    path = _heic(tmp_path / "p.heic", big, [])
    sizes = _decoded_sizes(monkeypatch)
    got = fingerprint_file(str(path))
    assert sizes == [FULL_SIZE]
    assert got.hash == _full_decode_hash(path)


def test_turned_heic_preview_matches_its_jpeg_twin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview carries the picture's turn: the hash is of the displayed picture."""
    upright = photo(9, (256, 192)).resize(FULL_SIZE, Image.Resampling.BICUBIC)
    exif = Image.Exif()
    exif[0x0112] = 6
    heic = _heic(
        tmp_path / "r.heic",
        upright.transpose(Image.Transpose.ROTATE_90),
        [PREVIEW],
        exif=exif.tobytes(),
    )
    jpeg = jpeg_with_orientation(upright, tmp_path / "r.jpg", 6)
    sizes = _decoded_sizes(monkeypatch)
    fp_heic = fingerprint_file(str(heic))
    assert max(sizes[0]) == PREVIEW  # taken from the preview
    fp_jpeg = fingerprint_file(str(jpeg))
    assert (fp_heic.width, fp_heic.height) == FULL_SIZE
    assert (fp_heic.hash ^ fp_jpeg.hash).bit_count() <= DRAFT_BIT_BOUND
    assert fp_heic.turned == fingerprint_file(str(heic)).turned
