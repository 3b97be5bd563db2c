"""A damaged or foreign results file is a ReportError with a reason, whatever is wrong in it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dedupe_gui.core.report import ReportError, from_csv, from_json

GOOD_FILE = {
    "path": "/lib/a.jpg",
    "distance": 0,
    "width": 4,
    "height": 3,
    "bytes": 10,
    "format": "JPEG",
    "mtime_ns": 1,
    "hash": "0000000000000001",
    "keep": True,
}


def doc(**changes: Any) -> str:
    base: dict[str, Any] = {
        "version": 1,
        "threshold": 12,
        "paths": ["/lib"],
        "groups": [{"files": [GOOD_FILE, {**GOOD_FILE, "path": "/lib/b.jpg", "keep": False}]}],
        "errors": [],
        "stats": {},
    }
    base.update(changes)
    return json.dumps(base)


def test_the_well_formed_file_loads() -> None:
    report = from_json(doc())
    assert report.threshold == 12 and len(report.groups) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"groups": {"files": []}},  # an object where a list belongs
        {"groups": ["not a group"]},
        {"groups": [{"files": ["not a file"]}]},
        {"groups": [{"files": [{**GOOD_FILE, "width": "wide"}, GOOD_FILE]}]},
        {"threshold": "loose"},
        {"threshold": None},
        {"stats": []},
        {"stats": {"files": "many"}},
        {"errors": [{"path": "/lib/x.jpg"}]},
        {"errors": ["not an error"]},
        {"paths": 7},
    ],
)
def test_every_malformed_part_is_a_report_error(changes: dict[str, Any]) -> None:
    with pytest.raises(ReportError):
        from_json(doc(**changes))


def test_a_csv_that_cannot_be_read_is_a_report_error() -> None:
    with pytest.raises(ReportError):
        from_csv("group,path,hash\n1,/a.jpg\x00,zz\n")
    with pytest.raises(ReportError):
        from_csv("group,path,hash,width\n1,/a.jpg,0000000000000001,x\n1,/b.jpg,00,3\n")
