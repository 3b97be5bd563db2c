"""The cache follows photos by content: renames, moves and time-keeping copies cost no decode;
a known path holding other content is decoded again; entries of absent drives stay."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from dedupe_gui.cli import main
from dedupe_gui.core import cache_admin, identity
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.models import Entry, ScanResult
from dedupe_gui.core.scan import ScanOptions, fingerprint_entry, run_scan
from tests.imaging import photo, save


def make_library(folder: Path, n: int = 3, seed: int = 40) -> None:
    for i in range(n):
        save(photo(seed + i, (200, 150)), folder / f"IMG_{i:04}.JPG")


def scan(db: Path, *roots: Path, follow: bool = True) -> ScanResult:
    with FingerprintStore(str(db)) as store:
        return run_scan(
            ScanOptions(tuple(str(r) for r in roots), workers=1, follow_content=follow), store
        )


def hashes(result: ScanResult) -> dict[str, int]:
    return {os.path.basename(r.path): r.fingerprint.hash for r in result.records}


def test_a_renamed_folder_is_not_hashed_again(tmp_path: Path) -> None:
    db, lib = tmp_path / "cache.db", tmp_path / "Photos"
    make_library(lib)
    first = scan(db, lib)
    assert first.stats.hashed == 3
    lib.rename(tmp_path / "Photos 2024")
    again = scan(db, tmp_path / "Photos 2024")
    assert (again.stats.hashed, again.stats.from_cache) == (0, 3)
    assert hashes(again) == hashes(first)


def test_a_copy_that_keeps_times_is_not_hashed_again(tmp_path: Path) -> None:
    db, lib = tmp_path / "cache.db", tmp_path / "Photos"
    make_library(lib)
    scan(db, lib)
    shutil.copytree(lib, tmp_path / "backup", copy_function=shutil.copy2)  # like cp -a
    both = scan(db, lib, tmp_path / "backup")
    assert (both.stats.hashed, both.stats.from_cache) == (0, 6)
    # The copies are byte-identical, and the grouping still knows it (digests came along).
    assert len({r.digest for r in both.records}) == 3


def test_a_copy_with_new_times_is_hashed(tmp_path: Path) -> None:
    db, lib = tmp_path / "cache.db", tmp_path / "Photos"
    make_library(lib, n=1)
    scan(db, lib)
    shutil.copytree(lib, tmp_path / "plain", copy_function=shutil.copyfile)  # like plain cp
    os.utime(tmp_path / "plain" / "IMG_0000.JPG", ns=(1, 10**18))
    assert scan(db, tmp_path / "plain").stats.hashed == 1


def same_size_other_picture(path: Path, seed: int) -> None:
    """Another picture in a file of exactly the same size (BMP size depends only on pixels)."""
    size, mtime = path.stat().st_size, path.stat().st_mtime_ns
    save(photo(seed, (120, 90)), path)
    assert path.stat().st_size == size
    os.utime(path, ns=(mtime, mtime))  # and the old time set back, as a restore would


def test_other_content_at_a_known_path_is_hashed_again(tmp_path: Path) -> None:
    db, lib = tmp_path / "cache.db", tmp_path / "lib"
    save(photo(1, (120, 90)), lib / "a.bmp")
    first = scan(db, lib)
    same_size_other_picture(lib / "a.bmp", seed=2)
    # Keyed by path, size and mtime alone, the cache is fooled:
    stale = scan(db, lib, follow=False)
    assert stale.stats.hashed == 0 and hashes(stale) == hashes(first)
    again = scan(db, lib)
    assert again.stats.hashed == 1
    assert hashes(again) != hashes(first)
    assert hashes(again) == hashes(scan(tmp_path / "fresh.db", lib))


def test_a_warm_rescan_reads_no_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, lib = tmp_path / "cache.db", tmp_path / "lib"
    make_library(lib)
    scan(db, lib)
    reads: list[str] = []
    real = identity.content_identity

    def counting(path: str, size: int, mtime_ns: int) -> bytes:
        reads.append(path)
        return real(path, size, mtime_ns)

    monkeypatch.setattr(identity, "content_identity", counting)
    assert scan(db, lib).stats.hashed == 0
    assert reads == []


def test_entries_of_an_absent_drive_stay(tmp_path: Path) -> None:
    db = tmp_path / "cache.db"
    drive, home = tmp_path / "media" / "usb", tmp_path / "home"
    make_library(drive / "Photos", seed=60)
    make_library(home, seed=70)
    scan(db, drive / "Photos", home)
    shutil.move(str(tmp_path / "media"), str(tmp_path / "unplugged"))  # the drive is away
    (home / "IMG_0000.JPG").unlink()  # and one photo at home is deleted
    scan(db, home)
    assert cache_admin.cache_info(str(db)).entries == 6
    info = cache_admin.cache_info(str(db), check_files=True)
    assert (info.missing, info.unreachable) == (4, 3)
    result = cache_admin.prune(str(db))
    assert (result.removed_gone, result.removed_old, result.kept_away) == (1, 0, 3)
    assert cache_admin.cache_info(str(db)).entries == 5
    # Plugged in again, under another mount point: nothing is hashed.
    back = scan(db, tmp_path / "unplugged" / "usb" / "Photos")
    assert (back.stats.hashed, back.stats.from_cache) == (0, 3)


def test_prune_older_than_removes_what_no_scan_found_for_long(tmp_path: Path) -> None:
    db, old, new = tmp_path / "cache.db", tmp_path / "old", tmp_path / "new"
    make_library(old, seed=80)
    make_library(new, seed=90)
    scan(db, old, new)
    today = int(time.time() // 86400)
    with sqlite3.connect(db) as con:
        con.execute(
            "UPDATE identities SET seen = ? WHERE substr(path, 1, ?) = ?",
            (today - 40, len(os.fsencode(old)), os.fsencode(old)),
        )
    assert cache_admin.cache_info(str(db)).unseen_days == 40
    result = cache_admin.prune(str(db), older_than_days=30)
    assert (result.removed_gone, result.removed_old) == (0, 3)
    assert cache_admin.cache_info(str(db)).entries == 3


def test_cache_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, lib = tmp_path / "cache.db", tmp_path / "lib"
    make_library(lib)
    scan(db, lib)
    assert main(["cache", "info", "--cache", str(db)]) == 0
    out = capsys.readouterr().out
    assert "entries: 3 fingerprints" in out and str(db) in out
    (lib / "IMG_0001.JPG").unlink()
    assert main(["cache", "prune", "--cache", str(db)]) == 0
    assert "removed 1 entries of deleted files" in capsys.readouterr().out
    assert main(["cache", "clear", "--cache", str(db)]) == 0
    assert "cleared 2 entries" in capsys.readouterr().out
    assert cache_admin.cache_info(str(db)).entries == 0
    assert main(["cache", "info", "--cache", str(tmp_path / "none.db")]) == 0
    assert "no scan has written it yet" in capsys.readouterr().out
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert main(["cache", "info", "--cache", str(tmp_path / "junk.db")]) == 2
    assert main(["cache", "info", "--older-than", "3", "--cache", str(db)]) == 2


def test_new_files_are_decoded_before_their_identity_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold scan does not hold decoding back for a pass of identity reads: a file of a
    size and time no entry has cannot be a moved one, and its identity is read after the
    decode, from the page cache."""
    db, lib = tmp_path / "cache.db", tmp_path / "lib"
    make_library(lib)
    events: list[tuple[str, str]] = []
    real = identity.content_identity

    def counting(path: str, size: int, mtime_ns: int) -> bytes:
        events.append(("ident", path))
        return real(path, size, mtime_ns)

    def fingerprinter(path: str) -> Entry:
        events.append(("decode", path))
        return fingerprint_entry(path)

    monkeypatch.setattr(identity, "content_identity", counting)
    with FingerprintStore(str(db)) as store:
        run_scan(ScanOptions((str(lib),), workers=1), store, fingerprinter=fingerprinter)
    for path in {p for _, p in events}:
        assert events.index(("decode", path)) < events.index(("ident", path))
    assert sum(1 for kind, _ in events if kind == "ident") == 3
