"""A grouping hands its verdicts and words to the cache as it goes, each batch kept on its own:
one stopped half-way (the window closed, Ctrl-C, a crash) leaves the next what it checked."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from dedupe_gui.core import grouping
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.grouping import GroupingStopped, SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.kept_groupings import group_kept
from dedupe_gui.core.models import Group, ImageRecord
from dedupe_gui.core.pair_checker import PairChecker
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL
from dedupe_gui.review import GroupingRequest, IndexHolder
from tests.imaging import photo, save

OPTIONS = GroupingOptions(12)


def library(tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    for seed in (1, 2, 3):
        img = photo(seed, (200, 150))
        save(img, lib / f"{seed}.png")
        save(img.resize((150, 112), Image.Resampling.LANCZOS), lib / f"{seed}-small.jpg")
        w, h = img.size
        save(img.crop((6, 5, w - 6, h - 5)), lib / f"{seed}-crop.png")
    return lib


def scanned(lib: Path, db: str) -> tuple[ImageRecord, ...]:
    with FingerprintStore(db) as store:
        return run_scan(ScanOptions((str(lib),), thumbs_in_store=True), store).records


def grouped(records: tuple[ImageRecord, ...], db: str) -> list[Group]:
    """The groups of one uninterrupted grouping, the store's thumbnails fetched from ``db``."""
    with FingerprintStore(db, read_only=True) as store:
        return SimilarityIndex(records, None, store.thumbs, store.fines).groups(OPTIONS)


