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
from dedupe_gui.core.orientations import INVERSE
from dedupe_gui.core.pair_order import reference_first
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL, residuals
from tests.imaging import captioned, photo, save, textured, vignetted

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


def _trimmed(img: Image.Image) -> Image.Image:
    """``img`` with 8 % cut off its left edge, 6 % off its top and 4-8 % off the others."""
    w, h = img.size
    return img.crop((int(w * 0.08), int(h * 0.056), w - int(w * 0.04), h - int(h * 0.08)))


def test_a_copy_of_another_size_is_found_whichever_file_comes_first(tmp_path: Path) -> None:
    # Read with the original first this pair fails (0.65), with the copy first it passes.
    original = photo(5, (320, 250))
    one, other = under_swapped_names(tmp_path, (original, captioned(_trimmed(original))))
    assert one == other
    residual, members, _ = one
    assert residual <= DEFAULT_MAX_RESIDUAL and len(members) == 1


def test_pictures_of_one_size_must_pass_read_either_way(tmp_path: Path) -> None:
    # Read with the original first this pair passes (0.085), with its copy first it does not
    # (0.15): as two frames of one size may, it is not grouped, whatever the files are called.
    original = on_dark(5)
    one, other = under_swapped_names(tmp_path, (original, vignetted(original, 0.8)))
    assert one == other
    residual, members, _ = one
    assert residual > DEFAULT_MAX_RESIDUAL and members == []


def test_the_larger_picture_is_read_first_then_the_lower_hash() -> None:
    pixels = np.array([100, 400, 100, 100], dtype=np.int64)
    hashes = np.array([7, 9, 3, 7], dtype=np.uint64)
    a = np.array([0, 1, 0, 3, 0], dtype=np.int64)
    b = np.array([1, 0, 2, 0, 3], dtype=np.int64)
    turn = np.array([5, 5, 1, 0, 6], dtype=np.int64)
    first, second, seen, one_size = reference_first(pixels, hashes, (a, b, turn))
    # The turn is then seen from the first; one size and one hash: as given.
    assert first.tolist() == [1, 1, 2, 3, 0]
    assert second.tolist() == [0, 0, 0, 0, 3]
    assert seen.tolist() == [INVERSE[5], 5, INVERSE[1], 0, 6]
    assert one_size.tolist() == [False, False, True, True, True]
