"""Copies whose geometry changed: letterboxed, shown inside a phone screenshot's chrome,
straightened; and pictures that only share a frame (two photos in one chrome) kept apart."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

import dedupe_gui.core.straighten as straighten_module
import dedupe_gui.core.window_index as window_module
import dedupe_gui.core.window_looks as window_looks
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.frame_readings import photo_box
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.hashes import MAX_WINDOWS
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.windows import shown_small, window_boxes
from tests.imaging import save
from tests.imaging import textured as _textured


def _records(*paths: Path) -> list[ImageRecord]:
    return [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]


def _grouped(*paths: Path) -> list[set[str]]:
    groups = group_records(_records(*paths), GroupingOptions(DEFAULT_THRESHOLD))
    return [{m.path for m in g.members} for g in groups]


def _screenshot(
    picture: Image.Image, title: str, dark: bool = True, width: float = 1.0
) -> Image.Image:
    """A phone screenshot of ``picture`` in a viewer: a status bar with the time and
    icons, a title line, the picture in the middle (``width``: its share of the screen's
    width) and a row of action buttons."""
    w, h = 540, 1170
    ink = (235, 235, 235) if dark else (30, 30, 30)
    shot = Image.new("RGB", (w, h), (0, 0, 0) if dark else (250, 250, 250))
    draw = ImageDraw.Draw(shot)
    draw.text((20, 12), "12:41", fill=ink)
    for k in range(3):
        draw.rectangle((w - 100 + k * 25, 12, w - 85 + k * 25, 27), fill=ink)
    draw.text((20, 70), title, fill=ink)
    inner = picture.copy()
    inner.thumbnail((int(w * width), int(h * 0.7)), Image.Resampling.LANCZOS)
    shot.paste(inner, ((w - inner.width) // 2, (h - inner.height) // 2 + 20))
    for k in range(4):
        x = 60 + k * 130
        draw.ellipse((x, h - 90, x + 30, h - 60), outline=ink, width=3)
    return shot


def _straightened(img: Image.Image, degrees: float) -> Image.Image:
    """Turned by ``degrees`` and cropped to the largest centred rectangle of its shape, as
    photo editors straighten."""
    w, h = img.size
    turned = img.rotate(degrees, Image.Resampling.BICUBIC)
    a = math.radians(abs(degrees))
    k = 1 / (math.cos(a) + math.sin(a) * max(w / h, h / w))
    cw, ch = int(w * k), int(h * k)
    return turned.crop(((w - cw) // 2, (h - ch) // 2, (w + cw) // 2, (h + ch) // 2))


def test_a_letterboxed_copy_is_grouped_with_its_photo(tmp_path: Path) -> None:
    img = _textured(21, (480, 320))
    canvas = Image.new("RGB", (480, 480), (0, 0, 0))  # a square post: bars above and below
    canvas.paste(img, (0, 80))
    a = save(img, tmp_path / "a.jpg", quality=92)
    b = save(canvas, tmp_path / "b.jpg", quality=92)
    assert _grouped(a, b) == [{str(a), str(b)}]


def test_the_photo_inside_a_screenshot_is_found_and_grouped(tmp_path: Path) -> None:
    img = _textured(4, (640, 427))
    shot = _screenshot(img, "holiday album")
    box = photo_box(np.asarray(shown_small(shot.convert("L")), dtype=np.int16))
    assert box is not None and box[1] > 0.2 and box[3] < 0.8  # the chrome is not the photo
    a = save(img, tmp_path / "photo.jpg", quality=92)
    b = save(shot, tmp_path / "shot.png")
    fa, fb = fingerprint_file(str(a)), fingerprint_file(str(b))
    assert (fa.hash ^ fb.hash).bit_count() > DEFAULT_THRESHOLD
    assert min((fa.hash ^ w).bit_count() for w in fb.windows) <= 6
    (group,) = group_records(_records(a, b), GroupingOptions(DEFAULT_THRESHOLD))
    assert {m.path for m in group.members} == {str(a), str(b)}
    # The screenshot has more pixels, but the photo is kept: the chrome frames it.
    assert group.suggested_keeper.path == str(a)


def test_two_photos_in_one_screenshot_chrome_are_not_grouped(tmp_path: Path) -> None:
    first = save(_screenshot(_textured(6, (640, 427)), "album"), tmp_path / "one.png")
    second = save(_screenshot(_textured(7, (640, 427)), "album"), tmp_path / "two.png")
    third = save(_screenshot(_textured(8, (640, 427)), "album", dark=False), tmp_path / "3.png")
    fourth = save(_screenshot(_textured(9, (640, 427)), "album", dark=False), tmp_path / "4.png")
    assert _grouped(first, second, third, fourth) == []


def test_two_small_photos_in_one_chrome_are_not_grouped_but_a_copy_of_one_is(
    tmp_path: Path,
) -> None:
    """The photo covers a few per cent of the screen: the chrome's tiles outvote it on the
    fine thumbnail, so the photos inside are compared on their own (core.chrome)."""
    shots = [_screenshot(_textured(s, (640, 427)), "album", width=0.35) for s in (12, 13)]
    first = save(shots[0], tmp_path / "one.png")
    second = save(shots[1], tmp_path / "two.png")
    copy = save(shots[0].resize((432, 936), Image.Resampling.LANCZOS), tmp_path / "c.jpg")
    assert all(r.fingerprint.fine for r in _records(first, second, copy))
    assert _grouped(first, second, copy) == [{str(first), str(copy)}]


def test_a_plain_photo_with_a_sky_has_no_photo_window() -> None:
    img = _textured(11, (400, 300))
    ImageDraw.Draw(img).rectangle((0, 0, 400, 90), fill=(200, 220, 240))  # a clear sky
    assert photo_box(np.asarray(shown_small(img.convert("L")), dtype=np.int16)) is None


def _no_look(
    path: str, slot: int, decoded: window_looks.Decoded | None = None, detail: bool = True
) -> None:
    """No window looked through."""


def test_a_straightened_copy_is_grouped_only_with_the_turned_second_look(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    img = _textured(14, (600, 400))
    a = save(img, tmp_path / "a.jpg", quality=92)
    b = save(_straightened(img, 3.2), tmp_path / "b.jpg", quality=92)
    # Without the second look through windows (the window trimmed on both sides comes
    # close to the straightened copy's crop and explains it too).
    monkeypatch.setattr(
        window_looks, "window_look", lambda path, slot, decoded=None, detail=True: None
    )
    assert _grouped(a, b) == [{str(a), str(b)}]
    monkeypatch.setattr(straighten_module, "ANGLES", ())
    assert _grouped(a, b) == []


def test_a_framed_copy_needs_the_window_second_look(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wide frame leaves the picture a small part of the 32x32 thumbnail; the window's
    part of the decoded picture is what matches."""
    img = _textured(15, (480, 320))
    framed = Image.new("RGB", (640, 640), (240, 236, 228))
    framed.paste(img, (80, 160))
    a = save(img, tmp_path / "a.jpg", quality=92)
    b = save(framed, tmp_path / "b.jpg", quality=92)
    assert _grouped(a, b) == [{str(a), str(b)}]
    monkeypatch.setattr(
        window_looks, "window_look", lambda path, slot, decoded=None, detail=True: None
    )
    assert _grouped(a, b) == []


