"""Handing a file to the desktop: open it in its viewer, or show it in the file manager."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QObject, QProcess, QUrl
from PySide6.QtGui import QDesktopServices


def open_file(path: str) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def reveal_file(path: str, parent: QObject) -> None:
    """Select the file in the file manager where the platform can, else open its folder.

    ``parent`` owns the helper process until it has finished.
    """
    folder = os.path.dirname(path) or "."
    if sys.platform == "darwin":
        QProcess.startDetached("open", ["-R", path])
        return
    if sys.platform == "win32":
        QProcess.startDetached("explorer", [f"/select,{os.path.normpath(path)}"])
        return
    # The freedesktop file manager interface selects the file (Nautilus, Dolphin, Nemo, Thunar).
    process = QProcess(parent)
    uri = QUrl.fromLocalFile(path).toString()

    def finished(code: int, _status: QProcess.ExitStatus) -> None:
        if code != 0:
            QDesktopServices.openUrl(QUrl.fromLocalFile(folder))
        process.deleteLater()

    def failed(_error: QProcess.ProcessError) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(folder))
        process.deleteLater()

    process.finished.connect(finished)
    process.errorOccurred.connect(failed)
    process.start(
        "dbus-send",
        [
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.FileManager1",
            "--type=method_call",
            "/org/freedesktop/FileManager1",
            "org.freedesktop.FileManager1.ShowItems",
            f"array:string:{uri}",
            "string:",
        ],
    )
