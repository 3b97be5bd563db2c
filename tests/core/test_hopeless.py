"""The 16x16 pre-filter rules out pairs that cannot be copies, but not a copy whose caption
bar is most of a quiet picture's contrast (core.prefilter.hopeless)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.prefilter import hopeless, signatures
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.thumbnails import thumbs_to_array
from tests.imaging import save, textured


def _quiet(seed: int) -> Image.Image:
    """A photo-like picture at a little over half its contrast."""
    pixels = np.asarray(textured(seed, (640, 480)), dtype=np.float64)
    return Image.fromarray(np.clip((pixels - pixels.mean()) * 0.6 + 128, 0, 255).astype(np.uint8))


def _captioned(img: Image.Image) -> Image.Image:
    out = img.copy()
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, 432, 640, 480), fill=(255, 255, 255))
    draw.text((12, 436), "summer 2019", font=ImageFont.load_default(size=32), fill=(0, 0, 0))
    return out


def _records(*paths: Path) -> list[ImageRecord]:
    return [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]


def test_a_white_caption_bar_on_a_quiet_picture_is_not_ruled_out(tmp_path: Path) -> None:
    img = _quiet(5)
    records = _records(
        save(img, tmp_path / "a.jpg", quality=92),
        save(_captioned(img), tmp_path / "b.jpg", quality=92),
    )
    thumbs, _ = thumbs_to_array([r.fingerprint.thumb for r in records])
    sig = signatures(thumbs)
    # The white bar is most of the caption copy's contrast: the plain correlation is low.
    assert float(sig[0] @ sig[1]) < 0.5
    assert not hopeless(sig[:1], sig[1:], np.zeros(1, dtype=bool))[0]
    groups = group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    assert [len(g.members) for g in groups] == [2]


def test_two_different_pictures_are_still_ruled_out() -> None:
    rng = np.random.default_rng(3)
    thumbs = rng.integers(0, 256, (2, 32, 32)).astype(np.uint8)
    sig = signatures(thumbs)
    assert hopeless(sig[:1], sig[1:], np.zeros(1, dtype=bool))[0]
