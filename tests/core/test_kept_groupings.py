"""A grouping kept in the cache is read back only for exactly the records, options and code it
was made for; any change to the library gives the groups a full grouping gives."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

import dedupe_gui.core.kept_groupings as kept_module
from dedupe_gui.core import grouping
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.cache_groupings import GROUPINGS_KEPT
from dedupe_gui.core.files import WalkOptions
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.kept_groupings import group_kept, grouping_key
from dedupe_gui.core.models import Group, ImageRecord
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.imaging import photo, save

OPTIONS = GroupingOptions(12)


def library(tmp_path: Path) -> Path:
    """Three photos, each with a recompressed and a downscaled copy."""
    lib = tmp_path / "lib"
    for seed in (1, 2, 3):
        img = photo(seed, (240, 180))
        save(img, lib / f"p{seed}.jpg", quality=92)
        save(img, lib / "copies" / f"p{seed}-q60.jpg", quality=60)
        save(img.resize((160, 120)), lib / "small" / f"p{seed}.jpg", quality=85)
    return lib


def scanned(lib: Path, store: FingerprintStore, refs: tuple[str, ...] = ()) -> list[ImageRecord]:
    options = ScanOptions((str(lib),), WalkOptions(references=refs), thumbs_in_store=True)
    return list(run_scan(options, store).records)


def full(records: list[ImageRecord], store: FingerprintStore) -> list[Group]:
    """What a grouping from scratch gives (no kept checks, no kept grouping)."""
    return SimilarityIndex(records, None, store.thumbs, store.fines).groups(OPTIONS)


class NoGrouping(SimilarityIndex):
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("grouped again")


def paths(groups: list[Group]) -> list[list[str]]:
    return [[os.path.basename(m.path) for m in g.members] for g in groups]


def test_an_unchanged_library_reads_its_grouping_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = library(tmp_path)
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        records = scanned(lib, store)
        made = group_kept(records, OPTIONS, store)
        assert len(made) == 3 and made == full(records, store)
    monkeypatch.setattr(grouping, "SimilarityIndex", NoGrouping)
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        again = scanned(lib, store)
        read = group_kept(again, OPTIONS, store)
    assert read == made
    assert all(m.record is r for g in read for m in g.members for r in again if r.path == m.path)


@pytest.mark.parametrize("change", ["added", "removed", "edited", "touched", "reference"])
def test_a_changed_library_gets_the_groups_of_a_full_grouping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    lib = library(tmp_path)
    db = str(tmp_path / "c.sqlite3")
    with FingerprintStore(db) as store:
        before = group_kept(scanned(lib, store), OPTIONS, store)
    refs: tuple[str, ...] = ()
    if change == "added":  # one more copy of p2, and a new photo with a copy
        save(photo(2, (240, 180)).resize((200, 150)), lib / "new" / "p2-200.jpg", quality=80)
        save(photo(4, (240, 180)), lib / "new" / "p4.jpg", quality=90)
        save(photo(4, (240, 180)), lib / "new" / "p4-q50.jpg", quality=50)
    elif change == "removed":
        (lib / "p1.jpg").unlink()
    elif change == "edited":  # another picture under a kept name
        save(photo(9, (240, 180)), lib / "copies" / "p3-q60.jpg", quality=60)
    elif change == "touched":  # same bytes, another mtime: a keeper rule prefers older files
        st = (lib / "small" / "p2.jpg").stat()
        os.utime(lib / "p2.jpg", ns=(st.st_atime_ns, st.st_mtime_ns - 10**12))
    else:
        refs = (str(lib / "copies"),)
    made: list[type[SimilarityIndex]] = []

    class Counted(SimilarityIndex):
        def __init__(self, *args: object, **kwargs: object) -> None:
            made.append(Counted)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(grouping, "SimilarityIndex", Counted)
    with FingerprintStore(db) as store:
        records = scanned(lib, store, refs)
        after = group_kept(records, OPTIONS, store)
        assert made, "a changed library was not grouped again"
        assert after == full(records, store)
    assert after != before
    if change == "added":
        assert ["p4.jpg", "p4-q50.jpg"] in paths(after)
    if change == "reference":
        assert all(g.suggested_keeper.record.reference for g in after)


def test_another_threshold_or_code_is_another_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = library(tmp_path)
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        records = scanned(lib, store)
    key = grouping_key(records, OPTIONS)
    assert grouping_key(records, OPTIONS) == key
    assert grouping_key(records, GroupingOptions(11)) != key
    assert grouping_key(records, GroupingOptions(12, rotations=True)) != key
    assert grouping_key(records[1:], OPTIONS) != key
    monkeypatch.setattr(kept_module, "code_digest", lambda: b"other code")
    assert grouping_key(records, OPTIONS) != key


def test_a_check_version_change_forgets_the_groupings(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite3")
    with FingerprintStore(db) as store:
        store.keep_grouping(b"k", b"formed")
        assert store.kept_grouping(b"k") == b"formed"
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE meta SET value = 'older' WHERE key = 'checks'")
    raw.close()
    with FingerprintStore(db) as store:
        assert store.kept_grouping(b"k") is None


def test_only_the_latest_groupings_are_kept(tmp_path: Path) -> None:
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        for n in range(GROUPINGS_KEPT):
            store.keep_grouping(bytes([n]), b"formed %d" % n)
        assert store.kept_grouping(bytes([0])) == b"formed 0"  # used again: stays
        store.keep_grouping(b"last", b"formed")
        kept = [n for n in range(GROUPINGS_KEPT) if store.kept_grouping(bytes([n])) is not None]
        assert store.kept_grouping(b"last") == b"formed"
    assert kept == [0, *range(2, GROUPINGS_KEPT)]


def test_a_damaged_kept_grouping_is_made_again(tmp_path: Path) -> None:
    lib = library(tmp_path)
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        records = scanned(lib, store)
        store.keep_grouping(grouping_key(records, OPTIONS), b"not zlib")
        assert group_kept(records, OPTIONS, store) == full(records, store)
