"""An unexpected exception in the window: logged with its traceback, and shown to the user.

Without this, an exception raised in a slot is printed to a terminal nobody is looking at and
the window goes on as if the click had done nothing. ``CrashReporter`` takes Python's
``sys.excepthook`` while the window runs: each such exception is written to the log (with the
traceback) and a dialog says that something went wrong, where the log is, and shows the
traceback under "Show Details". The window stays open; nothing already done is undone.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


class CrashReporter(QObject):
    """Installs itself as ``sys.excepthook`` until ``uninstall`` (or its parent goes)."""

    reported = Signal(str)  # the traceback, once the dialog is on show

    def __init__(self, parent: QWidget, log_path: str | None) -> None:
        super().__init__(parent)
        self._window = parent
        self._log_path = log_path
        self._previous: ExceptHook | None = None
        self._showing = False
        self.dialog: QMessageBox | None = None

    def install(self) -> None:
        if self._previous is None:
            self._previous = sys.excepthook
            sys.excepthook = self.report
            self.destroyed.connect(self.uninstall)

    def uninstall(self) -> None:
        if self._previous is not None:
            if sys.excepthook == self.report:
                sys.excepthook = self._previous
            self._previous = None

    def report(
        self,
        kind: type[BaseException],
        value: BaseException,
        tb: TracebackType | None,
    ) -> None:
        text = "".join(traceback.format_exception(kind, value, tb))
        log.critical("unexpected error in the window\n%s", text.rstrip())
        if issubclass(kind, KeyboardInterrupt) or self._showing:
            return  # one dialog at a time: a burst of the same error would bury the window
        self._showing = True
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "Unexpected error",
            "Something went wrong inside Dedupe GUI. What you were doing may not have finished; "
            "nothing was removed that you had not confirmed.",
            QMessageBox.StandardButton.Close,
            self._window,
        )
        where = f"The details are in the log: {self._log_path}" if self._log_path else ""
        box.setInformativeText(
            f"{kind.__name__}: {value}\n\n{where}".strip()
            + "\nPlease include them if you report the problem."
        )
        box.setDetailedText(text)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.finished.connect(self._closed)
        self.dialog = box
        box.open()
        self.reported.emit(text)

    def _closed(self, _result: int) -> None:
        self._showing = False
        self.dialog = None
