"""Long work off the GUI thread, with progress, a stop, and the result back on the GUI thread.

One helper for every background stage of the window (the scan, grouping, cleanup, results
files). A ``Worker`` owns one daemon thread; ``start`` runs a function there and gives it a
``TaskContext``: ``ctx.progress(x)`` sends ``x`` to the GUI thread, ``ctx.stopped`` tells the
function to give up. The result (or the failure's text) arrives through signals of a QObject
created on the GUI thread, so Qt queues the delivery to that thread; each task's signal object
lives until it has reported (a QObject collected while its queued signal is in flight would
drop the result) and is then deleted, so nothing accumulates from one task to the next.

Nothing here waits without a limit: ``Worker.wait`` takes a timeout, closing the window asks
running tasks to stop before waiting for them, and a task that never returns is left behind.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal

T = TypeVar("T")
log = logging.getLogger(__name__)


class TaskContext:
    """What a background function may do: report progress, and check whether to stop."""

    def __init__(self, signals: _Signals, stop: threading.Event) -> None:
        self._signals = signals
        self.stop_event = stop

    def progress(self, value: object) -> None:
        """Send ``value`` to the GUI thread's progress handler (safe from any thread)."""
        self._signals.progressed.emit(value)

    @property
    def stopped(self) -> bool:
        return self.stop_event.is_set()


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(str)
    progressed = Signal(object)


class TaskHandle(Generic[T]):
    """A started task: ask it to stop, or see whether it is still running."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self.running = True

    def stop(self) -> None:
        """Ask the function to give up at its next check; its result is then ignored."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()


class Worker(QObject):
    """Runs tasks one at a time on its own daemon thread, so a long cleanup never waits behind
    thumbnails and a grouping never waits behind a results file.

    A daemon thread rather than a QThreadPool: a pool's destructor waits for its running task
    without limit, so a file read hanging on a dead network drive would freeze the window as
    it closes. A daemon thread that has not returned is left behind instead (its result is
    dropped), and the process can still exit.
    """

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._idle = threading.Condition()
        self._pending = 0
        self._thread: threading.Thread | None = None
        self._live: dict[_Signals, TaskHandle[Any]] = {}

    def start(
        self,
        fn: Callable[[TaskContext], T],
        on_success: Callable[[T], None],
        on_failure: Callable[[str], None],
        on_progress: Callable[[Any], None] | None = None,
    ) -> TaskHandle[T]:
        """Run ``fn`` on the worker thread; the handlers run on the GUI thread."""
        stop = threading.Event()
        signals = _Signals(self)
        handle: TaskHandle[T] = TaskHandle(stop)
        self._live[signals] = handle

        def finish_ok(result: T) -> None:
            self._release(signals)
            on_success(result)

        def finish_failed(message: str) -> None:
            self._release(signals)
            on_failure(message)

        signals.succeeded.connect(finish_ok)
        signals.failed.connect(finish_failed)
        if on_progress is not None:
            signals.progressed.connect(on_progress)
        ctx = TaskContext(signals, stop)
        name = self.name

        def job() -> None:
            try:
                result = fn(ctx)
            except Exception as exc:  # reported to the window, which shows it; never lost
                log.error("%s failed", name, exc_info=True)
                detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                _emit(signals.failed, detail)
                return
            _emit(signals.succeeded, result)

        with self._idle:
            self._pending += 1
        self._jobs.put(job)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=name, daemon=True)
            self._thread.start()
        return handle

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job()
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    @property
    def busy(self) -> bool:
        return bool(self._live)

    def stop_all(self) -> None:
        for handle in self._live.values():
            handle.stop()

    def _release(self, signals: _Signals) -> None:
        handle = self._live.pop(signals, None)
        if handle is not None:
            handle.running = False
        signals.deleteLater()

    def wait(self, msecs: int) -> bool:
        """Wait up to ``msecs`` for the queued and running tasks to return; True if they did."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=msecs / 1000)


class Batches(Generic[T]):
    """Progress items sent to the GUI thread a list at a time: after ``interval`` seconds or
    ``size`` items, whichever comes first, and whatever is left at ``flush``.

    One queued signal per item floods the GUI thread's event queue when items come fast (a
    cleanup moves hundreds of files a second): Qt delivers every queued event before the
    next timer or paint, so thousands of small handlers run as one long stall. A batch is one
    handler call of at most ``size`` items, so the GUI thread's work per event stays bounded.
    """

    def __init__(self, send: Callable[[list[T]], None], interval: float = 0.05, size: int = 200):
        self._send, self._interval, self._size = send, interval, size
        self._items: list[T] = []
        self._last = time.monotonic()

    def add(self, item: T) -> None:
        self._items.append(item)
        if len(self._items) >= self._size or time.monotonic() - self._last >= self._interval:
            self.flush()

    def flush(self) -> None:
        self._last = time.monotonic()
        if self._items:
            items, self._items = self._items, []
            self._send(items)


def _emit(signal: Any, value: object) -> None:
    """Deliver to the GUI thread, unless the receiver is gone (the window closed meanwhile)."""
    try:
        signal.emit(value)
    except RuntimeError:
        log.debug("a background result arrived after its window closed")
