"""Resident memory of a cold grouping, phase by phase and wave by wave, stopped after N waves.

    python -m bench.walk_memory FOLDER[,FOLDER ...] --cache FILE --waves N [--every K]
        [--verdicts OUT.npz] [--trace FROM]

FILE must hold the folders' fingerprints, and no kept checks for a cold grouping (a copy of
a fingerprint-only cache: opening it may move it to this schema). The records are read back
as a scan reads them, and the grouping runs as the command line's does (the cache's
thumbnails and fine thumbnails fetched for checked pairs, its new verdicts handed to the
cache as they come) until ``N`` waves of keepers are walked; then its ``should_stop`` ends
it. A grouping of 100,000 files takes hours of CPU, so this shows where its memory goes
without walking it to the end.

Printed: for each phase (records, index, each candidate search, the candidate rows) the
resident memory after it and its own high-water mark (the process's mark is reset at each
phase's start through ``/proc/self/clear_refs``, where the system allows it); then every
``K`` waves the resident memory between waves, the high-water mark since the last line, the
pairs checked so far and the CPU seconds, with what the walk's bounded stores hold and the
pictures decoded again so far. ``--verdicts OUT.npz`` writes the verdicts computed (pair
keys and residuals, from the cache and not yet handed over), to compare two versions' walks.
``--trace FROM`` also traces Python and numpy
allocations (``tracemalloc``, which slows the walk) and prints what grew most between wave
``FROM`` and the last.
"""

from __future__ import annotations

import argparse
import functools
import time
import tracemalloc
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from bench.measured import memory_mb
from dedupe_gui.core import grouping, pair_checker, redecoded, window_looks
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.centre_candidates import CentreCandidates
from dedupe_gui.core.grouping import GroupingStopped, SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL
from dedupe_gui.core.window_candidates import WindowCandidates

_F = TypeVar("_F", bound=Callable[..., Any])


def reset_peak() -> None:
    """Start the process's high-water mark (VmHWM) again from its resident memory now."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


class Phases:
    """Each wrapped call's resident memory after it, its own high-water mark and CPU."""

    def __init__(self) -> None:
        self.cpu = time.process_time()

    def line(self, name: str) -> None:
        now, peak = memory_mb()
        cpu = time.process_time() - self.cpu
        print(
            f"{name:32s} RSS {now:7.1f} MB  high-water {peak:7.1f} MB  CPU {cpu:8.1f} s", flush=True
        )

    def wrap(self, name: str, fn: _F) -> _F:
        @functools.wraps(fn)
        def run(*a: Any, **k: Any) -> Any:
            reset_peak()
            try:
                return fn(*a, **k)
            finally:
                self.line(name)
                reset_peak()

        return run  # type: ignore[return-value]


