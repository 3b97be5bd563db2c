"""However many pairs a caller asks for at once, the check takes a bounded number at a time
and reads each pair as it would alone: the files left out after a large library's walk are
asked about in one call."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from PIL import ImageOps

import dedupe_gui.core.pair_checker as pair_checker
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.pair_order import F32, I64, Flags, PairOrder, Read
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.imaging import captioned, save, textured


def _records(tmp_path: Path) -> list[ImageRecord]:
    for seed in range(3):
        img = textured(seed, (240, 180))
        save(img, tmp_path / f"p{seed}.png")
        save(img.resize((200, 150)), tmp_path / f"p{seed}-small.jpg", quality=85)
        save(ImageOps.expand(img, border=16, fill=(255, 255, 255)), tmp_path / f"p{seed}-f.png")
        save(captioned(img), tmp_path / f"p{seed}-c.jpg", quality=90)
    return list(run_scan(ScanOptions((str(tmp_path),))).records)


def test_a_large_call_is_checked_in_bounded_parts_with_the_same_residuals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _records(tmp_path)
    pairs = np.array(list(itertools.combinations(range(len(records)), 2)), dtype=np.int64)
    keepers, others, turns = pairs[:, 0], pairs[:, 1], np.zeros(len(pairs), dtype=np.int64)
    whole = SimilarityIndex(records)._checker.check(keepers, others, turns)

    sizes: list[int] = []
    real = PairOrder.residuals

    def counted(
        self: PairOrder, read: Read, pair: tuple[I64, I64, I64], limit: float
    ) -> tuple[F32, Flags]:
        sizes.append(len(pair[0]))
        return real(self, read, pair, limit)

    monkeypatch.setattr(pair_checker, "_CHECKS_AT_ONCE", 5)
    monkeypatch.setattr(PairOrder, "residuals", counted)
    parts = SimilarityIndex(records)._checker.check(keepers, others, turns)
    assert sizes and max(sizes) <= 5 and sum(sizes) == len(pairs)
    np.testing.assert_array_equal(parts, whole)
    assert (whole <= 0.13).sum() >= 6  # the copies pass: a check that reads something
