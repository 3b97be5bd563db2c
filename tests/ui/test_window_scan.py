"""Scanning from the window: groups appear, the slider regroups without rehashing, Cancel."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import ScanResult
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.ui.dialogs import ErrorsDialog
from dedupe_gui.ui.file_card import FileCard
from dedupe_gui.ui.main_window import MainWindow
from tests.imaging import photo, save
from tests.ui.conftest import Counter, scan


def group_paths(window: MainWindow) -> list[list[str]]:
    return [[m.path for m in s.members] for s in window.model.states()]


def core_paths(window: MainWindow, threshold: int) -> list[list[str]]:
    return [
        [m.path for m in g.members]
        for g in group_records(window.session.records, GroupingOptions(threshold))
    ]


def test_scan_shows_the_groups_the_core_finds(
    qtbot: QtBot, window: MainWindow, photos: Path, counter: Counter
) -> None:
    assert window.stack.currentWidget() is window.empty
    scan(qtbot, window, photos)

    assert len(counter.calls) == 7  # every image fingerprinted once
    assert threading.main_thread().ident not in counter.threads  # never on the GUI thread
    assert window.threshold.value() == DEFAULT_THRESHOLD
    assert group_paths(window) == core_paths(window, DEFAULT_THRESHOLD)
    names = sorted(sorted(os.path.basename(p) for p in g) for g in group_paths(window))
    assert names == [["a.jpg", "a.png", "a_small.jpg"], ["b.jpg", "b_copy.jpg"]]
    assert window.stack.currentWidget() is window.splitter
    assert "2 groups" in window.summary.text()
    assert window.windowTitle() == "photos"

    # The selected group is on show, one card per file, the byte-identical copy badged.
    states = window.model.states()
    by_keeper = {os.path.basename(s.keeper.path): row for row, s in enumerate(states)}
    window.select_row(by_keeper["b.jpg"])
    cards = window.panel.cards
    assert [os.path.basename(c.path) for c in cards] == ["b.jpg", "b_copy.jpg"]
    copy_card: FileCard = cards[1]
    assert copy_card.member.identical
    assert copy_card.badge_exact.isVisibleTo(window)
    assert copy_card.badge_remove.isVisibleTo(window)
    assert cards[0].badge_keep.isVisibleTo(window) and cards[0].badge_keep.text() == "Keeper"
    assert not cards[0].check.isEnabled()  # the last kept file cannot be marked

    # Thumbnails arrive from the pool and replace the placeholders.
    qtbot.waitUntil(lambda: all(c.thumb.has_image() for c in window.panel.cards), timeout=5000)


def test_threshold_regroups_without_rehashing(
    qtbot: QtBot, window: MainWindow, photos: Path, counter: Counter
) -> None:
    scan(qtbot, window, photos)
    hashed = len(counter.calls)
    before = group_paths(window)

    with qtbot.waitSignal(window.groups_changed, timeout=5000):
        window.threshold.slider.setValue(14)
    loose = group_paths(window)
    assert loose == core_paths(window, 14)
    assert loose != before
    assert any(os.path.basename(p) == "a_crop.jpg" for g in loose for p in g)
    assert window.threshold.combo.currentText() == "Custom"

    with qtbot.waitSignal(window.groups_changed, timeout=5000):
        window.threshold.combo.setCurrentIndex(window.threshold.combo.findText("Exact"))
        window.threshold.combo.activated.emit(window.threshold.combo.currentIndex())
    assert window.threshold.value() == 0
    assert group_paths(window) == core_paths(window, 0)

    assert len(counter.calls) == hashed  # no file was decoded again
    assert window.services.settings.value("grouping/threshold") in (0, "0")


def test_a_second_scan_uses_the_cache(
    qtbot: QtBot, window: MainWindow, photos: Path, counter: Counter
) -> None:
    scan(qtbot, window, photos)
    first = len(counter.calls)
    with qtbot.waitSignal(window.scan_finished, timeout=15000) as finished:
        window.start_scan()
    result: ScanResult = finished.args[0]
    assert len(counter.calls) == first
    assert result.stats.from_cache == 7


def test_cancel_stops_the_scan_and_keeps_what_was_found(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, counter: Counter
) -> None:
    folder = tmp_path / "many"
    for i in range(40):
        save(photo(100 + i, (64, 48)), folder / f"p{i:02}.jpg", quality=80)
    counter.seconds = 0.15  # slow enough for progress to be reported file by file
    counter.hold_after = 4  # four files go through; the rest wait until after the cancel

    window.set_scan_folders([str(folder)])
    window.start_scan()
    assert window.scanning and window.progress.isVisible()
    qtbot.waitUntil(lambda: len(counter.calls) > 4, timeout=10000)
    bar = window.progress.bar
    qtbot.waitUntil(lambda: bar.maximum() == 40 and bar.value() >= 1, timeout=5000)
    assert f"{bar.value()} of 40 photos" in window.progress.label.text()
    window.commands["cancel"].trigger()
    assert window.scanning  # stopping: the files being decoded finish first
    with qtbot.waitSignal(window.scan_finished, timeout=10000) as finished:
        counter.release.set()
    result: ScanResult = finished.args[0]

    assert result.cancelled
    # The four, and at most the files that were already being decoded (two threads, each
    # with a few queued): never the whole folder.
    in_flight = len(counter.calls) - 4
    assert 4 <= len(result.records) <= 4 + in_flight < 40
    assert not window.scanning and not window.progress.isVisible()
    assert len(window.session.records) == len(result.records)
    assert "cancelled" in window.statusBar().currentMessage()
    # Photos of one group each: nothing alike, so the window says so once they are compared
    # (until then it says they are being compared, not that nothing was found).
    qtbot.waitUntil(lambda: not window.session.awaiting_groups)
    assert window.stack.currentWidget() is window.empty
    assert window.empty.title.text() == "No duplicates found"


def test_unreadable_files_are_listed(qtbot: QtBot, window: MainWindow, photos: Path) -> None:
    (photos / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    scan(qtbot, window, photos)
    assert window.errors_button.isVisible()
    assert "1 unreadable file" in window.errors_button.text()
    window.show_errors()
    dialog = window.findChild(ErrorsDialog)
    assert dialog is not None
    model = dialog.tree.model()
    assert model.rowCount() == 1
    assert str(model.index(0, 0).data()).endswith("broken.jpg") and model.index(0, 1).data()
    dialog.close()


def test_a_drag_waits_for_a_pause_when_grouping_is_slow(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    scan(qtbot, window, photos)
    slider = window.threshold.slider
    window.regrouper.last_seconds = 1.0  # as if this library took a second to group
    slider.setSliderDown(True)
    slider.setValue(10)
    slider.setValue(14)
    assert not window.grouping  # nothing started during the drag
    with qtbot.waitSignal(window.groups_changed, timeout=5000):
        slider.setSliderDown(False)  # released: regroup at once
    assert group_paths(window) == core_paths(window, 14)

    window.regrouper.last_seconds = 0.0  # a fast library regroups at every step
    slider.setSliderDown(True)
    with qtbot.waitSignal(window.groups_changed, timeout=5000):
        slider.setValue(0)
    slider.setSliderDown(False)
    assert group_paths(window) == core_paths(window, 0)


def test_turned_copies_join_when_asked_without_a_rescan(
    qtbot: QtBot, window: MainWindow, photos: Path, counter: Counter
) -> None:
    from PIL import Image

    save(photo(1).transpose(Image.Transpose.ROTATE_90), photos / "turned.jpg", quality=92)
    scan(qtbot, window, photos)
    hashed = len(counter.calls)
    assert not any(p.endswith("turned.jpg") for g in group_paths(window) for p in g)

    with qtbot.waitSignal(window.groups_changed, timeout=5000):
        window.act_rotations.trigger()
    assert window.prefs.rotations and window.act_rotations.isChecked()
    assert len(counter.calls) == hashed
    state = next(s for s in window.model.states() if s.member(str(photos / "turned.jpg")))
    window.select_row(window.model.row_of(state))
    card = next(c for c in window.panel.cards if c.path.endswith("turned.jpg"))
    assert card.badge_turned.isVisibleTo(window)
    assert "rotated" in card.badge_turned.text().lower()
    assert window.services.settings.value("grouping/rotations") in (True, "true")


def test_closing_never_waits_for_a_stuck_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, counter: Counter
) -> None:
    """A read that hangs (a dead network drive) holds the scan, but not the window's close."""
    folder = tmp_path / "stuck"
    for i in range(3):
        save(photo(300 + i, (64, 48)), folder / f"s{i}.jpg")
    counter.hold_after = 0  # every file hangs until released
    window.set_scan_folders([str(folder)])
    window.start_scan()
    qtbot.waitUntil(lambda: len(counter.calls) >= 1, timeout=10000)
    try:
        assert window.close()
        # Closed with every file still stuck (each is held until released, or 30 s): the
        # scan was waited for a bounded time, not until its files came back.
        assert counter.done == []
    finally:
        counter.release.set()


def test_a_grouping_percentage_goes_when_the_groups_arrive(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    scan(qtbot, window, photos)
    window.regrouper.progressed.emit(1, 2)  # as the worker says halfway through
    assert window.statusBar().currentMessage() == "Grouping… 50%"
    with qtbot.waitSignal(window.groups_changed, timeout=5000):
        window.threshold.slider.setValue(14)
    assert not window.statusBar().currentMessage().startswith("Grouping")

    window.regrouper.progressed.emit(1, 4)
    window.statusBar().showMessage("Saved results.json", 5000)  # said since: stays
    with qtbot.waitSignal(window.groups_changed, timeout=5000):
        window.threshold.slider.setValue(8)
    assert window.statusBar().currentMessage() == "Saved results.json"
