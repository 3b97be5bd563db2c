"""The fingerprint contract: imagehash's dHash of the displayed image, drafted JPEGs close."""

from __future__ import annotations

from pathlib import Path

import imagehash
import pytest
from PIL import Image

from dedupe_gui.core.fingerprint import FingerprintError, dhash_of_image, fingerprint_file
from dedupe_gui.core.hashes import distance, hash_to_hex, hex_to_hash
from tests.imaging import jpeg_with_orientation, photo, save

# Drafted (DCT-domain downscaled) JPEG decoding may move a few near-tie bits; measured on the
# real-photo corpus the worst case is 5 bits (a low-contrast photo), most differ by 0-1.
DRAFT_BIT_BOUND = 6


def reference_hash(img: Image.Image) -> int:
    return int(str(imagehash.dhash(img)), 16)


@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA", "P", "CMYK"])
def test_lossless_files_hash_exactly_like_imagehash(tmp_path: Path, mode: str) -> None:
    img = photo(3).convert(mode)
    path = save(img, tmp_path / f"x-{mode}.{'tiff' if mode == 'CMYK' else 'png'}")
    with Image.open(path) as reopened:
        expected = reference_hash(reopened)
    assert fingerprint_file(str(path)).hash == expected


def test_hex_text_matches_imagehash(tmp_path: Path) -> None:
    img = photo(4)
    value = dhash_of_image(img)
    assert hash_to_hex(value) == str(imagehash.dhash(img))
    assert hex_to_hash(hash_to_hex(value)) == value
    with pytest.raises(ValueError):
        hex_to_hash("123")
    assert distance(value, value) == 0
    assert distance(0, (1 << 64) - 1) == 64
    assert distance(0b1011, 0b0110) == 3


@pytest.mark.parametrize("seed", range(8))
def test_drafted_jpeg_stays_within_bound_of_full_decode(tmp_path: Path, seed: int) -> None:
    big = photo(seed, (192, 144)).resize((1920, 1440), Image.Resampling.BICUBIC)
    path = save(big, tmp_path / "big.jpg", quality=90)
    with Image.open(path) as full:
        expected = reference_hash(full)
    got = fingerprint_file(str(path))
    assert (got.hash ^ expected).bit_count() <= DRAFT_BIT_BOUND
    assert (got.width, got.height, got.format) == (1920, 1440, "JPEG")


@pytest.mark.parametrize("orientation", [2, 3, 4, 5, 6, 7, 8])
def test_exif_orientation_is_applied(tmp_path: Path, orientation: int) -> None:
    upright = photo(11, (240, 160))
    path = jpeg_with_orientation(upright, tmp_path / f"o{orientation}.jpg", orientation)
    fp = fingerprint_file(str(path))
    assert (fp.width, fp.height) == upright.size  # the displayed size, not the stored one
    assert fp.exif_orientation == orientation
    assert (fp.hash ^ reference_hash(upright)).bit_count() <= DRAFT_BIT_BOUND


def test_orientation_changes_the_hash_of_an_asymmetric_picture(tmp_path: Path) -> None:
    upright = photo(12, (240, 160))
    rotated_view = jpeg_with_orientation(upright, tmp_path / "r.jpg", 6)
    raw_pixels = save(upright.transpose(Image.Transpose.ROTATE_90), tmp_path / "raw.png")
    assert (
        fingerprint_file(str(rotated_view)).hash ^ fingerprint_file(str(raw_pixels)).hash
    ).bit_count() > 10


def test_capture_date_and_camera_are_read(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 5D"
    exif.get_ifd(0x8769)[0x9003] = "2021:07:04 18:30:05"
    path = tmp_path / "meta.jpg"
    photo(5).save(path, "JPEG", exif=exif.tobytes())
    fp = fingerprint_file(str(path))
    assert fp.taken == "2021-07-04T18:30:05"
    assert fp.camera == "Canon EOS 5D"


@pytest.mark.parametrize(
    ("make", "model", "shown"),
    [
        ("NIKON CORPORATION", "NIKON D850", "NIKON D850"),
        ("Apple", "iPhone 12", "Apple iPhone 12"),
        ("FUJIFILM", "X-T3", "FUJIFILM X-T3"),
    ],
)
def test_camera_name_does_not_repeat_the_maker(
    tmp_path: Path, make: str, model: str, shown: str
) -> None:
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x0110] = model
    path = tmp_path / "cam.jpg"
    photo(5).save(path, "JPEG", exif=exif.tobytes())
    assert fingerprint_file(str(path)).camera == shown


def test_malformed_exif_loses_only_the_facts(tmp_path: Path) -> None:
    path = tmp_path / "odd.jpg"
    exif = Image.Exif()
    exif[0x0112] = 77  # not an orientation
    photo(6).save(path, "JPEG", exif=exif.tobytes())
    fp = fingerprint_file(str(path))
    assert fp.exif_orientation == 1 and fp.taken is None


def test_a_text_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("shopping list\n")
    with pytest.raises(FingerprintError, match="not an image"):
        fingerprint_file(str(path))


def test_multi_picture_jpeg_is_drafted_like_a_jpeg(tmp_path: Path) -> None:
    """Phones write MPO (JPEG plus a depth or stereo frame): the first frame is the photo."""
    first = photo(60, (192, 144)).resize((1600, 1200), Image.Resampling.BICUBIC)
    path = tmp_path / "phone.jpg"
    first.save(path, "MPO", save_all=True, append_images=[photo(61, (1600, 1200))])
    with Image.open(path) as img:
        assert img.format == "MPO"
        expected = reference_hash(img)
    got = fingerprint_file(str(path))
    assert (got.width, got.height) == (1600, 1200)
    assert (got.hash ^ expected).bit_count() <= DRAFT_BIT_BOUND