def rows(db: str, table: str) -> int:
    """Rows of ``table`` another connection sees: what was committed."""
    with sqlite3.connect(db) as other:
        return int(other.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pairs each call of the check computed (kept verdicts are not computed)."""
    sizes: list[int] = []
    residuals = PairChecker._residuals

    def counting(self: PairChecker, a: np.ndarray, b: np.ndarray, turn: np.ndarray) -> Any:
        sizes.append(int(a.size))
        return residuals(self, a, b, turn)

    monkeypatch.setattr(PairChecker, "_residuals", counting)
    return sizes


@pytest.fixture
def small_waves(monkeypatch: pytest.MonkeyPatch) -> None:
    """A keeper a wave, a verdict a hand-over: a few files behave as a large library's walk."""
    monkeypatch.setattr(grouping, "_WAVE", 1)
    monkeypatch.setattr(grouping, "KEEP_EVERY", 1)


@pytest.mark.usefixtures("small_waves")
def test_a_stopped_grouping_leaves_its_checks_and_the_next_does_not_repeat_them(
    tmp_path: Path, computed: list[int]
) -> None:
    lib = library(tmp_path)
    whole_db = str(tmp_path / "whole.sqlite3")
    whole = grouped(scanned(lib, whole_db), whole_db)
    everything = sum(computed)
    assert len(whole) == 3 and everything >= 6

    db = str(tmp_path / "c.sqlite3")
    records = scanned(lib, db)
    computed.clear()
    seen: list[int] = []

    def first_kept() -> bool:
        """Stops at the first wave after a hand-over another connection can read."""
        seen.append(rows(db, "pair_checks"))
        return seen[-1] > 0

    with FingerprintStore(db) as store:
        index = SimilarityIndex(records, None, store.thumbs, store.fines)
        with pytest.raises(GroupingStopped):
            index.groups(OPTIONS, first_kept, None, store)
        first_part = sum(computed)
        assert 0 < first_part < everything
        # Committed while the grouping ran, and what it checked since once it stopped.
        assert 0 < seen[-1] <= first_part == rows(db, "pair_checks")

    computed.clear()
    with FingerprintStore(db) as store:
        kept = store.pair_checks(DEFAULT_MAX_RESIDUAL)
        assert len(kept) == first_part
        again = SimilarityIndex(records, kept, store.thumbs, store.fines)
        groups = again.groups(OPTIONS, keeper=store)
    assert sum(computed) == everything - first_part
    assert [[m.path for m in g.members] for g in groups] == [
        [m.path for m in g.members] for g in whole
    ]
    assert rows(db, "pair_checks") == everything and rows(db, "pair_words") > 0


@pytest.mark.usefixtures("small_waves")
def test_the_command_lines_grouping_stopped_by_an_interrupt_keeps_what_it_checked(
    tmp_path: Path, computed: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C comes as an exception from within a check; the verdicts before it stay."""
    lib = library(tmp_path)
    db = str(tmp_path / "c.sqlite3")
    records = scanned(lib, db)
    whole = grouped(records, db)
    everything = sum(computed)
    computed.clear()
    counting = PairChecker._residuals

    def interrupted(self: PairChecker, *args: Any) -> Any:
        if len(computed) == 2:
            raise KeyboardInterrupt
        return counting(self, *args)

    monkeypatch.setattr(PairChecker, "_residuals", interrupted)
    with FingerprintStore(db) as store, pytest.raises(KeyboardInterrupt):
        group_kept(records, OPTIONS, store)
    first_part = sum(computed)
    assert 0 < first_part < everything and rows(db, "pair_checks") == first_part
    monkeypatch.setattr(PairChecker, "_residuals", counting)
    with FingerprintStore(db) as store:
        assert group_kept(records, OPTIONS, store) == whole
    assert sum(computed) == everything


def test_checks_made_with_another_limit_are_never_kept(tmp_path: Path, computed: list[int]) -> None:
    """A pair's row holds one verdict, read at the default limit: a stricter check's would
    replace it."""
    lib = library(tmp_path)
    db = str(tmp_path / "c.sqlite3")
    records = scanned(lib, db)
    with FingerprintStore(db) as store:
        index = SimilarityIndex(records, None, store.thumbs, store.fines)
        index.groups(GroupingOptions(12, max_residual=DEFAULT_MAX_RESIDUAL / 2), keeper=store)
        assert sum(computed) >= 6
        assert rows(db, "pair_checks") == 0
        index.groups(OPTIONS, keeper=store)
    with FingerprintStore(db) as store:
        kept = store.pair_checks(DEFAULT_MAX_RESIDUAL)
    assert len(kept) == rows(db, "pair_checks") > 0


class FullDisk:
    """A connection whose writes fail as on a full disk."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def executemany(self, *args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


@pytest.mark.usefixtures("small_waves")
def test_a_read_only_or_full_cache_does_not_fail_the_grouping(tmp_path: Path) -> None:
    lib = library(tmp_path)
    db = str(tmp_path / "c.sqlite3")
    records = scanned(lib, db)
    whole = grouped(records, db)
    with FingerprintStore(db, read_only=True) as store:
        index = SimilarityIndex(records, None, store.thumbs, store.fines)
        assert index.groups(OPTIONS, keeper=store) == whole
    assert rows(db, "pair_checks") == 0

    warnings: list[str] = []
    with FingerprintStore(db, warnings.append) as store:
        store._db = FullDisk(store._db)  # type: ignore[assignment]
        index = SimilarityIndex(records, None, store.thumbs, store.fines)
        assert index.groups(OPTIONS, keeper=store) == whole
        store._db = store._db._db  # type: ignore[attr-defined]
    assert len(warnings) == 1 and "disk is full" in warnings[0]
    assert rows(db, "pair_checks") == 0
    assert not [p for p in tmp_path.iterdir() if "corrupt" in p.name]  # not set aside


@pytest.mark.usefixtures("small_waves")
def test_the_windows_grouping_stopped_half_way_leaves_its_checks_to_the_next_window(
    tmp_path: Path, computed: list[int]
) -> None:
    lib = library(tmp_path)
    db = str(tmp_path / "c.sqlite3")
    records = scanned(lib, db)
    whole = grouped(records, db)
    everything = sum(computed)
    computed.clear()
    holder = IndexHolder(db)
    with pytest.raises(GroupingStopped):
        holder.groups(GroupingRequest(1, records, OPTIONS), lambda: rows(db, "pair_checks") > 0)
    holder.close()
    first_part = sum(computed)
    assert 0 < first_part < everything and rows(db, "pair_checks") == first_part
    computed.clear()
    holder = IndexHolder(db)
    assert holder.groups(GroupingRequest(1, scanned(lib, db), OPTIONS)) == whole
    holder.close()
    assert sum(computed) == everything - first_part
