"""Restore: files go back to their places from the trash (or a move), never over a file."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dedupe_gui.cli import main
from dedupe_gui.core.actions import CleanupOptions, Removal, Scope, Status, apply_removals
from dedupe_gui.core.cleanup_history import Removed, parse_since, read_journal, select
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import Group
from dedupe_gui.core.restore import RestoreStatus, parse_recycle_record, restore_last
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.imaging import photo, save


def library(root: Path, seed: int = 11) -> Group:
    """A Live photo and a smaller copy of it with its own video, as one group."""
    img = photo(seed, (320, 240))
    save(img, root / "keep" / "IMG_0001.JPG")
    (root / "keep" / "IMG_0001.MOV").write_bytes(os.urandom(3000))
    save(img.resize((160, 120)), root / "copy" / "IMG_0001.JPG")
    (root / "copy" / "IMG_0001.MOV").write_bytes(os.urandom(3000))
    result = run_scan(ScanOptions((str(root / "keep"), str(root / "copy"))))
    (group,) = group_records(result.records, GroupingOptions(8))
    return group


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def trash_dir(home: Path) -> Path:
    return home / ".local" / "share" / "Trash"


def cleanup(root: Path, journal: Path, seed: int = 11) -> tuple[Group, dict[str, bytes]]:
    group = library(root, seed)
    before = snapshot(root)
    outcomes = apply_removals(
        [Removal.marked(group)], CleanupOptions(str(journal), scope=Scope((str(root),)))
    )
    assert [o.status for o in outcomes] == [Status.TRASHED, Status.TRASHED]
    return group, before


def test_restore_last_puts_every_file_back_byte_for_byte(tmp_path: Path, trash_home: Path) -> None:
    root, journal = tmp_path / "lib", tmp_path / "journal.jsonl"
    _, before = cleanup(root, journal)
    assert not (root / "copy" / "IMG_0001.MOV").exists()
    outcomes = restore_last(str(journal))
    assert {os.path.basename(o.path): o.status for o in outcomes} == {
        "IMG_0001.JPG": RestoreStatus.RESTORED,
        "IMG_0001.MOV": RestoreStatus.RESTORED,
    }
    assert snapshot(root) == before
    assert list((trash_dir(trash_home) / "info").iterdir()) == []
    assert list((trash_dir(trash_home) / "files").iterdir()) == []
    lines = [json.loads(x) for x in journal.read_text().splitlines()]
    assert [x["outcome"] for x in lines if x["action"] == "restore"] == ["restored"] * 2
    # Done once: a second undo finds nothing left of that cleanup, and never reaches back
    # to an older one.
    assert restore_last(str(journal)) == []


def test_restore_never_overwrites_a_file_now_at_that_place(
    tmp_path: Path, trash_home: Path
) -> None:
    root, journal = tmp_path / "lib", tmp_path / "journal.jsonl"
    cleanup(root, journal)
    newcomer = root / "copy" / "IMG_0001.JPG"
    newcomer.write_bytes(b"a new file with the old name")
    outcomes = restore_last(str(journal))
    by_name = {os.path.basename(o.path): o for o in outcomes}
    jpg = by_name["IMG_0001.JPG"]
    assert jpg.status is RestoreStatus.SKIPPED
    assert "now exists" in jpg.reason and str(trash_dir(trash_home)) in jpg.reason
    assert newcomer.read_bytes() == b"a new file with the old name"
    assert os.path.exists(jpg.source)  # still in the trash, where the message says
    assert by_name["IMG_0001.MOV"].status is RestoreStatus.RESTORED
    # The skipped one can be put back later, once its place is free.
    newcomer.unlink()
    (again,) = restore_last(str(journal))
    assert again.status is RestoreStatus.RESTORED and newcomer.exists()


def test_a_file_changed_in_the_trash_is_not_taken_for_the_removed_one(
    tmp_path: Path, trash_home: Path
) -> None:
    root, journal = tmp_path / "lib", tmp_path / "journal.jsonl"
    cleanup(root, journal)
    (trash_dir(trash_home) / "files" / "IMG_0001.MOV").write_bytes(b"other")
    outcomes = {os.path.basename(o.path): o for o in restore_last(str(journal))}
    assert outcomes["IMG_0001.MOV"].status is RestoreStatus.FAILED
    assert "not the one removed" in outcomes["IMG_0001.MOV"].reason
    assert not (root / "copy" / "IMG_0001.MOV").exists()
    assert outcomes["IMG_0001.JPG"].status is RestoreStatus.RESTORED


def test_an_emptied_trash_says_so(tmp_path: Path, trash_home: Path) -> None:
    root, journal = tmp_path / "lib", tmp_path / "journal.jsonl"
    cleanup(root, journal)
    for folder in ("files", "info"):
        for p in (trash_dir(trash_home) / folder).iterdir():
            p.unlink()
    outcomes = restore_last(str(journal))
    assert all(o.status is RestoreStatus.FAILED for o in outcomes)
    assert all("not found in the trash" in o.reason for o in outcomes)


def test_restore_a_move(tmp_path: Path, trash_home: Path) -> None:
    root, journal = tmp_path / "lib", tmp_path / "journal.jsonl"
    group = library(root)
    before = snapshot(root)
    apply_removals(
        [Removal.marked(group)],
        CleanupOptions(str(journal), move_to=str(tmp_path / "dupes"), scope=Scope((str(root),))),
    )
    assert len(list((tmp_path / "dupes").iterdir())) == 2
    outcomes = restore_last(str(journal))
    assert [o.status for o in outcomes] == [RestoreStatus.RESTORED] * 2
    assert snapshot(root) == before
    assert list((tmp_path / "dupes").iterdir()) == []


def test_the_same_name_trashed_twice_comes_back_as_the_right_version(
    tmp_path: Path, trash_home: Path
) -> None:
    root, journal = tmp_path / "lib", tmp_path / "journal.jsonl"
    cleanup(root, journal, seed=11)
    first = (trash_dir(trash_home) / "files" / "IMG_0001.JPG").read_bytes()
    for p in root.rglob("*"):
        if p.is_file():
            p.unlink()
    _, before = cleanup(root, journal, seed=12)  # a second cleanup, other pictures
    outcomes = restore_last(str(journal))
    assert all(o.status is RestoreStatus.RESTORED for o in outcomes)
    assert snapshot(root) == before
    # The first cleanup's copy is still in the trash, under the name the trash gave it.
    left = [p.read_bytes() for p in (trash_dir(trash_home) / "files").iterdir()]
    assert first in left


def test_selection_by_time_run_and_path(tmp_path: Path) -> None:
    t0 = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
    entries = [
        Removed(t0, "r1", "trash", "/a/1.jpg", 1, None, None),
        Removed(t0 + timedelta(hours=1), "r2", "trash", "/a/2.jpg", 1, None, None),
        Removed(t0 + timedelta(hours=2), "r3", "trash", "/a/1.jpg", 1, None, None),
    ]
    assert [e.run for e in select(entries, last=True)] == ["r3"]
    assert [e.run for e in select(entries, since=t0 + timedelta(minutes=30))] == ["r2", "r3"]
    assert [e.run for e in select(entries, runs=["r1"])] == ["r1"]
    assert [e.run for e in select(entries, paths=["/a/1.jpg"])] == ["r3"]  # the latest
    assert select(entries, {("r3", "/a/1.jpg")}, last=True) == []


def test_parse_since() -> None:
    now = datetime(2026, 12, 2, 12, tzinfo=timezone.utc)
    assert parse_since("2h", now) == now - timedelta(hours=2)
    assert parse_since("3d", now) == now - timedelta(days=3)
    assert parse_since("2026-12-01T08:00+00:00", now) == datetime(
        2026, 12, 1, 8, tzinfo=timezone.utc
    )
    with pytest.raises(ValueError, match="not a time"):
        parse_since("yesterday-ish", now)


def test_journal_lines_that_cannot_be_read_are_skipped(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    good = {
        "time": "2026-12-01T10:00:00+00:00",
        "run": "r1",
        "action": "trash",
        "phase": "outcome",
        "path": "/a/1.jpg",
        "size": 5,
        "outcome": "trashed",
    }
    intent = dict(good, phase="intent", outcome=None)
    journal.write_text(json.dumps(intent) + "\n" + json.dumps(good) + "\n" + '{"time": "2026-1')
    removed, restored = read_journal(str(journal))
    assert [(r.run, r.path, r.size) for r in removed] == [("r1", "/a/1.jpg", 5)]
    assert restored == set()


def test_windows_recycle_records() -> None:
    path = "C:\\Users\\me\\Pictures\\IMG_0001.JPG"
    encoded = (path + "\0").encode("utf-16-le")
    v2 = (2).to_bytes(8, "little") + bytes(16) + (len(path) + 1).to_bytes(4, "little") + encoded
    v1 = (1).to_bytes(8, "little") + bytes(16) + encoded.ljust(520, b"\0")
    assert parse_recycle_record(v2) == path
    assert parse_recycle_record(v1) == path
    assert parse_recycle_record(b"short") is None


def test_cli_restore(tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, journal = tmp_path / "lib", tmp_path / "journal.jsonl"
    cleanup(root, journal)
    assert main(["restore", "--list", "--journal", str(journal)]) == 0
    assert "2 files" in capsys.readouterr().out
    assert main(["restore", "--last", "--dry-run", "--journal", str(journal)]) == 0
    assert "2 would restore" in capsys.readouterr().out
    assert not (root / "copy" / "IMG_0001.JPG").exists()
    assert main(["restore", str(root / "copy" / "IMG_0001.MOV"), "--journal", str(journal)]) == 0
    assert (root / "copy" / "IMG_0001.MOV").exists()
    (root / "copy" / "IMG_0001.JPG").write_bytes(b"new")
    assert main(["restore", "--since", "1h", "--journal", str(journal)]) == 1
    assert "skipped" in capsys.readouterr().out
    assert main(["restore", "--journal", str(journal)]) == 2


def test_restore_from_the_trash_of_another_drive(tmp_path: Path, trash_home: Path) -> None:
    """On a drive other than the home folder's, files go to ``.Trash-<uid>`` at its top, whose
    records name them relative to that top; they come back from there."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system to test with")
    root = Path(os.path.realpath(shm)) / f"restore-test-{os.getpid()}-{tmp_path.name}"
    drive_trash = shm / f".Trash-{os.getuid()}"
    ours = not drive_trash.exists()
    journal = tmp_path / "journal.jsonl"
    try:
        _, before = cleanup(root, journal)
        outcomes = restore_last(str(journal))
        assert [o.status for o in outcomes] == [RestoreStatus.RESTORED] * 2
        assert all(o.source.startswith(str(drive_trash)) for o in outcomes)
        assert snapshot(root) == before
        assert not any(os.path.exists(o.source) for o in outcomes)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        if ours:
            shutil.rmtree(drive_trash, ignore_errors=True)
