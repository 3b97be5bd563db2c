"""Exact copies become hard links to the keeper: byte-identical ones only, on one file system."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dedupe_gui.cli import main
from dedupe_gui.core.actions import Status
from dedupe_gui.core.files import WalkOptions
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.links import LinkOptions, link_copies
from dedupe_gui.core.models import Group
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.imaging import photo, save


def scan_groups(*roots: Path, references: tuple[Path, ...] = ()) -> list[Group]:
    result = run_scan(
        ScanOptions(
            tuple(str(r) for r in roots), WalkOptions(references=tuple(str(r) for r in references))
        )
    )
    return group_records(result.records, GroupingOptions(8))


def library(root: Path) -> tuple[Path, Path, Path]:
    """keeper.png, an exact copy and a resized (near) copy."""
    img = photo(31, (320, 240))
    keeper = save(img, root / "a" / "keeper.png")
    copy = root / "b" / "copy_of_keeper.png"
    copy.parent.mkdir(parents=True)
    shutil.copy2(keeper, copy)
    near = save(img.resize((300, 225)), root / "c" / "near.png")
    return keeper, copy, near


def test_exact_copies_become_links_and_near_copies_stay(tmp_path: Path) -> None:
    keeper, copy, near = library(tmp_path / "lib")
    near_bytes, copy_bytes = near.read_bytes(), copy.read_bytes()
    journal = tmp_path / "journal.jsonl"
    (group,) = scan_groups(tmp_path / "lib")
    assert group.members[0].path == str(keeper)
    outcomes = link_copies([group], LinkOptions(str(journal)))
    assert [(o.path, o.status) for o in outcomes] == [(str(copy), Status.LINKED)]
    assert outcomes[0].bytes == len(copy_bytes)
    assert os.path.samefile(keeper, copy)
    assert copy.read_bytes() == copy_bytes  # the path still works, same bytes
    assert not os.path.samefile(keeper, near) and near.read_bytes() == near_bytes
    assert [p.name for p in copy.parent.iterdir()] == ["copy_of_keeper.png"]  # no temporary left
    lines = [json.loads(x) for x in journal.read_text().splitlines()]
    assert [(x["action"], x["phase"], x["outcome"]) for x in lines] == [
        ("link", "intent", None),
        ("link", "outcome", "linked"),
    ]
    # Done once: to a second scan the two names are one file, and only the near copy is left.
    (regroup,) = scan_groups(tmp_path / "lib")
    assert len(regroup.members) == 2
    assert link_copies([regroup], LinkOptions(None)) == []


def test_content_that_differs_despite_the_scan_is_not_linked(tmp_path: Path) -> None:
    keeper, copy, _ = library(tmp_path / "lib")
    (group,) = scan_groups(tmp_path / "lib")
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, same time: only a full compare can tell
    st = copy.stat()
    copy.write_bytes(bytes(data))
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns))
    (out,) = link_copies([group], LinkOptions(None))
    assert out.status is Status.SKIPPED and "contents differ" in out.reason
    assert copy.read_bytes() == bytes(data) and not os.path.samefile(keeper, copy)


def test_reference_files_and_dry_runs_are_left_alone(tmp_path: Path) -> None:
    keeper, copy, _ = library(tmp_path / "lib")
    before = copy.read_bytes()
    (group,) = scan_groups(tmp_path / "lib")
    (dry,) = link_copies([group], LinkOptions(None, dry_run=True))
    assert dry.status is Status.WOULD_LINK and not os.path.samefile(keeper, copy)
    ref = tmp_path / "ref"
    ref.mkdir()
    shutil.copy2(keeper, ref / "ref.png")
    shutil.copy2(keeper, ref / "ref_copy.png")
    inodes = {p: os.stat(p).st_ino for p in (ref / "ref.png", ref / "ref_copy.png")}
    groups = scan_groups(tmp_path / "lib", ref, references=(ref,))
    outcomes = {o.path: o for o in link_copies(groups, LinkOptions(None))}
    assert outcomes[str(ref / "ref_copy.png")].status is Status.SKIPPED
    assert outcomes[str(ref / "ref_copy.png")].reason == "in a reference folder"
    # Reference files keep their own inodes; the library's copies link to the kept one.
    assert {p: os.stat(p).st_ino for p in inodes} == inodes
    assert outcomes[str(copy)].status is Status.LINKED
    assert os.path.samefile(copy, ref / "ref.png") and copy.read_bytes() == before


@pytest.fixture
def other_file_system(tmp_path: Path) -> Iterator[Path]:
    """A folder on another file system than tmp_path (a tmpfs), or skip."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system to test with")
    folder = Path(tempfile.mkdtemp(dir=shm))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_never_across_file_systems(tmp_path: Path, other_file_system: Path) -> None:
    keeper, copy, _ = library(tmp_path / "lib")
    away = other_file_system / "away.png"  # the shortest path: the keeper
    shutil.copy2(keeper, away)
    (group,) = scan_groups(tmp_path / "lib", other_file_system)
    assert group.members[0].path == str(away)
    outcomes = {o.path: o for o in link_copies([group], LinkOptions(None))}
    assert set(outcomes) == {str(keeper), str(copy)}
    for o in outcomes.values():
        assert o.status is Status.SKIPPED and "another file system" in o.reason
    assert all(os.stat(p).st_nlink == 1 for p in (keeper, copy, away))


def test_apply_link_from_the_command_line(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keeper, copy, near = library(tmp_path / "lib")
    args = ["scan", str(tmp_path / "lib"), "--no-cache", "-q", "--apply", "link"]
    assert main([*args, "--dry-run"]) == 0
    assert "would link: " + str(copy) in capsys.readouterr().out
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "1 linked" in out
    assert "1 near-copy left in place" in out  # listed under the group, but not linked
    assert os.path.samefile(keeper, copy) and near.exists()
