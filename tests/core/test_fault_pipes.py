"""Fault suite, special files: a named pipe (FIFO) put in a photo's place after the walk.

Opening a FIFO for reading waits until some program writes to it: a scan, a thumbnail or a
cleanup's re-check that opened it would hang on that one file for good. Each must give that
file a clear reason and go on.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from dedupe_gui.core.decode import DecodeError, open_thumbnail
from dedupe_gui.core.digests import file_digest, head_tail_digest
from dedupe_gui.core.files import WalkOptions, walk_listings
from dedupe_gui.core.scan import ScanOptions, Walked, run_scan
from tests.imaging import photo, save

if not hasattr(os, "mkfifo"):
    pytest.skip("named pipes are a POSIX thing", allow_module_level=True)

T = TypeVar("T")
REASON = "not a regular file: a named pipe (FIFO)"


def _unblocked(fifo: Path, call: Callable[[], T]) -> T:
    """``call()``, which must not wait on ``fifo``; if it does, a writer is opened (and
    closed) to let it go, and the test fails instead of hanging."""
    result: list[T] = []
    raised: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(30)
    if thread.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join()
        pytest.fail(f"waited on the named pipe {fifo}")
    if raised:
        raise raised[0]
    return result[0]


def _into_pipe(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def test_a_photo_turned_into_a_named_pipe_after_the_walk_fails_alone(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    for i in range(3):
        save(photo(60 + i, (160, 120)), lib / f"p{i}.png")
    options = ScanOptions((str(lib),), WalkOptions(), workers=2)
    listings = list(walk_listings(options.paths, options.walk))
    _into_pipe(lib / "p1.png")
    result = _unblocked(lib / "p1.png", lambda: run_scan(options, walked=Walked(listings)))
    assert sorted(os.path.basename(r.path) for r in result.records) == ["p0.png", "p2.png"]
    assert [(e.path, e.error) for e in result.errors] == [(str(lib / "p1.png"), REASON)]


def test_thumbnails_and_digests_of_a_named_pipe_give_a_reason(tmp_path: Path) -> None:
    fifo = tmp_path / "p.jpg"
    os.mkfifo(fifo)
    with pytest.raises(DecodeError, match=r"^not a regular file: a named pipe \(FIFO\)$"):
        _unblocked(fifo, lambda: open_thumbnail(str(fifo), 64))
    for digest in (head_tail_digest, file_digest):
        with pytest.raises(OSError) as raised:
            _unblocked(fifo, lambda: digest(str(fifo)))  # noqa: B023 (called at once)
        assert str(raised.value) == REASON
