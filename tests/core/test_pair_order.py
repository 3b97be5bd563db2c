"""The pair check's verdict is the pictures': the same two files under other names and times
give the same residual, the same groups and the same keeper."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from dedupe_gui.core.candidates import file_id
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.hashes import THUMB_SIDE
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL, residuals
from tests.imaging import save, textured

_DAY_NS = 86_400 * 10**9
# What one library says of the pair: its residual, its groups (each member's width and
# whether it is kept) and the keepers' widths.
Seen = tuple[float, list[list[tuple[int, bool]]], list[int]]


def on_dark(seed: int) -> Image.Image:
    """A photo over a near-black backdrop that shows along its top and left edges (an
    object photographed in the dark), which the check may read as a border of its own."""
    out = Image.new("RGB", (320, 250), (8, 8, 10))
    out.paste(textured(seed, (288, 225)), (32, 25))
    return out


def letterboxed(img: Image.Image) -> Image.Image:
    """``img`` in the middle of white bars, widened to 16:9."""
    w, h = img.size
    out = Image.new("RGB", (round(h * 1.78), h), (255, 255, 255))
    out.paste(img, ((out.width - w) // 2, 0))
    return out


def _library(
    root: Path, pictures: tuple[Image.Image, Image.Image], names: tuple[str, str], mtime_ns: int
) -> list[ImageRecord]:
    for img, name in zip(pictures, names, strict=True):
        path = save(img, root / name, quality=90)
        os.utime(path, ns=(mtime_ns, mtime_ns))
    return list(run_scan(ScanOptions((str(root),))).records)


def _first_picture(records: list[ImageRecord], names: tuple[str, str]) -> int:
    """Which record holds the first of the two pictures (saved as ``names[0]``)."""
    return next(i for i, r in enumerate(records) if Path(r.path).name == names[0])


def _seen(records: list[ImageRecord], first: int) -> Seen:
    index = SimilarityIndex(records)
    groups = index.groups(GroupingOptions(12))
    one = np.array([first], dtype=np.int64)
    other = np.array([1 - first], dtype=np.int64)
    residual = float(index._checker.check(one, other, np.zeros(1, dtype=np.int64))[0])
    width = {r.path: r.fingerprint.width for r in records}
    members = [sorted((width[m.path], m.keep) for m in g.members) for g in groups]
    return residual, members, [width[g.suggested_keeper.path] for g in groups]


def under_swapped_names(
    tmp_path: Path, pictures: tuple[Image.Image, Image.Image]
) -> tuple[Seen, Seen]:
    """What a library of the two pictures says, and one of the same pictures under each
    other's names at another time: one such that the file ids (which order the pair's
    cache key) put the two pictures in the other order, as a rename or a copy may."""
    names = ("a.jpg", "b.jpg")
    records = _library(tmp_path / "one", pictures, names, 10 * _DAY_NS)
    first = _first_picture(records, names)
    lower = file_id(records[first]) < file_id(records[1 - first])
    for day in range(1, 40):
        swapped = names[::-1]
        again = _library(tmp_path / f"two-{day}", pictures, swapped, (10 + day) * _DAY_NS)
        first_again = _first_picture(again, swapped)
        if (file_id(again[first_again]) < file_id(again[1 - first_again])) != lower:
            return _seen(records, first), _seen(again, first_again)
    raise AssertionError("no time put the file ids in the other order")


def test_a_letterboxed_copy_groups_the_same_under_swapped_names_and_times(
    tmp_path: Path,
) -> None:
    original = on_dark(6)
    one, other = under_swapped_names(tmp_path, (original, letterboxed(original)))
    assert one == other
    # And the copy is found: one group of the two, one of them kept.
    residual, members, keepers = one
    assert residual <= DEFAULT_MAX_RESIDUAL
    assert [[w for w, _ in m] for m in members] == [[320, 445]] and len(keepers) == 1


def test_a_pair_of_two_shapes_reads_the_same_either_way(tmp_path: Path) -> None:
    original = on_dark(6)
    records = _library(tmp_path, (original, letterboxed(original)), ("o.jpg", "w.jpg"), _DAY_NS)
    thumbs = [
        np.frombuffer(r.fingerprint.thumb, dtype=np.uint8).reshape(1, THUMB_SIDE, THUMB_SIDE)
        for r in records
    ]
    shapes = [r.fingerprint.width / r.fingerprint.height for r in records]
    assert sorted(round(s, 2) for s in shapes) == [1.28, 1.78]
    one_way = residuals(
        thumbs[0], thumbs[1], DEFAULT_MAX_RESIDUAL, aspects=np.array([shapes], np.float32)
    )
    other_way = residuals(
        thumbs[1], thumbs[0], DEFAULT_MAX_RESIDUAL, aspects=np.array([shapes[::-1]], np.float32)
    )
    # The wider picture is cropped to the other's shape whichever side it is on.
    assert one_way[0] <= DEFAULT_MAX_RESIDUAL and other_way[0] <= DEFAULT_MAX_RESIDUAL
