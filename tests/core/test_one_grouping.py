"""An index that serves one grouping lets go of what only another threshold's grouping reads
(the window hashes' indexes), and gives the same candidates and groups as one that keeps it,
at that threshold and at any asked for after it (made again then)."""

from __future__ import annotations

import numpy as np

from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.kept_searches import Searches
from dedupe_gui.core.models import FileKey, Fingerprint, ImageRecord
from dedupe_gui.core.window_candidates import WindowCandidates


def _flipped(value: int, bits: int, rng: np.random.Generator) -> int:
    for bit in rng.choice(64, bits, replace=False).tolist():
        value ^= 1 << bit
    return value


def _library(seed: int) -> list[ImageRecord]:
    """Photos whose windows sit 1 to 10 bits from other photos' own hashes (trimmed copies
    as the window search sees them), and photos of their own."""
    rng = np.random.default_rng(seed)
    own = [int(v) for v in rng.integers(0, 1 << 63, size=60, dtype=np.uint64)]
    out = []
    for k, value in enumerate(own):
        windows = [int(v) for v in rng.integers(0, 1 << 63, size=42, dtype=np.uint64)]
        if k % 3 == 0:
            for slot, bits in ((2, 1 + k % 10), (30, 2 + k % 8)):
                windows[slot] = _flipped(own[(k + 1) % len(own)], bits, rng)
        fp = Fingerprint(value, 600, 400, "JPEG", windows=tuple(windows))
        out.append(ImageRecord(FileKey(f"/p/{k:03d}.jpg", 1000 + k, 1), fp))
    return out


def _windows(records: list[ImageRecord]) -> WindowCandidates:
    hashes = np.array([r.fingerprint.hash for r in records], dtype=np.uint64)
    unique, inverse = np.unique(hashes, return_inverse=True)
    inverse = inverse.reshape(-1).astype(np.int64)
    order = np.argsort(inverse, kind="stable").astype(np.int64)
    bounds = np.searchsorted(inverse[order], np.arange(unique.size + 1)).astype(np.int64)
    return WindowCandidates(records, unique, inverse, order, bounds, searches=Searches())


def _pairs(windows: WindowCandidates, threshold: int) -> list[tuple[int, ...]]:
    c = windows.at(threshold)
    return sorted(zip(c.a.tolist(), c.b.tolist(), c.distance.tolist(), strict=True))


def test_indexes_let_go_are_made_again_for_another_threshold() -> None:
    records = _library(3)
    kept, let_go = _windows(records), _windows(records)
    assert _pairs(let_go, 10) == _pairs(kept, 10)
    assert len(_pairs(kept, 10)) >= 20
    let_go.let_go_of_indexes()
    assert not let_go.indexed and kept.indexed
    for threshold in (6, 10, 4):
        assert _pairs(let_go, threshold) == _pairs(kept, threshold)
    assert let_go.indexed
    # What a second look reads (the window kept per pair) stayed through it all.
    a = np.arange(len(records), dtype=np.int64)
    b = (a + 1) % len(records)
    for got, want in zip(let_go.through(a, b), kept.through(a, b), strict=True):
        assert np.array_equal(got, want)


def test_one_grouping_lets_go_and_groups_as_before() -> None:
    records = _library(4)
    once = SimilarityIndex(records, one_grouping=True)
    again = SimilarityIndex(records)
    for threshold in (10, 5, 12):
        options = GroupingOptions(threshold, verify=False)
        assert once.groups(options) == again.groups(options)
        assert once._windows is not None and not once._windows.indexed
        assert again._windows is not None and again._windows.indexed
    assert any(len(g.members) > 1 for g in again.groups(GroupingOptions(10, verify=False)))
