"""Fault suite, file-system side: symlinks, swapped folders, bind mounts, hard links.

Each test reproduces a way a hostile but realistic photo drive once made cleanup remove the
wrong file, and asserts the exact outcome: which files remain (byte-identical), what went to
the (redirected) trash, and the exit status.
"""

from __future__ import annotations

import json
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
    with_quick_digests,
)
from dedupe_gui.core.files import WalkOptions
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.links import LinkOptions, link_copies
from dedupe_gui.core.models import Group
from dedupe_gui.core.roots import RootSet
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.core.faults import cli, mounted, pair, snapshot, trashed
from tests.imaging import photo, save

# -- 1. symbolic links are not followed by default ---------------------------------------------


def test_folder_link_inside_a_scan_is_skipped_and_nothing_outside_is_touched(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s, o = tmp_path / "s", tmp_path / "o"
    img = photo(3, (320, 240))
    save(img.resize((200, 150)), s / "a.jpg")
    save(img, o / "a-large.jpg")
    (s / "l").symlink_to(o)
    (s / "root").symlink_to("/")
    before = snapshot(s, o)
    status, out, _ = cli(["scan", str(s), "--no-cache", "--apply", "trash"], capsys)
    assert status == 0
    assert snapshot(s, o) == before and trashed(trash_home) == []
    assert f"{s / 'l'}: skipped: symbolic link to {o} " in out
    assert f"{s / 'root'}: skipped: symbolic link to / " in out
    assert out.count("symbolic link to") == 2  # each reported once


def test_followed_folder_link_counts_as_a_chosen_folder(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s, o = tmp_path / "s", tmp_path / "o"
    img = photo(3, (320, 240))
    small = save(img.resize((200, 150)), s / "a.jpg")
    large = save(img, o / "a-large.jpg")
    (s / "l").symlink_to(o)
    (s / "root").symlink_to("/")  # followed, it would make the whole machine a chosen folder
    (s / "up").symlink_to("..")
    large_bytes = large.read_bytes()
    status, out, _ = cli(
        ["scan", str(s), "--no-cache", "--follow-links", "--apply", "trash"], capsys
    )
    assert status == 0, out
    assert f"{s / 'root'}: skipped: symbolic link to /, a folder that holds it" in out
    assert f"{s / 'up'}: skipped: symbolic link to {tmp_path}, a folder that holds it" in out
    assert trashed(trash_home) == ["a.jpg"] and not small.exists()
    assert large.read_bytes() == large_bytes


def test_a_file_link_is_never_keeper_nor_target(tmp_path: Path, trash_home: Path) -> None:
    s, o = tmp_path / "s", tmp_path / "o"
    img = photo(4, (320, 240))
    save(img.resize((200, 150)), s / "a.jpg")
    save(img, o / "big.jpg")
    (s / "big-link.jpg").symlink_to(o / "big.jpg")
    for follow in (False, True):
        result = run_scan(ScanOptions((str(s),), WalkOptions(follow_links=follow)))
        assert [r.path for r in result.records] == [str(s / "a.jpg")]
        assert [e.path for e in result.errors] == [str(s / "big-link.jpg")]


# -- 2. re-validation at the moment of acting ----------------------------------------------------


def scan_group(*roots: Path, references: tuple[Path, ...] = ()) -> tuple[Group, Scope]:
    refs = tuple(str(r) for r in references)
    result = run_scan(ScanOptions(tuple(str(r) for r in roots), WalkOptions(references=refs)))
    (group,) = group_records(result.records, GroupingOptions(8))
    return group, Scope.of(result)


def test_saved_plan_after_inbox_became_a_link_to_the_archive(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    save(photo(5, (320, 240)), archive / "a.jpg")
    shutil.copy2(archive / "a.jpg", tmp_path / "a-copy.jpg")
    (inbox).mkdir()
    shutil.copy2(archive / "a.jpg", inbox / "a.jpg")
    report = tmp_path / "plan.json"
    status, out, _ = cli(
        ["scan", str(inbox), "--reference", str(archive), "--no-cache", "--format", "json"],
        capsys,
    )
    assert status == 0
    report.write_text(out)
    doc = json.loads(out)
    assert [f["keep"] for f in doc["groups"][0]["files"]] == [True, False]
    shutil.rmtree(inbox)
    inbox.symlink_to(archive)
    before = snapshot(archive)
    status, out, _ = cli(["apply", str(report), "--journal", str(tmp_path / "j")], capsys)
    assert status == 1  # skipped: not done as asked
    assert snapshot(archive) == before and trashed(trash_home) == []
    assert f"skipped: {inbox / 'a.jpg'}: same physical file as the copy to keep" in out


def test_keeper_replaced_by_a_link_to_its_duplicate(tmp_path: Path, trash_home: Path) -> None:
    lib = tmp_path / "lib"
    keeper, copy = pair(lib, 6, "keeper.png", "copy.png")
    group, scope = scan_group(lib)
    assert group.suggested_keeper.path == str(keeper)
    keeper.unlink()
    keeper.symlink_to(copy)
    before = snapshot(lib)
    (out,) = apply_removals([Removal.marked(group)], CleanupOptions(None, scope=scope))
    assert out.status is Status.SKIPPED
    assert out.reason == f"the copy to keep ({keeper}) is a symbolic link now"
    assert snapshot(lib) == before and trashed(trash_home) == []


@pytest.mark.parametrize("recorded", ["head-and-tail digest", "fingerprint only"])
def test_keeper_replaced_by_another_picture_of_the_same_size_and_mtime(
    tmp_path: Path, trash_home: Path, recorded: str
) -> None:
    lib = tmp_path / "lib"
    keeper, _copy = pair(lib, 7, "keeper.png", "copy.png")
    group, scope = scan_group(lib)
    if recorded == "head-and-tail digest":
        (group,) = with_quick_digests([group])
        assert group.suggested_keeper.record.quick
    st = keeper.stat()
    other = save(photo(70, (320, 240)), tmp_path / "other.png").read_bytes()
    padded = (other + b"\0" * st.st_size)[: st.st_size]  # same size, another picture
    keeper.write_bytes(padded)
    os.utime(keeper, ns=(st.st_atime_ns, st.st_mtime_ns))  # touch -r
    before = snapshot(lib)
    (out,) = apply_removals([Removal.marked(group)], CleanupOptions(None, scope=scope))
    assert out.status is Status.SKIPPED
    assert out.reason == f"the copy to keep ({keeper}) content changed since the scan"
    assert snapshot(lib) == before and trashed(trash_home) == []


def test_target_changed_in_place_with_forged_mtime_is_skipped(
    tmp_path: Path, trash_home: Path
) -> None:
    lib = tmp_path / "lib"
    img = photo(8, (320, 240))
    save(img, lib / "a.png")
    shutil.copy2(lib / "a.png", lib / "b.png")  # an exact copy: the scan takes full digests
    group, scope = scan_group(lib)
    target = Path(group.members[1].path)
    assert group.members[1].record.digest
    st = target.stat()
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte in the middle: head and tail unchanged
    target.write_bytes(bytes(data))
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    before = snapshot(lib)
    (out,) = apply_removals([Removal.marked(group)], CleanupOptions(None, scope=scope))
    assert (out.status, out.reason) == (Status.SKIPPED, "content changed since the scan")
    assert snapshot(lib) == before and trashed(trash_home) == []


def test_target_moved_out_of_the_chosen_folders_is_skipped(
    tmp_path: Path, trash_home: Path
) -> None:
    lib, elsewhere = tmp_path / "lib", tmp_path / "elsewhere"
    keeper, _copy = pair(lib / "sub", 9, "keeper.png", "copy.png")
    group, _ = scan_group(lib)
    # The scope names only "sub/.." as it is now: the subfolder became a link elsewhere.
    shutil.move(str(lib / "sub"), str(elsewhere))
    (lib / "sub").symlink_to(elsewhere)
    before = snapshot(elsewhere)
    outcomes = apply_removals(
        [Removal.marked(group)], CleanupOptions(None, scope=Scope((str(lib),)))
    )
    assert [(o.status, o.reason) for o in outcomes] == [
        (Status.SKIPPED, f"the copy to keep ({keeper}) is no longer inside a chosen folder")
    ]
    assert snapshot(elsewhere) == before and trashed(trash_home) == []


def test_never_the_last_copy_even_when_the_keeper_vanishes_midway(
    tmp_path: Path, trash_home: Path
) -> None:
    lib = tmp_path / "lib"
    img = photo(10, (320, 240))
    keeper = save(img, lib / "a.png")
    save(img.resize((300, 225)), lib / "b.png")
    save(img.resize((280, 210)), lib / "c.png")
    group, scope = scan_group(lib)
    assert group.suggested_keeper.path == str(keeper)

    def trash_then_lose_keeper(path: str) -> None:
        from dedupe_gui.core.actions import system_trash

        system_trash(path)
        keeper.unlink()  # the copy to keep disappears after the first removal

    outcomes = apply_removals(
        [Removal.marked(group)], CleanupOptions(None, scope=scope), trash_then_lose_keeper
    )
    assert [o.status for o in outcomes] == [Status.TRASHED, Status.SKIPPED]
    assert "the copy to keep" in outcomes[1].reason and "no longer exists" in outcomes[1].reason
    assert (lib / "c.png").exists()


def test_a_plan_without_known_folders_removes_nothing(tmp_path: Path, trash_home: Path) -> None:
    lib = tmp_path / "lib"
    pair(lib, 11, "keeper.png", "copy.png")
    group, _ = scan_group(lib)
    (out,) = apply_removals([Removal.marked(group)], CleanupOptions(None))
    assert (out.status, out.reason) == (
        Status.SKIPPED,
        "refused: the chosen folders are not known",
    )


@pytest.mark.parametrize("spelling", ["as given", "through a link", "with a trailing slash"])
def test_copies_are_never_moved_into_a_reference_folder(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str], spelling: str
) -> None:
    """There they would be protected, and kept before the original on the next scan."""
    lib, archive = tmp_path / "lib", tmp_path / "archive"
    pair(lib, 12, "keeper.png", "copy.png")
    archive.mkdir()
    dest = str(archive / "dupes")
    if spelling == "through a link":
        (tmp_path / "to-archive").symlink_to(archive)
        dest = str(tmp_path / "to-archive" / "dupes")
    elif spelling == "with a trailing slash":
        dest += "/"
    before = snapshot(lib, archive)
    args = ["scan", str(lib), "--reference", str(archive), "--no-cache"]
    status, _, err = cli([*args, "--apply", "move", "--move-to", dest], capsys)
    assert status == 2
    assert err.startswith(f"dedupe-gui: cannot move the copies into {dest}: it lies in a ")
    assert err.rstrip().endswith("nothing was touched")
    assert snapshot(lib, archive) == before and not (archive / "dupes").exists()
    # A folder outside the reference folders is fine.
    status, _, _ = cli([*args, "--apply", "move", "--move-to", str(tmp_path / "dupes")], capsys)
    assert status == 0 and (tmp_path / "dupes" / "copy.png").exists()


def test_the_listing_before_a_move_says_move(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    keeper, copy = pair(lib, 13, "keeper.png", "copy.png")
    dest = str(tmp_path / "dupes")
    args = ["scan", str(lib), "--no-cache", "--apply", "move", "--move-to", dest, "--dry-run"]
    status, out, _ = cli(args, capsys)
    assert status == 0
    (line,) = [x for x in out.splitlines() if f" {copy}  (" in x]
    assert line.startswith("  move ")
    assert f"would move: {copy}" in out and keeper.exists() and copy.exists()


# -- 4. one folder through two paths; hard links ----------------------------------------------


def test_reference_folder_through_a_bind_mount_is_reference(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    _keeper, _copy = pair(archive, 12, "a.png", "a-small.png")
    (inbox / "view").mkdir(parents=True)
    with mounted(["--bind", str(archive)], inbox / "view"):
        assert RootSet([str(archive)]).contains(str(inbox / "view" / "a-small.png"))
        before = snapshot(archive)
        # Scanning the inbox alone, the archive's files are seen only through the mount.
        status, out, _ = cli(
            ["scan", str(inbox), "--reference", str(archive), "--no-cache", "--apply", "trash"],
            capsys,
        )
        assert status == 0, out
        assert snapshot(archive) == before and trashed(trash_home) == []
        # Scanned through the mount with the archive as reference: all reference.
        result = run_scan(
            ScanOptions((str(inbox / "view"),), WalkOptions(references=(str(archive),)))
        )
        assert [r.reference for r in result.records] == [True, True]
        # A plan made without the reference (or before the mount), applied now: the
        # reference is taken as the disk is now, by folder identity.
        group, _ = scan_group(inbox / "view")
        scope = Scope((str(inbox / "view"),), (str(archive),))
        (outcome,) = apply_removals([Removal.marked(group)], CleanupOptions(None, scope=scope))
        assert (outcome.status, outcome.reason) == (Status.SKIPPED, "in a reference folder")
        assert snapshot(archive) == before and trashed(trash_home) == []


def test_hard_link_of_a_reference_file_is_reference(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    img = photo(13, (320, 240))
    ref = save(img.resize((200, 150)), archive / "a.png")
    inbox.mkdir()
    os.link(ref, inbox / "a-link.png")
    bigger = save(img, inbox / "a-big.png")
    before = snapshot(archive, inbox)
    status, out, _ = cli(
        ["scan", str(inbox), "--reference", str(archive), "--no-cache", "--apply", "trash"],
        capsys,
    )
    assert status == 0
    # The reference copy is kept (the link is that same file, found as reference); the
    # bigger non-reference copy goes.
    assert trashed(trash_home) == ["a-big.png"]
    del before[str(bigger)]
    assert snapshot(archive, inbox) == before
    assert str(inbox / "a-link.png") not in out  # one physical file: found as reference
    save(img, bigger)
    before = snapshot(archive, inbox)

    # A plan naming the link as a target (edited, or made before the link existed).
    group, _ = scan_group(inbox)
    link = next(m for m in group.members if m.path == str(inbox / "a-link.png"))
    assert group.suggested_keeper.path == str(bigger)
    scope = Scope((str(inbox),), (str(archive),))
    (out_,) = apply_removals(
        [Removal(group, frozenset({link.path}))], CleanupOptions(None, scope=scope)
    )
    assert (out_.status, out_.reason) == (
        Status.SKIPPED,
        "a hard link of a file in a reference folder",
    )
    assert snapshot(archive, inbox) == before


def test_trashing_a_hard_link_says_it_frees_nothing(tmp_path: Path, trash_home: Path) -> None:
    lib, other = tmp_path / "lib", tmp_path / "other"
    keeper, copy = pair(lib, 14, "keeper.png", "copy.png")
    other.mkdir()
    os.link(copy, other / "copy-elsewhere.png")
    group, scope = scan_group(lib)
    (out,) = apply_removals([Removal.marked(group)], CleanupOptions(None, scope=scope))
    assert out.status is Status.TRASHED and out.bytes == 0
    assert out.reason == "frees no space: a hard link, 1 other name(s) keep the data"
    assert (other / "copy-elsewhere.png").exists() and keeper.exists()


def test_keeper_and_target_one_physical_file_is_refused(tmp_path: Path, trash_home: Path) -> None:
    lib = tmp_path / "lib"
    keeper = save(photo(15, (320, 240)), lib / "a.png")
    copy = lib / "b.png"
    shutil.copy2(keeper, copy)  # an exact copy, same size and mtime
    group, scope = scan_group(lib)
    assert group.suggested_keeper.path == str(keeper)
    copy.unlink()
    os.link(keeper, copy)  # the "copy" is now another name of the keeper
    (out,) = apply_removals([Removal.marked(group)], CleanupOptions(None, scope=scope))
    assert (out.status, out.reason) == (
        Status.SKIPPED,
        f"same physical file as the copy to keep ({keeper})",
    )
    assert keeper.exists() and copy.exists() and trashed(trash_home) == []


def test_an_untouched_file_is_rechecked_without_reading_it(
    tmp_path: Path, trash_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan notes the inode change time; while it has not moved, the content check of a
    near-copy reads nothing (a window cleanup of thousands of files decodes none again)."""
    lib = tmp_path / "lib"
    keeper, copy = pair(lib, 16, "keeper.png", "copy.png")
    group, scope = scan_group(lib)
    assert all(m.record.change_ns for m in group.members)
    import dedupe_gui.core.fingerprint as fingerprint

    def no_decode(path: str, budget: object = None) -> object:
        raise AssertionError(f"decoded {path} again")

    monkeypatch.setattr(fingerprint, "fingerprint_file", no_decode)
    (out,) = apply_removals([Removal.marked(group)], CleanupOptions(None, scope=scope))
    assert out.status is Status.TRASHED and trashed(trash_home) == ["copy.png"]
    assert keeper.exists() and not copy.exists()


def test_hard_linking_copies_respects_the_folders_as_they_are_now(
    tmp_path: Path, trash_home: Path
) -> None:
    lib, archive = tmp_path / "lib", tmp_path / "archive"
    keeper = save(photo(17, (320, 240)), lib / "a.png")
    (lib / "sub").mkdir()
    shutil.copy2(keeper, lib / "sub" / "b.png")
    group, _ = scan_group(lib)
    assert [m.identical for m in group.members] == [False, True]
    # The subfolder becomes the archive (a reference folder), reached through a link.
    shutil.move(str(lib / "sub"), str(archive))
    (lib / "sub").symlink_to(archive)
    before = snapshot(archive)
    scope = Scope((str(lib),), (str(archive),))
    (out,) = link_copies([group], LinkOptions(None, scope=scope))
    assert (out.status, out.reason) == (Status.SKIPPED, "in a reference folder")
    assert snapshot(archive) == before and os.stat(archive / "b.png").st_nlink == 1
