"""The one-line JSON report, written file by file, is the text json.dumps makes of to_dict."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest

from dedupe_gui.core.models import (
    Companion,
    FileError,
    FileKey,
    Fingerprint,
    Group,
    GroupMember,
    ImageRecord,
    ScanStats,
)
from dedupe_gui.core.report import (
    Report,
    _mtime_text,
    from_json,
    iso_mtime,
    json_parts,
    to_dict,
    to_json,
)

from .records import record

# Names as they come: plain, accented, quoted, with a backslash and a newline, not UTF-8.
NAMES = [
    "/lib/a.jpg",
    "/lib/été/b.jpg",
    '/lib/say "cheese".jpg',
    "/lib/back\\slash\nline.jpg",
    os.fsdecode(b"/lib/caf\xe9.jpg"),
    "/lib/\u202eevil.jpg",
]


def one_line(report: Report) -> str:
    return json.dumps(to_dict(report), ensure_ascii=True)


def report_of(groups: list[Group], errors: tuple[FileError, ...] = ()) -> Report:
    return Report(
        12,
        ("/lib", os.fsdecode(b"/lib/\xff")),
        tuple(groups),
        errors,
        ScanStats(10, 9, 2, 7, 1.23456),
        ("/lib",),
        ("/ref",),
    )


def test_every_kind_of_file_is_written_as_json_dumps_writes_it() -> None:
    companion = Companion("/lib/a.mov", "live", 5, 6, ("/lib/a.jpg",))
    members = []
    for i, name in enumerate(NAMES):
        rec = record(
            name,
            (1 << 64) - 1 - i if i % 2 else i,
            mtime_ns=1_700_000_000_123_456_789 + i * 999_999_999,
            reference=i == 3,
            taken="2024:01:02 03:04:05" if i % 2 else None,
            camera='Cam "é"' if i == 1 else None,
            digest="d" * 8 if i == 2 else None,
        )
        rec = replace(rec, quick="q1" if i % 3 else None, companions=(companion,) if i == 4 else ())
        members.append(
            GroupMember(
                rec,
                i,
                identical=i == 2,
                keep=i == 0,
                orientation="rotated 180°" if i == 5 else "",
                differences=("trimmed 8 % left", "greyscale") if i == 1 else (),
            )
        )
    groups = [Group(tuple(members[:3])), Group(tuple(members[3:]))]
    report = report_of(groups, (FileError(NAMES[4], "cannot read: é"),))
    text = to_json(report, pretty=False)
    assert text == one_line(report)
    loaded = from_json(text)
    assert [m.path for g in loaded.groups for m in g.members] == NAMES
    # Written a group at a time (the command line writes each part as it comes).
    parts = list(json_parts(report))
    assert len(parts) == len(groups) + 2 and "".join(parts) == text


def test_values_of_other_types_are_written_by_json_dumps() -> None:
    odd = ImageRecord(FileKey("/lib/odd.jpg", 7, 8), Fingerprint(1, 2.5, 3, "JPEG"))  # type: ignore[arg-type]
    member = GroupMember(odd, 0, keep=1)  # type: ignore[arg-type]
    report = report_of([Group((member, GroupMember(record("/lib/b.jpg", 3), 2)))])
    assert to_json(report, pretty=False) == one_line(report)


def test_an_empty_report_is_written_as_json_dumps_writes_it() -> None:
    report = report_of([])
    assert to_json(report, pretty=False) == one_line(report)
    assert json.loads(to_json(report)) == json.loads(one_line(report))


@pytest.mark.parametrize(
    "mtime_ns",
    [
        0,
        1,
        999_998_000,
        999_998_001,
        999_999_499,
        999_999_500,
        999_999_999,
        1_700_000_000_999_999_600,
        1_700_000_000_999_997_999,
        1_700_000_000_000_000_000,
        -1,
        -1_500_000_000,
        253_402_300_799_000_000_000,
    ],
)
def test_the_modification_time_reads_as_iso_mtime(mtime_ns: int) -> None:
    assert _mtime_text(mtime_ns, {}) == iso_mtime(mtime_ns)


def test_modification_times_across_the_years_read_as_iso_mtime() -> None:
    step = 7_777_777_777_777_777  # about 90 days and a fraction of a second
    seconds: dict[int, str] = {}
    for i in range(4_000):
        mtime_ns = i * step + (i * 999_999_937) % 1_000_000_000
        assert _mtime_text(mtime_ns, seconds) == iso_mtime(mtime_ns), mtime_ns


def test_files_of_one_second_read_as_iso_mtime_with_the_seconds_written_before() -> None:
    seconds: dict[int, str] = {}
    start = 1_700_000_000 * 1_000_000_000
    # The same second at its start, within it, where the float rounds up, and the next.
    for mtime_ns in (start, start + 500_000_000, start + 999_999_999, start + 1_000_000_001):
        assert _mtime_text(mtime_ns, seconds) == iso_mtime(mtime_ns), mtime_ns
    assert len(seconds) == 2
