"""The review screen: large pictures, the keeper in view, no veil, honest headings and pages."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSettings, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from dedupe_gui.core.keeper import DEFAULT_RULES
from dedupe_gui.core.models import FileKey, Fingerprint, GroupMember, ImageRecord
from dedupe_gui.ui.dialogs import KEYS
from dedupe_gui.ui.file_card import FileCard
from dedupe_gui.ui.group_model import COL_PHOTO, LIST_PICTURE_SIDE, GroupListModel
from dedupe_gui.ui.main_window import MainWindow
from dedupe_gui.ui.preferences import load_preferences, save_preferences
from dedupe_gui.ui.preferences_dialog import PreferencesDialog, cache_summary, clear_cache
from dedupe_gui.ui.thumbnails import ThumbnailCache
from tests.imaging import photo, save
from tests.ui.conftest import scan


def copies(folder: Path, files: int, seed: int = 11) -> Path:
    """``files`` copies of one photo at different sizes, each in its own sub-folder."""
    img = photo(seed, (640, 480))
    for i in range(files):
        scale = 1.0 - i * 0.08
        size = (round(640 * scale), round(480 * scale))
        save(img.resize(size), folder / f"copy{i}" / "IMG_0001.jpg", quality=92 - i)
    return folder


def select_group_of(window: MainWindow, files: int) -> None:
    row = next(r for r, s in enumerate(window.model.states()) if len(s.members) == files)
    window.select_row(row)


def test_two_files_at_1280x800_are_shown_large(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.resize(1280, 800)
    assert window.folders_dock.isVisible()
    scan(qtbot, window, copies(tmp_path / "lib", 2))
    assert not window.folders_dock.isVisible()  # the review gets the room
    qtbot.waitUntil(lambda: window.panel.plan.long_side >= 450, timeout=3000)
    sides = [
        max(c.thumb.picture_rect().width(), c.thumb.picture_rect().height())
        for c in window.panel.cards
    ]
    assert len(sides) == 2 and min(sides) >= 440
    assert window.panel.title.isVisible() and window.panel.title.text().startswith("Group 1 of 1")


def test_the_keeper_stays_in_view_while_the_others_scroll(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.resize(1000, 620)
    scan(qtbot, window, copies(tmp_path / "lib", 7))
    select_group_of(window, 7)
    panel = window.panel
    keeper = panel.cards[0]
    assert panel.keeper_layout.indexOf(keeper) == 0
    qtbot.waitUntil(lambda: panel.plan.scrolls, timeout=3000)
    bar = panel.scroller.verticalScrollBar()
    assert bar.maximum() > 0
    # The last file, reached with the keyboard, scrolls into view; the keeper does not move.
    window.table.setFocus()
    before = keeper.mapTo(window, keeper.rect().topLeft())
    for _ in range(6):
        QTest.keyClick(window.table, Qt.Key.Key_Right)
    assert panel.current_path() == panel.cards[-1].path
    assert bar.value() > 0
    last = panel.cards[-1]
    assert not last.visibleRegion().isEmpty()
    assert keeper.mapTo(window, keeper.rect().topLeft()) == before
    assert not keeper.visibleRegion().isEmpty()
    # The wheel over the keeper scrolls the others.
    bar.setValue(bar.maximum())
    QTest.keyClick(window.table, Qt.Key.Key_Left)  # a file above: the grid scrolls back up
    assert bar.value() < bar.maximum()
    # The heading never scrolls away.
    assert panel.title.isVisible() and panel.trash_button.isVisible()


def test_size_keys_and_fit(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    scan(qtbot, window, copies(tmp_path / "lib", 4))
    fitted = window.panel.plan.long_side
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    smaller = window.panel.plan.long_side
    assert smaller < fitted and not window.panel.fit_button.isChecked()
    QTest.keyClick(window.table, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.panel.plan.long_side == fitted and window.panel.fit_button.isChecked()


def test_a_file_marked_for_the_trash_is_drawn_as_it_is(qtbot: QtBot) -> None:
    record = ImageRecord(FileKey("/p/a.jpg", 1, 0), Fingerprint(0, 400, 300, "JPEG"))
    card = FileCard(GroupMember(record, 3))
    qtbot.addWidget(card)
    image = QImage(400, 300, QImage.Format.Format_RGB888)
    image.fill(QColor(40, 90, 160))
    card.set_image(image)
    card.thumb.set_marked(True)
    shot = card.thumb.grab().toImage()
    centre = card.thumb.picture_rect().center().toPoint()
    assert shot.pixelColor(centre) == QColor(40, 90, 160)  # no veil over the picture
    corner = card.thumb.picture_rect().topLeft().toPoint()
    frame = shot.pixelColor(corner.x() - 2, corner.y() - 2)
    assert frame.red() > 150 and frame.green() < 100  # the red frame around it


def test_home_end_and_the_counter_in_the_heading(
    qtbot: QtBot, trash_home: Path, window: MainWindow, photos: Path
) -> None:
    scan(qtbot, window, photos)
    rows = window.model.rowCount()
    assert rows >= 2
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_End)
    assert window.current_row() == rows - 1
    assert window.panel.title.toolTip().startswith(f"Group {rows} of {rows}")
    QTest.keyClick(window.table, Qt.Key.Key_Home)
    assert window.current_row() == 0
    assert window.panel.title.toolTip().startswith(f"Group 1 of {rows}")
    # A group leaving the list (cleaned up) renumbers the heading at once.
    with qtbot.waitSignal(window.cleanup_finished, timeout=10000):
        window.trash_current_group()
    assert window.model.rowCount() == rows - 1
    assert window.panel.title.toolTip().startswith(f"Group 1 of {rows - 1}")
    assert window.summary.text().startswith(f"{rows - 1} group")


def test_a_missing_folder_is_named_not_reported_as_no_duplicates(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    gone = tmp_path / "USB drive" / "Photos"
    window.set_scan_folders([str(gone)])
    with qtbot.waitSignal(window.scan_finished, timeout=10000):
        window.start_scan()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.empty, timeout=3000)
    assert window.empty.title.text() == "Folder not found"
    assert str(gone) in window.empty.body.text()
    assert "No duplicates" not in window.empty.title.text()
    assert window.empty.secondary.text() == "Scan Again"
    assert window.errors_button.text() == "⚠ 1 folder not read"


def test_a_missing_folder_beside_a_good_one_is_flagged_over_the_groups(
    qtbot: QtBot, window: MainWindow, photos: Path, tmp_path: Path
) -> None:
    gone = tmp_path / "not plugged in"
    window.set_scan_folders([str(gone)])
    scan(qtbot, window, photos)
    assert window.model.rowCount() > 0
    assert window.notice.isVisible() and str(gone) in window.notice.text()


def test_preferences_hold_every_setting_and_apply(
    qtbot: QtBot, window: MainWindow, photos: Path, tmp_path: Path
) -> None:
    scan(qtbot, window, photos)
    cache = window.services.cache_path
    assert cache is not None
    text, clearable = cache_summary(cache)
    assert clearable and "7 photos" in text
    cleared: list[bool] = []

    def clear() -> str | None:
        cleared.append(True)
        return clear_cache(cache)

    dialog = PreferencesDialog(window.prefs, cache, clear, window)
    qtbot.addWidget(dialog)
    assert "%" in dialog.similarity_text.text()  # measured precision and recall, in words
    dialog.preset.setCurrentIndex(dialog.preset.findText("Strict"))
    dialog.preset.activated.emit(dialog.preset.currentIndex())
    assert dialog.bits.value() == 6 and "Strict" in dialog.similarity_text.text()
    dialog.patterns.setPlainText("*.tmp\n\n*/Trash/*\n*.tmp")
    dialog.rotations.setChecked(True)
    dialog.follow_links.setChecked(True)
    dialog.min_size.setValue(20)
    dialog.clear_button.click()
    assert cleared and "Cleared" in dialog.cache_status.text()
    assert not dialog.clear_button.isEnabled() and cache_summary(cache)[1] is False
    new = dialog.preferences()
    assert new.patterns == ("*.tmp", "*/Trash/*") and new.rotations and new.min_size_kb == 20
    with qtbot.waitSignal(window.groups_changed, timeout=5000):
        window.apply_preferences(new)
    assert window.threshold.value() == 6 and window.act_rotations.isChecked()
    assert window.folders.min_size.value() == 20
    assert "*/Trash/*" in window.scan_options().walk.excludes
    assert window.scan_options().walk.follow_links
    assert "Scan again" in window.statusBar().currentMessage()
    assert window.services.settings.value("folders/patterns") in (["*.tmp", "*/Trash/*"],)


def test_every_shortcut_is_in_the_f1_list(window: MainWindow) -> None:
    listed = " ".join(keys for keys, _ in KEYS)
    from PySide6.QtGui import QAction, QKeySequence

    for action in window.findChildren(QAction):
        seq = action.shortcut().toString(QKeySequence.SequenceFormat.PortableText)
        hint = action.text().split("\t")[1] if "\t" in action.text() else ""
        for key in (seq, hint):
            if key:
                assert key in listed, f"{action.text()!r} ({key}) is missing from the F1 list"
    for key in ("Home", "End", "PgUp", "PgDown", "Ctrl+Z", "Ctrl+Shift+Z"):
        assert key in listed


def test_a_rule_order_saved_by_an_earlier_version_gains_the_new_rules(
    settings: QSettings,
) -> None:
    """The window saves the rule order on every close, chosen or not: an order from before a
    rule existed must not keep that rule out for good."""
    assert load_preferences(settings).rules == DEFAULT_RULES  # nothing saved yet
    settings.setValue("grouping/rules", ["reference", "companions", "pixels", "bytes"])
    prefs = load_preferences(settings)
    assert prefs.rules == (
        "reference",
        "companions",
        "colour",
        "upright",
        "clean",
        "pixels",
        "bytes",
    )
    save_preferences(settings, replace(prefs, rules=("pixels", "reference")))
    # Saved now, with every rule known: what the user left out stays out.
    assert load_preferences(settings).rules == ("pixels", "reference")


def test_a_group_row_keeps_the_place_of_a_picture_still_loading(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    scan(qtbot, window, copies(tmp_path / "lib", 3))
    thumbs = ThumbnailCache()
    model = GroupListModel(thumbs)
    model.set_states(window.model.states())
    index = model.index(0, COL_PHOTO)
    role = Qt.ItemDataRole.DecorationRole
    assert not model.picture_settled(0)
    with qtbot.waitSignal(thumbs.ready, timeout=20000):
        waiting = model.data(index, role)  # asks for the picture; it is not here yet
    assert model.picture_settled(0)
    assert not model.picture_settled(model.rowCount())
    loaded = model.data(index, role)
    assert isinstance(waiting, QPixmap) and isinstance(loaded, QPixmap)
    assert waiting.toImage() != loaded.toImage()
    side = QSizeF(LIST_PICTURE_SIDE, LIST_PICTURE_SIDE)
    assert waiting.deviceIndependentSize() == loaded.deviceIndependentSize() == side
