"""Choosing folders and scanning them: the Folders panel, the progress strip and the scan
worker, bound to the review session (which decides whether a scan may start and takes its
results).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from dedupe_gui.core.models import ScanResult
from dedupe_gui.core.scan import ScanOptions
from dedupe_gui.review import ReviewSession
from dedupe_gui.ui import dialogs
from dedupe_gui.ui.folders_panel import FoldersPanel, Role
from dedupe_gui.ui.scan_progress import ScanProgress
from dedupe_gui.ui.scan_worker import ScanRunner, scan_options
from dedupe_gui.ui.services import WindowServices
from dedupe_gui.ui.settings_binding import SettingsBinding
from dedupe_gui.ui.status_line import scan_message

StatusFunction = Callable[[str, int], None]


class ScanControl(QObject):
    started = Signal()
    finished = Signal(object)  # ScanResult, for the session to take
    failed = Signal(str)

    def __init__(
        self,
        session: ReviewSession,
        services: WindowServices,
        folders: FoldersPanel,
        progress: ScanProgress,
        window: QWidget,
        status: StatusFunction,
        preferences: SettingsBinding,
    ) -> None:
        super().__init__(window)
        self._session, self._services = session, services
        self._folders, self._progress, self._window = folders, progress, window
        self._status, self._preferences = status, preferences
        self.runner = ScanRunner(services.cache_path, services.fingerprinter, self)
        self.runner.progressed.connect(progress.show_progress)
        self.runner.finished.connect(self._done)
        self.runner.failed.connect(self._failed)
        self.runner.warned.connect(lambda msg: status(msg, 15000))
        progress.cancel_requested.connect(self.cancel)
        folders.add_requested.connect(self.choose_folder)
        folders.scan_requested.connect(self.start)

    def choose_folder(self) -> None:
        recent = self._preferences.prefs.recent
        start = recent[0] if recent else str(Path.home())
        folder = QFileDialog.getExistingDirectory(self._window, "Choose a folder of photos", start)
        if folder:
            self.scan_folder(folder)

    def scan_folder(self, folder: str) -> None:
        """Add ``folder`` to the scan list (if it is not there) and scan at once."""
        f = self._folders
        if folder not in f.paths(Role.SCAN) + f.paths(Role.REFERENCE):
            f.add_folder(folder, Role.SCAN)
        self.start()

    def set_scan_folders(self, paths: Sequence[str]) -> None:
        for p in paths:
            self._folders.add_folder(os.path.abspath(os.path.expanduser(p)), Role.SCAN)

    def options(self) -> ScanOptions:
        f = self._folders
        return scan_options(
            f.paths(Role.SCAN),
            f.paths(Role.REFERENCE),
            f.paths(Role.EXCLUDED),
            f.min_size.value(),
            self._services.scan_workers,
            self._preferences.prefs.patterns,
            self._preferences.prefs.follow_links,
        )

    def start(self) -> None:
        scan = self._folders.paths(Role.SCAN)
        if not scan:
            self._status("Add a folder to scan first.", 5000)
            if not self.options().paths and not self._session.cleaning:
                self.choose_folder()
            return
        if not self._session.begin_scan():
            return
        self._preferences.remember_scanned(scan)
        self.runner.start(self.options())
        self._progress.start()
        self._status("Scanning…", 0)
        self.started.emit()

    def cancel(self) -> bool:
        """Stop the scan after the files being decoded now; False when none is running."""
        if not self.runner.running or self.runner.cancelling:
            return False
        self.runner.cancel()
        self._progress.cancelling()
        self._status("Stopping the scan…", 0)
        return True

    def _done(self, result: ScanResult) -> None:
        self._progress.hide()
        self._status(scan_message(result), 20000)
        self.finished.emit(result)

    def _failed(self, message: str) -> None:
        self._session.scan_failed()
        self._progress.hide()
        self.failed.emit(message)
        text = "The scan stopped because of an unexpected error."
        dialogs.show_problem(self._window, "Scan failed", text, detail=message)
