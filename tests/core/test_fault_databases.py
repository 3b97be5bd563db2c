"""Fault suite, databases: swapped arguments, another program's database, damaged caches and
indexes, an index that cannot be saved.

Every test asserts the exit status and that the files it did not mean to touch are still
there, byte for byte.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from dedupe_gui.core.cache import FingerprintStore, default_cache_path
from dedupe_gui.core.models import FileKey, Fingerprint
from tests.core.faults import cli as run
from tests.core.faults import pair

# -- 5. databases ------------------------------------------------------------------------------


def test_swapped_db_arguments_never_touch_the_photo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    keeper, _ = pair(lib, 20, "a.png", "b.png")
    photo_bytes = keeper.read_bytes()
    status, _, err = run(["search", "--db", str(keeper), str(lib / "b.png")], capsys)
    assert status == 2 and "is not a SQLite database; it was not changed" in err
    status, _, err = run(["index", str(lib), "--db", str(keeper)], capsys)
    assert status == 2 and "nothing was indexed" in err
    assert keeper.read_bytes() == photo_bytes
    assert sorted(p.name for p in lib.iterdir()) == ["a.png", "b.png"]


def _foreign_db(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE fingerprints (id INTEGER PRIMARY KEY, sha TEXT)")
    db.execute("INSERT INTO fingerprints (sha) VALUES ('abc')")
    db.commit()
    db.close()


def test_another_programs_database_is_never_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    pair(lib, 21, "a.png", "b.png")
    foreign = tmp_path / "other.db"
    _foreign_db(foreign)
    before = foreign.read_bytes()
    assert run(["search", "--db", str(foreign), str(lib)], capsys)[0] == 2
    assert run(["index", str(lib), "--db", str(foreign)], capsys)[0] == 2
    status, _, err = run(["scan", str(lib), "--cache", str(foreign)], capsys)
    assert status == 0 and "is not a dedupe-gui database; it was not touched" in err
    assert foreign.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib", "other.db"]
    db = sqlite3.connect(foreign)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # no WAL switch
    assert db.execute("SELECT sha FROM fingerprints").fetchall() == [("abc",)]
    db.close()


def test_search_is_read_only_even_on_an_index_of_another_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    pair(lib, 22, "a.png", "b.png")
    db = tmp_path / "index.db"
    assert run(["index", str(lib), "--db", str(db)], capsys)[0] == 0
    # Same version: a search leaves the file as it was.
    before = db.read_bytes()
    assert run(["search", "--db", str(db), str(lib / "b.png")], capsys)[0] == 0
    assert db.read_bytes() == before
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = '-1' WHERE key = 'algorithm'")
    con.commit()
    con.close()
    before = db.read_bytes()
    status, _, err = run(["search", "--db", str(db), str(lib / "b.png")], capsys)
    assert status == 2 and "another version" in err
    assert db.read_bytes() == before
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM fingerprints").fetchone()[0] == 2
    con.close()


def test_index_that_cannot_save_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lib = tmp_path / "lib"
    pair(lib, 23, "a.png", "b.png")
    db = tmp_path / "index.db"
    assert run(["index", str(lib), "--db", str(db)], capsys)[0] == 0
    holder = sqlite3.connect(db, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        status, out, err = run(["index", str(lib), "--db", str(db)], capsys)
    finally:
        holder.rollback()
        holder.close()
    assert status == 2 and "locked" in err and "indexed" not in out
    blocker = tmp_path / "file"
    blocker.write_text("x")
    status, out, err = run(["index", str(lib), "--db", str(blocker / "index.db")], capsys)
    assert status == 2 and "nothing was indexed" in err
    assert blocker.read_text() == "x"


def _fill_store(path: Path, rows: int = 300) -> None:
    with FingerprintStore(str(path)) as store:
        for i in range(rows):
            fp = Fingerprint(i * 7919, 100, 100, "PNG", thumb=bytes([i % 256]) * 1024)
            store.put(FileKey(f"/photos/{i:04d}.png", 1000 + i, i), fp)


def _damage(path: Path, page: int) -> None:
    """``dd if=/dev/urandom of=PATH bs=4096 seek=PAGE count=1 conv=notrunc``."""
    with open(path, "r+b") as f:
        f.seek(4096 * page)
        f.write(os.urandom(4096))


@pytest.mark.parametrize("page", [1, 2, 20, 40])
def test_damaged_cache_page_never_crashes_a_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], page: int
) -> None:
    lib = tmp_path / "lib"
    pair(lib, 24, "a.png", "b.png")
    cache = tmp_path / "cache.sqlite3"
    _fill_store(cache)
    assert run(["scan", str(lib), "--cache", str(cache)], capsys)[0] == 0
    _damage(cache, page)
    damaged = cache.read_bytes()
    warnings = ""
    for _ in range(2):  # the damaged scan, then the one after it
        status, out, err = run(
            ["scan", str(lib), "--cache", str(cache), "--format", "json"], capsys
        )
        warnings += err
        assert status == 0, err
        doc = json.loads(out)
        assert [len(g["files"]) for g in doc["groups"]] == [2]
    # Wherever the damage was met, the file was set aside (never deleted) and rebuilt.
    aside = list(tmp_path.glob("cache.sqlite3.corrupt-*"))
    assert len(aside) <= 1
    if aside:
        assert "set aside as" in warnings
        assert aside[0].stat().st_size == len(damaged)  # moved, not deleted


def test_default_cache_with_a_damaged_header_is_set_aside_and_rebuilt(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    pair(lib, 35, "a.png", "b.png")
    assert run(["scan", str(lib)], capsys)[0] == 0
    cache = Path(default_cache_path())
    assert cache.is_relative_to(trash_home) and cache.exists()
    _damage(cache, 0)  # the header itself: no longer recognisable as a database
    damaged = cache.read_bytes()
    status, out, err = run(["scan", str(lib)], capsys)
    assert status == 0 and "set aside as" in err and "2 files" in out
    (aside,) = cache.parent.glob(cache.name + ".corrupt-*")
    assert aside.read_bytes() == damaged  # renamed, never rewritten
    status, out, err = run(["scan", str(lib)], capsys)
    assert status == 0 and err == "" and "2 files" in out  # rebuilt and used again


def test_damaged_cache_met_by_a_count_is_set_aside_and_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    _fill_store(cache)
    _damage(cache, 20)
    warnings: list[str] = []
    with FingerprintStore(str(cache), warn=warnings.append) as store:
        store.pair_checks(0.0)
        # A full read meets the damaged page: the store is set aside and rebuilt.
        store.put(FileKey("/new.png", 1, 1), Fingerprint(1, 1, 1, "PNG"))
        store.flush()
        for i in range(300):
            store.get(FileKey(f"/photos/{i:04d}.png", 1000 + i, i))
        assert store.persistent
    assert any("set aside as" in w and "rebuilt" in w for w in warnings), warnings
    assert len(list(tmp_path.glob("cache.sqlite3.corrupt-*"))) == 1
    with FingerprintStore(str(cache)) as store:
        assert len(store) >= 0  # readable again


def test_damaged_index_page_makes_search_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    pair(lib, 25, "a.png", "b.png")
    db = tmp_path / "index.db"
    _fill_store(db)
    assert run(["index", str(lib), "--db", str(db)], capsys)[0] == 0
    _damage(db, 20)
    before = db.read_bytes()
    status, _, err = run(["search", "--db", str(db), str(lib / "b.png")], capsys)
    assert status == 2 and "cannot be read" in err
    assert db.read_bytes() == before


def test_search_on_an_empty_folder_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, empty = tmp_path / "lib", tmp_path / "empty"
    pair(lib, 26, "a.png", "b.png")
    empty.mkdir()
    db = tmp_path / "index.db"
    assert run(["index", str(lib), "--db", str(db)], capsys)[0] == 0
    status, _, err = run(["search", "--db", str(db), str(empty)], capsys)
    assert status == 2 and f"no images to check in {empty}" in err
