"""Fault suite, command line and databases: swapped arguments, foreign and damaged
databases, a journal that cannot be written, a closed pipe, odd names, full disks.

Every test asserts the exit status and that the files it did not mean to touch are still
there, byte for byte.
"""

from __future__ import annotations

import _thread
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from dedupe_gui import cli_running
from dedupe_gui.core.actions import (
    CleanupOptions,
    Removal,
    Scope,
    Status,
    apply_removals,
    system_trash,
)
from dedupe_gui.core.cache import FingerprintStore, default_cache_path
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, Fingerprint, ScanResult
from dedupe_gui.core.names import decode_path
from dedupe_gui.core.report import load
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.core.faults import cli as run
from tests.core.faults import mounted, pair, snapshot, trashed
from tests.imaging import photo, save

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


# -- 6. the journal -------------------------------------------------------------------------------


def test_unwritable_journal_stops_before_anything_is_touched(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    pair(lib, 27, "a.png", "b.png")
    before = snapshot(lib)
    folder = tmp_path / "journal-is-a-folder"
    folder.mkdir()
    status, _, err = run(
        ["scan", str(lib), "--no-cache", "--apply", "trash", "--journal", str(folder)], capsys
    )
    assert status == 2 and "cannot write the journal" in err and "nothing was touched" in err
    # The error is the only line: a blocked cleanup did not find "nothing to do".
    assert err.startswith("dedupe-gui: cannot write the journal") and "nothing to do" not in err
    assert snapshot(lib) == before and trashed(trash_home) == []


def test_journal_on_a_full_disk_stops_the_cleanup(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, disk = tmp_path / "lib", tmp_path / "disk"
    pair(lib, 28, "a.png", "b.png")
    disk.mkdir()
    before = snapshot(lib)
    with mounted(["-t", "tmpfs", "-o", "size=64k", "tmpfs"], disk):
        with open(disk / "filler", "wb", buffering=0) as f, pytest.raises(OSError):
            while True:
                f.write(b"\0" * 4096)
        status, _, err = run(
            ["scan", str(lib), "--no-cache", "--apply", "trash", "--journal", str(disk / "j")],
            capsys,
        )
    assert status == 2 and "cannot write the journal" in err
    assert snapshot(lib) == before and trashed(trash_home) == []


def test_intent_is_on_disk_before_the_file_is_touched(tmp_path: Path, trash_home: Path) -> None:
    lib = tmp_path / "lib"
    _, copy = pair(lib, 29, "a.png", "b.png")
    result = run_scan(ScanOptions((str(lib),)))
    (group,) = group_records(result.records, GroupingOptions(8))
    journal = tmp_path / "journal.jsonl"
    seen: list[dict[str, Any]] = []

    def trash(path: str) -> None:
        seen.extend(json.loads(line) for line in journal.read_text().splitlines())
        system_trash(path)

    (out,) = apply_removals(
        [Removal.marked(group)],
        CleanupOptions(str(journal), scope=Scope.of(result)),
        trash,
    )
    assert out.status is Status.TRASHED
    assert [(line["phase"], line["path"]) for line in seen] == [("intent", str(copy))]
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [line["phase"] for line in lines] == ["intent", "outcome"]
    for line in lines:  # the documented fields
        assert {"time", "action", "phase", "path", "size", "hash", "digest", "keeper"} <= set(line)
        assert "outcome" in line


# -- 8. a closed pipe, a cancelled scan ---------------------------------------------------------


def test_broken_pipe_stops_the_cleanup_with_a_non_zero_exit(
    tmp_path: Path, trash_home: Path
) -> None:
    lib = tmp_path / "lib"
    pair(lib, 30, "a.png", "b.png")
    before = snapshot(lib)
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -1` that has already gone
    env = {**os.environ, "HOME": str(trash_home), "XDG_DATA_HOME": str(trash_home / ".local/share")}
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "dedupe_gui",
                "scan",
                str(lib),
                "--no-cache",
                "-q",
                "--apply",
                "trash",
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert done.returncode != 0
    assert snapshot(lib) == before and trashed(trash_home) == []


def test_ctrl_c_sets_cancel_before_the_scan_unwinds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[bool] = []

    def slow_scan(
        options: ScanOptions, store: object, progress: object, cancel: threading.Event
    ) -> ScanResult:
        threading.Timer(0.2, _thread.interrupt_main).start()
        # The flag is set while this scan is still running; the wait only bounds a lost
        # interrupt (a busy machine can hold the timer's thread for seconds).
        seen.append(cancel.wait(120))
        return ScanResult((), (), (), run_scan(ScanOptions(())).stats, cancelled=True)

    monkeypatch.setattr(cli_running, "run_scan", slow_scan)
    status, _, err = run(["scan", str(tmp_path), "--no-cache"], capsys)
    assert status == 130, err
    assert seen == [True], err


# -- 7. names ------------------------------------------------------------------------------------


def _odd_library(tmp_path: Path) -> tuple[Path, bytes, bytes]:
    lib = tmp_path / "lib"
    lib.mkdir()
    raw_dir = os.fsencode(lib)
    img = photo(31, (320, 240))
    keeper = raw_dir + b"/caf\xe9.png"
    copy = raw_dir + b"/copy\xff.png"
    img.save(os.fsdecode(keeper))
    img.resize((200, 150)).save(os.fsdecode(copy))
    return lib, keeper, copy


def _en_us_locale(tmp_path: Path) -> dict[str, str]:
    """An environment running under a freshly built en_US.UTF-8 (strict stdout errors)."""
    if shutil.which("localedef") is None:
        pytest.skip("localedef is not available")
    locales = tmp_path / "locales"
    locales.mkdir()
    built = subprocess.run(
        ["localedef", "-i", "en_US", "-f", "UTF-8", str(locales / "en_US.UTF-8")],
        capture_output=True,
        text=True,
    )
    if not (locales / "en_US.UTF-8").exists():
        pytest.skip(f"cannot build en_US.UTF-8: {built.stderr.strip()}")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONUTF8", "PYTHONIO"))
    }
    env.update(LOCPATH=str(locales), LANG="en_US.UTF-8", LC_ALL="en_US.UTF-8")
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; print(sys.stdout.encoding, sys.stdout.errors)"],
        env=env,
        capture_output=True,
        text=True,
    )
    if probe.stdout.split() != ["utf-8", "strict"]:
        pytest.skip(f"the locale did not take: {probe.stdout.strip()}")
    return env


def test_csv_under_en_us_utf8_with_a_non_utf8_name(tmp_path: Path) -> None:
    env = _en_us_locale(tmp_path)
    lib, keeper, copy = _odd_library(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dedupe_gui",
            "scan",
            str(lib),
            "--no-cache",
            "-q",
            "--format",
            "csv",
        ],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8"))))
    assert {os.fsencode(decode_path(r)) for r in rows} == {keeper, copy}
    assert {decode_path(r, "keeper") for r in rows} == {os.fsdecode(keeper)}
    saved = tmp_path / "report.csv"
    saved.write_bytes(done.stdout)
    (group,) = load(str(saved)).groups  # loading reads the exact bytes back
    assert {os.fsencode(m.path) for m in group.members} == {keeper, copy}
    text = subprocess.run(
        [sys.executable, "-m", "dedupe_gui", "scan", str(lib), "--no-cache", "-q"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert text.returncode == 0 and b"caf\\xe9.png" in text.stdout


def test_json_report_of_non_utf8_names_applies(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, keeper, copy = _odd_library(tmp_path)
    status, out, _ = run(["scan", str(lib), "--no-cache", "--format", "json"], capsys)
    assert status == 0
    out.encode("ascii")  # readable by any JSON reader
    report = tmp_path / "report.json"
    report.write_text(out)
    keeper_bytes = Path(os.fsdecode(keeper)).read_bytes()
    status, out, _ = run(["apply", str(report), "--journal", str(tmp_path / "j")], capsys)
    assert status == 0, out
    assert os.listdir(lib) == [os.fsdecode(keeper).rsplit("/", 1)[1]]
    assert Path(os.fsdecode(keeper)).read_bytes() == keeper_bytes
    assert trashed(trash_home) == [os.fsdecode(copy).rsplit("/", 1)[1]]
    journal = [json.loads(line) for line in (tmp_path / "j").read_text().splitlines()]
    assert {os.fsencode(decode_path(line)) for line in journal} == {copy}


def test_text_output_escapes_control_and_bidi_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    pair(lib, 32, "a.png", "evil\ngroup 9\u202egnp.png")
    status, out, _ = run(["scan", str(lib), "--no-cache"], capsys)
    assert status == 0
    assert "evil\\x0agroup 9\\u202egnp.png" in out
    assert "\u202e" not in out and "\ngroup 9" not in out


# -- 10. smaller ones ---------------------------------------------------------------------------


def test_a_255_byte_name_gets_a_clear_reason(tmp_path: Path, trash_home: Path) -> None:
    lib = tmp_path / "lib"
    img = photo(33, (320, 240))
    save(img, lib / "keeper.png")
    long = save(img.resize((200, 150)), lib / ("x" * 251 + ".png"))
    result = run_scan(ScanOptions((str(lib),)))
    (group,) = group_records(result.records, GroupingOptions(8))
    before = snapshot(lib)
    (out,) = apply_removals([Removal.marked(group)], CleanupOptions(None, scope=Scope.of(result)))
    assert out.status is Status.FAILED and out.path == str(long)
    assert out.reason.startswith("the name is too long for the trash")
    assert snapshot(lib) == before


def test_move_onto_a_full_disk_leaves_no_partial_file(tmp_path: Path, trash_home: Path) -> None:
    lib, disk = tmp_path / "lib", tmp_path / "disk"
    img = photo(34, (640, 480))
    keeper = save(img, lib / "keeper.bmp")
    save(img.resize((600, 450)), lib / "copy.bmp")  # ~800 kB, more than the disk holds
    disk.mkdir()
    result = run_scan(ScanOptions((str(lib),)))
    (group,) = group_records(result.records, GroupingOptions(8))
    assert group.suggested_keeper.path == str(keeper)
    before = snapshot(lib)
    with mounted(["-t", "tmpfs", "-o", "size=256k", "tmpfs"], disk):
        (out,) = apply_removals(
            [Removal.marked(group)],
            CleanupOptions(None, move_to=str(disk / "dupes"), scope=Scope.of(result)),
        )
        assert out.status is Status.FAILED
        assert out.reason == "no space left on the destination; nothing was changed"
        assert [p for p in disk.rglob("*") if p.is_file()] == []
    assert snapshot(lib) == before


# -- 3. apply REPORT: outcomes and exit codes like scan --apply --------------------------------


def test_apply_report_outcomes_and_exit_codes(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    keeper, copy = pair(lib, 36, "a.png", "b.png")
    status, out, _ = run(["scan", str(lib), "--no-cache", "--format", "json"], capsys)
    report = tmp_path / "plan.json"
    report.write_text(out)
    journal = tmp_path / "journal.jsonl"
    before = snapshot(lib)

    status, out, _ = run(["apply", str(report), "--dry-run", "--journal", str(journal)], capsys)
    assert status == 0 and f"would trash: {copy}" in out
    assert snapshot(lib) == before and not journal.exists()

    # The user flips the keep marks in the saved report: the other copy goes.
    doc = json.loads(report.read_text())
    for f in doc["groups"][0]["files"]:
        f["keep"] = not f["keep"]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    status, out, _ = run(["apply", str(edited), "--journal", str(journal)], capsys)
    assert status == 0 and f"trashed: {keeper}" in out
    assert trashed(trash_home) == ["a.png"]
    assert snapshot(lib) == {str(copy): before[str(copy)]}

    # The first plan now: its copy to keep is gone, so its last copy stays: not done as
    # asked, exit 1 (as restore has it).
    status, out, _ = run(["apply", str(report), "--journal", str(journal)], capsys)
    assert status == 1
    assert f"skipped: {copy}: the copy to keep ({keeper}) no longer exists" in out
    assert snapshot(lib) == {str(copy): before[str(copy)]}

    # A file that cannot be trashed (a 255-byte name): exit 1, the file stays.
    other = tmp_path / "other"
    _, long = pair(other, 37, "a.png", "x" * 251 + ".png")
    status, out, _ = run(["scan", str(other), "--no-cache", "--format", "json"], capsys)
    report.write_text(out)
    status, out, _ = run(["apply", str(report), "--journal", str(journal)], capsys)
    assert status == 1 and f"failed: {long}: the name is too long for the trash" in out
    assert long.exists()

    # Not a report: exit 2.
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert run(["apply", str(bad)], capsys)[0] == 2
    assert run(["apply", str(tmp_path / "missing.json")], capsys)[0] == 2


def test_a_cleanup_whose_every_file_changed_since_the_scan_exits_1_like_restore(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    _, copy = pair(lib, 39, "a.png", "b.png")
    status, out, _ = run(["scan", str(lib), "--no-cache", "--format", "json"], capsys)
    assert status == 0
    report = tmp_path / "plan.json"
    report.write_text(out)
    journal = tmp_path / "journal.jsonl"
    # Every file the plan would remove changed since the scan: all skipped, nothing done.
    os.utime(copy, ns=(1_000_000_000, 1_000_000_000))
    before = snapshot(lib)
    for args in (["apply", str(report)], ["apply", str(report), "--dry-run"]):
        status, out, _ = run([*args, "--journal", str(journal)], capsys)
        assert status == 1 and f"skipped: {copy}" in out and "1 skipped" in out
    assert snapshot(lib) == before and trashed(trash_home) == []
    # Nothing marked at all is nothing to do: done as asked.
    doc = json.loads(report.read_text())
    for f in doc["groups"][0]["files"]:
        f["keep"] = True
    report.write_text(json.dumps(doc))
    status, out, _ = run(["apply", str(report), "--journal", str(journal)], capsys)
    assert status == 0 and "nothing to do" in out
    # restore in the same situation (its file is not where the journal says): 1 as well.
    status, out, _ = run(
        ["scan", str(lib), "--no-cache", "--apply", "trash", "--journal", str(journal)], capsys
    )
    assert status == 0 and f"trashed: {copy}" in out
    copy.write_bytes(b"a new file at the old place")
    status, out, _ = run(["restore", "--last", "--journal", str(journal)], capsys)
    assert status == 1 and f"skipped: {copy}" in out


def test_a_csv_report_applies_within_the_folders_of_its_files(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, elsewhere = tmp_path / "lib", tmp_path / "elsewhere"
    keeper, copy = pair(lib / "sub", 38, "a.png", "b.png")
    status, out, _ = run(["scan", str(lib), "--no-cache", "--format", "csv"], capsys)
    plan = tmp_path / "plan.csv"
    plan.write_text(out)
    assert load(str(plan)).roots == (str(lib / "sub"),)
    # The folder moved away and a link took its place: nothing is removed.
    shutil.move(str(lib / "sub"), str(elsewhere))
    (lib / "sub").symlink_to(elsewhere)
    before = snapshot(elsewhere)
    status, out, _ = run(["apply", str(plan), "--journal", str(tmp_path / "j")], capsys)
    assert status == 1 and "skipped:" in out
    assert snapshot(elsewhere) == before and trashed(trash_home) == []
    # Put back: the copy goes.
    (lib / "sub").unlink()
    shutil.move(str(elsewhere), str(lib / "sub"))
    status, out, _ = run(["apply", str(plan), "--journal", str(tmp_path / "j")], capsys)
    assert status == 0 and f"trashed: {copy}" in out
    assert trashed(trash_home) == ["b.png"] and keeper.exists()
