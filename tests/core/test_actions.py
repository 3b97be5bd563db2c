"""Cleanup safety: every rule of the brief, with the trash redirected into a temporary HOME."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dedupe_gui.core.actions import (
    CleanupOptions,
    Removal,
    Scope,
    Status,
    TrashUnavailable,
    apply_removals,
    system_trash,
)
from dedupe_gui.core.files import WalkOptions
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import Group
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.imaging import photo, save


def make_group(tmp_path: Path, n: int = 3, reference_dir: Path | None = None) -> Group:
    """One real group on disk: the keeper is the largest copy."""
    lib = tmp_path / "lib"
    base = photo(21, (320, 240))
    for i in range(n):
        scale = 1 - i * 0.2
        save(base.resize((int(320 * scale), int(240 * scale))), lib / f"copy{i}.png")
    roots = [str(lib)]
    refs: tuple[str, ...] = ()
    if reference_dir is not None:
        save(base.resize((200, 150)), reference_dir / "ref.png")
        roots.append(str(reference_dir))
        refs = (str(reference_dir),)
    result = run_scan(ScanOptions(tuple(roots), WalkOptions(references=refs)))
    (group,) = group_records(result.records, GroupingOptions(8))
    return group


def opts(tmp_path: Path, journal: str | None = None, **kw: object) -> CleanupOptions:
    """Cleanup options scoped to the folders ``make_group`` scans."""
    scope = Scope((str(tmp_path / "lib"), str(tmp_path / "ref")), (str(tmp_path / "ref"),))
    return CleanupOptions(journal, scope=scope, **kw)  # type: ignore[arg-type]


def trashed_names(home: Path) -> set[str]:
    files = home / ".local" / "share" / "Trash" / "files"
    return {p.name for p in files.iterdir()} if files.exists() else set()


def test_trash_keeps_the_keeper_and_journals_everything(tmp_path: Path, trash_home: Path) -> None:
    group = make_group(tmp_path)
    journal = tmp_path / "journal.jsonl"
    outcomes = apply_removals([Removal.marked(group)], opts(tmp_path, str(journal)))
    assert [o.status for o in outcomes] == [Status.TRASHED, Status.TRASHED]
    assert os.path.exists(group.suggested_keeper.path)
    assert trashed_names(trash_home) == {"copy1.png", "copy2.png"}
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    # Write-ahead: an intent line before each file is touched, its outcome after.
    assert [(line["phase"], line["outcome"]) for line in lines] == [
        ("intent", None),
        ("outcome", "trashed"),
    ] * 2
    assert [line["path"] for line in lines] == [m.path for m in group.members[1:] for _ in "io"]
    assert {line["keeper"] for line in lines} == {group.suggested_keeper.path}
    assert all(len(line["hash"]) == 16 and line["size"] > 0 for line in lines)


def test_never_every_file_of_a_group(tmp_path: Path, trash_home: Path) -> None:
    group = make_group(tmp_path)
    everything = frozenset(m.path for m in group.members)
    outcomes = apply_removals([Removal(group, everything)], opts(tmp_path))
    assert all(o.status is Status.SKIPPED and "every copy" in o.reason for o in outcomes)
    assert all(os.path.exists(m.path) for m in group.members)


def test_reference_files_are_never_removed(tmp_path: Path, trash_home: Path) -> None:
    group = make_group(tmp_path, n=2, reference_dir=tmp_path / "ref")
    ref = next(m for m in group.members if m.record.reference)
    assert ref.keep
    outcomes = apply_removals(
        [Removal(group, frozenset(m.path for m in group.members if m is not group.members[1]))],
        opts(tmp_path),
    )
    by_path = {o.path: o for o in outcomes}
    assert by_path[ref.path].status is Status.SKIPPED
    assert by_path[ref.path].reason == "in a reference folder"
    assert os.path.exists(ref.path)


def test_changed_and_vanished_files_are_skipped(tmp_path: Path, trash_home: Path) -> None:
    group = make_group(tmp_path, n=3)
    changed, vanished = group.members[1].path, group.members[2].path
    save(photo(99), Path(changed))
    os.remove(vanished)
    outcomes = apply_removals([Removal.marked(group)], opts(tmp_path))
    reasons = {o.path: (o.status, o.reason) for o in outcomes}
    assert reasons[changed] == (Status.SKIPPED, "changed since the scan")
    assert reasons[vanished] == (Status.SKIPPED, "no longer exists")
    assert os.path.exists(changed)


def test_nothing_is_touched_when_the_keeper_changed(tmp_path: Path, trash_home: Path) -> None:
    group = make_group(tmp_path)
    os.remove(group.suggested_keeper.path)
    outcomes = apply_removals([Removal.marked(group)], opts(tmp_path))
    assert all(o.status is Status.SKIPPED and "copy to keep" in o.reason for o in outcomes)
    assert all(os.path.exists(m.path) for m in group.members[1:])


def test_dry_run_touches_nothing_and_writes_no_journal(tmp_path: Path, trash_home: Path) -> None:
    group = make_group(tmp_path)
    journal = tmp_path / "journal.jsonl"
    outcomes = apply_removals([Removal.marked(group)], opts(tmp_path, str(journal), dry_run=True))
    assert [o.status for o in outcomes] == [Status.WOULD_TRASH] * 2
    assert all(os.path.exists(m.path) for m in group.members)
    assert not journal.exists() and trashed_names(trash_home) == set()


def test_one_failure_does_not_stop_the_others(tmp_path: Path, trash_home: Path) -> None:
    group = make_group(tmp_path)
    first = group.members[1].path

    def flaky(path: str) -> None:
        if path == first:
            raise OSError(5, "Input/output error")
        system_trash(path)

    outcomes = apply_removals([Removal.marked(group)], opts(tmp_path), trash=flaky)
    assert [o.status for o in outcomes] == [Status.FAILED, Status.TRASHED]
    assert outcomes[0].reason == "Input/output error"
    assert not outcomes[0].trash_unavailable  # only a missing trash offers deletion
    assert os.path.exists(first)


def test_no_trash_means_no_deletion_unless_explicitly_allowed(
    tmp_path: Path, trash_home: Path
) -> None:
    group = make_group(tmp_path, n=2)

    def no_trash(path: str) -> None:
        raise TrashUnavailable("network drive")

    (outcome,) = apply_removals([Removal.marked(group)], opts(tmp_path), trash=no_trash)
    assert outcome.status is Status.FAILED and "nothing was deleted" in outcome.reason
    assert outcome.trash_unavailable
    assert os.path.exists(outcome.path)
    (outcome,) = apply_removals(
        [Removal.marked(group)],
        opts(tmp_path, None, allow_permanent_delete=True),
        trash=no_trash,
    )
    assert outcome.status is Status.DELETED
    assert not os.path.exists(outcome.path)
    assert os.path.exists(group.suggested_keeper.path)


def test_move_to_a_folder_never_overwrites(tmp_path: Path, trash_home: Path) -> None:
    group = make_group(tmp_path)
    dest = tmp_path / "dupes"
    save(photo(5), dest / "copy1.png")
    outcomes = apply_removals([Removal.marked(group)], opts(tmp_path, None, move_to=str(dest)))
    assert [o.status for o in outcomes] == [Status.MOVED, Status.MOVED]
    assert sorted(p.name for p in dest.iterdir()) == ["copy1 (1).png", "copy1.png", "copy2.png"]


def test_paths_outside_the_group_are_refused(tmp_path: Path, trash_home: Path) -> None:
    group = make_group(tmp_path, n=2)
    stranger = save(photo(3), tmp_path / "elsewhere.png")
    outcomes = apply_removals([Removal(group, frozenset({str(stranger)}))], opts(tmp_path))
    assert outcomes[0].status is Status.SKIPPED and outcomes[0].reason == "not part of this group"
    assert stranger.exists()


@pytest.mark.parametrize("status", list(Status))
def test_status_flags(status: Status) -> None:
    assert status.ok == (status not in (Status.SKIPPED, Status.FAILED))
    assert status.removed == (status in (Status.TRASHED, Status.MOVED, Status.DELETED))


def test_a_stop_leaves_the_remaining_groups_untouched(tmp_path: Path, trash_home: Path) -> None:
    first = make_group(tmp_path / "one")
    second = make_group(tmp_path / "two")
    removals = [Removal.marked(first), Removal.marked(second)]
    trashed: list[str] = []

    def trash(path: str) -> None:
        trashed.append(path)
        system_trash(path)

    # Asked before each group: the stop comes once the first group's files are gone.
    scope = Scope((str(tmp_path / "one" / "lib"), str(tmp_path / "two" / "lib")))
    outcomes = apply_removals(
        removals, CleanupOptions(None, scope=scope), trash, should_stop=lambda: len(trashed) > 0
    )
    assert [o.path for o in outcomes] == [m.path for m in first.members[1:]]
    assert all(o.status is Status.TRASHED for o in outcomes)
    assert all(os.path.exists(m.path) for m in second.members)
