"""Grouping off the GUI thread, as often as the slider moves, without queueing work.

One grouping runs at a time, on a worker that is the only thread touching the similarity
index (review.IndexHolder). A new request stops the running one at its next batch of keepers
(its result would be stale anyway) and waits alone: intermediate slider positions are skipped,
and a slow grouping never holds up the one the user asked for last. The review's groups are
built on the worker too (review.prepare_groups): the GUI thread only swaps them in.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal

from dedupe_gui.core.grouping import GroupingStopped
from dedupe_gui.review import GroupingRequest, IndexHolder
from dedupe_gui.review.regrouping import PreparedGroups, prepare_groups
from dedupe_gui.ui.background import TaskContext, TaskHandle, Worker

Result = PreparedGroups | None  # None: stopped before the end


class Regrouper(QObject):
    regrouped = Signal(object)  # PreparedGroups
    failed = Signal(str)
    progressed = Signal(int, int)  # keepers visited, of all files

    def __init__(self, parent: QObject | None = None, cache_path: str | None = None) -> None:
        super().__init__(parent)
        self._worker = Worker("grouping", self)
        self._holder = IndexHolder(cache_path)
        self._pending: GroupingRequest | None = None
        self._running: TaskHandle[Result] | None = None
        self._closed = False
        self._started_at = 0.0
        self.last_seconds = 0.0  # how long the last full grouping took, to decide on debouncing

    @property
    def busy(self) -> bool:
        return self._running is not None or self._pending is not None

    def request(self, request: GroupingRequest) -> None:
        if self._closed:
            return
        self._pending = request
        if self._running is None:
            self._start()
        else:
            self._running.stop()  # stale: the next one starts as soon as it returns

    def _start(self) -> None:
        request = self._pending
        if request is None or self._closed:
            return
        self._pending = None
        self._started_at = time.monotonic()
        holder = self._holder

        def work(ctx: TaskContext) -> Result:
            def progress(done: int, total: int) -> None:
                ctx.progress((done, total))

            try:
                groups = holder.groups(request, lambda: ctx.stopped, progress)
            except GroupingStopped:
                return None
            return prepare_groups(request, groups)

        self._running = self._worker.start(work, self._done, self._failed, self._progress)

    def _progress(self, value: tuple[int, int]) -> None:
        if self._pending is None and not self._closed:
            self.progressed.emit(*value)

    def _done(self, result: Result) -> None:
        self._running = None
        if result is not None:
            self.last_seconds = time.monotonic() - self._started_at
            if self._pending is None and not self._closed:
                self.regrouped.emit(result)
        self._start()

    def _failed(self, message: str) -> None:
        self._running = None
        if not self._closed:
            self.failed.emit(message)
        self._start()

    def close(self, msecs: int) -> bool:
        """No more results (the window is closing): stop the running grouping and wait for it
        at most ``msecs``; True when it returned in time."""
        self._closed = True
        self._pending = None
        if self._running is not None:
            self._running.stop()
        if not self._worker.wait(msecs):
            return False
        self._holder.close()
        return True
