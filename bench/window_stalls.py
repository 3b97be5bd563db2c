"""How long the window's GUI thread goes unanswered while it scans, regroups and cleans up.

    python -m bench.window_stalls make /tmp/lib-20k --files 20000 [--originals DIR]
    xvfb-run -a python -m bench.window_stalls run /tmp/lib-20k [--cache FILE]
        [--thresholds 16,6] [--profile DIR] [--no-cleanup]

``make`` writes a library of small JPEGs: distinct pictures cut from the real-photo originals,
five copies of each (resized, re-encoded, brighter, cropped), so a 20,000-file library holds
4,000 groups and 16,000 files to clean up. ``run`` opens the real window, scans the library,
moves the similarity slider twice (two regroupings), then cleans up every group, with a probe
timer on the GUI thread ticking every 10 ms. Per stage it prints the longest gap between ticks
(wall clock: what a user would feel, including time the operating system or another thread
held the interpreter) and the most CPU the GUI thread itself spent between two ticks (work
done on the GUI thread, which a loaded machine does not inflate), and the window process's
resident memory then and at its peak. The cleanup moves files into a folder beside the library
and moves them back afterwards. ``--profile DIR`` writes a cProfile of the GUI thread for each
stage (``python -m pstats DIR/cleanup.prof``). ``--no-cleanup`` stops before the cleanup
(and moves nothing): the scan and regroupings of a library that must stay as it is.

``--watchdog FILE`` says who held the GUI thread up whenever a tick is more than 100 ms late:
``faulthandler``'s own thread, which needs no interpreter lock, writes the Python stack of
every thread to FILE at that moment. A long gap with the GUI thread waiting in the event loop
is another thread holding the interpreter lock in one long call; its stack names the call.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from bench.measured import memory_mb

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

    from dedupe_gui.ui.main_window import MainWindow

COPIES = 5


@dataclass
class StallProbe:
    """Ticks on the GUI thread; the gaps between ticks are how long the thread was away."""

    interval_ms: int = 10
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    _last: tuple[float, float] = (0.0, 0.0)
    _timer: QObject | None = None
    watchdog: TextIO | None = None  # where to write every thread's stack when a tick is late
    late_s: float = 0.1

    def start(self) -> None:
        from PySide6.QtCore import QTimer

        timer = QTimer()
        timer.setInterval(self.interval_ms)
        timer.timeout.connect(self._tick)
        self._timer = timer
        self._last = (time.perf_counter(), time.thread_time())
        timer.start()

    def _tick(self) -> None:
        now = (time.perf_counter(), time.thread_time())
        wall, cpu = now[0] - self._last[0], now[1] - self._last[1]
        self.wall.append(wall)
        self.cpu.append(cpu)
        self._last = now
        if self.watchdog is not None:
            if wall > self.late_s:
                self.note(
                    f"the tick came {wall * 1000:.0f} ms after the last ({cpu * 1000:.0f} ms CPU)"
                )
            faulthandler.dump_traceback_later(self.late_s, file=self.watchdog)

    def note(self, text: str) -> None:
        """A line in the watchdog's file (between its stacks)."""
        if self.watchdog is not None:
            self.watchdog.write(f"== {time.strftime('%H:%M:%S')} {text}\n")
            self.watchdog.flush()

    def quiet(self) -> None:
        """No stacks until the next tick: the bench itself holds the GUI thread a while."""
        if self.watchdog is not None:
            faulthandler.cancel_dump_traceback_later()

    def stop(self) -> None:
        from PySide6.QtCore import QTimer

        if isinstance(self._timer, QTimer):
            self._timer.stop()
        self.quiet()

    def reset(self) -> None:
        self.wall.clear()
        self.cpu.clear()
        self._last = (time.perf_counter(), time.thread_time())

    @property
    def longest_wall_ms(self) -> float:
        return max(self.wall, default=0.0) * 1000

    @property
    def longest_cpu_ms(self) -> float:
        return max(self.cpu, default=0.0) * 1000

    def percentile_wall_ms(self, q: float) -> float:
        if not self.wall:
            return 0.0
        ordered = sorted(self.wall)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


