"""The 16x16 pre-filter rules out pairs that cannot be copies, but not a copy whose caption
bar is most of a quiet picture's contrast (core.prefilter.hopeless); a copy whose sticker is
most of it is looked at again even far over the 32x32 limit (core.prefilter.first_test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.local_edits import LOOK_BELOW
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.prefilter import first_test, hopeless, middles_agree, signatures
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.thumbnails import thumbs_to_array
from dedupe_gui.core.verify import residuals
from tests.imaging import save, textured


def _quiet(seed: int, contrast: float = 0.6) -> Image.Image:
    """A photo-like picture at ``contrast`` times its contrast."""
    pixels = np.asarray(textured(seed, (640, 480)), dtype=np.float64)
    return Image.fromarray(
        np.clip((pixels - pixels.mean()) * contrast + 128, 0, 255).astype(np.uint8)
    )


def _stickered(img: Image.Image, left: int, top: int) -> Image.Image:
    """``img`` with a white label of 200x150 pixels (a tenth of it) at ``left``, ``top``."""
    out = img.copy()
    draw = ImageDraw.Draw(out)
    draw.rounded_rectangle((left, top, left + 200, top + 150), radius=20, fill=(250, 250, 250))
    draw.text(
        (left + 20, top + 40), "label", font=ImageFont.load_default(size=40), fill=(200, 0, 0)
    )
    return out


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


@pytest.mark.parametrize(("seed", "contrast", "left"), [(1, 0.3, 60), (1, 0.3, 380), (3, 0.45, 60)])
def test_a_sticker_over_most_of_a_quiet_photo_is_looked_at_again(
    tmp_path: Path, seed: int, contrast: float, left: int
) -> None:
    img = _quiet(seed, contrast)
    records = _records(
        save(img, tmp_path / "a.jpg", quality=90),
        save(_stickered(img, left, 40), tmp_path / "b.jpg", quality=90),
    )
    thumbs, _ = thumbs_to_array([r.fingerprint.thumb for r in records])
    sig = signatures(thumbs)
    # The label is most of the copy's contrast, away from the middle: the 32x32 residual is
    # over the look's usual bound and the middles do not tell ...
    assert float(residuals(thumbs[:1], thumbs[1:])[0]) > LOOK_BELOW
    assert not middles_agree(thumbs[:1], thumbs[1:])[0]
    # ... the rest of the picture does.
    assert first_test(sig[:1], sig[1:], np.zeros(1, dtype=bool))[1][0]
    groups = group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    assert [len(g.members) for g in groups] == [2]


def test_two_different_pictures_are_still_ruled_out() -> None:
    rng = np.random.default_rng(3)
    thumbs = rng.integers(0, 256, (2, 32, 32)).astype(np.uint8)
    sig = signatures(thumbs)
    assert hopeless(sig[:1], sig[1:], np.zeros(1, dtype=bool))[0]
    assert not first_test(sig[:1], sig[1:], np.zeros(1, dtype=bool))[1][0]
