"""The scan on its own QThread, with progress and cancellation as Qt signals.

The fingerprint store is opened inside the worker thread: an SQLite connection belongs to
the thread that made it. Cancel only sets a ``threading.Event``; ``run_scan`` checks it after
every file and returns what it has, so the window can show a partial result.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.models import Entry, Progress
from dedupe_gui.core.scan import Fingerprinter, ScanOptions, fingerprint_entry, run_scan
from dedupe_gui.ui.priority import BACKGROUND, lower_thread_priority


def background(fingerprinter: Fingerprinter) -> Callable[[str], Entry]:
    """``fingerprinter`` run at background priority on each of the scan's decoding threads."""
    lowered: set[int] = set()

    def run(path: str) -> Entry:
        ident = threading.get_ident()
        if ident not in lowered:
            lower_thread_priority(BACKGROUND)
            lowered.add(ident)
        return fingerprinter(path)

    return run


class ScanWorker(QObject):
    progressed = Signal(object)  # Progress
    finished = Signal(object)  # ScanResult
    failed = Signal(str)
    warned = Signal(str)

    def __init__(
        self,
        options: ScanOptions,
        cache_path: str | None,
        fingerprinter: Fingerprinter = fingerprint_entry,
    ) -> None:
        super().__init__()
        self._options = options
        self._cache_path = cache_path
        self._fingerprinter = fingerprinter
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Safe from any thread: the scan stops after the files being decoded now."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, progress: Progress) -> None:
        self.progressed.emit(progress)

    @Slot()
    def run(self) -> None:
        lower_thread_priority(BACKGROUND)
        try:
            store = FingerprintStore(self._cache_path, warn=self.warned.emit)
            try:
                result = run_scan(
                    self._options,
                    store,
                    self._progress,
                    self._cancel,
                    background(self._fingerprinter),
                )
            finally:
                store.close()
        except Exception as exc:  # the window reports it; the thread must still end
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.finished.emit(result)


class ScanJob(QObject):
    """One scan: owns the thread and the worker, and cleans both up when the scan ends."""

    progressed = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    warned = Signal(str)

    def __init__(
        self,
        options: ScanOptions,
        cache_path: str | None,
        fingerprinter: Fingerprinter = fingerprint_entry,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.options = options
        self._thread = QThread()
        self._thread.setObjectName("scan")
        self._worker = ScanWorker(options, cache_path, fingerprinter)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progressed.connect(self.progressed)
        self._worker.warned.connect(self.warned)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._worker.cancel()

    @property
    def cancelling(self) -> bool:
        return self._worker.cancelled

    def _stop_thread(self) -> None:
        self._thread.quit()
        self._thread.wait()

    def _on_finished(self, result: object) -> None:
        self._stop_thread()
        self.finished.emit(result)

    def _on_failed(self, message: str) -> None:
        self._stop_thread()
        self.failed.emit(message)

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Cancel and wait for the thread (window closing); the result is dropped."""
        self._worker.cancel()
        self._thread.quit()
        self._thread.wait(timeout_ms)
