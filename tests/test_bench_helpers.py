"""The benchmark helpers measure what the app does: same decode choices, real EXIF thumbnails."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from bench import decode_floor, kept_as
from bench.exif_previews import exif_thumbnail, fingerprint_from_exif, trim_letterbox
from bench.make_phone_library import exif_with_thumbnail, thumbnail_jpeg
from dedupe_gui.core import fingerprint, kept_groupings
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.kept_groupings import group_kept
from dedupe_gui.core.rescan import ReadBack, read_back_scan
from dedupe_gui.core.scan import ScanOptions, Walked, run_scan
from tests.imaging import photo, save


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


def test_a_grouping_kept_by_another_build_is_read_back_by_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    for name, seed in (("a.jpg", 1), ("b.jpg", 2)):
        img = photo(seed, (240, 180))
        save(img, lib / name, quality=90)
        save(img, lib / f"{name}-q60.jpg", quality=60)
    source, cache = tmp_path / "other.sqlite3", tmp_path / "this.sqlite3"
    options = ScanOptions((str(lib),), thumbs_in_store=True)
    with FingerprintStore(str(source)) as store:
        made = group_kept(run_scan(options, store).records, GroupingOptions(), store)
    assert len(made) == 2
    shutil.copy(source, cache)
    # Another build: other code, another key, so its first rescan would group in full.
    monkeypatch.setattr(kept_groupings, "code_digest", lambda: b"this build")
    with FingerprintStore(str(cache)) as store:
        assert isinstance(read_back_scan(options, GroupingOptions(), store), Walked)
    assert kept_as.main([str(lib), "--cache", str(cache), "--source", str(source)]) == 0
    with FingerprintStore(str(cache)) as store:
        back = read_back_scan(options, GroupingOptions(), store)
        assert isinstance(back, ReadBack) and back.groups == made
    assert kept_as.last_kept(str(source), 1)[1:] == (1, 2)
