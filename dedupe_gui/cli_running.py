"""How a command runs its scan: on a worker thread, so that Ctrl-C sets the cancel flag
before the scan unwinds, with a progress bar on a terminal, and from the options the
commands share (cli_args)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, TypeVar

from dedupe_gui.core.files import WalkOptions
from dedupe_gui.core.heap import many_objects
from dedupe_gui.core.scan import ScanOptions, run_scan

if TYPE_CHECKING:
    from dedupe_gui.core.cache import FingerprintStore
    from dedupe_gui.core.grouping_options import GroupingOptions
    from dedupe_gui.core.models import Progress, ScanResult
    from dedupe_gui.core.rescan import ReadBack
    from dedupe_gui.core.scan_pictures import ScanPictures

_T = TypeVar("_T")


def progress_bar(enabled: bool) -> tuple[Callable[[Progress], None] | None, Callable[[], None]]:
    """A tqdm bar on stderr when it is a terminal; (callback, close)."""
    if not enabled or not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="img", file=sys.stderr, dynamic_ncols=True, leave=False)

    def update(p: Progress) -> None:
        if p.phase.value == "walking":
            bar.set_description(f"finding files ({p.done})")
            return
        bar.set_description("fingerprinting")
        if bar.total != p.total:
            bar.total = p.total
        bar.n = p.done
        bar.set_postfix_str(f"cached {p.from_cache}, errors {p.errors}", refresh=False)
        bar.refresh()

    return update, bar.close


def scan_options(
    paths: Sequence[str],
    args: argparse.Namespace,
    store: FingerprintStore | None,
    references: Sequence[str] = (),
    companions: bool = True,
    preload: tuple[str, ...] = (),
    pictures: ScanPictures | None = None,
) -> ScanOptions:
    return ScanOptions(
        tuple(paths),
        WalkOptions(
            excludes=tuple(args.exclude),
            references=tuple(references),
            min_size=max(1, args.min_size),
            include_hidden=args.hidden,
            follow_links=args.follow_links,
        ),
        thumbs_in_store=store is not None,
        companions=companions,
        preload=preload,
        pictures=pictures,
    )


def run_in_worker(
    options: ScanOptions, args: argparse.Namespace, store: FingerprintStore | None
) -> ScanResult:
    return in_worker(args, lambda update, cancel: run_scan(options, store, update, cancel))


def read_back_or_scan(
    options: ScanOptions,
    grouping: GroupingOptions,
    args: argparse.Namespace,
    store: FingerprintStore,
) -> ReadBack | ScanResult:
    """An unchanged library whose grouping the cache kept, read back without an object per
    file (core.rescan); else the full scan, on the walk and cache rows the attempt read."""
    from dedupe_gui.core.rescan import ReadBack, read_back_scan

    def work(
        update: Callable[[Progress], None] | None, cancel: threading.Event
    ) -> ReadBack | ScanResult:
        with many_objects():
            back = read_back_scan(options, grouping, store, cancel.is_set, update)
        if isinstance(back, ReadBack):
            return back
        return run_scan(options, store, update, cancel, walked=back)

    return in_worker(args, work)


class CtrlC:
    """For the length of a scan, Ctrl-C sets the cancel flag and is remembered rather than
    raised wherever the main thread happens to be.

    A KeyboardInterrupt raised there can be lost: inside a finalizer (an object of no
    interest collected on the main thread) Python prints it and goes on, and inside the
    lock handling of a wait it leaves the lock broken. The scan then ran to its end as if
    never interrupted. A handler that only sets flags cannot be lost that way; the
    interrupt is raised afterwards, from one known place. A second Ctrl-C interrupts as
    usual (the first one's handler steps aside), for a scan slow to unwind.
    """

    def __init__(self, cancel: threading.Event) -> None:
        self.cancel = cancel
        self.pressed = False
        self._previous: Callable[[int, FrameType | None], object] | int | None = None

    def __enter__(self) -> CtrlC:
        # Only the main thread may set a handler; an ignored or custom SIGINT is left alone.
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.pressed = True
        self.cancel.set()
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


def in_worker(
    args: argparse.Namespace,
    scan: Callable[[Callable[[Progress], None] | None, threading.Event], _T],
) -> _T:
    """``scan(progress, cancel)`` on a worker thread, with a progress bar unless quiet."""
    update, close = progress_bar(not args.quiet)
    cancel = threading.Event()
    # The scan runs on a worker thread so that Ctrl-C sets the cancel flag *before* the
    # scan unwinds: decoding threads stop taking files at once.
    box: list[_T | BaseException] = []
    finished = threading.Event()  # not Thread.join: an interrupted join can return early

    def work() -> None:
        try:
            box.append(scan(update, cancel))
        except BaseException as exc:  # handed to the main thread below
            box.append(exc)
        finally:
            finished.set()

    worker = threading.Thread(target=work, name="scan", daemon=True)
    with CtrlC(cancel) as ctrl_c:
        try:
            worker.start()  # inside: a Ctrl-C at once still sets the flag before unwinding
            # Woken now and then: an interrupt that is not a signal (interrupt_main) is
            # only handled when the main thread runs.
            while not finished.wait(0.2):
                pass
        except KeyboardInterrupt:
            # Without a handler of ours (not the main thread) the scan unwinds first; a
            # second Ctrl-C leaves at once.
            cancel.set()
            if worker.ident is not None and not ctrl_c.pressed:
                finished.wait()  # let it stop taking files and unwind
            raise
        finally:
            close()
    if ctrl_c.pressed:
        raise KeyboardInterrupt
    outcome = box[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome
