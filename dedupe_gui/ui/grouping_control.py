"""The similarity slider and the other grouping settings, bound to the session and the
grouping worker: what to regroup, when (at every step of a drag, or on a pause where a
grouping takes long), and the groups handed back to the session.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.review import FileIdentity, GroupingRequest, ReviewSession
from dedupe_gui.review.regrouping import PreparedGroups
from dedupe_gui.ui.regrouper import Regrouper
from dedupe_gui.ui.threshold_bar import ThresholdBar
from dedupe_gui.ui.throttle import Throttle

SLOW_GROUPING = 0.12  # seconds; above this, a slider drag regroups on a pause, not every step
DRAG_PAUSE_MS = 150
StatusFunction = Callable[[str, int], None]
UnsayFunction = Callable[[str], None]  # clears the status line if it still shows this message


class GroupingControl(QObject):
    shown = Signal(object)  # FileIdentity | None: the file whose group to keep selected
    failed = Signal(str)

    def __init__(
        self,
        session: ReviewSession,
        threshold: ThresholdBar,
        options: Callable[[], GroupingOptions],
        anchor: Callable[[], FileIdentity | None],
        cache_path: str | None,
        window: QWidget,
        status: StatusFunction,
        unsay: UnsayFunction,
    ) -> None:
        super().__init__(window)
        self._session, self._threshold, self._options = session, threshold, options
        self._anchor, self._status, self._unsay = anchor, status, unsay
        self._progress_said = ""
        self.regrouper = Regrouper(self, cache_path)
        self.regrouper.regrouped.connect(self._regrouped)
        self.regrouper.failed.connect(self._failed)
        self.regrouper.progressed.connect(self._progressed)
        self._drag_pause = Throttle.debounce(DRAG_PAUSE_MS, self.request, self)
        threshold.slider.sliderReleased.connect(self._drag_pause.flush)

    @property
    def busy(self) -> bool:
        return self.regrouper.busy

    def slider_moved(self) -> None:
        # Small libraries regroup at every step of a drag. Where a grouping takes long, a drag
        # waits for a pause or the release (a newer request would stop it anyway).
        if self._threshold.slider.isSliderDown() and self.regrouper.last_seconds > SLOW_GROUPING:
            self._drag_pause.poke()
        else:
            self._drag_pause.cancel()
            self.request()

    def request(self) -> None:
        """Regroup under the options now set (nothing happens when they did not change)."""
        self.run(self._session.set_options(self._options()))

    def run(self, request: GroupingRequest | None) -> None:
        if request is not None:
            self.regrouper.request(request)

    def _regrouped(self, prepared: PreparedGroups) -> None:
        # A percentage left on the status line beside finished groups reads as "still
        # working"; it goes with the groups, and only if nothing newer was said since.
        self._unsay(self._progress_said)
        anchor = self._anchor()
        if self._session.take_prepared(prepared):
            self.shown.emit(anchor)

    def _progressed(self, done: int, total: int) -> None:
        if 0 < done < total:
            self._progress_said = f"Grouping… {100 * done // total}%"
            self._status(self._progress_said, 2000)

    def _failed(self, message: str) -> None:
        self._session.grouping_failed()
        self._status(f"Grouping failed: {message}", 15000)
        self.failed.emit(message)
