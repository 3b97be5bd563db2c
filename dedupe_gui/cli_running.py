"""How a command runs its scan: on a worker thread, so that Ctrl-C sets the cancel flag
before the scan unwinds, with a progress bar on a terminal, and from the options the
commands share (cli_args)."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from dedupe_gui.core.files import WalkOptions
from dedupe_gui.core.heap import many_objects
from dedupe_gui.core.models import Progress, ScanResult
from dedupe_gui.core.scan import ScanOptions, run_scan

if TYPE_CHECKING:
    from dedupe_gui.core.cache import FingerprintStore
    from dedupe_gui.core.grouping_options import GroupingOptions
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
    try:
        worker.start()  # inside: a Ctrl-C at once still sets the flag before unwinding
        while not finished.wait(0.2):
            pass
    except KeyboardInterrupt:
        cancel.set()
        if worker.ident is not None:  # started: let it stop taking files and unwind
            finished.wait()
        raise
    finally:
        close()
    outcome = box[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome
