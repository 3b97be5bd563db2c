"""The GUI thread keeps answering while a few hundred photos are scanned, regrouped, cleaned up.

A probe timer ticks on the GUI thread every 10 ms. Between two ticks the GUI thread must not
have worked more than 100 ms (its own CPU time, which a busy test machine does not inflate),
and no gap may reach a second (a wait on a worker would: waiting costs no CPU). The same
probe measures the 20,000-file library in ``bench/window_stalls.py``.
"""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from bench.window_stalls import StallProbe
from dedupe_gui.ui.main_window import MainWindow
from tests.imaging import photo, save

BASES = 60


def library(folder: Path) -> Path:
    for n in range(BASES):
        img = photo(1000 + n, (96, 72))
        save(img, folder / "a" / f"{n}.jpg", quality=90)
        save(img.resize((80, 60)), folder / "b" / f"{n}.jpg", quality=80)
        save(img, folder / "c" / f"{n}.png")
        save(img, folder / "d" / f"{n}.jpg", quality=60)
    return folder


def check(qtbot: QtBot, probe: StallProbe, stage: str) -> None:
    # The handler that sent the awaited signal may go on working after it: let a few more
    # ticks come, so that work is measured too.
    ticks = len(probe.wall) + 5
    qtbot.waitUntil(lambda: len(probe.wall) >= ticks, timeout=5000)
    assert probe.longest_cpu_ms < 100, f"{stage}: the GUI thread worked {probe.longest_cpu_ms} ms"
    assert probe.longest_wall_ms < 1000, f"{stage}: the GUI thread waited {probe.longest_wall_ms}"
    probe.reset()


def test_scan_regroup_and_cleanup_leave_the_gui_thread_free(
    qtbot: QtBot, trash_home: Path, window: MainWindow, tmp_path: Path
) -> None:
    folder = library(tmp_path / "lib")
    probe = StallProbe()
    probe.start()
    try:
        window.set_scan_folders([str(folder)])
        probe.reset()
        with qtbot.waitSignal(window.groups_changed, timeout=60000):
            window.start_scan()
        assert window.model.rowCount() >= BASES * 9 // 10
        check(qtbot, probe, "scan")
        with qtbot.waitSignal(window.groups_changed, timeout=30000):
            window.threshold.set_value(4, notify=True)
        check(qtbot, probe, "regroup")
        files, _, _ = window.marked_totals()
        assert files >= BASES * 2
        with qtbot.waitSignal(window.cleanup_finished, timeout=60000):
            window.clean_up_all()
        check(qtbot, probe, "cleanup")
        assert len(list((trash_home / ".local/share/Trash/files").iterdir())) == files
    finally:
        probe.stop()
