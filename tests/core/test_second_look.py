"""Plain copies are not decoded again for the 128x128 text check (core.second_look); two
slides on one background still are, and are still told apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from dedupe_gui.core import fingerprint, grouping, redecoded
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.scan_pictures import ScanPictures
from dedupe_gui.core.second_look import TWO_SIDED, two_sided
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from tests.imaging import photo, save


def _busy(seed: int) -> Image.Image:
    """A darkened photo-like background with texture everywhere, coarse enough to show in
    the 32x32 thumbnail: judged as a photo (no fine thumbnail kept)."""
    img = photo(seed, (640, 480))
    noise = np.kron(np.random.default_rng(seed).normal(0, 20, (60, 80, 1)), np.ones((8, 8, 1)))
    return Image.fromarray(
        np.clip(np.asarray(img, dtype=np.float64) * 0.6 + noise, 0, 255).astype(np.uint8)
    )


def _slide(background: Image.Image, lines: list[str]) -> Image.Image:
    slide = background.copy()
    font = ImageFont.load_default(size=60)
    for k, line in enumerate(lines):
        ImageDraw.Draw(slide).text((40, 150 + 70 * k), line, font=font, fill=(255, 255, 255))
    return slide


def _records(paths: list[Path]) -> list[ImageRecord]:
    return [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]


def _thumb(path: Path) -> np.ndarray[tuple[int, int], np.dtype[np.uint8]]:
    return np.frombuffer(fingerprint_file(str(path)).thumb, dtype=np.uint8).reshape(32, 32)


def _count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths the grouping decodes again for the text check, in order."""
    decoded: list[str] = []
    real = fingerprint.text_grey

    def counting(
        path: str, pictures: ScanPictures | None = None
    ) -> np.ndarray[tuple[int, int], np.dtype[np.uint8]]:
        decoded.append(path)
        return real(path, pictures)

    monkeypatch.setattr(redecoded, "text_grey", counting)
    return decoded


def test_resized_and_recompressed_copies_are_not_decoded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    img = _busy(5)
    paths = [
        save(img, tmp_path / "a.jpg", quality=92),
        save(img.resize((480, 360)), tmp_path / "b.jpg", quality=70),
        save(img.resize((400, 300)), tmp_path / "c.png"),
    ]
    records = _records(paths)
    assert not any(r.fingerprint.fine for r in records)
    decoded = _count_decodes(monkeypatch)
    groups = grouping.group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    assert [len(g.members) for g in groups] == [3]
    assert decoded == []


def test_two_slides_are_decoded_again_and_told_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    background = _busy(3)
    one = save(_slide(background, ["Quarterly", "Revenue"]), tmp_path / "one.jpg", quality=90)
    two = save(_slide(background, ["Thank you", "Questions?"]), tmp_path / "two.jpg", quality=90)
    records = _records([one, two])
    assert not any(r.fingerprint.fine for r in records)
    decoded = _count_decodes(monkeypatch)
    groups = grouping.group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    assert groups == []
    assert sorted(decoded) == sorted([str(one), str(two)])


def test_the_difference_of_two_slides_goes_both_ways_and_a_copys_does_not(
    tmp_path: Path,
) -> None:
    background = _busy(7)
    one = save(_slide(background, ["Agenda", "Budget"]), tmp_path / "one.png")
    two = save(_slide(background, ["Hiring", "Roadmap"]), tmp_path / "two.png")
    copy = save(Image.open(one).resize((512, 384)), tmp_path / "copy.jpg", quality=75)
    a, b, c = _thumb(one), _thumb(two), _thumb(copy)
    slides, copies = two_sided(np.stack([a, a]), np.stack([b, c]))
    assert slides > TWO_SIDED
    assert copies <= TWO_SIDED
