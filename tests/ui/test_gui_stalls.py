"""The GUI thread keeps answering while photos are scanned, regrouped and cleaned up.

What is measured is the work of each callback the GUI thread's event loop runs, counted in
Python calls (bench.window_stalls.CallMeter): a measure no machine load changes, unlike the
time a callback takes. Two checks:

- a real scan, regroup and cleanup of a few hundred photos, where no callback may make more
  than CALLS_PER_CALLBACK calls (the largest, a hand-over of the groups with the card panel
  for the group on show, makes about 4,000);
- the same hand-over and cleanup at 200 and at 2,000 groups: the largest callback must not
  grow with the number of groups. Building the groups, summing totals or applying every
  outcome on the GUI thread would make it grow tenfold (at 20,000 files such callbacks held
  the GUI thread 150-500 ms).

How long the GUI thread is away at 20,000 and 100,000 files (wall clock and its own CPU) is
measured by ``bench/window_stalls.py`` and written in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import functools
import math
import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QSettings, QTimer
from pytestqt.qtbot import QtBot

from bench.window_stalls import CallMeter
from dedupe_gui.core.models import FileKey, Fingerprint, ImageRecord, ScanResult, ScanStats
from dedupe_gui.ui import cleanup_flow
from dedupe_gui.ui.background import Batches
from dedupe_gui.ui.main_window import MainWindow
from dedupe_gui.ui.services import WindowServices
from dedupe_gui.ui.throttle import Throttle
from tests.imaging import photo, save
from tests.ui.conftest import Answers

BASES = 60
CALLS_PER_CALLBACK = 20_000
# What is checked is counted in calls, not in time: the waits only bound a hang. Under the
# call meter a busy machine takes minutes where a quiet one takes seconds, so they are long.
WAIT_MS = 300_000


def library(folder: Path) -> Path:
    for n in range(BASES):
        img = photo(1000 + n, (96, 72))
        save(img, folder / "a" / f"{n}.jpg", quality=90)
        save(img.resize((80, 60)), folder / "b" / f"{n}.jpg", quality=80)
        save(img, folder / "c" / f"{n}.png")
        save(img, folder / "d" / f"{n}.jpg", quality=60)
    return folder


def later(fn: Callable[[], object]) -> None:
    """Run ``fn`` from the event loop, as a click would: its work is a callback measured."""
    QTimer.singleShot(0, fn)


@pytest.fixture
def meter() -> Iterator[CallMeter]:
    m = CallMeter()
    m.start()
    try:
        yield m
    finally:
        m.stop()


def settle(qtbot: QtBot) -> None:
    """Let the work queued after the awaited signal run (a refresh, the outcomes dialog)."""
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5000)
    timer.stop()


def most(meter: CallMeter, stage: str) -> int:
    calls, where = meter.most
    assert meter.units, f"{stage}: no callback was measured"
    meter.reset()
    print(f"{stage}: {calls} calls in {where}")
    return calls


def test_scan_regroup_and_cleanup_do_little_per_callback(
    qtbot: QtBot, trash_home: Path, window: MainWindow, tmp_path: Path, meter: CallMeter
) -> None:
    folder = library(tmp_path / "lib")
    window.set_scan_folders([str(folder)])
    meter.reset()
    with qtbot.waitSignal(window.groups_changed, timeout=WAIT_MS):
        later(window.start_scan)
    assert window.model.rowCount() >= BASES * 9 // 10
    settle(qtbot)
    assert most(meter, "scan") < CALLS_PER_CALLBACK
    with qtbot.waitSignal(window.groups_changed, timeout=WAIT_MS):
        later(lambda: window.threshold.set_value(4, notify=True))
    settle(qtbot)
    assert most(meter, "regroup") < CALLS_PER_CALLBACK
    files, _, _ = window.marked_totals()
    assert files >= BASES * 2
    with qtbot.waitSignal(window.cleanup_finished, timeout=WAIT_MS):
        later(window.clean_up_all)
    settle(qtbot)
    assert most(meter, "cleanup") < CALLS_PER_CALLBACK
    assert len(list((trash_home / ".local/share/Trash/files").iterdir())) == files


def fake_library(folder: Path, groups: int) -> ScanResult:
    """``groups`` groups of three small files each (never decoded: their fingerprints are
    made up, three near-equal hashes and one thumbnail per group), as a scan would return."""
    rng = random.Random(groups)
    records = []
    for g in range(groups):
        base = rng.getrandbits(64) & ~0b11
        thumb = rng.randbytes(32 * 32)
        for k in range(3):
            path = folder / f"{g // 100:03d}" / f"IMG_{g:05d}_{k}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(str(path).encode())
            st = os.stat(path)
            records.append(
                ImageRecord(
                    FileKey(str(path), st.st_size, st.st_mtime_ns),
                    Fingerprint(base | k, 400 - 40 * k, 300, "JPEG", thumb=thumb),
                    change_ns=st.st_ctime_ns,
                )
            )
    root = str(folder)
    stats = ScanStats(files=len(records), images=len(records))
    return ScanResult((root,), tuple(records), (), stats, roots=(root,))


def largest_callbacks(qtbot: QtBot, tmp_path: Path, groups: int) -> tuple[int, int]:
    """The largest callback (in calls) of the hand-over of ``groups`` groups, and of their
    cleanup."""
    folder = tmp_path / f"lib{groups}"
    result = fake_library(folder, groups)
    bin_ = tmp_path / f"bin{groups}"
    bin_.mkdir(parents=True)

    def trash(path: str) -> None:
        os.rename(path, bin_ / os.path.basename(path))

    answers = Answers()
    services = WindowServices(
        settings=QSettings(str(tmp_path / f"s{groups}.conf"), QSettings.Format.IniFormat),
        cache_path=None,
        journal_path=None,
        trash=trash,
        ask=answers,
        choose=answers.choose,
    )
    window = MainWindow(services)
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    meter = CallMeter()
    try:
        meter.start()
        assert window.session.begin_scan()
        with qtbot.waitSignal(window.groups_changed, timeout=WAIT_MS):
            later(lambda: window.scans.finished.emit(result))
        settle(qtbot)
        assert window.model.rowCount() == groups
        handover = most(meter, f"hand-over of {groups} groups")
        with qtbot.waitSignal(window.cleanup_finished, timeout=WAIT_MS):
            later(window.clean_up_all)
        settle(qtbot)
        cleanup = most(meter, f"cleanup of {groups} groups")
        assert len(os.listdir(bin_)) == 2 * groups and window.model.rowCount() == 0
    finally:
        meter.stop()
        window.shutdown()
    return handover, cleanup


def held_until_flushed(
    _interval_ms: int, callback: Callable[[], None], parent: QObject
) -> Throttle:
    """A coalescing throttle whose call waits for its flush (the end of a cleanup)."""
    return Throttle(2**31 - 1, callback, False, parent)  # the longest a QTimer waits


def test_the_largest_callback_does_not_grow_with_the_number_of_groups(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # How much lands in one callback of a cleanup depends on the machine's load, not on the
    # number of groups: outcomes come in batches of at most 200, sent early once 50 ms have
    # passed, and the groups they touched are refreshed 100 ms after the first, or later
    # when the GUI thread is busy. The worst a busy machine can do, made certain here: every
    # batch full, and the refreshes held until the cleanup ends.
    monkeypatch.setattr(cleanup_flow, "Batches", functools.partial(Batches, interval=math.inf))
    monkeypatch.setattr(Throttle, "coalesce", staticmethod(held_until_flushed))
    largest_callbacks(qtbot, tmp_path / "first", 200)  # Qt's first paints, imports: once
    small = largest_callbacks(qtbot, tmp_path, 200)
    large = largest_callbacks(qtbot, tmp_path, 2000)
    for stage, few, many in zip(("hand-over", "cleanup"), small, large, strict=True):
        assert many < few * 1.5 + 1000, f"{stage}: {few} calls at 200 groups, {many} at 2,000"