def test_window_hashes_fit_the_cache_and_come_back_from_a_lean_read(tmp_path: Path) -> None:
    shot = _screenshot(_textured(16, (300, 500)), "portrait")  # borders and chrome
    path = save(shot, tmp_path / "s.png")
    fp = fingerprint_file(str(path))
    boxes = window_boxes(shown_small(shot.convert("L")))
    assert len(fp.windows) == len(boxes) <= MAX_WINDOWS
    store = FingerprintStore(str(tmp_path / "c.sqlite3"))
    key = FileKey(str(path), path.stat().st_size, path.stat().st_mtime_ns)
    store.put(key, fp)
    store.flush()
    (found,) = store.get_many([key], thumbs=False)
    assert found is not None
    lean = found[0]
    assert isinstance(lean, type(fp)) and lean.windows == fp.windows
    store.close()


def test_the_window_search_finds_pairs_whose_bits_differ_down_one_column() -> None:
    """A trim moves the same column of bits in every row of the 8x8 grid: two differing bits
    per 16-bit chunk of the multi-index, the spread a search sure to 7 bits does not probe.
    The second pass over transposed grids puts that column in one chunk."""
    rng = np.random.default_rng(3)
    index = np.unique(rng.integers(0, 1 << 63, size=4000, dtype=np.uint64))
    column = np.uint64(sum(1 << (8 * row + 2) for row in range(8)))  # bit 2 of every row
    queries = index[:2000] ^ column
    want = {(i, i) for i in range(2000)}
    found = window_module.window_pairs(queries, index, 10)
    assert want <= set(zip(found.a.tolist(), found.b.tolist(), strict=True))
    assert set(found.distance.tolist()) <= set(range(11))
    # Transposed, the column is one row: within a single chunk of every plan, so the other
    # chunks agree exactly and the cheap transposed pass alone finds the pairs.
    alone = window_module.window_pairs(queries, index, 10, layouts=[(True, 3)])
    assert want <= set(zip(alone.a.tolist(), alone.b.tolist(), strict=True))
    laid = int(window_module.laid(np.array([column], dtype=np.uint64), True)[0])
    assert laid.bit_count() == 8 and any(laid == 0xFF << (8 * row) for row in range(8))
