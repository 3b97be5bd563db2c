"""A rescan read back in columns (core.rescan) is the scan and kept grouping ``run_scan`` and
``group_kept`` give, for an unchanged library; for any change it does not answer."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dedupe_gui.cli import main
from dedupe_gui.core import grouping, rescan, scan
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.cache_rows import same_version, same_versions
from dedupe_gui.core.companions import find_companions
from dedupe_gui.core.files import IMAGE_EXTENSIONS, FoundFile, WalkOptions, walk, walk_listings
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.heap import many_objects
from dedupe_gui.core.identity import all_unchanged_since, unchanged_since
from dedupe_gui.core.kept_groupings import group_kept
from dedupe_gui.core.models import Group, Phase, Progress, ScanResult
from dedupe_gui.core.rescan import ReadBack, read_back_scan
from dedupe_gui.core.scan import ScanOptions, Walked, run_scan
from tests.imaging import photo, save

OPTIONS = GroupingOptions(12)


def library(tmp_path: Path) -> tuple[Path, Path]:
    """Photos with copies (recompressed, downscaled, byte-identical), a Live video and a
    sidecar, a broken and an empty file, and a reference folder holding one more copy."""
    lib, ref = tmp_path / "lib", tmp_path / "ref"
    for seed in (1, 2, 3):
        img = photo(seed, (240, 180))
        save(img, lib / f"p{seed}.jpg", quality=92)
        save(img, lib / "copies" / f"p{seed}-q60.jpg", quality=60)
        save(img.resize((160, 120)), lib / "small" / f"p{seed}.jpg", quality=85)
    save(photo(4, (240, 180)), lib / "alone.jpg", quality=90)
    shutil.copy2(lib / "p1.jpg", lib / "copies" / "p1-same.jpg")
    (lib / "p1.MOV").write_bytes(b"\0\0\0\x18ftypqt  " + b"v" * 500)
    (lib / "p2.jpg.xmp").write_text("<x:xmpmeta/>")
    (lib / "broken.jpg").write_bytes(b"\xff\xd8 not a picture")
    (lib / "empty.jpg").write_bytes(b"")
    save(photo(2, (240, 180)), ref / "p2-ref.jpg", quality=80)
    return lib, ref


def scan_options(lib: Path, ref: Path) -> ScanOptions:
    return ScanOptions(
        (str(lib), str(ref)), WalkOptions(references=(str(ref),)), thumbs_in_store=True
    )


def scanned(db: Path, options: ScanOptions) -> tuple[ScanResult, list[Group]]:
    """What the full path gives: run_scan, then the grouping (read back when kept)."""
    with FingerprintStore(str(db)) as store:
        result = run_scan(options, store)
        return result, group_kept(result.records, OPTIONS, store)


def read_back(db: Path, options: ScanOptions, grouping_options: GroupingOptions = OPTIONS) -> Any:
    with FingerprintStore(str(db)) as store:
        return read_back_scan(options, grouping_options, store)


class NoGrouping(SimilarityIndex):
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("grouped again")


def test_an_unchanged_library_is_read_back_as_the_full_scan_gives_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib, ref = library(tmp_path)
    db, options = tmp_path / "c.sqlite3", scan_options(lib, ref)
    first, made = scanned(db, options)
    monkeypatch.setattr(grouping, "SimilarityIndex", NoGrouping)
    back = read_back(db, options)
    assert back is not None
    full, groups = scanned(db, options)
    assert back.groups == groups == made
    # The exact copy, the companions and the reference copy came through.
    members = {os.path.relpath(m.path, tmp_path): m for g in groups for m in g.members}
    same = members[os.path.join("lib", "copies", "p1-same.jpg")]
    assert same.identical and same.record.digest
    assert [c.kind for c in members[os.path.join("lib", "p1.jpg")].record.companions] == ["live"]
    assert [c.kind for c in members[os.path.join("lib", "p2.jpg")].record.companions] == ["xmp"]
    assert members[os.path.join("ref", "p2-ref.jpg")].record.reference
    grouped = {m.path for g in groups for m in g.members}
    assert back.result.records == tuple(r for r in full.records if r.path in grouped)
    assert [os.path.basename(e.path) for e in back.result.errors] == ["broken.jpg", "empty.jpg"]
    assert back.result.errors == full.errors == first.errors
    for field in ("paths", "roots", "references", "cancelled"):
        assert getattr(back.result, field) == getattr(full, field)
    stats, want = back.result.stats, full.stats
    assert (stats.files, stats.images, stats.hashed, stats.from_cache) == (
        want.files,
        want.images,
        want.hashed,
        want.from_cache,
    )


def test_a_library_with_companions_alone_is_read_back_as_the_full_scan_gives_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No reference folder, no exact copy: of the rarer facts of the key, only companions.
    lib = tmp_path / "lib"
    for seed in (1, 2):
        img = photo(seed, (240, 180))
        save(img, lib / f"p{seed}.jpg", quality=92)
        save(img, lib / f"p{seed}-q60.jpg", quality=60)
    save(photo(3, (240, 180)), lib / "z.jpg", quality=90)
    (lib / "p1.MOV").write_bytes(b"\0\0\0\x18ftypqt  " + b"v" * 500)
    (lib / "z.jpg.xmp").write_text("<x:xmpmeta/>")
    db, options = tmp_path / "c.sqlite3", ScanOptions((str(lib),), thumbs_in_store=True)
    first, made = scanned(db, options)
    assert not any(r.reference or r.digest for r in first.records)
    assert [os.path.basename(r.path) for r in first.records if r.companions] == ["p1.jpg", "z.jpg"]
    monkeypatch.setattr(grouping, "SimilarityIndex", NoGrouping)
    back = read_back(db, options)
    assert isinstance(back, ReadBack) and back.groups == made
    grouped = {m.path for g in made for m in g.members}
    assert back.result.records == tuple(r for r in first.records if r.path in grouped)


def test_a_row_written_after_the_versions_were_compared_is_not_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib, ref = library(tmp_path)
    db, options = tmp_path / "c.sqlite3", scan_options(lib, ref)
    scanned(db, options)
    kept = FingerprintStore.kept_grouping

    def written_meanwhile(store: FingerprintStore, key: bytes) -> bytes | None:
        # Another scan writes a grouped file's row after this one compared the versions.
        with contextlib.closing(sqlite3.connect(db)) as other, other:
            other.execute(
                "UPDATE fingerprints SET mtime_ns = mtime_ns + 1 WHERE path = ?",
                (os.fsencode(str(lib / "p1.jpg")),),
            )
        return kept(store, key)

    monkeypatch.setattr(FingerprintStore, "kept_grouping", written_meanwhile)
    back = read_back(db, options)
    assert isinstance(back, Walked) and back.rows is not None


@pytest.mark.parametrize(
    "change",
    [
        "added",
        "removed",
        "edited",
        "resized",
        "touched",
        "moved inode",
        "a failure fixed",
        "options",
    ],
)
def test_a_changed_library_is_not_read_back(
    tmp_path: Path, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib, ref = library(tmp_path)
    db, options = tmp_path / "c.sqlite3", scan_options(lib, ref)
    scanned(db, options)
    assert read_back(db, options) is not None
    grouping_options = OPTIONS
    if change == "added":
        save(photo(9, (240, 180)), lib / "new.jpg")
    elif change == "removed":
        os.remove(lib / "alone.jpg")
    elif change == "edited":
        save(photo(9, (240, 180)), lib / "alone.jpg")
    elif change == "resized":
        # Another size at the same mtime: another version of the file all the same.
        st = os.stat(lib / "alone.jpg")
        with open(lib / "alone.jpg", "ab") as f:
            f.write(b"\0")
        os.utime(lib / "alone.jpg", ns=(st.st_atime_ns, st.st_mtime_ns))
    elif change == "a failure fixed":
        st = os.stat(lib / "broken.jpg")
        save(photo(9, (240, 180)), lib / "broken.jpg")
        os.utime(lib / "broken.jpg", ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    elif change == "touched":
        st = os.stat(lib / "alone.jpg")
        os.utime(lib / "alone.jpg", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    elif change == "moved inode":
        # Same size and mtime, another change time: the content identity is read again.
        shutil.copy2(lib / "alone.jpg", tmp_path / "x.jpg")
        os.replace(tmp_path / "x.jpg", lib / "alone.jpg")
    else:
        grouping_options = GroupingOptions(4)
    scans_on_what_it_read(tmp_path, db, options, grouping_options, monkeypatch)


def test_a_first_scan_is_not_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib, ref = library(tmp_path)
    db = tmp_path / "c.sqlite3"
    scans_on_what_it_read(tmp_path, db, scan_options(lib, ref), OPTIONS, monkeypatch)


def scans_on_what_it_read(
    tmp_path: Path,
    db: Path,
    options: ScanOptions,
    grouping_options: GroupingOptions,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A library ``read_back_scan`` does not read back: the full scan on its walk and cache
    rows, neither walked nor read again, is the full scan of its own (on a copy of the
    cache: a scan writes into it)."""
    if db.exists():
        shutil.copy(db, tmp_path / "copy.sqlite3")
    with FingerprintStore(str(tmp_path / "copy.sqlite3")) as store:
        own = run_scan(options, store)
    with FingerprintStore(str(db)) as store:
        back = read_back_scan(options, grouping_options, store)
        assert isinstance(back, Walked) and back.rows is not None
        with monkeypatch.context() as m:
            m.setattr(scan, "walk_listings", None)
            m.setattr(store, "stored", None)
            taken = run_scan(options, store, walked=back)
    assert taken.records == own.records and taken.errors == own.errors
    assert replace(taken.stats, seconds=0) == replace(own.stats, seconds=0)
    assert taken.stats.files >= 12 and taken.records  # 13 files, or one removed
    for field in ("paths", "roots", "references", "cancelled"):
        assert getattr(taken, field) == getattr(own, field)