@dataclass
class CallMeter:
    """How much Python work each callback of the GUI thread's event loop does (a slot, a
    timer, a queued signal), counted in function calls: a measure no machine load changes.

    A callback is a Python frame entered straight from C (Qt calling a slot or a virtual
    method); the calls made until it returns are its work, whatever C calls back into
    Python on the way (a signal emitted to a direct connection counts with its emitter).
    Work a test or the bench does directly, outside the event loop, is not counted: start
    such work from a timer. Uses ``sys.setprofile`` on the GUI thread only.
    """

    units: list[tuple[int, str]] = field(default_factory=list)  # (calls, callback name)
    _c_frames: list[object] = field(default_factory=list)  # Python frames inside a C call
    _unit: object | None = None
    _calls: int = 0

    def start(self) -> None:
        sys.setprofile(self._hook)

    def stop(self) -> None:
        sys.setprofile(None)

    def reset(self) -> None:
        self.units.clear()

    @property
    def most(self) -> tuple[int, str]:
        return max(self.units, default=(0, ""))

    def _hook(self, frame: FrameType, event: str, _arg: object) -> None:
        if event == "c_call":
            self._c_frames.append(frame)
            if self._unit is not None:
                self._calls += 1
        elif event in ("c_return", "c_exception"):
            if self._c_frames:
                self._c_frames.pop()
        elif event == "call":
            if self._unit is not None:
                self._calls += 1
            elif self._c_frames and frame.f_back is self._c_frames[-1]:
                self._unit, self._calls = frame, 1
        elif event == "return" and frame is self._unit:
            code = frame.f_code
            self.units.append((self._calls, getattr(code, "co_qualname", code.co_name)))
            self._unit = None


