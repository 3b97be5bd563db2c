"""Starting the window: the application object, its names, its icon, and the real services.

The organisation and application names decide where QSettings writes
(``~/.config/dedupe-gui/dedupe-gui.conf`` on Linux); the cache and journal paths come from
the core so the command line and the window share one cache and one journal.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from dedupe_gui import __version__
from dedupe_gui.core.actions import default_journal_path
from dedupe_gui.core.cache import default_cache_path
from dedupe_gui.logs import setup_logging
from dedupe_gui.ui.app_icon import app_icon
from dedupe_gui.ui.crash import CrashReporter
from dedupe_gui.ui.main_window import MainWindow
from dedupe_gui.ui.preferences import APPLICATION, ORGANISATION
from dedupe_gui.ui.services import WindowServices
from dedupe_gui.ui.theme import follow_scheme

DESKTOP_FILE = "io.github.dedupe_gui.DedupeGui"


def window_icon() -> QIcon:
    return app_icon()


def configure_application(app: QApplication) -> None:
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Dedupe GUI")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(DESKTOP_FILE)
    app.setWindowIcon(window_icon())
    follow_scheme(app)


def default_services() -> WindowServices:
    return WindowServices(
        settings=QSettings(ORGANISATION, APPLICATION),
        cache_path=default_cache_path(),
        journal_path=default_journal_path(),
    )


def run_app(paths: list[str], argv: list[str], verbosity: int = 0) -> int:
    """Open the window; scan ``paths`` at once when there are any. Returns the exit status."""
    log_path = setup_logging(verbosity)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])
    configure_application(app)
    window = MainWindow(default_services())
    CrashReporter(window, log_path).install()
    window.show()
    if paths:
        start_with(window, paths)
    return app.exec()


def start_with(window: MainWindow, paths: Sequence[str]) -> None:
    window.set_scan_folders(paths)
    QTimer.singleShot(0, window.start_scan)  # once the window is on screen
