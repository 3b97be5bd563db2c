"""Thumbnail checks kept in the cache: a rescan of unchanged files repeats none of them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import dedupe_gui.core.loaded_thumbs as loaded_thumbs_module
import dedupe_gui.core.pair_checker as pair_checker_module
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.candidates import file_id, pair_id
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL
from tests.imaging import photo, save


def library(tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    for seed in (1, 2):
        img = photo(seed, (200, 150))
        save(img, lib / f"{seed}.png")
        save(img.resize((150, 112), Image.Resampling.LANCZOS), lib / f"{seed}-small.jpg")
        w, h = img.size
        save(img.crop((6, 5, w - 6, h - 5)), lib / f"{seed}-crop.png")
    return lib


def counting_index(
    records: list[ImageRecord], known: dict[int, float] | None
) -> tuple[SimilarityIndex, list[int]]:
    index = SimilarityIndex(records, known)
    computed: list[int] = []
    compute = index._checker._residuals

    def counting(a: np.ndarray, b: np.ndarray, turn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        computed.append(int(a.size))
        return compute(a, b, turn)

    index._checker._residuals = counting  # type: ignore[method-assign]
    return index, computed


def test_a_rescan_reuses_kept_checks_and_changed_files_are_checked_again(tmp_path: Path) -> None:
    lib = library(tmp_path)
    db = str(tmp_path / "c.sqlite3")
    with FingerprintStore(db) as store:
        records = list(run_scan(ScanOptions((str(lib),)), store).records)
        index, computed = counting_index(records, store.pair_checks(DEFAULT_MAX_RESIDUAL))
        first = index.groups(GroupingOptions(12))
        assert sum(computed) >= 4 and len(first) == 2
        store.put_pair_checks(*index.take_new_checks())
        assert index.take_new_checks()[0] == {}  # handed over once

    with FingerprintStore(db) as store:
        kept = store.pair_checks(DEFAULT_MAX_RESIDUAL)
        assert len(kept) == sum(computed)
        assert store.pair_checks(0.5) == {}  # kept for one early-stop limit only
        index, again = counting_index(records, kept)
        assert index.groups(GroupingOptions(12)) == first
        assert again == []

        # A file that changes gets a new identity: its pairs are checked afresh.
        changed = lib / "1-small.jpg"
        st = os.stat(changed)
        os.utime(changed, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
        records = list(run_scan(ScanOptions((str(lib),)), store).records)
        index, fresh = counting_index(records, kept)
        assert index.groups(GroupingOptions(12)) != [] and sum(fresh) >= 1


def test_pair_ids_name_the_file_versions_and_the_turn(tmp_path: Path) -> None:
    lib = library(tmp_path)
    records = list(run_scan(ScanOptions((str(lib),))).records)
    ids = np.array([file_id(r) for r in records], dtype=np.uint64)
    assert len(set(ids.tolist())) == len(records)
    lo, hi = ids[:3], ids[3:6]
    turn = np.array([0, 0, 0], dtype=np.int64)
    base = pair_id(lo, hi, turn)
    assert np.all(base >= 0)
    assert not np.any(base == pair_id(lo, hi, turn + 1))
    assert not np.any(base == pair_id(hi, lo, turn))
    assert np.array_equal(base, pair_id(lo.copy(), hi.copy(), turn.copy()))


def test_pair_ids_are_the_keys_the_cache_holds_however_many_are_asked_at_once() -> None:
    # Kept verdicts are found by these keys in caches written by earlier versions: the values
    # are pinned, and a pair asked alone (Python's integers) gets the key of a batch (arrays).
    lo = np.array(
        [0, 1, 2**64 - 1, 0x0123456789ABCDEF, 12345678901234567890, 7, 8, 9, 10], dtype=np.uint64
    )
    hi = np.array(
        [0, 2, 2**64 - 2, 0xFEDCBA9876543210, 9876543210987654321, 70, 80, 90, 100],
        dtype=np.uint64,
    )
    turn = np.array([0, 1, 7, 3, 5, 0, 0, 0, 0], dtype=np.int64)
    pinned = [1148481900336286214, 1080307488290619204, 7366968678216584343, 264795560440688514]
    pinned += [8338761225221982690, 5612801182319580799, 5576402377703539387]
    pinned += [682492859051963678, 8204246347876631641]
    assert pair_id(lo, hi, turn).tolist() == pinned
    alone = [pair_id(lo[i : i + 1], hi[i : i + 1], turn[i : i + 1]) for i in range(lo.size)]
    assert [int(a[0]) for a in alone] == pinned
    assert all(a.dtype == np.int64 for a in alone)
    assert pair_id(lo[:3], hi[:3], turn[:3]).tolist() == pinned[:3]
    rng = np.random.default_rng(5)
    many_lo = rng.integers(0, 2**64, 40, dtype=np.uint64)
    many_hi = rng.integers(0, 2**64, 40, dtype=np.uint64)
    turns = rng.integers(0, 8, 40).astype(np.int64)
    batch = pair_id(many_lo, many_hi, turns).tolist()
    for i in range(40):
        assert pair_id(many_lo[i : i + 1], many_hi[i : i + 1], turns[i : i + 1]).tolist() == [
            batch[i]
        ]


def test_kept_checks_are_found_among_many_and_dropped_with_another_limit(tmp_path: Path) -> None:
    records = list(run_scan(ScanOptions((str(library(tmp_path)),))).records)
    index, computed = counting_index(records, None)
    first = index.groups(GroupingOptions(12))
    kept, limit = index.take_new_checks()
    assert limit == DEFAULT_MAX_RESIDUAL and len(kept) == sum(computed) >= 4
    # Verdicts of other pairs around them (below, between and above the real keys).
    rng = np.random.default_rng(3)
    others = {int(k): 0.5 for k in rng.integers(0, 2**63 - 1, size=5000, dtype=np.int64)}
    index, again = counting_index(records, {**others, **kept})
    assert index.groups(GroupingOptions(12)) == first and again == []
    # Kept at another limit: checked afresh.
    index.groups(GroupingOptions(12, max_residual=DEFAULT_MAX_RESIDUAL / 2))
    assert sum(again) == len(kept)


def test_loaded_thumbnails_never_take_more_rows_than_there_are_records(tmp_path: Path) -> None:
    records = list(run_scan(ScanOptions((str(library(tmp_path)),))).records)
    index = SimilarityIndex(records)
    assert len(index.groups(GroupingOptions(12))) == 2
    loaded = index._checker.loaded
    assert 0 < loaded.count <= loaded.thumbs.shape[0] <= len(records)
    assert loaded.flat.shape[0] == loaded.featured.shape[0] == loaded.thumbs.shape[0]
    # Signatures are computed per batch of checks, not kept per row (1 KB each).
    assert not hasattr(loaded, "signatures")


def test_a_grouping_with_kept_checks_computes_no_check_features(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thumbnails loaded for the keeper rules or the words need no signatures or frames."""
    records = list(run_scan(ScanOptions((str(library(tmp_path)),))).records)
    featured: list[int] = []
    signed: list[int] = []
    detail = loaded_thumbs_module.detail  # type: ignore[attr-defined]
    signatures = pair_checker_module.signatures  # type: ignore[attr-defined]

    def spy_detail(thumbs: np.ndarray) -> np.ndarray:
        featured.append(len(thumbs))
        return detail(thumbs)

    def spy_signatures(thumbs: np.ndarray) -> np.ndarray:
        signed.append(len(thumbs))
        return signatures(thumbs)

    monkeypatch.setattr(loaded_thumbs_module, "detail", spy_detail)
    monkeypatch.setattr(pair_checker_module, "signatures", spy_signatures)
    index = SimilarityIndex(records)
    first = index.groups(GroupingOptions(12))
    assert sum(featured) == index._checker.loaded.count >= 4
    assert sum(signed) >= 4
    featured.clear()
    signed.clear()
    kept, _ = index.take_new_checks()
    again = SimilarityIndex(records, kept)
    assert again.groups(GroupingOptions(12)) == first
    assert again._checker.loaded.count >= 4 and featured == [] and signed == []
