"""The benchmark helpers measure what the app does: same decode choices, real EXIF thumbnails."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from bench import decode_floor
from bench.exif_previews import exif_thumbnail, fingerprint_from_exif, trim_letterbox
from bench.make_phone_library import exif_with_thumbnail, thumbnail_jpeg
from dedupe_gui.core import fingerprint
from tests.imaging import photo


def test_floor_decodes_like_the_fingerprint() -> None:
    assert decode_floor.DRAFT_MIN_SIDE == fingerprint.DRAFT_MIN_SIDE
    assert decode_floor.PREVIEW_MIN_SIDE == fingerprint.PREVIEW_MIN_SIDE


def test_written_exif_thumbnail_reads_back_letterboxed_and_turned(tmp_path: Path) -> None:
    displayed = photo(3, (320, 180))  # 16:9: letterboxed in a 4:3 thumbnail
    stored = displayed.transpose(Image.Transpose.ROTATE_90)
    thumb = thumbnail_jpeg(stored)
    path = tmp_path / "cam.jpg"
    stored.save(path, "JPEG", quality=92, exif=exif_with_thumbnail(thumb, 6))
    with Image.open(path) as img:
        assert img.getexif()[0x0112] == 6
        found = exif_thumbnail(img)
    assert found == thumb
    with Image.open(io.BytesIO(thumb)) as small:
        assert small.size == (120, 160)
        trimmed = trim_letterbox(small.convert("L"))
    assert trimmed.size[0] < 100  # the bars are gone
    from_thumb = fingerprint_from_exif(str(path))
    from_pixels = fingerprint.fingerprint_file(str(path))
    assert (from_thumb.width, from_thumb.height) == (320, 180)
    assert (from_thumb.hash ^ from_pixels.hash).bit_count() <= 8
