"""A pair read both ways computes what the two readings share once, with the same result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from dedupe_gui.core import local_edits, verify
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.row_memo import RowMemo
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL
from tests.imaging import save, textured

F32 = npt.NDArray[np.float32]


def test_rows_seen_before_are_read_back_to_the_bit_and_only_new_ones_computed() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(6, 4, 4)).astype(np.float32)
    y = rng.normal(size=(6, 4, 4)).astype(np.float32)
    asked: list[int] = []

    def norms(a: F32, b: F32) -> tuple[F32, F32]:
        asked.append(a.shape[0])
        return np.sqrt((a * b).sum(axis=(1, 2)) ** 2), (a - b).mean(axis=2)

    memo = RowMemo()
    first = memo.rows("norms", norms, x[:4], y[:4])
    # Rows 2-3 again, in another order, beside two new ones.
    pick = np.array([3, 5, 2, 4])
    second = memo.rows("norms", norms, x[pick], y[pick])
    assert asked == [4, 2]
    direct = norms(x[pick], y[pick])
    asked.pop()
    for got, want in zip(second, direct, strict=True):
        assert got.dtype == want.dtype and np.array_equal(got, want)
    assert np.array_equal(second[0][[0, 2]], first[0][[3, 2]])
    # Another computation on the same rows is not taken for this one.
    memo.rows("other", norms, x[:1], y[:1])
    assert asked == [4, 2, 1]
    assert len(memo) == 7


def _two_sizes_that_fail(root: Path) -> SimilarityIndex:
    """Two files of two sizes, the smaller mixed with another picture: alike enough to be
    aligned and looked at again, not a copy, so the pair is read both ways."""
    big = textured(3, (400, 300))
    small = Image.blend(big.resize((320, 240)), textured(4, (320, 240)), 0.3)
    save(big, root / "a.jpg", quality=90)
    save(small, root / "b.jpg", quality=90)
    return SimilarityIndex(list(run_scan(ScanOptions((str(root),))).records))


def test_a_pair_read_both_ways_aligns_each_way_once_with_the_same_residual(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = _two_sizes_that_fail(tmp_path)
    checker = index._checker
    aligned: list[int] = []
    align = verify._aligned_residual

    def counting(
        m: F32, f: F32, ms: F32, fs: F32, robust: npt.NDArray[np.bool_]
    ) -> tuple[F32, F32]:
        aligned.append(m.shape[0])
        return align(m, f, ms, fs, robust)

    monkeypatch.setattr(verify, "_aligned_residual", counting)
    readings: list[int] = []
    read = checker._residuals

    def counting_reads(
        a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], turn: npt.NDArray[np.int64]
    ) -> tuple[F32, npt.NDArray[np.bool_]]:
        readings.append(a.size)
        return read(a, b, turn)

    monkeypatch.setattr(checker, "_residuals", counting_reads)
    pair = (np.array([0]), np.array([1]), np.zeros(1, dtype=np.int64))
    # Both readings in full, as before the memo: nothing kept between them.
    full, _ = checker._order.residuals(read, pair, DEFAULT_MAX_RESIDUAL)
    full_aligned = sum(aligned)
    aligned.clear()
    kept = checker.check(*pair)
    assert readings == [1, 1]  # read both ways: two sizes, failed
    assert kept[0] > DEFAULT_MAX_RESIDUAL and np.array_equal(kept, full)
    # The second reading aligned nothing the first had not.
    assert full_aligned > 0 and sum(aligned) * 2 == full_aligned


def test_the_local_edit_look_is_made_once_for_both_readings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = _two_sizes_that_fail(tmp_path)
    checker = index._checker
    looked: list[int] = []
    one_way = local_edits._one_way

    def counting(
        a: npt.NDArray[np.uint8],
        b: npt.NDArray[np.uint8],
        flat: npt.NDArray[np.bool_],
        colours: object,
    ) -> F32:
        looked.append(a.shape[0])
        return one_way(a, b, flat, colours)  # type: ignore[arg-type]

    monkeypatch.setattr(local_edits, "_one_way", counting)
    pair = (np.array([0]), np.array([1]), np.zeros(1, dtype=np.int64))
    full, _ = checker._order.residuals(checker._residuals, pair, DEFAULT_MAX_RESIDUAL)
    full_looks = sum(looked)
    looked.clear()
    kept = checker.check(*pair)
    assert np.array_equal(kept, full)
    # Each reading looks both ways, in grey and in colour: the second reading's looks are
    # the first one's.
    assert full_looks > 0 and sum(looked) * 2 == full_looks
