"""The window's scan worker: its scans decode within the memory budget, at background priority."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from dedupe_gui.core import scan
from dedupe_gui.core.budget import MemoryBudget
from dedupe_gui.core.models import ScanResult
from dedupe_gui.ui import scan_worker
from dedupe_gui.ui.scan_worker import ScanRunner, scan_options
from tests.imaging import photo, save


def test_the_windows_scans_decode_within_the_memory_budget_at_background_priority(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(4):
        save(photo(70 + i, (400, 300)), tmp_path / f"{i}.png")
    budgets: list[MemoryBudget] = []

    class Recorded(MemoryBudget):
        def __init__(self, total: int) -> None:
            super().__init__(total)
            budgets.append(self)

    lowered: list[str] = []

    def lower(niceness: int) -> None:
        lowered.append(threading.current_thread().name)

    monkeypatch.setattr(scan, "MemoryBudget", Recorded)
    monkeypatch.setattr(scan_worker, "lower_thread_priority", lower)
    runner = ScanRunner(None)
    with qtbot.waitSignal(runner.finished, timeout=60_000) as blocker:
        assert runner.start(scan_options([str(tmp_path)], [], [], 0, 2))
    result = blocker.args[0]
    # The runner goes while the event loop runs, as the window's would: not whenever the
    # collector happens to take it, possibly inside pytest-qt's event processing.
    assert runner.shutdown(10_000)
    with qtbot.waitSignal(runner.destroyed, timeout=10_000):
        runner.deleteLater()
    assert isinstance(result, ScanResult) and len(result.records) == 4
    # Every decode of the scan held its bytes in the scan's budget.
    assert len(budgets) == 1 and budgets[0].peak > 0
    # The decoding threads were lowered, not only the thread that runs the scan.
    assert any(name.startswith("fingerprint") for name in lowered)
