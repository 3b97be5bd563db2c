"""Copies with a local overlay are grouped; different pictures sharing a layout are not;
the colour copy is kept over a greyscale one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from tests.imaging import photo, save


def _textured(seed: int) -> Image.Image:
    """A photo-like picture with fine texture everywhere, as real photos have (the plain
    test picture is smooth enough to count as a graphic, which is judged more strictly)."""
    img = photo(seed, (320, 240))
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 18, (240, 320, 1))
    return Image.fromarray(
        np.clip(np.asarray(img, dtype=np.float64) + noise, 0, 255).astype(np.uint8)
    )


def _records(*paths: Path) -> list[ImageRecord]:
    return [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]


def _grouped(paths: list[Path]) -> set[frozenset[str]]:
    groups = group_records(_records(*paths), GroupingOptions(DEFAULT_THRESHOLD))
    return {frozenset(m.path for m in g.members) for g in groups}


def test_a_caption_bar_over_the_bottom_tenth_is_still_a_copy(tmp_path: Path) -> None:
    img = _textured(11)
    captioned = img.copy()
    draw = ImageDraw.Draw(captioned)
    draw.rectangle((0, 216, 320, 240), fill=(0, 0, 0))
    draw.text((10, 220), "summer holiday, day three", fill=(255, 255, 255))
    a, b = save(img, tmp_path / "a.png"), save(captioned, tmp_path / "b.jpg", quality=90)
    assert _grouped([a, b]) == {frozenset({str(a), str(b)})}


def test_a_sticker_over_a_tenth_of_the_picture_is_still_a_copy(tmp_path: Path) -> None:
    img = _textured(5)
    stickered = img.copy()
    ImageDraw.Draw(stickered).ellipse((200, 40, 280, 120), fill=(255, 210, 40))
    a, b = save(img, tmp_path / "a.png"), save(stickered, tmp_path / "b.png")
    assert _grouped([a, b]) == {frozenset({str(a), str(b)})}


def _slide(background: Image.Image, lines: list[str]) -> Image.Image:
    slide = background.copy()
    draw = ImageDraw.Draw(slide)
    draw.text((40, 30), lines[0].title(), font=ImageFont.load_default(size=26), fill=(20, 20, 30))
    small = ImageFont.load_default(size=16)
    for k, line in enumerate(lines[1:]):
        draw.text((50, 110 + 34 * k), "- " + line, font=small, fill=(20, 20, 30))
    return slide


def test_two_slides_on_one_background_are_not_grouped(tmp_path: Path) -> None:
    """Their thumbnails agree on the shared background (the 32x32 residual is near 0); the
    text on the 128x128 detail thumbnails tells them apart. A resized copy still groups."""
    background = Image.new("RGB", (640, 360), (235, 225, 200))
    ImageDraw.Draw(background).rectangle((0, 330, 640, 360), fill=(40, 60, 120))
    one = _slide(background, ["quarterly results", "alpha beta gamma delta", "eta theta"])
    two = _slide(background, ["hiring plan", "iota kappa", "lambda mu alpha beta gamma"])
    a, b = save(one, tmp_path / "a.png"), save(two, tmp_path / "b.png")
    copy = save(one.resize((480, 270), Image.Resampling.LANCZOS), tmp_path / "c.jpg", quality=85)
    recs = _records(a, b, copy)
    assert all(r.fingerprint.fine for r in recs)  # slides keep a detail thumbnail
    assert (recs[0].fingerprint.hash ^ recs[1].fingerprint.hash).bit_count() <= DEFAULT_THRESHOLD
    groups = {
        frozenset(m.path for m in g.members)
        for g in group_records(recs, GroupingOptions(DEFAULT_THRESHOLD))
    }
    assert groups == {frozenset({str(a), str(copy)})}


def test_the_colour_copy_is_kept_over_a_larger_greyscale_one(tmp_path: Path) -> None:
    img = photo(8, (320, 240))
    colour = save(img, tmp_path / "colour.jpg", quality=60)
    grey = save(img.convert("L"), tmp_path / "grey.png")
    assert grey.stat().st_size > colour.stat().st_size
    recs = _records(colour, grey)
    assert recs[0].fingerprint.grey is False and recs[1].fingerprint.grey is True
    (group,) = group_records(recs, GroupingOptions(DEFAULT_THRESHOLD))
    assert group.suggested_keeper.path == str(colour)


def test_grey_flag_and_fine_thumbnail_survive_the_cache(tmp_path: Path) -> None:
    page = Image.new("RGB", (400, 300), (250, 250, 250))
    ImageDraw.Draw(page).text((30, 40), "a title, and a line of text", fill=(20, 20, 20))
    (rec,) = _records(save(page, tmp_path / "s.png"))
    assert rec.fingerprint.fine  # a page of text keeps a detail thumbnail
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        store.put(rec.key, rec.fingerprint)
        store.flush()
        assert store.get(rec.key) == rec.fingerprint
