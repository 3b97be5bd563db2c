"""Calling something at most so often, however often it is asked for.

The window is asked to refresh far more often than it can usefully repaint: a cleanup reports
every file, a grouping reports every batch, a slider drag moves every pixel. ``Throttle``
turns a burst of ``poke()`` calls into one call of its callback:

- ``Throttle.coalesce(ms)``: at most one call per ``ms``, the first ``ms`` after the burst
  began (progress and refreshes keep flowing during a long burst);
- ``Throttle.debounce(ms)``: one call once the pokes have paused for ``ms`` (a slider drag
  regroups when the hand rests).

``flush()`` runs a pending call at once (the end of a cleanup), ``cancel()`` drops it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class Throttle(QObject):
    def __init__(
        self, interval_ms: int, callback: Callable[[], None], restart: bool, parent: QObject
    ) -> None:
        super().__init__(parent)
        self._callback = callback
        self._restart = restart
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._fire)

    @staticmethod
    def coalesce(interval_ms: int, callback: Callable[[], None], parent: QObject) -> Throttle:
        return Throttle(interval_ms, callback, False, parent)

    @staticmethod
    def debounce(interval_ms: int, callback: Callable[[], None], parent: QObject) -> Throttle:
        return Throttle(interval_ms, callback, True, parent)

    def poke(self) -> None:
        if self._restart or not self._timer.isActive():
            self._timer.start()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def flush(self) -> None:
        if self._timer.isActive():
            self._fire()

    def cancel(self) -> None:
        self._timer.stop()

    def _fire(self) -> None:
        self._timer.stop()
        self._callback()
