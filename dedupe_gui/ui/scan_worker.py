"""The scan on a background worker, with progress, warnings and cancellation as Qt signals.

The fingerprint store is opened inside the worker thread: an SQLite connection belongs to
the thread that made it. Cancel only sets the task's stop event; ``run_scan`` checks it after
every file and returns what it has, so the window can show a partial result.
"""

from __future__ import annotations

import functools
import glob
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.files import WalkOptions
from dedupe_gui.core.models import Progress, ScanResult
from dedupe_gui.core.scan import Fingerprinter, ScanOptions, fingerprint_entry, run_scan
from dedupe_gui.ui.background import TaskContext, TaskHandle, Worker
from dedupe_gui.ui.priority import BACKGROUND, lower_thread_priority


def scan_options(
    scan: Sequence[str],
    references: Sequence[str],
    excluded: Sequence[str],
    min_kb: int,
    workers: int,
    patterns: Sequence[str] = (),
    follow_links: bool = False,
) -> ScanOptions:
    """What the Folders panel says to scan: reference folders are scanned too (their files
    stay), excluded folders are matched as literal paths, ``patterns`` (names or paths to skip)
    as shell patterns, sizes are in kB."""
    return ScanOptions(
        paths=(*scan, *(r for r in references if r not in scan)),
        walk=WalkOptions(
            excludes=(
                *(glob.escape(os.path.abspath(p).rstrip(os.sep)) for p in excluded),
                *patterns,
            ),
            references=tuple(references),
            min_size=max(1, min_kb * 1000),
            follow_links=follow_links,
        ),
        workers=workers,
    )


@dataclass(frozen=True, slots=True)
class _Warning:
    message: str


class ScanRunner(QObject):
    """Runs one scan at a time; ``running`` while one is under way."""

    progressed = Signal(object)  # Progress
    finished = Signal(object)  # ScanResult
    failed = Signal(str)
    warned = Signal(str)

    def __init__(
        self,
        cache_path: str | None,
        fingerprinter: Fingerprinter = fingerprint_entry,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._cache_path = cache_path
        self._fingerprinter = fingerprinter
        self._worker = Worker("scan", self)
        self._task: TaskHandle[ScanResult] | None = None
        self._closed = False

    @property
    def running(self) -> bool:
        return self._task is not None

    @property
    def cancelling(self) -> bool:
        return self._task is not None and self._task.stopping

    def start(self, options: ScanOptions) -> bool:
        if self._task is not None:
            return False
        cache_path, fingerprinter = self._cache_path, self._fingerprinter
        # The decoding threads run at background priority. They are set up by the scan, not
        # by wrapping the fingerprinter: the scan gives the default one its memory budget.
        setup = functools.partial(lower_thread_priority, BACKGROUND)
        # With a cache the records leave their thumbnails there: the grouping fetches those
        # of the pairs it checks (review.IndexHolder), and the window holds a kilobyte less
        # per photo for as long as the results are on show.
        options = replace(options, thumbs_in_store=cache_path is not None)

        def work(ctx: TaskContext) -> ScanResult:
            lower_thread_priority(BACKGROUND)
            store = FingerprintStore(cache_path, warn=lambda m: ctx.progress(_Warning(m)))
            try:
                return run_scan(options, store, ctx.progress, ctx.stop_event, fingerprinter, setup)
            finally:
                store.close()

        self._task = self._worker.start(work, self._done, self._failed, self._progress)
        return True

    def cancel(self) -> None:
        """The scan stops after the files being decoded now, and reports what it has."""
        if self._task is not None:
            self._task.stop()

    def _progress(self, value: Progress | _Warning) -> None:
        if self._closed:
            return
        if isinstance(value, _Warning):
            self.warned.emit(value.message)
        elif self._task is not None:
            self.progressed.emit(value)

    def _done(self, result: ScanResult) -> None:
        self._task = None
        if not self._closed:
            self.finished.emit(result)

    def _failed(self, message: str) -> None:
        self._task = None
        if not self._closed:
            self.failed.emit(message)

    def shutdown(self, msecs: int) -> bool:
        """Cancel and wait at most ``msecs`` (window closing); the result is dropped."""
        self._closed = True
        if self._task is not None:
            self._task.stop()
            self._task = None
        return self._worker.wait(msecs)
