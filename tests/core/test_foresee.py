"""Pairs checked ahead in one batch (``PairChecker.foresee``) count as checked only when asked
about, with the residuals a check of them alone gives; the files left out of groups
(core.leftovers) are checked that way, with the same groups and kept verdicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from dedupe_gui.core import grouping, leftovers
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from tests.core.test_leftovers import _paths, _record, _trimmed, _vignette
from tests.imaging import textured

I64 = npt.NDArray[np.int64]


def _four(tmp_path: Path) -> list[ImageRecord]:
    """An original, its vignetted copy saved larger (the walk's keeper) and two trimmed
    copies that fail against the vignetted one: both are taken in by the original taking
    the group over, each through a check of its own (core.leftovers)."""
    img = textured(5, (640, 480))
    w, h = img.size
    other_trim = img.crop((int(w * 0.08), int(h * 0.08), w, h))
    original, vignetted, trimmed, trimmed_too = _paths(
        tmp_path, img, _vignette(img), _trimmed(img), other_trim
    )
    return [
        _record(original, range(0), 100_000),
        _record(vignetted, range(5), 120_000),
        _record(trimmed, range(20, 28), 90_000),
        _record(trimmed_too, range(30, 38), 80_000),
    ]


def _one(*values: int) -> I64:
    return np.array(values, dtype=np.int64)


def test_pairs_checked_ahead_are_kept_only_when_asked_about(tmp_path: Path) -> None:
    records = _four(tmp_path)
    ahead = SimilarityIndex(records)._checker
    ahead.foresee(_one(0, 0, 1), _one(2, 3, 2), _one(0, 0, 0))
    assert ahead.new_checks_held() == 0
    asked = ahead.check(_one(2), _one(0), _one(0))  # the pair the other way round
    alone = SimilarityIndex(records)._checker.check(_one(0), _one(2), _one(0))
    assert np.array_equal(asked, alone)
    kept, _ = ahead.take_new_checks()
    assert list(kept.values()) == [float(alone[0])]
    # Those never asked about are not kept, and go.
    ahead.forget_foreseen()
    assert not ahead.new_checks_held()


@pytest.mark.parametrize("gathered", [1, 2, 4096])  # joined into one array every so many
def test_files_left_out_are_checked_ahead_with_the_same_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gathered: int
) -> None:
    """Every pair the leftovers' centring asks about was told to ``foresee`` first, and the
    groups are those of asking one pair at a time."""
    monkeypatch.setattr(leftovers, "_GATHERED", gathered)
    records = _four(tmp_path)
    seen: list[tuple[Any, ...]] = []
    take_in = leftovers.take_in_left

    def spy(*args: Any) -> Any:
        seen.append(args)
        return take_in(*args)

    monkeypatch.setattr(grouping, "take_in_left", spy)
    index = SimilarityIndex(records)
    groups = index.groups(GroupingOptions(DEFAULT_THRESHOLD))
    assert groups[0].suggested_keeper.path == records[0].path  # centred again
    (args,) = seen
    formed, walked, peer, check, verifiable, limit, _, edited = args
    told: set[tuple[int, int]] = set()
    asked: set[tuple[int, int]] = set()

    def foresee(keepers: I64, others: I64, turns: I64) -> None:
        told.update(zip(keepers.tolist(), others.tolist(), strict=True))

    def asking(keepers: I64, others: I64, turns: I64) -> npt.NDArray[np.float32]:
        if told:  # the checks of the centring, after it was told what it would ask
            asked.update(zip(keepers.tolist(), others.tolist(), strict=True))
        out: npt.NDArray[np.float32] = check(keepers, others, turns)
        return out

    ahead = take_in(formed, walked, peer, asking, verifiable, limit, foresee, edited)
    one_by_one = take_in(formed, walked, peer, check, verifiable, limit, None, edited)
    assert asked and asked <= told
    assert len(ahead) == len(one_by_one)
    for (best, others, d, k), (best_, others_, d_, k_) in zip(ahead, one_by_one, strict=True):
        assert best == best_
        for x, y in ((others, others_), (d, d_), (k, k_)):
            assert np.array_equal(x, y)
