"""Caches of the layout before schema 5 (thumbnails in the fingerprints rows): moved over in
place with every fingerprint, read as they are when opened read-only, left as they were when
the move fails."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import dedupe_gui.core.cache_layout as layout
from dedupe_gui.cli import main
from dedupe_gui.core.cache import SCHEMA_VERSION, FingerprintStore
from dedupe_gui.core.cache_rows import split_look
from dedupe_gui.core.models import Failure, FileKey, Fingerprint
from tests.imaging import photo, save

# Schema 4's fingerprints table, as that version made it.
SCHEMA_4_FINGERPRINTS = """
CREATE TABLE fingerprints (
    path BLOB PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, hash INTEGER,
    width INTEGER, height INTEGER, format TEXT, taken TEXT, camera TEXT, orientation INTEGER,
    digest TEXT, error TEXT, thumb BLOB, turned BLOB, look BLOB
)"""

ENTRIES = {
    FileKey("/lib/flat.png", 10, 1): Fingerprint(
        (1 << 64) - 5,
        640,
        480,
        "PNG",
        None,
        None,
        1,
        b"t" * 1024,
        (1, 2),
        b"fine" * 30,
        True,
        True,
        (7, 8, 9),
    ),
    FileKey("/lib/photo.jpg", 20, 2): Fingerprint(
        12345,
        400,
        300,
        "JPEG",
        "2024-01-02T03:04:05",
        "Cam",
        6,
        b"u" * 1024,
        (3, 4),
        b"",
        False,
        False,
        (5,),
    ),
    FileKey("/lib/old.jpg", 30, 3): Fingerprint(99, 10, 10, "JPEG"),  # no thumbnails at all
}
BROKEN = FileKey("/lib/broken.jpg", 40, 4)


def to_schema_4(db: Path) -> None:
    """Lay a cache out as schema 4 did: each row's thumbnail in it, the fine thumbnail after
    the window hashes in ``look``."""
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT path, size, mtime_ns, hash, width, height, format, taken, camera, "
        "orientation, digest, error, thumb, turned, look, fine "
        "FROM fingerprints LEFT JOIN thumbnails USING (path)"
    ).fetchall()
    con.execute("DROP TABLE fingerprints")
    con.execute("DROP TABLE thumbnails")
    con.execute(SCHEMA_4_FINGERPRINTS)
    old = [(*r[:14], None if r[14] is None else r[14] + (r[15] or b"")) for r in rows]
    con.executemany(f"INSERT INTO fingerprints VALUES ({','.join('?' * 15)})", old)
    con.execute("UPDATE meta SET value = '4' WHERE key = 'schema'")
    con.commit()
    con.close()


def filled(tmp_path: Path) -> Path:
    db = tmp_path / "c.sqlite3"
    with FingerprintStore(str(db)) as store:
        for key, fp in ENTRIES.items():
            store.put(key, fp)
        store.put(BROKEN, Failure("not a picture"))
        store.put_identity("/lib/photo.jpg", b"i" * 16, 7)
        store.put_pair_words({3: ("greyscale",)})
        store.put_pair_checks({5: 0.25}, 0.5)
    to_schema_4(db)
    return db


def columns(db: Path, table: str) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
    finally:
        con.close()


def test_a_cache_of_schema_4_is_moved_over_with_every_fingerprint(tmp_path: Path) -> None:
    db = filled(tmp_path)
    assert "thumb" in columns(db, "fingerprints")
    with FingerprintStore(str(db)) as store:
        assert store.persistent and store.saved
        for key, fp in ENTRIES.items():
            assert store.get(key) == fp
        assert store.get(BROKEN) == Failure("not a picture")
        keys = list(ENTRIES)
        assert store.thumbs(keys) == [fp.thumb for fp in ENTRIES.values()]
        assert store.fines(keys) == [fp.fine for fp in ENTRIES.values()]
        assert [k for k, _ in store.records()] == sorted(keys, key=lambda k: k.path)
        (cached,) = store.lookup([FileKey("/lib/photo.jpg", 20, 2)], thumbs=False)
        assert cached is not None and (cached.ident, cached.change_ns) == (b"i" * 16, 7)
        assert store.pair_words() == {3: ("greyscale",)}
        assert store.pair_checks(0.5) == {5: 0.25}
    assert "thumb" not in columns(db, "fingerprints")
    assert columns(db, "thumbnails") == {"path", "thumb", "fine"}
    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (
        str(SCHEMA_VERSION),
    )
    # The row of a fingerprint holds no thumbnail any more: a pass over them reads less.
    longest = con.execute("SELECT MAX(length(look)) FROM fingerprints").fetchone()[0]
    con.close()
    assert longest == 2 + 8 * 3


def test_a_cache_of_schema_4_is_read_as_it_is_when_opened_read_only(tmp_path: Path) -> None:
    db = filled(tmp_path)
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    before = hashlib.sha256(db.read_bytes()).digest()
    with FingerprintStore(str(db), read_only=True) as store:
        for key, fp in ENTRIES.items():
            assert store.get(key) == fp
        assert store.fines(list(ENTRIES)) == [fp.fine for fp in ENTRIES.values()]
        assert len(store.records()) == len(ENTRIES)
    assert hashlib.sha256(db.read_bytes()).digest() == before
    assert "thumb" in columns(db, "fingerprints")


def test_a_move_that_fails_leaves_the_cache_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = filled(tmp_path)
    calls: list[int] = []

    def failing(blob: bytes | None) -> tuple[bytes | None, bytes | None]:
        calls.append(1)
        if len(calls) == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return split_look(blob)

    monkeypatch.setattr(layout, "split_look", failing)
    warnings: list[str] = []
    with FingerprintStore(str(db), warn=warnings.append) as store:
        assert not store.persistent  # this scan runs without it, with a warning
    assert warnings and "disk I/O error" in warnings[0]
    monkeypatch.undo()
    assert "thumb" in columns(db, "fingerprints")
    assert "fingerprints_before_5" not in columns(db, "sqlite_master")
    with FingerprintStore(str(db), read_only=True) as store:
        for key, fp in ENTRIES.items():
            assert store.get(key) == fp
    with FingerprintStore(str(db)) as store:  # the next scan moves it over
        assert [store.get(k) for k in ENTRIES] == list(ENTRIES.values())
    assert "thumb" not in columns(db, "fingerprints")


def test_a_rescan_on_a_cache_of_schema_4_decodes_nothing_and_groups_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    save(photo(5, (240, 180)), lib / "a.jpg", quality=90)
    save(photo(5, (240, 180)), lib / "a-q70.jpg", quality=70)
    save(photo(6, (240, 180)), lib / "b.jpg", quality=90)
    shutil.copy2(lib / "b.jpg", lib / "b-copy.jpg")
    db = tmp_path / "c.sqlite3"

    def scan() -> dict[str, Any]:
        assert main(["scan", str(lib), "--format", "json", "-q", "--cache", str(db)]) == 0
        doc: dict[str, Any] = json.loads(capsys.readouterr().out)
        return doc

    cold = scan()
    to_schema_4(db)
    warm = scan()
    assert warm["stats"]["hashed"] == 0 and warm["stats"]["from_cache"] == 4
    assert warm["groups"] == cold["groups"] and len(cold["groups"]) == 2


def test_the_move_records_the_new_schema_in_its_own_transaction(tmp_path: Path) -> None:
    """A crash right after the move must not leave this layout under the old number: an older
    build would read it as its own and fail on every run."""
    db = filled(tmp_path)
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE IF NOT EXISTS thumbnails (path BLOB PRIMARY KEY, thumb BLOB, fine BLOB)"
    )
    con.commit()
    from dedupe_gui.core.cache_schema import FINGERPRINTS_TABLE

    layout.move_thumbnails(con, FINGERPRINTS_TABLE, "5")
    con.close()  # nothing else written: as if the process died here
    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("5",)
    assert not layout.old_layout(con)
    assert con.execute("SELECT count(*) FROM fingerprints").fetchone() == (len(ENTRIES) + 1,)
    con.close()


def test_a_store_moved_by_another_process_meanwhile_is_not_moved_again(tmp_path: Path) -> None:
    db = filled(tmp_path)
    first = sqlite3.connect(db)
    second = sqlite3.connect(db)
    assert layout.old_layout(second)  # what the second saw before it waited for the lock
    from dedupe_gui.core.cache_schema import FINGERPRINTS_TABLE

    first.executescript(
        "CREATE TABLE IF NOT EXISTS thumbnails (path BLOB PRIMARY KEY, thumb BLOB, fine BLOB)"
    )
    layout.move_thumbnails(first, FINGERPRINTS_TABLE, "5")
    first.close()
    layout.move_thumbnails(second, FINGERPRINTS_TABLE, "5")  # finds it moved: leaves it
    second.close()
    with FingerprintStore(str(db)) as store:
        for key, fp in ENTRIES.items():
            assert store.get(key) == fp
        assert store.thumbs(list(ENTRIES)) == [fp.thumb for fp in ENTRIES.values()]


def test_an_old_store_of_another_algorithm_is_made_anew_not_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = filled(tmp_path)
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = '-1' WHERE key = 'algorithm'")
    con.commit()
    con.close()
    moved: list[object] = []
    monkeypatch.setattr("dedupe_gui.core.cache_schema.move_thumbnails", lambda *a: moved.append(a))
    with FingerprintStore(str(db)) as store:
        assert store.persistent
        assert all(store.get(key) is None for key in ENTRIES)
        store.put(BROKEN, Failure("not a picture"))
    assert moved == []
    assert "thumb" not in columns(db, "fingerprints")
