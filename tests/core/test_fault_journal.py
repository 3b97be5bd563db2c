"""Fault suite, the journal: a journal that cannot be written, from the start or midway,
while trashing, linking or putting files back.

The rule: nothing is touched once the journal cannot say so, and whatever was done before
the stop still reaches the user, file by file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dedupe_gui.core.actions import (
    CleanupOptions,
    CleanupStopped,
    Outcome,
    Removal,
    Scope,
    Status,
    apply_removals,
    system_trash,
)
from dedupe_gui.core.files import WalkOptions
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.links import LinkOptions, link_copies
from dedupe_gui.core.models import Group
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.core.faults import cli, journal_fills_up, mounted, snapshot, trashed
from tests.imaging import photo, save


def _exact_copies(lib: Path, n: int) -> list[tuple[Path, Path]]:
    """``n`` pictures, each with a byte-identical copy in another folder."""
    pairs = []
    for i in range(n):
        a = save(photo(40 + i, (320, 240)), lib / "a" / f"p{i}.png")
        b = lib / "b" / f"p{i}.png"
        b.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(a, b)
        pairs.append((a, b))
    return pairs


def _groups(lib: Path) -> tuple[list[Group], Scope]:
    result = run_scan(ScanOptions((str(lib),), WalkOptions()))
    groups = group_records(result.records, GroupingOptions(8))
    assert all(m.identical for g in groups for m in g.members[1:])
    return groups, Scope.of(result)


def test_linking_with_an_unwritable_journal_touches_nothing_and_says_why(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    _exact_copies(lib, 2)
    folder = tmp_path / "journal-is-a-folder"
    folder.mkdir()
    args = ["scan", str(lib), "--no-cache", "--apply", "link", "--journal", str(folder)]
    status, _, err = cli(args, capsys)
    assert status == 2
    assert err.startswith(f"dedupe-gui: cannot write the journal {folder}")
    assert "nothing was touched" in err
    assert all(os.stat(p).st_nlink == 1 for p in lib.rglob("*.png"))


def test_a_journal_that_fills_up_while_linking_stops_after_the_copy_it_recorded(
    tmp_path: Path, trash_home: Path
) -> None:
    lib = tmp_path / "lib"
    (_, b0), (_, b1) = _exact_copies(lib, 2)
    groups, scope = _groups(lib)
    journal = tmp_path / "journal.jsonl"
    seen: list[Outcome] = []

    def reported(out: Outcome) -> None:
        seen.append(out)
        journal_fills_up(journal)  # the disk is full from here on

    with pytest.raises(CleanupStopped) as stopped:
        link_copies(groups, LinkOptions(str(journal), scope=scope), on_outcome=reported)
    assert "cannot write the journal" in str(stopped.value)
    (done,) = stopped.value.outcomes
    assert done.status is Status.LINKED and seen == [done]
    linked = [p for p in (b0, b1) if p.stat().st_nlink == 2]
    assert [str(p) for p in linked] == [done.path]  # the other copy was not touched


def test_a_file_trashed_as_the_journal_fills_up_is_still_reported(
    tmp_path: Path, trash_home: Path
) -> None:
    lib = tmp_path / "lib"
    _exact_copies(lib, 2)
    groups, scope = _groups(lib)
    journal = tmp_path / "journal.jsonl"
    seen: list[Outcome] = []

    def trash(path: str) -> None:
        system_trash(path)
        journal_fills_up(journal)  # between the file leaving and its outcome line

    with pytest.raises(CleanupStopped) as stopped:
        apply_removals(
            [Removal.marked(g) for g in groups],
            CleanupOptions(str(journal), scope=scope),
            trash,
            seen.append,
        )
    assert "cannot write the journal" in str(stopped.value)
    (done,) = stopped.value.outcomes
    assert done.status is Status.TRASHED and seen == [done]
    assert trashed(trash_home) == [os.path.basename(done.path)]
    assert len(snapshot(lib)) == 3  # one copy left, the other pair untouched


def test_restore_with_a_read_only_journal_puts_every_file_back_and_says_so(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, disk = tmp_path / "lib", tmp_path / "disk"
    _exact_copies(lib, 2)
    disk.mkdir()
    before = snapshot(lib)
    journal = disk / "journal.jsonl"
    with mounted(["-t", "tmpfs", "-o", "size=1m", "tmpfs"], disk):
        args = ["scan", str(lib), "--no-cache", "--apply", "trash", "--journal", str(journal)]
        assert cli(args, capsys)[0] == 0
        assert len(trashed(trash_home)) == 2
        remount = ["mount", "-o", "remount,ro", str(disk)]
        assert subprocess.run(remount, capture_output=True).returncode == 0
        status, out, _ = cli(["restore", "--last", "--journal", str(journal)], capsys)
    assert status == 0
    lines = out.splitlines()
    assert len(lines) == 3 and lines[-1] == "2 restored."
    for line in lines[:2]:
        assert line.startswith("restored: ")
        assert line.endswith("; the journal could not record this (Read-only file system)")
    assert snapshot(lib) == before and trashed(trash_home) == []


def test_two_cleanups_with_crossed_choices_never_remove_both_copies(
    tmp_path: Path, trash_home: Path
) -> None:
    """A second window (or a command) cleaning the same library with the other copy kept,
    started while the first is between its re-checks and the trash: it is refused."""
    lib = tmp_path / "lib"
    ((a, b),) = _exact_copies(lib, 1)
    (group,), scope = _groups(lib)
    journal = str(tmp_path / "journal.jsonl")
    refused: list[str] = []

    def trash_while_another_starts(path: str) -> None:
        # The first cleanup has checked that ``a`` stays and is about to trash ``b``; the
        # second one, keeping ``b``, would trash ``a``.
        try:
            apply_removals(
                [Removal(group, frozenset({str(a)}))], CleanupOptions(journal, scope=scope)
            )
        except CleanupStopped as exc:
            refused.append(str(exc))
        system_trash(path)

    (out,) = apply_removals(
        [Removal(group, frozenset({str(b)}))],
        CleanupOptions(journal, scope=scope),
        trash_while_another_starts,
    )
    assert out.status is Status.TRASHED and out.path == str(b)
    (message,) = refused
    assert message.startswith(f"another cleanup is running with the journal {journal}")
    assert message.endswith("nothing was touched")
    assert a.exists() and trashed(trash_home) == [b.name]
    # Once the first has finished, the second sees its keeper gone and leaves ``a`` be.
    (late,) = apply_removals(
        [Removal(group, frozenset({str(a)}))], CleanupOptions(journal, scope=scope)
    )
    assert late.status is Status.SKIPPED and a.exists()
