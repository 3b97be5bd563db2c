"""The GUI thread's CPU in the callbacks that end a cleanup of every group, at any size.

    QT_QPA_PLATFORM=offscreen python -m bench.cleanup_callbacks /tmp/pairs --groups 50000

Writes ``--groups`` pairs of tiny files (never decoded: their fingerprints are made up, two
hashes one bit apart and one thumbnail per pair, as tests/ui/test_gui_stalls.py does), hands
them to the real window as a scan would, then cleans up every group (the files are moved into
a folder beside, and everything is deleted afterwards). A library where every photo has one
copy is the most groups 100,000 files can make, and the end of a cleanup takes its groups
off the list, its totals and its records on the GUI thread: this says how the callbacks that
do it grow. Printed: the probe's figures (bench.window_stalls.StallProbe) for the hand-over
and the cleanup, and the thread CPU of each of the callbacks named in ``TIMED``, in ms.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.window_stalls import StallProbe, benched_window

# (module, class, method): the callbacks and the pieces of them that are timed.
TIMED = (
    ("dedupe_gui.ui.cleanup_flow", "CleanupFlow", "clean_up_all"),
    ("dedupe_gui.ui.cleanup_flow", "CleanupFlow", "_done"),
    ("dedupe_gui.review.session_cleanup", "SessionCleanup", "finish_cleanup"),
    ("dedupe_gui.ui.main_window", "MainWindow", "_cleanup_done"),
    ("dedupe_gui.ui.review_view", "ReviewView", "cleanup_done"),
    ("dedupe_gui.ui.main_window", "MainWindow", "show_outcomes"),
)


def pairs(folder: Path, groups: int) -> Any:
    """A ScanResult of ``groups`` pairs of tiny files."""
    from dedupe_gui.core.models import FileKey, Fingerprint, ImageRecord, ScanResult, ScanStats

    rng = random.Random(groups)
    records = []
    for g in range(groups):
        base = rng.getrandbits(64) & ~1
        thumb = rng.randbytes(32 * 32)
        for k in range(2):
            path = folder / f"{g // 500:03d}" / f"IMG_{g:05d}_{k}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(str(path).encode())
            st = os.stat(path)
            key = FileKey(str(path), st.st_size, st.st_mtime_ns)
            fingerprint = Fingerprint(base | k, 400 - 40 * k, 300, "JPEG", thumb=thumb)
            records.append(ImageRecord(key, fingerprint, change_ns=st.st_ctime_ns))
    stats = ScanStats(files=len(records), images=len(records))
    return ScanResult((str(folder),), tuple(records), (), stats, roots=(str(folder),))


def timed(spent: dict[str, list[float]]) -> None:
    """Wrap each method of ``TIMED`` to add its thread CPU (ms) to ``spent``."""
    import importlib

    for module, owner, name in TIMED:
        cls = getattr(importlib.import_module(module), owner)
        fn: Callable[..., Any] = getattr(cls, name)

        def wrapper(*args: Any, _fn: Callable[..., Any] = fn, _n: str = name, **kw: Any) -> Any:
            began = time.thread_time()
            try:
                return _fn(*args, **kw)
            finally:
                spent.setdefault(_n, []).append((time.thread_time() - began) * 1000)

        setattr(cls, name, functools.wraps(fn)(wrapper))


def run(folder: Path, groups: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    shutil.rmtree(folder, ignore_errors=True)
    result = pairs(folder / "library", groups)
    bin_ = folder / "bin"
    bin_.mkdir()
    spent: dict[str, list[float]] = {}
    timed(spent)
    app = QApplication(sys.argv[:1])

    def trash(path: str) -> None:
        os.rename(path, bin_ / os.path.basename(path))

    window = benched_window(folder, trash, None, None)
    probe = StallProbe()
    probe.start()

    def until(signal: Any, start: Callable[[], object]) -> float:
        loop = QEventLoop()
        signal.connect(loop.quit)
        began = time.perf_counter()
        QTimer.singleShot(0, start)
        loop.exec()
        signal.disconnect(loop.quit)
        ticks = len(probe.wall) + 5  # what the handler queued after the signal counts too
        while len(probe.wall) < ticks:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        return time.perf_counter() - began

    def report(stage: str, seconds: float) -> None:
        print(
            f"{stage}: {seconds:.1f} s, longest gap {probe.longest_wall_ms:.0f} ms, most "
            f"GUI-thread CPU between ticks {probe.longest_cpu_ms:.0f} ms",
            flush=True,
        )
        probe.reset()

    try:
        assert window.session.begin_scan()
        probe.reset()
        report(
            f"hand-over of {groups:,} pairs",
            until(window.groups_changed, lambda: window.scans.finished.emit(result)),
        )
        spent.clear()
        report("cleanup", until(window.cleanup_finished, window.clean_up_all))
        print(f"{len(os.listdir(bin_)):,} files moved, {window.model.rowCount():,} groups left")
        for _, _, name in TIMED:
            times = spent.get(name, [])
            print(f"  {name}: {', '.join(f'{t:.1f}' for t in times)} ms")
    finally:
        probe.stop()
        window.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="scratch folder (made and deleted)")
    parser.add_argument("--groups", type=int, default=50_000)
    args = parser.parse_args()
    run(args.folder, args.groups)


if __name__ == "__main__":
    main()