@pytest.mark.parametrize("hidden", [False, True])
def test_the_walk_in_columns_takes_the_files_walk_takes(tmp_path: Path, hidden: bool) -> None:
    names = [
        "a.jpg",
        "b.JPEG",
        "c..jpg",
        "d.jpg.txt",
        "e.txt",
        "fjpg",
        ".g.jpg",
        "..jpg",
        ".jpg",
        ".h.png.png",
        "i.Nef",
    ]
    for n in names:
        (tmp_path / n).write_bytes(b"x")
    options = WalkOptions(include_hidden=hidden)
    expected = sorted(
        n
        for n in names
        if os.path.splitext(n)[1].lower() in IMAGE_EXTENSIONS and (hidden or n[0] != ".")
    )
    found = [os.path.basename(f.path) for f in walk([str(tmp_path)], options)]
    assert found == expected
    listed = [
        os.path.basename(p) for part in walk_listings([str(tmp_path)], options) for p in part.paths
    ]
    assert listed == expected


def test_the_walk_yields_errors_and_files_in_order(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(b"x")
    (tmp_path / "b.jpg").write_bytes(b"")
    (tmp_path / "c.jpg").write_bytes(b"x")
    items = list(walk([str(tmp_path)], WalkOptions()))
    assert [type(i).__name__ for i in items] == ["FoundFile", "FileError", "FoundFile"]
    assert all(isinstance(i, FoundFile) == (os.path.basename(i.path) != "b.jpg") for i in items)


@pytest.mark.parametrize("hidden", [False, True])
def test_companions_from_the_walks_listing_are_those_of_a_listing_of_their_own(
    tmp_path: Path, hidden: bool
) -> None:
    """The walk lists every regular file of a folder for the companions, hidden, excluded
    and not images included, links not: the same companions as a listing of their own."""
    names = ["IMG_1.HEIC", "IMG_1.MOV", ".IMG_1.xmp", "IMG_1.HEIC.xmp", "IMG_2.JPG", "IMG_2.NEF"]
    names += ["IMG_3.jpg", "IMG_3.jpg.json", "IMG_O4.AAE", "IMG_4.HEIC", "@eaDir", "notes.txt"]
    names += [".IMG_6.jpg", ".IMG_6.MOV"]
    for n in names:
        (tmp_path / n).write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "IMG_5.jpg").write_bytes(b"x")
    os.symlink(tmp_path / "IMG_1.MOV", tmp_path / "IMG_3.MOV")
    parts = list(walk_listings([str(tmp_path)], WalkOptions(include_hidden=hidden)))
    listed = {p.folder: p.files for p in parts if p.files is not None}
    assert sorted(listed) == [str(tmp_path), str(tmp_path / "sub")]
    assert sorted(n for n, _ in listed[str(tmp_path)]) == sorted(names)
    photos = [path for p in parts for path in p.paths]
    assert len(photos) == (7 if hidden else 6)
    theirs = find_companions(photos)
    assert find_companions(photos, None, listed) == theirs
    assert sum(len(c) for c in theirs.values()) >= 6


