"""Running core functions off the GUI thread and getting their results back on it.

A ``Task`` runs one callable on a QThreadPool. Its result (or the exception's text) comes
back through signals of a QObject created on the GUI thread, so Qt queues the delivery to
that thread. The runner keeps each task's signal object alive until it has reported: a
QObject collected while its queued signal is still in flight would drop the result.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class TaskSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(str)
    progressed = Signal(object)  # optional intermediate results, e.g. per-file outcomes


class Task(QRunnable):
    def __init__(self, fn: Callable[[TaskSignals], Any], signals: TaskSignals) -> None:
        super().__init__()
        self._fn = fn
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self._fn(self.signals)
        except Exception as exc:  # reported to the window, which shows it; never a silent loss
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self.signals.failed.emit(detail)
            return
        self.signals.succeeded.emit(result)


class TaskRunner(QObject):
    """Starts tasks on its own pool so that long cleanups never wait behind thumbnails."""

    def __init__(self, parent: QObject | None = None, threads: int = 1) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._live: set[TaskSignals] = set()

    def start(
        self,
        fn: Callable[[TaskSignals], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[str], None],
        on_progress: Callable[[Any], None] | None = None,
    ) -> TaskSignals:
        signals = TaskSignals(self)
        self._live.add(signals)

        def finish_ok(result: object) -> None:
            self._release(signals)
            on_success(result)

        def finish_failed(message: str) -> None:
            self._release(signals)
            on_failure(message)

        signals.succeeded.connect(finish_ok)
        signals.failed.connect(finish_failed)
        if on_progress is not None:
            signals.progressed.connect(on_progress)
        self.pool.start(Task(fn, signals))
        return signals

    def _release(self, signals: TaskSignals) -> None:
        self._live.discard(signals)
        signals.deleteLater()

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)
