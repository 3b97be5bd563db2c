"""Fault suite, content side: files rewritten between the scan and the cleanup in ways that
keep their size, their modification time and both of their ends.

A large file's head-and-tail digest reads 64 KiB at each end; a rewrite of the middle with
the modification time put back (``touch -r``, a copy tool that keeps times) leaves it equal.
The inode change time still moves, and then the whole file is compared.
"""

from __future__ import annotations

import os
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
from dedupe_gui.core.models import Group
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.core.faults import cli, snapshot, trashed
from tests.imaging import photo, save


def _large_pair(lib: Path) -> tuple[Path, Path]:
    """A picture and a smaller copy, both uncompressed (BMP): far more than both ends."""
    img = photo(21, (400, 300))
    keeper = save(img, lib / "keeper.bmp")
    copy = save(img.resize((320, 240)), lib / "copy.bmp")
    assert copy.stat().st_size > 3 * (1 << 16)
    return keeper, copy


def _scanned(lib: Path) -> tuple[Group, Scope]:
    result = run_scan(ScanOptions((str(lib),), WalkOptions()))
    (group,) = group_records(result.records, GroupingOptions(8))
    (group,) = with_quick_digests([group])  # as ``scan --apply`` and a JSON report have them
    assert all(m.record.quick and m.record.change_ns for m in group.members)
    return group, Scope.of(result)


def _rewrite_middle(path: Path) -> None:
    """The middle third overwritten in place; size and modification time as they were."""
    st = path.stat()
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 3, 2 * len(data) // 3):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_keeper_rewritten_in_its_middle_is_not_relied_on(
    tmp_path: Path, trash_home: Path
) -> None:
    lib = tmp_path / "lib"
    keeper, _copy = _large_pair(lib)
    group, scope = _scanned(lib)
    assert group.members[0].path == str(keeper)
    _rewrite_middle(keeper)
    before = snapshot(lib)
    (out,) = apply_removals([Removal.marked(group)], CleanupOptions(None, scope=scope))
    assert (out.status, out.reason) == (
        Status.SKIPPED,
        f"the copy to keep ({keeper}) content changed since the scan",
    )
    assert snapshot(lib) == before and trashed(trash_home) == []


def test_a_target_rewritten_in_its_middle_is_left_in_place(
    tmp_path: Path, trash_home: Path
) -> None:
    lib = tmp_path / "lib"
    _keeper, copy = _large_pair(lib)
    group, scope = _scanned(lib)
    _rewrite_middle(copy)
    before = snapshot(lib)
    (out,) = apply_removals([Removal.marked(group)], CleanupOptions(None, scope=scope))
    assert (out.path, out.status, out.reason) == (
        str(copy),
        Status.SKIPPED,
        "content changed since the scan",
    )
    assert snapshot(lib) == before and trashed(trash_home) == []


def test_a_keeper_whose_permissions_changed_still_serves(tmp_path: Path, trash_home: Path) -> None:
    """Its change time moved but its pictures are the same: the cleanup goes ahead."""
    lib = tmp_path / "lib"
    keeper, copy = _large_pair(lib)
    group, scope = _scanned(lib)
    keeper.chmod(0o444)
    (out,) = apply_removals([Removal.marked(group)], CleanupOptions(None, scope=scope))
    assert (out.path, out.status) == (str(copy), Status.TRASHED)
    assert trashed(trash_home) == ["copy.bmp"] and keeper.exists()


def test_a_saved_report_applied_after_the_keeper_was_rewritten_in_its_middle(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report keeps each file's change time, so ``apply`` can tell as well."""
    lib = tmp_path / "lib"
    keeper, copy = _large_pair(lib)
    status, out, _ = cli(["scan", str(lib), "--no-cache", "--format", "json"], capsys)
    assert status == 0
    report = tmp_path / "plan.json"
    report.write_text(out)
    _rewrite_middle(keeper)
    before = snapshot(lib)
    status, out, _ = cli(["apply", str(report)], capsys)
    assert status == 1
    assert f"skipped: {copy}: the copy to keep ({keeper}) content changed since the scan" in out
    assert snapshot(lib) == before and trashed(trash_home) == []
