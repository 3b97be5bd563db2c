"""Starting the application: its names (where settings go), its icon, folders given at start."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dedupe_gui.ui.app import configure_application, start_with
from dedupe_gui.ui.folders_panel import Role
from dedupe_gui.ui.main_window import MainWindow
from tests.ui.conftest import scan


def test_names_put_the_settings_in_the_apps_own_file(qapp: QApplication) -> None:
    configure_application(qapp)
    assert (qapp.organizationName(), qapp.applicationName()) == ("dedupe-gui", "dedupe-gui")
    path = QSettings(qapp.organizationName(), qapp.applicationName()).fileName()
    assert path.endswith("dedupe-gui/dedupe-gui.conf")
    assert not qapp.windowIcon().isNull()


def test_folders_given_at_start_are_scanned_at_once(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    with qtbot.waitSignal(window.groups_changed, timeout=15000):
        start_with(window, [str(photos)])
    assert window.folders.paths(Role.SCAN) == (str(photos),)
    assert window.model.rowCount() == 2


def test_recent_folders_menu_scans_again(
    qtbot: QtBot, window: MainWindow, photos: Path, tmp_path: Path
) -> None:
    scan(qtbot, window, photos)
    other = tmp_path / "other"
    other.mkdir()
    window.folders.add_folder(str(other), Role.SCAN)
    window._fill_recent()
    actions = [a for a in window.recent_menu.actions() if a.text() == str(photos)]
    assert len(actions) == 1
    with qtbot.waitSignal(window.scan_finished, timeout=15000):
        actions[0].trigger()
    assert set(window.prefs.recent[:2]) == {str(photos), str(other)}
