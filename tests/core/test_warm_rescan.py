"""A warm rescan reads no file: head-and-tail digests are kept in the cache by the file's change
time, and identities come with the fingerprints; older caches of ours are upgraded in place."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import dedupe_gui.core.identity as identity_module
from dedupe_gui.cli import main
from dedupe_gui.core.cache import SCHEMA_VERSION, FingerprintStore
from dedupe_gui.core.models import FileKey, Fingerprint
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.imaging import photo, save

FP = Fingerprint(0x0123456789ABCDEF, 640, 480, "JPEG", None, None, 1, b"t" * 1024, (1, 2, 3))


def library(tmp_path: Path) -> Path:
    """A photo with an exact copy and a recompressed one (same size and hash is likely only for
    the exact copy), and a photo alone."""
    lib = tmp_path / "lib"
    a = photo(5, (240, 180))
    save(a, lib / "a.jpg", quality=90)
    save(a, lib / "copies" / "a-q70.jpg", quality=70)
    shutil.copy2(lib / "a.jpg", lib / "copies" / "a.jpg")
    save(photo(6, (240, 180)), lib / "b.jpg", quality=90)
    return lib


def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every head-and-tail digest the scan or the report reads."""
    names: list[str] = []
    read = identity_module.head_tail_digest  # type: ignore[attr-defined]

    def spy(path: str) -> str:
        names.append(os.path.relpath(path, os.path.dirname(os.path.dirname(path))))
        return read(path)

    monkeypatch.setattr(identity_module, "head_tail_digest", spy)
    return names


def scan_json(lib: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["scan", str(lib), "--format", "json", "-q", "--cache", str(db)]) == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def test_a_warm_rescan_reads_no_head_and_tail_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, db = library(tmp_path), tmp_path / "c.sqlite3"
    read = reads(monkeypatch)
    cold = scan_json(lib, db, capsys)
    (group,) = cold["groups"]
    assert len(group["files"]) == 3 and all(f["quick"] for f in group["files"])
    assert sorted(read) == ["copies/a-q70.jpg", "copies/a.jpg", "lib/a.jpg"]

    read.clear()
    warm = scan_json(lib, db, capsys)
    assert read == []
    assert warm["groups"] == cold["groups"]

    # A file written since (its change time moves, whatever its mtime says) is read again.
    copy = lib / "copies" / "a.jpg"
    st = copy.stat()
    copy.write_bytes(copy.read_bytes())
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns))
    again = scan_json(lib, db, capsys)
    assert read == ["copies/a.jpg"]
    # The same report, but for the change time the rewritten file now has.
    change = {f["path"]: f.pop("change_ns") for g in cold["groups"] for f in g["files"]}
    now = {f["path"]: f.pop("change_ns") for g in again["groups"] for f in g["files"]}
    assert [p for p in now if now[p] != change[p]] == [str(copy)]
    assert again["groups"] == cold["groups"]


def test_a_digest_read_while_the_file_changed_is_not_kept(tmp_path: Path) -> None:
    lib = library(tmp_path)
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        result = run_scan(ScanOptions((str(lib),), workers=1), store)
        record = next(r for r in result.records if r.path.endswith("b.jpg"))
        assert record.quick is None and record.change_ns
        os.chmod(record.path, 0o600)  # the change time moves after the walk saw the file
        assert identity_module.quick_digest(store, record).startswith("ht:")
        (cached,) = store.lookup([record.key])
        assert cached is not None and cached.change_ns == record.change_ns
        assert cached.quick is None
        os.chmod(record.path, 0o644)
        again = run_scan(ScanOptions((str(lib),), workers=1), store)
        fresh = next(r for r in again.records if r.path.endswith("b.jpg"))
        identity_module.quick_digest(store, fresh)  # unchanged now: kept
        assert store.lookup([record.key])[0] == (
            cached.entry,
            None,
            cached.ident,
            fresh.change_ns,
            identity_module.quick_digest(store, fresh),
        )


def test_a_cache_of_the_previous_layout_is_upgraded_in_place(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite3")
    key = FileKey("/a.jpg", 1, 1)
    with FingerprintStore(db) as store:
        store.put(key, FP)
        store.put_identity(key.path, b"i" * 16, 7)
        store.put_pair_words({3: ("greyscale",)})
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE identities DROP COLUMN quick")  # as schema 3 made it
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema'")
    con.commit()
    con.close()
    with FingerprintStore(db, read_only=True) as old:
        assert old.get(key) == FP  # ``search`` reads it as it is
    with FingerprintStore(db) as store:
        (cached,) = store.lookup([key])
        assert cached is not None
        assert (cached.entry, cached.ident, cached.change_ns, cached.quick) == (
            FP,
            b"i" * 16,
            7,
            None,
        )
        assert store.pair_words() == {3: ("greyscale",)}
        store.put_quick(key.path, 7, "ht:0")
        store.put_quick(key.path, 8, "ht:other")  # another change time: not this identity
    with FingerprintStore(db) as store:
        assert store.lookup([key])[0] == (FP, None, b"i" * 16, 7, "ht:0")
    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (
        str(SCHEMA_VERSION),
    )
    con.close()


def test_a_new_identity_forgets_the_digest_of_the_old_content(tmp_path: Path) -> None:
    key = FileKey("/a.jpg", 1, 1)
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        store.put(key, FP)
        store.put_identity(key.path, b"i" * 16, 7)
        store.put_quick(key.path, 7, "ht:0")
        store.put_identity(key.path, b"j" * 16, 9)
        assert store.lookup([key])[0] == (FP, None, b"j" * 16, 9, None)
