"""Files fingerprinted and grouped as a scan would, for tests that expect one group: the keeper
and word tests build a few copies and read the single group they form."""

from __future__ import annotations

from pathlib import Path

from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.keeper import DEFAULT_RULES
from dedupe_gui.core.models import FileKey, Group, ImageRecord
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD


def one_group(paths: list[Path], rules: tuple[str, ...] = DEFAULT_RULES) -> Group:
    """The one group the files form at the default threshold; fails the test otherwise."""
    records = [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]
    groups = group_records(records, GroupingOptions(DEFAULT_THRESHOLD, rules=rules))
    assert len(groups) == 1, groups
    return groups[0]
