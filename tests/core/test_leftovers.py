"""A copy that fails against its group's keeper because the keeper is an edited copy of the
original's size, saved larger, is taken in by a plain peer of the keeper taking the group
over (core.leftovers)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image, ImageOps

import dedupe_gui.core.grouping as grouping_module
import dedupe_gui.core.leftovers as leftovers_module
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.keeper import Standing
from dedupe_gui.core.leftovers import Walked
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.pair_checker import PairChecker
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.thumbnails import thumbs_to_array
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL, residuals
from tests.imaging import captioned, save, textured, vignetted

_BASE = 0x0123456789ABCDEF


def _record(path: Path, flipped: Sequence[int], size: int) -> ImageRecord:
    """The file's real fingerprint with its hash set ``flipped`` bits away from a base (and no
    windows), so that which pairs are candidates is chosen by the test; ``size`` in bytes
    sets the keeper among copies of one size (the larger file is kept)."""
    fp = fingerprint_file(str(path))
    value = _BASE
    for bit in flipped:
        value ^= 1 << bit
    fake = dataclasses.replace(fp, hash=value, windows=())
    return ImageRecord(FileKey(str(path), size, path.stat().st_mtime_ns), fake)


def _vignette(img: Image.Image) -> Image.Image:
    """Corners darkened by 85 %, the middle left as it was."""
    pixels = np.asarray(img, dtype=np.float64)
    h, w = pixels.shape[:2]
    y, x = np.mgrid[0:h, 0:w]
    r = np.hypot((x - w / 2) / (w / 2), (y - h / 2) / (h / 2)) / np.sqrt(2)
    gain = 1 - 0.85 * np.clip((r - 0.35) / 0.65, 0, 1) ** 1.5
    return Image.fromarray(np.clip(pixels * gain[..., None], 0, 255).astype(np.uint8))


def _trimmed(img: Image.Image) -> Image.Image:
    w, h = img.size
    return img.crop((0, 0, int(w * 0.92), int(h * 0.92)))


def _paths(tmp_path: Path, *images: Image.Image) -> list[Path]:
    return [save(img, tmp_path / f"{k}.jpg", quality=92) for k, img in enumerate(images)]


def _members(records: list[ImageRecord]) -> list[list[str]]:
    groups = group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    return [[m.path for m in g.members] for g in groups]


def test_a_plain_peer_of_an_edited_keeper_takes_over_to_keep_a_copy_in(tmp_path: Path) -> None:
    img = textured(5, (640, 480))
    original, vignetted, trimmed = _paths(tmp_path, img, _vignette(img), _trimmed(img))
    records = [
        _record(original, range(0), 100_000),
        _record(vignetted, range(5), 120_000),  # the first keeper: a larger file
        _record(trimmed, range(20, 28), 90_000),  # 8 bits from the original, 13 from it
    ]
    thumbs, _ = thumbs_to_array([r.fingerprint.thumb for r in records])
    # The trimmed copy and the vignetted one are two edits apart: not copies of each other.
    assert residuals(thumbs[1:2], thumbs[2:3])[0] > DEFAULT_MAX_RESIDUAL
    assert _members(records) == [[str(original), str(vignetted), str(trimmed)]]


def test_every_copy_the_new_keeper_passes_is_taken_in_not_only_the_first(tmp_path: Path) -> None:
    """Two trimmed copies that both fail against the vignetted keeper and pass against the
    original: the first one centres the group on the original, the second must join under
    it too rather than be left because the group has moved already."""
    img = textured(5, (640, 480))
    w, h = img.size
    other_trim = img.crop((int(w * 0.08), int(h * 0.08), w, h))
    original, vignetted, trimmed, trimmed_too = _paths(
        tmp_path, img, _vignette(img), _trimmed(img), other_trim
    )
    records = [
        _record(original, range(0), 100_000),
        _record(vignetted, range(5), 120_000),  # the first keeper: a larger file
        _record(trimmed, range(20, 28), 90_000),  # 8 bits from the original, 13 from it
        _record(trimmed_too, range(30, 38), 80_000),  # the same, 16 bits from the other trim
    ]
    thumbs, _ = thumbs_to_array([r.fingerprint.thumb for r in records])
    for copy in (2, 3):
        assert residuals(thumbs[1:2], thumbs[copy : copy + 1])[0] > DEFAULT_MAX_RESIDUAL
        assert residuals(thumbs[0:1], thumbs[copy : copy + 1])[0] <= DEFAULT_MAX_RESIDUAL
    (members,) = _members(records)
    assert members[0] == str(original)
    assert sorted(members[1:]) == [str(p) for p in (vignetted, trimmed, trimmed_too)]


def test_a_copy_beyond_the_threshold_of_the_keeper_joins_under_a_peer_that_reaches_it(
    tmp_path: Path,
) -> None:
    """A copy that passes against the keeper (a larger file of the original's pixels) but is
    13 bits from it, 8 from the original: the original, a peer of the keeper that has every
    file of the group within reach, takes the group over and the copy in."""
    img = textured(6, (640, 480))
    original, again, copy = _paths(tmp_path, img, img, img.resize((600, 450)))
    records = [
        _record(original, range(0), 100_000),
        _record(again, range(5), 120_000),  # the first keeper: a larger file
        _record(copy, range(20, 28), 90_000),  # 8 bits from the original, 13 from it
    ]
    thumbs, _ = thumbs_to_array([r.fingerprint.thumb for r in records])
    assert residuals(thumbs[1:2], thumbs[2:3])[0] <= DEFAULT_MAX_RESIDUAL
    assert _members(records) == [[str(original), str(again), str(copy)]]


def test_a_peer_that_does_not_reach_every_member_does_not_take_over(tmp_path: Path) -> None:
    """The same, with a fourth file 8 bits from the keeper and 13 from the original: under
    the original it would be beyond the threshold, so the group keeps its keeper and the
    copy stays out."""
    img = textured(6, (640, 480))
    original, again, copy, other = _paths(
        tmp_path, img, img, img.resize((600, 450)), img.resize((560, 420))
    )
    records = [
        _record(original, range(0), 100_000),
        _record(again, range(5), 120_000),
        _record(copy, range(20, 28), 90_000),
        _record(other, [*range(5), *range(30, 38)], 80_000),  # 8 from the keeper, 13 from it
    ]
    assert _members(records) == [[str(again), str(original), str(other)]]


def test_files_left_are_ranked_as_the_last_walk_ranked_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the walks that rank worse keepers lower run out (one here), the files left in no
    group are still ranked as the last walk ranked them (the framed copy below the clean
    photo), not as the first did: a file the walks passed over as keeper must not block a
    peer from taking its group over."""
    img = textured(9)
    framed = ImageOps.expand(img, 30, fill=(255, 255, 255))
    paths = [save(img, tmp_path / "a.jpg", quality=92), save(framed, tmp_path / "b.jpg")]
    records = [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]
    monkeypatch.setattr(grouping_module, "_STANDING_WALKS", 1)
    walked: list[Standing] = []
    walk = grouping_module.SimilarityIndex._walk

    def spy_walk(
        self: grouping_module.SimilarityIndex,
        rules: tuple[str, ...],
        standing: Standing,
        *rest: Any,
    ) -> Any:
        walked.append(standing)
        return walk(self, rules, standing, *rest)

    ranks: list[npt.NDArray[np.int64]] = []
    take_in = leftovers_module.take_in_left

    def spy_take_in(formed: Any, seen: Walked, *rest: Any) -> Any:
        ranks.append(seen.rank)
        return take_in(formed, seen, *rest)

    monkeypatch.setattr(grouping_module.SimilarityIndex, "_walk", spy_walk)
    monkeypatch.setattr(grouping_module, "take_in_left", spy_take_in)
    index = grouping_module.SimilarityIndex(records)
    groups = index.groups(GroupingOptions(DEFAULT_THRESHOLD))
    assert [g.suggested_keeper.path for g in groups] == [str(paths[0])]
    assert len(walked) == 2 and walked[-1].framed  # the second walk ranked the frame lower
    expected = index._keepers.ranking(GroupingOptions(DEFAULT_THRESHOLD).rules, walked[-1])[1]
    assert ranks[-1].tolist() == expected.tolist()


@pytest.mark.parametrize("edit", [captioned, vignetted], ids=["caption", "vignette"])
def test_a_peer_its_keeper_sees_edited_never_takes_the_group_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Any
) -> None:
    """The clean original is kept (the larger file) with a plain copy and an edited copy of
    its pixels, a peer; a file left out passes against the edited copy alone (an unrelated
    picture the check let through against it, or another copy of that edit): the group
    stays with the original rather than be handed to the edited copy to take the file in.
    The plain copy vouches for the keeper: it sees the keeper as it is where the edit is."""
    img = textured(5, (640, 480))
    original, edited, other = _paths(tmp_path, img, edit(img), textured(8, (640, 480)))
    plain = save(img.resize((600, 450)), tmp_path / "plain.jpg", quality=80)
    records = [
        _record(original, range(0), 120_000),  # the keeper: the larger file
        _record(edited, range(3), 100_000),
        _record(other, range(3, 10), 90_000),
        _record(plain, range(40, 42), 80_000),
    ]
    check = PairChecker.check

    def passes_with_the_edit(
        self: PairChecker,
        keepers: npt.NDArray[np.int64],
        others: npt.NDArray[np.int64],
        *rest: Any,
    ) -> npt.NDArray[np.float32]:
        res = check(self, keepers, others, *rest)
        res[(np.minimum(keepers, others) == 1) & (np.maximum(keepers, others) == 2)] = 0.0
        return res

    monkeypatch.setattr(PairChecker, "check", passes_with_the_edit)
    (members,) = _members(records)
    assert members[0] == str(original)
    assert sorted(members[1:]) == sorted([str(edited), str(plain)])
