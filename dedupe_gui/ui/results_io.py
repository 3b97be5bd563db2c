"""Saving the review as a results file and loading one back, off the GUI thread.

A loaded report replaces the review, so the user is asked first when that would discard
marks or review progress made here; the reference folders set now protect its files
(review.session.take_report).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from dedupe_gui.core.report import Report, load
from dedupe_gui.review import ReviewSession
from dedupe_gui.review.results import write_report
from dedupe_gui.ui import dialogs
from dedupe_gui.ui.background import TaskContext, Worker
from dedupe_gui.ui.services import WindowServices
from dedupe_gui.ui.wording import plural

StatusFunction = Callable[[str, int], None]


class ResultsFiles(QObject):
    saved = Signal(str)
    loaded = Signal(str)  # after the session took the report
    failed = Signal(str)

    def __init__(
        self,
        session: ReviewSession,
        services: WindowServices,
        window: QWidget,
        status: StatusFunction,
        references: Callable[[], Sequence[str]],
    ) -> None:
        super().__init__(window)
        self._session = session
        self._services = services
        self._window = window
        self._status = status
        self._references = references
        self._worker = Worker("results files", self)

    def choose_export_file(self) -> None:
        start = str(Path.home() / "duplicates.json")
        path, chosen = QFileDialog.getSaveFileName(
            self._window, "Export Results", start, "JSON (*.json);;CSV (*.csv)"
        )
        if not path:
            return
        if not Path(path).suffix:
            path += ".csv" if chosen.startswith("CSV") else ".json"
        self.export_results(path)

    def export_results(self, path: str) -> None:
        report = self._session.report()

        def work(_ctx: TaskContext) -> str:
            write_report(report, path)
            return path

        def done(saved: str) -> None:
            self._status(f"Saved {plural(len(report.groups), 'group')} to {saved}", 15000)
            self.saved.emit(saved)

        self._worker.start(work, done, lambda m: self._failed("save the results", m))

    def choose_results_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._window,
            "Load Results",
            str(Path.home()),
            "Results (*.json *.csv);;All files (*)",
        )
        if path:
            self.load_results(path)

    def load_results(self, path: str) -> None:
        session = self._session
        if session.scanning or session.cleaning:
            self._status("Wait for the scan or cleanup to end before loading results.", 6000)
            return
        if session.load_discards_work() and not self._services.ask(
            self._window,
            "Load Results",
            "Replace the groups on show, and your marks in them, with the loaded results?",
            "Your marks are not saved anywhere else; export the results first to keep them.",
            "Load and Replace",
        ):
            return

        def work(_ctx: TaskContext) -> Report:
            return load(path)

        self._worker.start(
            work,
            lambda report: self._take(path, report),
            lambda m: self._failed("load the results", m),
        )

    def _take(self, path: str, report: Report) -> None:
        if self._session.scanning or self._session.cleaning:
            return  # started while the file was read: the newer work wins
        known = path.lower().endswith(".json") or report.threshold > 0
        self._session.take_report(report, self._references(), threshold_known=known)
        self._status(f"Loaded {plural(len(report.groups), 'group')} from {path}", 15000)
        self.loaded.emit(path)

    def _failed(self, what: str, message: str) -> None:
        self._status(f"Could not {what}: {message}", 20000)
        self.failed.emit(message)
        dialogs.show_problem(self._window, "Dedupe GUI", f"Could not {what}.", message)

    def wait(self, msecs: int) -> bool:
        return self._worker.wait(msecs)
