"""The window's grouping keeps its groups in the cache and reads them back, as the command
line does: reopening an unchanged library builds no similarity index."""

from __future__ import annotations

from pathlib import Path

import pytest

from dedupe_gui.core import grouping
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.kept_groupings import group_kept
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.review import GroupingRequest, IndexHolder
from tests.imaging import photo, save


def library(tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    for seed in (1, 2):
        img = photo(seed, (240, 180))
        save(img, lib / f"p{seed}.jpg", quality=92)
        save(img, lib / "copies" / f"p{seed}-q60.jpg", quality=60)
        save(img.resize((160, 120)), lib / "small" / f"p{seed}.jpg", quality=85)
    return lib


def scanned(lib: Path, cache: str) -> tuple[ImageRecord, ...]:
    with FingerprintStore(cache) as store:
        return run_scan(ScanOptions((str(lib),), thumbs_in_store=True), store).records


class NoIndex(SimilarityIndex):
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("an index was built")


def test_reopening_a_library_reads_the_windows_grouping_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = str(tmp_path / "c.sqlite3")
    lib = library(tmp_path)
    options = GroupingOptions(12)
    holder = IndexHolder(cache)
    first = holder.groups(GroupingRequest(1, scanned(lib, cache), options))
    holder.close()
    assert len(first) == 2 and all(len(g.members) == 3 for g in first)
    monkeypatch.setattr(grouping, "SimilarityIndex", NoIndex)
    records = scanned(lib, cache)  # a new session: new records, the same files
    holder = IndexHolder(cache)
    again = holder.groups(GroupingRequest(7, records, options))
    assert again == first
    assert all(any(m.record is r for r in records) for g in again for m in g.members)
    # Another threshold was never kept: the index is built for it.
    with pytest.raises(AssertionError, match="an index was built"):
        holder.groups(GroupingRequest(7, records, GroupingOptions(4)))
    holder.close()


def test_the_window_reads_a_grouping_the_command_line_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = str(tmp_path / "c.sqlite3")
    lib = library(tmp_path)
    options = GroupingOptions(12)
    with FingerprintStore(cache) as store:
        records = run_scan(ScanOptions((str(lib),), thumbs_in_store=True), store).records
        made = group_kept(records, options, store)
    monkeypatch.setattr(grouping, "SimilarityIndex", NoIndex)
    holder = IndexHolder(cache)
    assert holder.groups(GroupingRequest(1, scanned(lib, cache), options)) == made
    holder.close()


def test_a_changed_library_is_grouped_again(tmp_path: Path) -> None:
    cache = str(tmp_path / "c.sqlite3")
    lib = library(tmp_path)
    options = GroupingOptions(12)
    holder = IndexHolder(cache)
    holder.groups(GroupingRequest(1, scanned(lib, cache), options))
    (lib / "copies" / "p1-q60.jpg").unlink()
    records = scanned(lib, cache)
    again = holder.groups(GroupingRequest(2, records, options))
    holder.close()
    expected = IndexHolder(None).groups(GroupingRequest(1, records, options))
    assert again == expected
    assert sorted(len(g.members) for g in again) == [2, 3]


def test_the_window_completes_the_searches_of_a_library_with_a_file_added(
    tmp_path: Path,
) -> None:
    cache = str(tmp_path / "c.sqlite3")
    lib = library(tmp_path)
    options = GroupingOptions(12)
    holder = IndexHolder(cache)
    holder.groups(GroupingRequest(1, scanned(lib, cache), options))
    assert holder.index is not None
    assert set(holder.index.searches.done.values()) == {"full"}
    save(photo(2, (240, 180)), lib / "new" / "p2-q40.jpg", quality=40)
    records = scanned(lib, cache)
    again = holder.groups(GroupingRequest(2, records, options))
    assert holder.index is not None
    kinds = {"plain", "far windows", "near windows", "centre"}
    assert holder.index.searches.done == dict.fromkeys(kinds, "completed")
    holder.close()
    assert again == IndexHolder(None).groups(GroupingRequest(1, records, options))
    assert sorted(len(g.members) for g in again) == [3, 4]