def test_the_cyclic_collector_is_off_while_many_objects_are_made() -> None:
    assert gc.isenabled()
    with many_objects():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with many_objects():
            pass
        assert not gc.isenabled()  # as it was
    finally:
        gc.enable()


def scan_json(lib: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(["scan", str(lib), "--format", "json", "-q", "--cache", str(db)])
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    doc["stats"].pop("seconds")
    return doc


def test_the_command_line_reads_an_unchanged_library_back_with_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, _ = library(tmp_path)
    db = tmp_path / "c.sqlite3"
    first = scan_json(lib, db, capsys)
    assert len(first["groups"]) == 3 and len(first["errors"]) == 2
    with monkeypatch.context() as m:
        m.setattr("dedupe_gui.core.rescan.read_back_scan", lambda *args: None)
        warm = scan_json(lib, db, capsys)  # the full scan, every file from the cache
    assert warm["groups"] == first["groups"] and warm["stats"]["from_cache"] == 12
    monkeypatch.setattr(grouping, "SimilarityIndex", NoGrouping)
    monkeypatch.setattr("dedupe_gui.cli_running.run_scan", None)  # the full scan is not run
    assert scan_json(lib, db, capsys) == warm


def test_a_head_and_tail_digest_read_at_another_change_time_is_not_read_back(
    tmp_path: Path,
) -> None:
    lib, ref = library(tmp_path)
    db = tmp_path / "c.sqlite3"
    scanned(db, scan_options(lib, ref))  # following content: head-and-tail digests kept
    options = replace(scan_options(lib, ref), follow_content=False)
    scanned(db, options)
    with FingerprintStore(str(db)) as store:
        kept = {r.path for r in run_scan(options, store).records if r.quick}
    assert kept  # the exact copies' head-and-tail digests are in the cache
    for path in kept:
        os.chmod(path, 0o644 if os.stat(path).st_mode & 0o777 != 0o644 else 0o640)
    back = read_back(db, options)
    full, _ = scanned(db, options)
    assert back is not None
    assert back.result.records == tuple(
        r for r in full.records if r.path in {m.path for g in back.groups for m in g.members}
    )
    assert not any(r.quick for r in back.result.records if r.path in kept)


def test_the_command_line_scans_a_changed_library_on_the_walk_it_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, _ = library(tmp_path)
    db = tmp_path / "c.sqlite3"
    scan_json(lib, db, capsys)
    shutil.copy(lib / "p3.jpg", lib / "p3-new.jpg")  # a copy joining a group
    shutil.copy(db, tmp_path / "copy.sqlite3")
    with monkeypatch.context() as m:
        m.setattr("dedupe_gui.core.rescan.read_back_scan", lambda *args: None)
        own = scan_json(lib, tmp_path / "copy.sqlite3", capsys)
    calls: list[str] = []

    def counted(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return fn(*args, **kwargs)

        return wrapper

    for module in (scan, rescan):
        monkeypatch.setattr(module, "walk_listings", counted("walk", module.walk_listings))
    monkeypatch.setattr(FingerprintStore, "stored", counted("rows", FingerprintStore.stored))
    taken = scan_json(lib, db, capsys)
    assert calls == ["walk", "rows"]
    assert taken == own and taken["stats"]["hashed"] == 1
    assert any(f["path"].endswith("p3-new.jpg") for g in taken["groups"] for f in g["files"])


def test_a_read_back_reports_its_progress(tmp_path: Path) -> None:
    lib, ref = library(tmp_path)
    db, options = tmp_path / "c.sqlite3", replace(scan_options(lib, ref), progress_interval=0)
    scanned(db, options)
    heard: list[Progress] = []
    with FingerprintStore(str(db)) as store:
        back = read_back_scan(options, OPTIONS, store, progress=heard.append)
    assert isinstance(back, ReadBack)
    assert heard[0].phase is Phase.WALKING and heard[-1].phase is Phase.HASHING
    assert (heard[-1].done, heard[-1].total, heard[-1].from_cache) == (13, 13, 13)
    assert [p.done for p in heard[:-1]] == sorted(p.done for p in heard[:-1])


def test_versions_and_change_times_compared_as_columns_follow_the_rule_of_one_file() -> None:
    rows = [(10, 20), (11, 21), (12, 22)]
    cases = [
        ([10, 11, 12], [20, 21, 22]),
        ([10, 11, 13], [20, 21, 22]),
        ([10, 11, 12], [20, 0, 22]),
    ]
    for sizes, mtimes in cases:
        one_by_one = all(map(same_version, rows, sizes, mtimes))
        assert same_versions(rows, sizes, mtimes) is one_by_one
    changes: list[tuple[list[int | None], list[int]]] = [
        ([5, 6], [5, 6]),
        ([5, None], [5, 6]),
        ([0, 6], [0, 6]),  # an unknown change time is never unchanged
        ([5, 7], [5, 6]),
    ]
    for read_at, change in changes:
        one_by_one = all(map(unchanged_since, read_at, change))
        assert all_unchanged_since(read_at, change) is one_by_one
