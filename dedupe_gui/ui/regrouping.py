"""Grouping off the GUI thread, as often as the slider moves, without queueing work.

One grouping runs at a time on a single-thread pool, which is also the only thread that
touches the similarity index (it caches pairs and is not safe to share). While one runs,
only the latest request waits; intermediate slider positions are skipped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL
from dedupe_gui.ui.group_state import GroupState
from dedupe_gui.ui.tasks import TaskRunner, TaskSignals


@dataclass(frozen=True, slots=True)
class GroupingRequest:
    threshold: int
    rules: tuple[str, ...]
    version: int
    records: tuple[ImageRecord, ...]
    choices: dict[str, bool]  # a copy: the GUI thread goes on changing its own
    rotations: bool = False  # also group turned and mirrored copies


class IndexHolder:
    """The similarity index, touched only by the grouping pool's single thread.

    With a cache, the thumbnail checks of earlier sessions are read when a scan's index is
    built and the new ones are written back after each grouping, as the command line does:
    reopening a library repeats none of them.
    """

    def __init__(self, cache_path: str | None = None) -> None:
        self.version = -1
        self.index: SimilarityIndex | None = None
        self.cache_path = cache_path

    def states(self, request: GroupingRequest) -> list[GroupState]:
        if self.index is None or self.version != request.version:
            self.index = SimilarityIndex(request.records, self._kept_checks())
            self.version = request.version
        groups = self.index.groups(
            GroupingOptions(request.threshold, request.rules, rotations=request.rotations)
        )
        self._keep_checks(self.index)
        return [GroupState.preselected(g, request.choices) for g in groups]

    def _kept_checks(self) -> dict[int, float]:
        if self.cache_path is None:
            return {}
        with FingerprintStore(self.cache_path) as store:
            return store.pair_checks(DEFAULT_MAX_RESIDUAL)

    def _keep_checks(self, index: SimilarityIndex) -> None:
        checks, good_enough = index.take_new_checks()
        if checks and self.cache_path is not None:
            with FingerprintStore(self.cache_path) as store:
                store.put_pair_checks(checks, good_enough)


class Regrouper(QObject):
    """Runs ``GroupingRequest``s one at a time, keeping only the latest one waiting."""

    regrouped = Signal(object, object)  # GroupingRequest, list[GroupState]
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None, cache_path: str | None = None) -> None:
        super().__init__(parent)
        self._runner = TaskRunner(self)
        self._holder = IndexHolder(cache_path)
        self._pending: GroupingRequest | None = None
        self._running = False
        self._stopped = False
        self._started_at = 0.0
        self.last_seconds = 0.0  # how long the last grouping took, to decide on debouncing

    @property
    def busy(self) -> bool:
        return self._running

    def request(self, request: GroupingRequest) -> None:
        self._pending = request
        if not self._running:
            self._start()

    def _start(self) -> None:
        request = self._pending
        if request is None or self._stopped:
            return
        self._pending = None
        self._running = True
        self._started_at = time.monotonic()
        holder = self._holder

        def work(_signals: TaskSignals) -> tuple[GroupingRequest, list[GroupState]]:
            return request, holder.states(request)

        self._runner.start(work, self._done, self._failed)

    def _done(self, result: tuple[GroupingRequest, list[GroupState]]) -> None:
        self._running = False
        self.last_seconds = time.monotonic() - self._started_at
        if not self._stopped:
            self.regrouped.emit(*result)
        self._start()

    def _failed(self, message: str) -> None:
        self._running = False
        if not self._stopped:
            self.failed.emit(message)
        self._start()

    def stop(self) -> None:
        """No more results (the window is closing); waits for the one running."""
        self._stopped = True
        self._pending = None
        self._runner.wait()
