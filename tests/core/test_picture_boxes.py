"""The keeper rule's boxes are placed from thumbnails fetched a block at a time: a cache read
back without thumbnails answers one query per fetch, and a large library asks about every
grouped file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import ImageOps

from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.loaded_thumbs import LoadedThumbs
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.picture_boxes import PictureBoxes
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
