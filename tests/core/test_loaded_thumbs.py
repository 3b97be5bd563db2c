"""Thumbnails loaded as pairs ask for them, and let go of when a walk has not asked for them
lately (core.loaded_thumbs.LoadedThumbs.let_go): the same rows come back, the same groups."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import ImageOps

import dedupe_gui.core.grouping as grouping_module
import dedupe_gui.core.pair_checker as pair_checker_module
import dedupe_gui.core.pair_words as pair_words_module
import dedupe_gui.core.picture_boxes as picture_boxes_module
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.loaded_thumbs import ROWS_KEPT, LoadedThumbs
from dedupe_gui.core.models import Group
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from tests.core.test_geometry import _records
from tests.imaging import save, textured


def _library(tmp_path: Path) -> list[Path]:
    """Five photos, each with a re-encoded copy and a framed copy (one of them flat)."""
    paths = []
    for k in range(5):
        img = textured(60 + k, (360, 270))
        paths.append(save(img, tmp_path / f"{k}.jpg", quality=92))
        paths.append(save(img, tmp_path / f"{k}-again.jpg", quality=70))
        framed = ImageOps.expand(img, border=30, fill=(245, 245, 245))
        paths.append(save(framed, tmp_path / f"{k}-framed.png"))
    return paths


def test_rows_let_go_come_back_the_same(tmp_path: Path) -> None:
    records = _records(*_library(tmp_path))
    loaded = LoadedThumbs(records, None)
    every = np.arange(len(records), dtype=np.int64)
    rows = loaded.rows(every)
    loaded.feature(rows)
    before = {
        i: (loaded.thumbs[r].copy(), loaded.flat[r], loaded.framed[r], loaded.border(int(r)))
        for i, r in enumerate(rows.tolist())
    }
    loaded.let_go(len(records))  # not over the bound: nothing goes
    assert loaded.count == len(records)
    asked = np.array([13, 2, 7], dtype=np.int64)
    loaded.rows(asked)
    loaded.let_go(2)
    assert loaded.count == 3 and sorted(loaded.row[asked].tolist()) == [0, 1, 2]
    assert (loaded.row[np.setdiff1d(every, asked)] == -1).all()
    assert not loaded.featured[3:].any() and not loaded.has_thumb[3:].any()
    rows = loaded.rows(every)  # the others loaded again, into the rows let go
    assert loaded.count == len(records)
    loaded.feature(rows)
    for i, r in enumerate(rows.tolist()):
        thumb, flat, framed, border = before[i]
        assert np.array_equal(loaded.thumbs[r], thumb)
        assert (loaded.flat[r], loaded.framed[r], loaded.border(r)) == (flat, framed, border)
    loaded.let_go(2)  # every file was asked for since the last call: every row stays
    assert loaded.count == len(records) and (loaded.row >= 0).all()
    loaded.let_go(2)  # none since: every row goes
    assert loaded.count == 0 and (loaded.row == -1).all()


def test_a_walk_that_lets_go_of_every_row_between_waves_groups_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _records(*_library(tmp_path))

    def groups() -> list[list[str]]:
        found = SimilarityIndex(records).groups(GroupingOptions(DEFAULT_THRESHOLD))
        return sorted(sorted(m.path for m in g.members) for g in found)

    kept = groups()
    assert len(kept) == 5 and all(len(g) == 3 for g in kept)
    let_go = LoadedThumbs.let_go
    calls: list[int] = []

    def counted(self: LoadedThumbs, bound: int) -> None:
        calls.append(self.count)
        let_go(self, bound)

    monkeypatch.setattr(grouping_module, "ROWS_KEPT", 0)
    monkeypatch.setattr(grouping_module, "_WAVE", 1)
    monkeypatch.setattr(LoadedThumbs, "let_go", counted)
    assert groups() == kept
    assert max(calls) > 0  # rows were loaded, and let go of, between waves


def test_the_work_after_the_walk_keeps_the_rows_loaded_about_the_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks' parts, the words' batches, the picture boxes' blocks and the files left
    out let go of rows between batches (``LoadedThumbs.bound``): with a bound of two rows
    and batches of a pair or two, a few rows are loaded at once instead of every grouped
    file's, and the groups, their words and keepers are the same."""
    records = _records(*_library(tmp_path))

    def grouped() -> tuple[list[Group], int]:
        index = SimilarityIndex(records)
        loaded = index._checker.loaded
        loaded.rows_kept = rows_kept
        groups = index.groups(GroupingOptions(DEFAULT_THRESHOLD))
        return groups, loaded.most

    rows_kept = ROWS_KEPT
    free, most = grouped()
    assert len(free) == 5 and most == len(records)
    assert any(m.differences for g in free for m in g.members[1:])
    monkeypatch.setattr(pair_words_module, "_EXPLAIN_BATCH", 1)
    monkeypatch.setattr(pair_checker_module, "_CHECKS_AT_ONCE", 2)
    monkeypatch.setattr(picture_boxes_module, "_FETCH_AT_ONCE", 2)
    rows_kept = 2
    bounded, most = grouped()
    assert bounded == free
    assert most <= 8
