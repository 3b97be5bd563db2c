"""Two slides on one busy photo background, differing only in their large text, are two
pictures (core.strokes); a caption bar over a copy of a photo is still an edit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from tests.imaging import photo, save


def _busy(seed: int) -> Image.Image:
    """A photo-like background with texture everywhere, darkened as slide backgrounds are
    for white text: its 32x32 thumbnail looks like a photo, so no fine thumbnail is kept
    and the text is a smudge at that size."""
    img = photo(seed, (640, 480))
    noise = np.random.default_rng(seed).normal(0, 20, (480, 640, 1))
    return Image.fromarray(
        np.clip(np.asarray(img, dtype=np.float64) * 0.6 + noise, 0, 255).astype(np.uint8)
    )


def _with_text(background: Image.Image, lines: list[str]) -> Image.Image:
    slide = background.copy()
    font = ImageFont.load_default(size=60)
    for k, line in enumerate(lines):
        ImageDraw.Draw(slide).text((40, 150 + 70 * k), line, font=font, fill=(255, 255, 255))
    return slide


def _groups(paths: list[Path], photo_like: bool = False) -> set[frozenset[str]]:
    records = [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]
    if photo_like:  # judged on the 32x32 thumbnails alone before the text check
        assert not any(r.fingerprint.fine for r in records)
    return {
        frozenset(m.path for m in g.members)
        for g in group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    }


def test_two_slides_with_different_text_on_one_photo_are_not_grouped(tmp_path: Path) -> None:
    background = _busy(3)
    one = save(_with_text(background, ["Quarterly", "Revenue"]), tmp_path / "one.jpg", quality=90)
    two = save(
        _with_text(background, ["Thank you", "Questions?"]), tmp_path / "two.jpg", quality=90
    )
    assert _groups([one, two], photo_like=True) == set()


def test_a_caption_bar_over_the_same_photo_still_groups(tmp_path: Path) -> None:
    img = _busy(11)
    captioned = img.copy()
    draw = ImageDraw.Draw(captioned)
    draw.rectangle((0, 440, 640, 480), fill=(0, 0, 0))
    draw.text((12, 446), "Beach 2019 - caption", font=ImageFont.load_default(size=28), fill="white")
    a, b = (
        save(img, tmp_path / "a.jpg", quality=90),
        save(captioned, tmp_path / "b.jpg", quality=90),
    )
    assert _groups([a, b]) == {frozenset({str(a), str(b)})}