def held(index: SimilarityIndex) -> str:
    """What the walk's bounded stores hold now: pictures decoded again (128x128, 256x256),
    windows looked at, thumbnail rows loaded, verdicts kept and not yet handed over."""
    checker = index._checker
    looks = 0 if index._windows is None else len(index._windows._looks)
    return (
        f"details {len(checker.again.details.pictures)}, texts {len(checker.again.texts.pictures)}"
        f", window looks {looks}, thumbnail rows {checker.loaded.count}"
        f", verdicts {checker._checked.held()}, not handed over {checker.new_checks_held()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.walk_memory", description=__doc__)
    parser.add_argument("folders", help="folders, separated by commas")
    parser.add_argument("--cache", required=True)
    parser.add_argument("--waves", type=int, default=50, help="waves of keepers to walk")
    parser.add_argument("--every", type=int, default=5, help="a line every this many waves")
    parser.add_argument("--trace", type=int, default=-1, help="trace allocations from this wave")
    parser.add_argument(
        "--verdicts", help="write the verdicts computed (pair keys, residuals) here"
    )
    args = parser.parse_args(argv)
    phases = Phases()
    if args.trace >= 0:
        tracemalloc.start(4)
    reset_peak()
    store = FingerprintStore(args.cache)
    records = run_scan(
        ScanOptions(tuple(args.folders.split(",")), thumbs_in_store=True), store
    ).records
    phases.line(f"records ({len(records)})")
    reset_peak()
    wrapped: list[tuple[Any, str, str]] = [
        (SimilarityIndex, "_plain", "hash pairs"),
        (SimilarityIndex, "_turned", "turned hash pairs"),
        (WindowCandidates, "__init__", "window-hash index"),
        (WindowCandidates, "at", "window-hash pairs"),
        (CentreCandidates, "__init__", "centre index"),
        (CentreCandidates, "at", "centre pairs"),
        (grouping, "adjacency", "candidate rows"),
    ]
    saved = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in wrapped]
    for owner, attr, name in wrapped:
        setattr(owner, attr, phases.wrap(name, getattr(owner, attr)))
    checked = [0]
    decoded = [0, 0]  # pictures decoded again (128x128 and 256x256), files whose windows were
    residuals = pair_checker.PairChecker._residuals

    def counted(self: pair_checker.PairChecker, a: Any, b: Any, turn: Any) -> Any:
        checked[0] += len(a)
        return residuals(self, a, b, turn)

    pair_checker.PairChecker._residuals = counted  # type: ignore[method-assign]
    read = redecoded._Kept._read
    looks_of = window_looks.looks_of

    def counted_read(self: redecoded._Kept, path: str) -> Any:
        decoded[0] += 1
        return read(self, path)

    def counted_looks(asked: Any, *args: Any) -> Any:
        decoded[1] += len(asked)
        return looks_of(asked, *args)

    redecoded._Kept._read = counted_read  # type: ignore[method-assign]
    window_looks.looks_of = counted_looks  # type: ignore[assignment]
    index = SimilarityIndex(
        records,
        store.pair_checks(DEFAULT_MAX_RESIDUAL),
        store.thumbs,
        store.fines,
        store.pair_words(),
    )
    phases.line("index")
    reset_peak()
    waves = [0]
    first: list[tracemalloc.Snapshot] = []

    def progress(pos: int, total: int) -> None:
        if pos >= total:
            return
        if waves[0] == 0:
            phases.line("walk starts")
            reset_peak()
        elif waves[0] % args.every == 0:
            phases.line(f"wave {waves[0]} ({pos} keepers, {checked[0]} pairs)")
            print(f"    held: {held(index)}", flush=True)
            print(f"    decoded again: {decoded[0]} pictures, windows of {decoded[1]} files")
            reset_peak()
        if waves[0] == args.trace:
            first.append(tracemalloc.take_snapshot())
        waves[0] += 1

    try:
        # As the command line groups: new verdicts handed to the cache as they come.
        index.groups(
            GroupingOptions(),
            should_stop=lambda: waves[0] > args.waves,
            progress=progress,
            keeper=store,
        )
    except GroupingStopped:
        phases.line(f"stopped after {waves[0] - 1} waves ({checked[0]} pairs)")
    finally:
        for owner, attr, fn in saved:
            setattr(owner, attr, fn)
        pair_checker.PairChecker._residuals = residuals  # type: ignore[method-assign]
        redecoded._Kept._read = read  # type: ignore[method-assign]
        window_looks.looks_of = looks_of
    if args.verdicts:
        kept = {**store.pair_checks(DEFAULT_MAX_RESIDUAL), **index.take_new_checks()[0]}
        keys = np.fromiter(kept.keys(), dtype=np.int64, count=len(kept))
        residuals_kept = np.fromiter(kept.values(), dtype=np.float32, count=len(kept))
        np.savez(args.verdicts, keys=keys, residuals=residuals_kept)
        print(f"{keys.size} verdicts written to {args.verdicts}")
    if first:
        last = tracemalloc.take_snapshot()
        print(f"grew most from wave {args.trace}:")
        for stat in last.compare_to(first[0], "lineno")[:20]:
            print(f"  {stat}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
