"""The window keeps thumbnail checks in the cache too: reopening a library repeats none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.pair_checker import PairChecker
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.review import GroupingRequest, IndexHolder
from dedupe_gui.ui.main_window import MainWindow
from tests.ui.conftest import scan


def test_a_second_session_takes_the_checks_from_the_cache(
    photos: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = str(tmp_path / "cache.sqlite3")
    with FingerprintStore(cache) as store:
        records = run_scan(ScanOptions((str(photos),)), store).records
    computed: list[int] = []
    compute = PairChecker._residuals

    def counting(
        self: PairChecker, a: np.ndarray, b: np.ndarray, t: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        computed.append(int(a.size))
        return compute(self, a, b, t)

    monkeypatch.setattr(PairChecker, "_residuals", counting)
    request = GroupingRequest(1, records, GroupingOptions())
    first = IndexHolder(cache).groups(request)
    assert sum(computed) >= 1 and first
    computed.clear()
    again = IndexHolder(cache).groups(request)
    assert computed == []
    assert again == first
    # Without a cache nothing is kept between sessions.
    IndexHolder(None).groups(request)
    assert sum(computed) >= 1


def test_the_window_holds_records_without_thumbnails_and_groups_as_with_them(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    """With a cache, the thumbnails stay there (a kilobyte per photo the window does not
    hold); the grouping fetches those it needs and finds the same groups."""
    scan(qtbot, window, photos)
    records = window.session.records
    assert records and all(r.fingerprint.thumb == b"" for r in records)
    with FingerprintStore(None) as store:  # no cache: every record carries its thumbnail
        full = run_scan(ScanOptions((str(photos),)), store).records
    assert all(r.fingerprint.thumb for r in full)
    options = window.session.options
    expected = IndexHolder(None).groups(GroupingRequest(1, full, options))
    shown = [[m.path for m in g.group.members] for g in window.session.groups]
    assert shown == [[m.path for m in g.members] for g in expected]
    assert any(len(g) >= 3 for g in shown)  # the resized and converted copies were checked
