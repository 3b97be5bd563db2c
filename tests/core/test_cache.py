"""The fingerprint cache: keyed by path + size + mtime_ns, failures kept, damage survived."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.files import WalkOptions
from dedupe_gui.core.models import Entry, Failure, FileKey, Fingerprint
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.imaging import photo, save

FP = Fingerprint(0xFEDCBA9876543210, 4000, 3000, "JPEG", "2020-01-01T00:00:00", "Cam", 6)


def test_round_trip_of_fingerprints_and_failures(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite3")
    key = FileKey("/photos/a.jpg", 10, 123)
    bad = FileKey("/photos/b.jpg", 5, 456)
    with FingerprintStore(db) as store:
        store.put(key, FP)
        store.put(bad, Failure("truncated or corrupt image"))
    with FingerprintStore(db) as store:
        assert store.get(key) == FP
        assert store.get(bad) == Failure("truncated or corrupt image")
        assert [k for k, _ in store.records()] == [key]  # failures are not fingerprints
        assert len(store) == 1


@pytest.mark.parametrize("change", [{"size": 11}, {"mtime_ns": 124}])
def test_a_changed_file_misses(tmp_path: Path, change: dict[str, int]) -> None:
    key = FileKey("/photos/a.jpg", 10, 123)
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        store.put(key, FP)
        changed = FileKey(key.path, change.get("size", key.size), change.get("mtime_ns", 123))
        assert store.get(changed) is None


def test_non_utf8_paths_are_stored_losslessly(tmp_path: Path) -> None:
    key = FileKey(os.fsdecode(b"/photos/caf\xe9.jpg"), 1, 2)
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        store.put(key, FP)
        assert store.get(key) == FP
        assert store.records()[0][0] == key


def test_a_file_that_is_not_our_database_is_never_touched(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    content = b"this is not a database at all" * 100
    db.write_bytes(content)
    warnings: list[str] = []
    with FingerprintStore(str(db), warn=warnings.append) as store:
        store.put(FileKey("/a.jpg", 1, 1), FP)
        assert not store.persistent
    assert warnings == [
        f"fingerprint store {db} is not a SQLite database; it was not touched; "
        "this scan runs without it"
    ]
    assert db.read_bytes() == content and sorted(p.name for p in tmp_path.iterdir()) == [
        "c.sqlite3"
    ]


def test_unusable_location_falls_back_to_memory_with_a_warning(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    warnings: list[str] = []
    with FingerprintStore(str(blocker / "c.sqlite3"), warn=warnings.append) as store:
        store.put(FileKey("/a.jpg", 1, 1), FP)
        assert store.get(FileKey("/a.jpg", 1, 1)) == FP
    assert warnings and "without it" in warnings[0]


def test_other_algorithm_version_starts_over(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite3")
    with FingerprintStore(db) as store:
        store.put(FileKey("/a.jpg", 1, 1), FP)
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = '-1' WHERE key = 'algorithm'")
    con.commit()
    con.close()
    with FingerprintStore(db) as store:
        assert store.get(FileKey("/a.jpg", 1, 1)) is None


@pytest.mark.parametrize(
    ("key", "value", "fingerprints_kept"),
    [("checks", "1", True), ("schema", "2", False), ("algorithm", "-1", False)],
)
def test_kept_pair_checks_are_forgotten_when_their_meaning_changed(
    tmp_path: Path, key: str, value: str, fingerprints_kept: bool
) -> None:
    """A pair an older check passed (two slides, say) must be checked again by the new one:
    its verdict is not carried over, whichever version moved."""
    db = str(tmp_path / "c.sqlite3")
    with FingerprintStore(db) as store:
        store.put(FileKey("/a.jpg", 1, 1), FP)
        store.put_pair_checks({12345: 0.01}, 0.13)
    with FingerprintStore(db) as store:
        assert store.pair_checks(0.13) == {12345: 0.01}  # same versions: kept
    con = sqlite3.connect(db)
    if key == "checks":
        con.execute("DELETE FROM meta WHERE key = 'checks'")  # a cache from before the key
    else:
        con.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
    con.commit()
    con.close()
    with FingerprintStore(db) as store:
        assert store.pair_checks(0.13) == {}
        assert (store.get(FileKey("/a.jpg", 1, 1)) is not None) == fingerprints_kept


def test_rescan_uses_the_cache_and_notices_changes(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    for i in range(4):
        save(photo(i), lib / f"{i}.png")
    (lib / "bad.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    db = str(tmp_path / "c.sqlite3")
    options = ScanOptions((str(lib),), WalkOptions())
    calls: list[str] = []

    def counting(path: str) -> Entry:
        from dedupe_gui.core.scan import fingerprint_entry

        calls.append(os.path.basename(path))
        return fingerprint_entry(path)

    with FingerprintStore(db) as store:
        first = run_scan(options, store, fingerprinter=counting)
    assert first.stats.hashed == 5 and len(first.errors) == 1
    calls.clear()
    with FingerprintStore(db) as store:
        second = run_scan(options, store, fingerprinter=counting)
    assert calls == []  # the failure was cached too
    assert second.stats.from_cache == 5
    assert [r.fingerprint for r in second.records] == [r.fingerprint for r in first.records]
    assert second.errors == first.errors

    save(photo(9), lib / "2.png")  # new content, new size/mtime
    st = os.stat(lib / "1.png")
    os.utime(lib / "1.png", ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    with FingerprintStore(db) as store:
        third = run_scan(options, store, fingerprinter=counting)
    assert sorted(calls) == ["1.png", "2.png"]
    assert third.stats.hashed == 2 and third.stats.from_cache == 3


@pytest.mark.parametrize("others", [0, 20_000])
def test_a_look_up_of_many_files_finds_exactly_their_versions(tmp_path: Path, others: int) -> None:
    """Thousands of paths are read in one pass over the table when they are most of it, and
    path by path when the cache holds other libraries too: the same answers either way."""
    store = FingerprintStore(str(tmp_path / "c.sqlite3"))
    for n in range(others):
        store.put(FileKey(f"/elsewhere/{n}.jpg", 1, 1), FP)
    keys = [FileKey(f"/lib/{n:05d}.jpg", 100 + n, 7) for n in range(4000)]
    for n, key in enumerate(keys):
        if n % 7 == 0:
            continue  # never stored
        entry: Entry = Failure("truncated") if n % 7 == 1 else FP
        store.put(FileKey(key.path, key.size + (n % 7 == 2), key.mtime_ns), entry)
    store.flush()
    found = store.lookup(keys, thumbs=False)
    for n, cached in enumerate(found):
        if n % 7 in (0, 2):  # not stored, or another version of the file
            assert cached is None
        elif n % 7 == 1:
            assert cached is not None and cached.entry == Failure("truncated")
        else:
            assert cached is not None and cached.entry == FP
    store.close()


@pytest.mark.parametrize("key", ["schema", "algorithm", "checks", "words"])
def test_a_cache_made_by_a_newer_version_is_left_as_it_is(tmp_path: Path, key: str) -> None:
    """Going back to an older build must not wipe the newer one's cache: the scan runs
    without it and says why, and the file keeps every row and its versions."""
    db = str(tmp_path / "c.sqlite3")
    with FingerprintStore(db) as store:
        store.put(FileKey("/a.jpg", 1, 1), FP)
        store.put_pair_checks({12345: 0.01}, 0.13)
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = '999' WHERE key = ?", (key,))
    con.commit()
    con.close()
    before = Path(db).read_bytes()
    warned: list[str] = []
    with FingerprintStore(db, warn=warned.append) as store:
        assert not store.persistent
        assert store.get(FileKey("/a.jpg", 1, 1)) is None
        store.put(FileKey("/b.jpg", 1, 1), FP)
    assert len(warned) == 1 and "newer dedupe-gui" in warned[0] and "not touched" in warned[0]
    assert f"{key} 999" in warned[0]
    assert Path(db).read_bytes() == before
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM pair_checks").fetchone() == (1,)
    assert dict(con.execute("SELECT key, value FROM meta").fetchall())[key] == "999"
    con.close()


def test_a_commit_never_falls_between_a_fingerprint_and_its_thumbnails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash right after a commit must not leave a new version of a file beside the old
    version's thumbnails: every commit holds both rows of each file written."""
    import dedupe_gui.core.cache as cache

    monkeypatch.setattr(cache, "_COMMIT_EVERY_ROWS", 1)
    db = str(tmp_path / "c.sqlite3")
    seen: list[tuple[int, int, int]] = []
    real_flush = FingerprintStore.flush

    def flush_and_look(store: FingerprintStore) -> None:
        real_flush(store)
        other = sqlite3.connect(db)
        fps = other.execute("SELECT count(*), COALESCE(SUM(size), 0) FROM fingerprints").fetchone()
        thumbs = other.execute("SELECT count(*) FROM thumbnails").fetchone()[0]
        other.close()
        seen.append((fps[0], thumbs, fps[1]))

    monkeypatch.setattr(FingerprintStore, "flush", flush_and_look)
    with FingerprintStore(db) as store:
        store.put(FileKey("/a.jpg", 1, 1), FP)
        store.put(FileKey("/b.jpg", 2, 1), FP)
        store.put(FileKey("/a.jpg", 5, 2), FP)  # a new version of a.jpg
    assert seen and all(fps == thumbs for fps, thumbs, _ in seen)
    assert [size for _, _, size in seen][:3] == [1, 3, 7]
