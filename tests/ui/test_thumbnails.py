"""Thumbnails: upright, small, decoded off the GUI thread, cached by path, size and mtime."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dedupe_gui.core.models import FileKey, Fingerprint, ImageRecord
from dedupe_gui.ui.thumbnails import ThumbKey, ThumbnailCache, decode_thumbnail
from tests.imaging import jpeg_with_orientation, photo, save


def key(path: Path, edge: int) -> ThumbKey:
    st = path.stat()
    return ThumbKey(str(path), st.st_size, st.st_mtime_ns, edge)


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    path = jpeg_with_orientation(photo(5, (120, 80)), tmp_path / "turned.jpg", 6)
    image = decode_thumbnail(str(path), 60)
    assert (image.width(), image.height()) == (60, 40)  # shown upright: wider than tall


def test_loads_on_the_pool_and_caches(qtbot: QtBot, tmp_path: Path) -> None:
    a = save(photo(1), tmp_path / "a.png")
    b = save(photo(2), tmp_path / "b.jpg", quality=80)
    cache = ThumbnailCache(capacity=1)
    threads: list[QThread] = []
    original = decode_thumbnail

    import dedupe_gui.ui.thumbnails as thumbnails

    def spy(path: str, edge: int):  # type: ignore[no-untyped-def]
        threads.append(QThread.currentThread())
        return original(path, edge)

    thumbnails.decode_thumbnail = spy
    try:
        with qtbot.waitSignal(cache.ready, timeout=5000):
            assert cache.get(key(a, 64)) is None  # not decoded on this thread
        image = cache.get(key(a, 64))
        assert image is not None and max(image.width(), image.height()) == 64
        with qtbot.waitSignal(cache.ready, timeout=5000):
            cache.get(key(b, 64))
        assert len(cache) == 1  # capacity 1: a was evicted
        assert cache.get(key(b, 64)) is not None
    finally:
        thumbnails.decode_thumbnail = original
    app = QApplication.instance()
    assert app is not None
    assert threads and all(t is not app.thread() for t in threads)


def test_a_changed_file_is_a_new_key_and_bad_files_report_why(qtbot: QtBot, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    record = ImageRecord(FileKey(str(bad), 12, 1), Fingerprint(0, 4, 3, "JPEG"))
    cache = ThumbnailCache()
    with qtbot.waitSignal(cache.failed, timeout=5000) as failed:
        cache.get(ThumbKey.of(record, 64))
    assert failed.args[1]
    assert cache.error(ThumbKey.of(record, 64)) == failed.args[1]
    assert ThumbKey.of(record, 64) != ThumbKey(str(bad), 12, 2, 64)


def test_queued_loads_can_be_dropped_and_asked_for_again(qtbot: QtBot, tmp_path: Path) -> None:
    paths = [save(photo(10 + i, (480, 360)), tmp_path / f"p{i}.png") for i in range(6)]
    cache = ThumbnailCache(threads=1)
    for p in paths:
        assert cache.get(key(p, 200)) is None
    cache.drop_queued()
    assert len(cache._pending) <= 1  # at most the one already being decoded
    qtbot.waitUntil(lambda: not cache._pending, timeout=5000)
    assert len(cache) <= 1
    last = key(paths[-1], 200)
    with qtbot.waitSignal(cache.ready, timeout=5000, check_params_cb=lambda k: k == last):
        assert cache.get(last) is None  # dropped, so asked for again
    assert cache.get(last) is not None
