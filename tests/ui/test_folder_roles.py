"""The Role drop-down of the Folders panel: what it says is what the scan does."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from dedupe_gui.ui.folders_panel import FoldersPanel, Role
from dedupe_gui.ui.main_window import MainWindow
from tests.imaging import photo, save


def two_folders(tmp_path: Path) -> tuple[Path, Path]:
    """The same photo in two folders; the larger copy (the natural keeper) in ``big``."""
    big, small = tmp_path / "big", tmp_path / "small"
    save(photo(7, (384, 288)), big / "a.jpg", quality=95)
    save(photo(7).resize((192, 144)), small / "a.jpg", quality=80)
    return big, small


def select_folder(panel: FoldersPanel, path: Path) -> None:
    items = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    panel.tree.clearSelection()
    for item in items:
        if item is not None and item.text(0) == str(path):
            item.setSelected(True)


def scan_now(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.groups_changed, timeout=15000):
        window.start_scan()


def reference_flags(window: MainWindow) -> dict[str, bool]:
    return {r.path: r.reference for r in window.session.records}


def test_role_combo_makes_a_folder_a_reference_and_back(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    big, small = two_folders(tmp_path)
    window.set_scan_folders([str(big), str(small)])
    panel = window.folders
    select_folder(panel, big)
    assert panel.role.isEnabled() and panel.role.currentText() == Role.SCAN.value

    # Down in the combo picks the next role (Reference), as a user's key press would.
    panel.role.setFocus()
    QTest.keyClick(panel.role, Qt.Key.Key_Down)
    assert panel.paths(Role.REFERENCE) == (str(big),)
    assert panel.paths(Role.SCAN) == (str(small),)
    item = panel.tree.topLevelItem(0)
    assert item is not None and item.text(1) == "Reference"
    assert window.prefs.references == (str(big),)

    scan_now(qtbot, window)
    flags = reference_flags(window)
    assert flags == {str(big / "a.jpg"): True, str(small / "a.jpg"): False}
    state = window.current_state()
    assert state is not None
    ref = str(big / "a.jpg")
    assert ref not in state.marked and not state.can_mark(ref)
    assert state.marked == {str(small / "a.jpg")}

    # And back: the folder is scanned again and its file may be offered for the trash.
    select_folder(panel, big)
    assert panel.role.currentText() == Role.REFERENCE.value
    QTest.keyClick(panel.role, Qt.Key.Key_Up)
    assert panel.paths(Role.REFERENCE) == ()
    assert set(panel.paths(Role.SCAN)) == {str(big), str(small)}
    scan_now(qtbot, window)
    assert not any(reference_flags(window).values())


def test_excluded_folder_is_not_scanned(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    big, small = two_folders(tmp_path)
    save(photo(7).resize((160, 120)), small / "inner" / "a.jpg", quality=85)
    window.set_scan_folders([str(small)])
    window.folders.add_folder(str(small / "inner"), Role.SCAN)
    select_folder(window.folders, small / "inner")
    window.folders.role.setFocus()
    QTest.keyClick(window.folders.role, Qt.Key.Key_End)  # the last role: Excluded
    assert window.folders.paths(Role.EXCLUDED) == (str(small / "inner"),)
    window.set_scan_folders([str(big)])
    scan_now(qtbot, window)
    assert set(reference_flags(window)) == {str(big / "a.jpg"), str(small / "a.jpg")}


def test_role_read_back_from_qt_is_a_role() -> None:
    """Whatever Qt hands back (the enum or its plain string), the panel sees a Role."""
    assert Role.of("Reference") is Role.REFERENCE
    assert Role.of(Role.EXCLUDED) is Role.EXCLUDED
    assert Role.of(None) is Role.SCAN
