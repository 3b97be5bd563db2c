"""Resident memory of the grouping, phase by phase, on a library made larger than it is.

    python -m bench.grouping_memory FOLDER --cache FILE [--copies 10]

FOLDER must be scanned into FILE first (``dedupe-gui scan FOLDER --cache FILE``). Its
records are repeated ``--copies`` times, each copy's hashes XORed with its own random
64-bit mask: the pairs inside a copy stay, few form across copies, and the thumbnails are
the real ones (fetched from FILE for every copy). The grouping then runs without the cache's
kept checks, as a cold scan's does, and the process's RSS (and its high-water mark) is
printed after each phase. Ten copies of a 10,000-file library give the grouping of a
100,000-file one in a few minutes instead of a cold scan of the real thing.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import random
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from bench.measured import memory_mb
from dedupe_gui.core import grouping, pair_words, scan, window_candidates
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.keeper_standing import KeeperRanking
from dedupe_gui.core.models import FileKey, ImageRecord

_F = TypeVar("_F", bound=Callable[..., Any])


def copies_of(
    records: Sequence[ImageRecord], copies: int, seed: int
) -> tuple[list[ImageRecord], dict[FileKey, FileKey]]:
    """The records and ``copies - 1`` masked copies of them, with each copy's original key."""
    rnd = random.Random(seed)
    out = list(records)
    original: dict[FileKey, FileKey] = {}
    for n in range(1, copies):
        mask = rnd.getrandbits(64)
        for r in records:
            fp = r.fingerprint
            key = FileKey(f"{r.key.path}#{n}", r.key.size, r.key.mtime_ns)
            original[key] = r.key
            masked = dataclasses.replace(
                fp,
                hash=fp.hash ^ mask,
                turned=tuple(h ^ mask for h in fp.turned),
                windows=tuple(h ^ mask for h in fp.windows),
            )
            out.append(dataclasses.replace(r, key=key, fingerprint=masked))
    return out, original


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.grouping_memory", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--cache", required=True)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    store = FingerprintStore(args.cache)
    result = scan.run_scan(scan.ScanOptions((args.folder,), thumbs_in_store=True), store)
    records, original = copies_of(result.records, max(1, args.copies), args.seed)
    del result
    print(f"{len(records)} records: RSS {memory_mb()[0]:.1f} MB", flush=True)
    rows: list[tuple[str, float, float, float]] = []

    def timed(name: str, fn: _F) -> _F:
        @functools.wraps(fn)
        def run(*a: Any, **k: Any) -> Any:
            cpu = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                rows.append((name, *memory_mb(), time.process_time() - cpu))

        return run  # type: ignore[return-value]

    index_cls = grouping.SimilarityIndex
    windows_cls = window_candidates.WindowCandidates
    phases: list[tuple[Any, str, str]] = [
        (index_cls, "_plain", "hash pairs"),
        (windows_cls, "__init__", "window-hash index"),
        (windows_cls, "at", "window-hash pairs"),
        (grouping, "adjacency", "candidate rows"),
        (index_cls, "_walk", "walk (thumbnail checks)"),
        (KeeperRanking, "standing", "keeper standing"),
        (pair_words.PairWords, "explain_all", "what differs"),
    ]
    saved = {(owner, attr): getattr(owner, attr) for owner, attr, _ in phases}
    for owner, attr, name in phases:
        setattr(owner, attr, timed(name, getattr(owner, attr)))
    try:

        def thumbs(keys: Sequence[FileKey]) -> Sequence[bytes]:
            return store.thumbs([original.get(k, k) for k in keys])

        def fines(keys: Sequence[FileKey]) -> Sequence[bytes]:
            return store.fines([original.get(k, k) for k in keys])

        groups = index_cls(records, None, thumbs, fines).groups(GroupingOptions())
    finally:
        for (owner, attr), fn in saved.items():
            setattr(owner, attr, fn)
    for name, now, peak, cpu in rows:
        print(f"  {name:28s} RSS {now:7.1f} MB  high-water {peak:7.1f} MB  CPU {cpu:6.2f} s")
    print(f"{len(groups)} groups, high-water {memory_mb()[1]:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
