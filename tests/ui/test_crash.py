"""An unexpected exception in the window shows a dialog with the traceback and the log."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from dedupe_gui.logs import setup_logging
from dedupe_gui.ui.crash import CrashReporter
from dedupe_gui.ui.main_window import MainWindow


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_is_logged_and_shown(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    log_path = setup_logging(0, str(tmp_path / "state" / "dedupe-gui.log"))
    assert log_path is not None
    reporter = CrashReporter(window, log_path)
    reporter.install()
    button = QPushButton("boom", window)

    def boom() -> None:
        raise RuntimeError("the slot broke")

    button.clicked.connect(boom)
    try:
        with qtbot.waitSignal(reporter.reported, timeout=5000) as shown:
            button.click()
    finally:
        reporter.uninstall()
    assert "RuntimeError: the slot broke" in shown.args[0] and "in boom" in shown.args[0]
    dialog = reporter.dialog
    assert dialog is not None and dialog.isVisible()
    assert log_path in dialog.informativeText()
    assert "the slot broke" in dialog.detailedText()
    logged = Path(log_path).read_text(encoding="utf-8")
    assert "unexpected error in the window" in logged and "RuntimeError: the slot broke" in logged
    # The window is still there and usable; a second error while the dialog is open is
    # logged but does not stack another dialog.
    reporter.install()
    try:
        button.click()
    finally:
        reporter.uninstall()
    assert reporter.dialog is dialog
    assert Path(log_path).read_text(encoding="utf-8").count("the slot broke") >= 2
    dialog.close()
    assert reporter.dialog is None


def test_installing_and_removing_restores_the_previous_hook(window: MainWindow) -> None:
    import sys

    before = sys.excepthook
    reporter = CrashReporter(window, None)
    reporter.install()
    assert sys.excepthook == reporter.report
    reporter.uninstall()
    assert sys.excepthook is before
