"""Thumbnails decoded on a thread pool and kept in a small LRU cache.

Decoding happens in ``decode_thumbnail`` on a pool thread: the core opens the file (JPEGs
downscaled in the DCT domain), applies the EXIF orientation so the picture stands the way
the camera held it, and the pixels are copied into a QImage there
(QImage, unlike QPixmap, is safe off the GUI thread). The GUI thread only looks up the cache.

The cache key holds the file's size and mtime as the scan saw them, so a file replaced on
disk is never shown with the old picture.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

from dedupe_gui.core.decode import DecodeError, describe_error, open_thumbnail
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.ui.priority import PREVIEW, lower_thread_priority


@dataclass(frozen=True, slots=True)
class ThumbKey:
    path: str
    size: int
    mtime_ns: int
    edge: int  # longest side in device pixels

    @staticmethod
    def of(record: ImageRecord, edge: int) -> ThumbKey:
        k = record.key
        return ThumbKey(k.path, k.size, k.mtime_ns, edge)


def decode_thumbnail(path: str, edge: int) -> QImage:
    """A QImage of at most ``edge`` pixels on its long side, upright; raises on bad files.

    The core's ``open_thumbnail`` reads every format the scan accepts (HEIC, RAW previews,
    files with the wrong extension), so every file that has a fingerprint has a picture.
    """
    rgb = open_thumbnail(path, edge)
    data = rgb.tobytes()
    # copy(): the QImage must own its pixels once ``data`` goes away.
    return QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888).copy()


class _LoadSignals(QObject):
    loaded = Signal(object, QImage)  # ThumbKey, image
    failed = Signal(object, str)  # ThumbKey, reason


class _LoadTask(QRunnable):
    def __init__(self, key: ThumbKey, signals: _LoadSignals) -> None:
        super().__init__()
        self._key = key
        self._signals = signals
        self.started = False  # set on the pool thread; read by drop_queued
        self.setAutoDelete(True)

    def run(self) -> None:
        self.started = True
        lower_thread_priority(PREVIEW)
        try:
            image = decode_thumbnail(self._key.path, self._key.edge)
        except Exception as exc:  # any decoder error is this file's problem only
            reason = str(exc) if isinstance(exc, DecodeError) else describe_error(exc)
            self._signals.failed.emit(self._key, reason)
            return
        self._signals.loaded.emit(self._key, image)


class ThumbnailCache(QObject):
    """``get`` answers from memory or schedules a load; ``ready`` says when it has arrived."""

    ready = Signal(object)  # ThumbKey
    failed = Signal(object, str)  # ThumbKey, reason

    def __init__(
        self, capacity: int = 600, threads: int = 2, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._capacity = capacity
        self._images: OrderedDict[ThumbKey, QImage] = OrderedDict()
        self._errors: dict[ThumbKey, str] = {}
        self._pending: dict[ThumbKey, _LoadTask] = {}
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._signals = _LoadSignals(self)
        self._signals.loaded.connect(self._on_loaded)
        self._signals.failed.connect(self._on_failed)

    def get(self, key: ThumbKey) -> QImage | None:
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
            return image
        if key not in self._pending and key not in self._errors:
            task = _LoadTask(key, self._signals)
            self._pending[key] = task
            self.pool.start(task)
        return None

    def drop_queued(self) -> None:
        """Forget loads that have not started: their pictures are no longer on show.

        Without this, holding a key down through the groups would queue every group's
        pictures ahead of the ones the user stopped at.
        """
        self.pool.clear()
        self._pending = {k: t for k, t in self._pending.items() if t.started}

    def error(self, key: ThumbKey) -> str | None:
        return self._errors.get(key)

    def forget(self, paths: Collection[str]) -> None:
        """Drop every size of each of ``paths`` (the files were removed), in one pass."""
        if not paths:
            return
        for key in [k for k in self._images if k.path in paths]:
            del self._images[key]
        for key in [k for k in self._errors if k.path in paths]:
            del self._errors[key]

    def __len__(self) -> int:
        return len(self._images)

    def _on_loaded(self, key: ThumbKey, image: QImage) -> None:
        self._pending.pop(key, None)
        self._images[key] = image
        self._images.move_to_end(key)
        while len(self._images) > self._capacity:
            self._images.popitem(last=False)
        self.ready.emit(key)

    def _on_failed(self, key: ThumbKey, reason: str) -> None:
        self._pending.pop(key, None)
        self._errors[key] = reason
        self.failed.emit(key, reason)

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)
