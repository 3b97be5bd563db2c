"""The keeper rule's boxes are placed from thumbnails fetched a block at a time: a cache read
back without thumbnails answers one query per fetch, and a large library asks about every
grouped file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import ImageOps

from dedupe_gui.core import picture_boxes, verify
from dedupe_gui.core.candidates import file_id
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.frame_readings import may_have_border
from dedupe_gui.core.loaded_thumbs import LoadedThumbs
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.picture_boxes import PictureBoxes, Placed, pack_placed, unpack_placed
from dedupe_gui.core.verify import border_of
from dedupe_gui.core.window_candidates import picture_box_of
from tests.imaging import save, textured


def _library(tmp_path: Path) -> tuple[list[ImageRecord], dict[str, bytes]]:
    """Records read back without thumbnails (as from a cache), and the thumbnails by path;
    every third picture carries a white frame."""
    records, thumbs = [], {}
    for k in range(9):
        img = textured(k, (240, 180))
        if k % 3 == 0:
            img = ImageOps.expand(img, border=24, fill=(255, 255, 255))
        path = save(img, tmp_path / f"p{k}.png")
        fp = fingerprint_file(str(path))
        thumbs[str(path)] = fp.thumb
        key = FileKey(str(path), path.stat().st_size, path.stat().st_mtime_ns)
        records.append(ImageRecord(key, replace(fp, thumb=b"")))
    return records, thumbs


def test_boxes_are_placed_from_one_fetch_and_match_those_placed_one_by_one(
    tmp_path: Path,
) -> None:
    records, thumbs = _library(tmp_path)
    fetches: list[int] = []

    def source(keys: Sequence[FileKey]) -> list[bytes]:
        fetches.append(len(keys))
        return [thumbs[k.path] for k in keys]

    wanted = np.arange(len(records), dtype=np.int64)
    batched = PictureBoxes(records, LoadedThumbs(records, source))
    inside = batched.inside(wanted)
    assert fetches == [len(records)]

    single = PictureBoxes(records, LoadedThumbs(records, source))
    one_by_one = [single.placed(i) for i in wanted.tolist()]
    assert [batched.placed(i) for i in wanted.tolist()] == one_by_one
    framed = [i for i, (box, _) in enumerate(one_by_one) if box is not None]
    assert framed == [0, 3, 6]
    assert (inside[framed] < 1.0).all() and (np.delete(inside, framed, axis=0) == 1.0).all()
    # Asking again fetches nothing more.
    fetches.clear()
    batched.levels(wanted)
    assert fetches == []


def _thumbnails() -> np.ndarray[tuple[int, ...], np.dtype[np.uint8]]:
    """32x32 pictures of every kind the border readings meet: plain photos, uniform frames of
    each width and grey on some or all sides, frames with noise near the tolerances, a dark
    sky meeting a dark frame, flat pictures and pictures of two halves."""
    rng = np.random.default_rng(7)
    out = []
    for k in range(3000):
        kind = k % 6
        if kind == 0:  # a photo: texture everywhere
            t = rng.normal(128, rng.uniform(5, 60), (32, 32))
        elif kind == 1:  # a smooth gradient (a sky)
            t = np.add.outer(np.linspace(0, rng.uniform(0, 80), 32), np.zeros(32)) + rng.uniform(
                0, 170
            )
        else:  # a frame on some sides, its grey noisy by up to a few levels
            t = rng.normal(128, 40, (32, 32))
            level, noise = rng.uniform(0, 255), rng.uniform(0, 14)
            for side in range(4):
                if rng.random() < 0.6:
                    depth = int(rng.integers(1, 6))
                    view = np.rot90(t, side)
                    view[:depth] = level + rng.normal(0, noise, view[:depth].shape)
            if kind == 5:  # one odd corner pixel
                t[0, 0] = rng.uniform(0, 255)
        out.append(np.clip(t, 0, 255).astype(np.uint8))
    return np.stack(out)


def test_a_thumbnail_said_to_have_no_border_has_none_by_either_reading() -> None:
    stack = _thumbnails()
    may = may_have_border(stack)
    strict = np.array([border_of(t) is not None for t in stack])
    loose = np.array([border_of(t, loose=True) is not None for t in stack])
    # Never wrong where it rules a border out, and it rules most photos out.
    assert not (strict & ~may).any() and not (loose & ~may).any()
    assert loose.sum() > 500 and strict.sum() > 300
    assert (~may[0::6]).mean() > 0.9


def test_the_second_chance_finds_the_same_borders_in_a_stack_as_one_by_one() -> None:
    stack = _thumbnails().astype(np.float32)
    found = verify._border_boxes(stack)
    one_by_one = [verify._border_box(np.rint(t).astype(np.int16)) for t in stack]
    assert found == one_by_one
    assert sum(box is not None for box in found) > 300


def test_boxes_are_kept_by_file_version_and_not_placed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records, thumbs = _library(tmp_path)
    fetches: list[int] = []

    def source(keys: Sequence[FileKey]) -> list[bytes]:
        fetches.append(len(keys))
        return [thumbs[k.path] for k in keys]

    def ids_of(records: list[ImageRecord]) -> Callable[[], npt.NDArray[np.uint64]]:
        return lambda: np.array([file_id(r) for r in records], dtype=np.uint64)

    wanted = np.arange(len(records), dtype=np.int64)
    first = PictureBoxes(records, LoadedThumbs(records, source), None, ids_of(records))
    inside, levels = first.inside(wanted), first.levels(wanted)
    kept = first.take_new()
    assert len(kept) == len(records) and first.take_new() == {}
    assert not np.isnan(levels[[0, 3, 6]]).any()

    def no_decode(path: str, pictures: object = None) -> None:
        raise AssertionError(f"{path} placed again")

    monkeypatch.setattr(picture_boxes, "picture_box_of", no_decode)
    fetches.clear()
    again = PictureBoxes(records, LoadedThumbs(records, source), None, ids_of(records), kept)
    assert np.array_equal(again.inside(wanted), inside)
    assert np.array_equal(again.levels(wanted), levels, equal_nan=True)
    assert [again.placed(i) for i in wanted.tolist()] == [first.placed(i) for i in wanted.tolist()]
    assert fetches == [] and again.take_new() == {}

    # Another version of a framed file is placed again, and kept under its own id; a file
    # that cannot be read again now is placed from its thumbnail and not kept.
    monkeypatch.undo()
    edited = list(records)
    edited[3] = replace(records[3], key=replace(records[3].key, mtime_ns=1))
    edited[6] = replace(records[6], key=replace(records[6].key, mtime_ns=2))
    monkeypatch.setattr(
        picture_boxes,
        "picture_box_of",
        lambda path, pictures=None: (
            None if path == records[6].path else picture_box_of(path, pictures)
        ),
    )
    later = PictureBoxes(edited, LoadedThumbs(edited, source), None, ids_of(edited), kept)
    assert np.array_equal(later.inside(wanted)[:6], inside[:6])
    assert list(later.take_new()) == [file_id(edited[3])]


def test_a_kept_box_reads_back_as_placed() -> None:
    cases: list[Placed] = [
        (None, False, None),
        (None, False, 255),
        ((0.1, 0.05, 0.9, 0.95), False, 12),
        ((0.0, 0.125, 1.0, 0.875), True, 0),
        ((1 / 3, 0.2, 0.7, 0.8), True, None),
    ]
    for placed in cases:
        assert unpack_placed(pack_placed(placed)) == placed
    blob = pack_placed(((0.1, 0.05, 0.9, 0.95), False, 12))
    assert unpack_placed(blob[:-1]) is None
    assert unpack_placed(blob + b"\0") is None
    assert unpack_placed(b"") is None
    assert unpack_placed(b"\x80") is None