def make_library(out: Path, files: int, originals: Path, seed: int = 20) -> None:
    from PIL import Image, ImageEnhance, ImageOps

    rng = random.Random(seed)
    sources = sorted(p for p in originals.iterdir() if p.suffix.lower() in (".jpg", ".png"))
    pictures = []
    for p in sources:
        with Image.open(p) as im:
            img = im.convert("RGB")
        img.thumbnail((1200, 1200))
        if min(img.size) >= 300:
            pictures.append(img)
    bases = files // COPIES
    for n in range(bases):
        src = pictures[n % len(pictures)]
        # A distinct picture: a random window of a photo, sometimes mirrored or turned.
        w = rng.randint(src.width * 2 // 5, src.width * 3 // 5)
        h = rng.randint(src.height * 2 // 5, src.height * 3 // 5)
        x, y = rng.randint(0, src.width - w), rng.randint(0, src.height - h)
        base = src.crop((x, y, x + w, y + h)).resize((320, 240))
        if rng.random() < 0.5:
            base = ImageOps.mirror(base)
        if rng.random() < 0.3:
            base = base.rotate(180)
        folder = out / f"{n // 500:03d}"
        variants = [
            (base, 92),
            (base.resize((240, 180)), 85),
            (base, 60),
            (ImageEnhance.Brightness(base).enhance(1.08), 88),
            (base.crop((8, 6, 312, 234)), 90),
        ]
        for k, (img, quality) in enumerate(variants):
            path = folder / f"copy{k}" / f"IMG_{n:05d}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            img.save(path, "JPEG", quality=quality)


def benched_window(
    work: Path, trash: Callable[[str], None], cache: str | None, journal: str | None
) -> MainWindow:
    """The real window, shown at 1280x800 on settings of its own in ``work``: every question
    answered yes and every choice the last one offered (the one that goes ahead), files sent
    to the trash through ``trash``."""
    from PySide6.QtCore import QSettings

    from dedupe_gui.ui.main_window import MainWindow
    from dedupe_gui.ui.services import WindowServices

    services = WindowServices(
        settings=QSettings(str(work / "settings.conf"), QSettings.Format.IniFormat),
        cache_path=cache,
        journal_path=journal,
        trash=trash,
        ask=lambda *_args, **_kw: True,
        choose=lambda _parent, _title, _text, _info, buttons, destructive=False: len(buttons) - 1,
    )
    window = MainWindow(services)
    window.resize(1280, 800)
    window.show()
    return window


def run(
    library: Path,
    cache: str | None,
    thresholds: tuple[int, ...] = (16, 6),
    profile: Path | None = None,
    cleanup: bool = True,
    watchdog: Path | None = None,
) -> None:
    import cProfile

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from dedupe_gui.ui.app import configure_application

    app = QApplication(sys.argv[:1])
    configure_application(app)
    work = Path(tempfile.mkdtemp(prefix="window-stalls-"))
    bin_ = library.parent / (library.name + "-bin")
    if cleanup:
        bin_.mkdir(exist_ok=True)
        put_back(bin_)  # a run that died half-way left files here
    moved: list[tuple[str, str]] = []
    log = (bin_ / "moves.tsv").open("a", encoding="utf-8") if cleanup else None

    def trash(path: str) -> None:
        if log is None:
            raise RuntimeError("this run cleans nothing up")
        target = bin_ / f"{len(moved):06d}-{os.path.basename(path)}"
        os.rename(path, target)
        moved.append((path, str(target)))
        log.write(f"{path}\t{target}\n")
        log.flush()

    window = benched_window(
        work, trash, cache or str(work / "cache.sqlite3"), str(work / "journal.jsonl")
    )
    probe = StallProbe()
    if watchdog is not None:
        probe.watchdog = watchdog.open("a", encoding="utf-8")
    probe.start()

    profiler: cProfile.Profile | None = None

    def until(signal: object, start: object) -> float:
        nonlocal profiler
        if profile is not None:
            profiler = cProfile.Profile()
            profiler.enable()
        probe.note(f"stage starts: {signal}")
        loop = QEventLoop()
        signal.connect(loop.quit)  # type: ignore[attr-defined]
        began = time.perf_counter()
        QTimer.singleShot(0, start)  # type: ignore[call-overload]
        loop.exec()
        signal.disconnect(loop.quit)  # type: ignore[attr-defined]
        seconds = time.perf_counter() - began
        # The handler that sent the signal may go on working after it: count that too, by
        # waiting for a few more probe ticks before the stage is reported.
        ticks = len(probe.wall) + 5
        while len(probe.wall) < ticks:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        return seconds

    def report(stage: str, seconds: float) -> None:
        if profiler is not None and profile is not None:
            profiler.disable()
            profile.mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(profile / (stage.replace(" ", "-") + ".prof"))
        over = sum(1 for g in probe.wall if g > 0.1)
        rss, peak = memory_mb()
        print(
            f"{stage:<24} {seconds:7.2f} s   longest gap {probe.longest_wall_ms:6.0f} ms"
            f"   99th pct {probe.percentile_wall_ms(0.99):5.0f} ms   gaps > 100 ms: {over:3d}"
            f"   most GUI-thread CPU between ticks {probe.longest_cpu_ms:5.0f} ms"
            f"   RSS {rss:5.0f} MB (peak {peak:5.0f})",
            flush=True,
        )
        probe.reset()

    try:
        window.set_scan_folders([str(library)])
        probe.reset()
        seconds = until(window.groups_changed, window.start_scan)
        print(f"{window.model.rowCount():,} groups of {len(library_files(library)):,} files")
        report("scan and first grouping", seconds)
        for bits in thresholds:
            seconds = until(
                window.groups_changed, lambda b=bits: window.threshold.set_value(b, notify=True)
            )
            report(f"regroup at {bits} bits", seconds)
        if not cleanup:
            return
        files, size, groups = window.marked_totals()
        print(f"cleaning up {files:,} files ({size // 1_000_000:,} MB) in {groups:,} groups")
        probe.quiet()  # counting the files holds the GUI thread: not part of the stage
        before = len(library_files(library))
        probe.reset()
        seconds = until(window.cleanup_finished, window.clean_up_all)
        report("cleanup", seconds)
        probe.quiet()
        gone, in_bin = before - len(library_files(library)), len(list(bin_.glob("*.jpg")))
        print(f"{gone:,} files left the library; {in_bin:,} are in {bin_}", flush=True)
    finally:
        probe.stop()
        window.shutdown()
        if probe.watchdog is not None:
            probe.watchdog.close()
        if log is not None:
            log.close()
            print(f"{put_back(bin_):,} files moved back", flush=True)
        shutil.rmtree(work, ignore_errors=True)


def put_back(bin_: Path) -> int:
    """Move every file the cleanup moved into ``bin_`` back where it was (by its log)."""
    log = bin_ / "moves.tsv"
    if not log.exists():
        return 0
    moves = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines() if line]
    for original, target in reversed(moves):
        if os.path.exists(target) and not os.path.exists(original):
            os.makedirs(os.path.dirname(original), exist_ok=True)
            os.rename(target, original)
    log.unlink()
    return len(moves)


def library_files(library: Path) -> list[Path]:
    return list(library.rglob("*.jpg"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make")
    make.add_argument("out", type=Path)
    make.add_argument("--files", type=int, default=20_000)
    make.add_argument("--originals", type=Path, default=Path("../shared/corpus/originals"))
    go = sub.add_parser("run")
    go.add_argument("library", type=Path)
    go.add_argument("--cache", help="fingerprint cache to use (warm rescans)")
    go.add_argument("--thresholds", default="16,6", help="regroup at these bits, in turn")
    go.add_argument("--profile", type=Path, help="write a cProfile of each stage here")
    go.add_argument(
        "--no-cleanup",
        dest="cleanup",
        action="store_false",
        help="stop after the regroupings (a library that must not change: nothing is moved)",
    )
    go.add_argument(
        "--watchdog", type=Path, help="write every thread's stack here when a tick is late"
    )
    args = parser.parse_args()
    if args.command == "make":
        make_library(args.out, args.files, args.originals)
    else:
        bits = tuple(int(b) for b in args.thresholds.split(",") if b)
        run(args.library, args.cache, bits, args.profile, args.cleanup, args.watchdog)


if __name__ == "__main__":
    main()
