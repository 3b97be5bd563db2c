"""Fault suite, the trash: a trash that fails halfway through a batch.

What the user is told about the file that stayed, what is left in the trash (no record of a
file that is not there), and that the files that did go can be put back.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dedupe_gui.core.actions import (
    CleanupOptions,
    Removal,
    Scope,
    Status,
    apply_removals,
)
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.restore import restore_last
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.core.faults import cli, mounted, read_only_folder, snapshot, trashed
from tests.imaging import photo, save


def test_a_read_only_folder_halfway_fails_that_file_alone_and_leaves_no_ghost_in_the_trash(
    tmp_path: Path, trash_home: Path
) -> None:
    lib = tmp_path / "lib"
    copies = []
    for i, folder in enumerate(["locked", "open"]):
        img = photo(50 + i, (320, 240))
        save(img, lib / "keep" / f"p{i}.png")
        copies.append(save(img.resize((200, 150)), lib / folder / f"p{i}-small.png"))
    locked, loose = copies
    result = run_scan(ScanOptions((str(lib),)))
    groups = group_records(result.records, GroupingOptions(8))
    before = snapshot(lib)
    journal = tmp_path / "journal.jsonl"
    with read_only_folder(locked.parent):
        outcomes = apply_removals(
            [Removal.marked(g) for g in groups],
            CleanupOptions(str(journal), scope=Scope.of(result)),
        )
    by_path = {o.path: o for o in outcomes}
    assert set(by_path) == {str(locked), str(loose)}
    failed = by_path[str(locked)]
    assert failed.status is Status.FAILED and not failed.trash_unavailable
    assert failed.reason.startswith("cannot move it to the trash (")
    assert failed.reason.endswith("); it was left in place")
    assert by_path[str(loose)].status is Status.TRASHED
    trash = trash_home / ".local" / "share" / "Trash"
    assert os.listdir(trash / "files") == [loose.name]
    assert os.listdir(trash / "info") == [f"{loose.name}.trashinfo"]  # no ghost of the other
    # The file that went comes back; the one that stayed was never touched.
    (back,) = restore_last(str(journal))
    assert back.path == str(loose) and back.status.value == "restored"
    assert snapshot(lib) == before


def test_undo_never_puts_a_file_back_through_a_folder_now_a_link(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The inbox became a link to the archive after the cleanup: putting the copy back "in
    the inbox" would put it into the archive."""
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    img = photo(55, (320, 240))
    save(img, archive / "p.png")
    save(img.resize((200, 150)), inbox / "p-small.png")
    journal = str(tmp_path / "journal.jsonl")
    args = ["scan", str(inbox), "--reference", str(archive), "--no-cache", "--journal", journal]
    assert cli([*args, "--apply", "trash"], capsys)[0] == 0
    assert trashed(trash_home) == ["p-small.png"]
    shutil.rmtree(inbox)
    inbox.symlink_to(archive)
    before = snapshot(archive)
    status, out, _ = cli(["restore", "--last", "--journal", journal], capsys)
    assert status == 1
    trash_file = trash_home / ".local" / "share" / "Trash" / "files" / "p-small.png"
    assert out.splitlines()[0] == (
        f"skipped: {inbox / 'p-small.png'}: a folder on its way, {inbox}, is now a link to "
        f"{archive}; it stays at {trash_file}"
    )
    assert snapshot(archive) == before and trashed(trash_home) == ["p-small.png"]
    # Once the inbox is a folder again, it goes back.
    inbox.unlink()
    inbox.mkdir()
    assert cli(["restore", "--last", "--journal", journal], capsys)[0] == 0
    assert (inbox / "p-small.png").exists() and trashed(trash_home) == []


def test_a_file_trashed_through_a_bind_mount_leaves_one_record_in_the_trash(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file cannot be renamed out of a bind mount: send2trash copies it into the trash
    instead, after writing a record under the first name it tried."""
    real, mounted_at = tmp_path / "real", tmp_path / "mnt"
    img = photo(57, (320, 240))
    save(img, real / "p.png")
    save(img.resize((200, 150)), real / "p-small.png")
    mounted_at.mkdir()
    journal = str(tmp_path / "journal.jsonl")
    with mounted(["--bind", str(real)], mounted_at):
        args = ["scan", str(mounted_at), "--no-cache", "--journal", journal, "--apply", "trash"]
        assert cli(args, capsys)[0] == 0
        trash = trash_home / ".local" / "share" / "Trash"
        files = sorted(os.listdir(trash / "files"))
        assert len(files) == 1 and files[0].startswith("p-small")
        assert os.listdir(trash / "info") == [f"{files[0]}.trashinfo"]  # no record of nothing
        assert cli(["restore", "--last", "--journal", journal], capsys)[0] == 0
    assert sorted(os.listdir(real)) == ["p-small.png", "p.png"]
    assert os.listdir(trash / "files") == [] and os.listdir(trash / "info") == []
