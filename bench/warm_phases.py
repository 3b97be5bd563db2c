"""Where a rescan's time goes, phase by phase, in one process: what ``dedupe-gui scan --format
json --cache FILE`` does, timed step by step (wall and CPU seconds).

    python -m bench.warm_phases FOLDER --cache FILE [--repeat 2] [--no-verify]
    python -m bench.warm_phases FOLDER --cache FILE --scan [--regroup]

Run it on a cache a scan of FOLDER filled (``dedupe-gui scan FOLDER --cache FILE``): every
round is then a warm rescan. By default a round is what the command line does first: the
library read back in columns (core.rescan), its parts timed apart (the walk, the cache pass,
the rows compared, the companions, the key, the groups and their records, the JSON); a
library that is not read back is scanned and grouped in full, as the command does.
``--scan`` times the full scan and grouping (``run_scan``) instead, as below.

With ``--scan``: The grouping's parts are timed apart, so the hash-pair search,
the window-hash search, the kept checks and the words show separately from the walk, the
cache read and the report. Phases nest: ``scan`` holds the cache read, identities, digests
and companions, and what is left of it is the walk (a generator, timed with its caller) and
making the records; ``grouping`` holds the parts named ``grouping: ...``. The grouping
kept in the cache by an earlier scan of the same files is read back as the command line
does (core.kept_groupings); ``--regroup`` makes it in full every round instead.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from bench.scan import load

_F = TypeVar("_F", bound=Callable[..., Any])


class Clock:
    """Wall and CPU seconds per phase name, added up over calls."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def wrap(self, name: str, fn: _F) -> _F:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            w, c = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - w
                self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - c

        return timed  # type: ignore[return-value]


def one_round(folder: str, cache: str, regroup: bool = False) -> tuple[Clock, dict[str, Any]]:
    """One rescan as the command line runs it, with every phase timed."""
    clock = Clock()
    started = time.perf_counter(), time.process_time()
    from dedupe_gui.core import cache as cache_module
    from dedupe_gui.core import (
        companions,
        grouping,
        identity,
        kept_groupings,
        pair_checker,
        pair_words,
        scan,
        window_candidates,
    )
    from dedupe_gui.core.grouping_options import GroupingOptions
    from dedupe_gui.core.report import Report, to_json
    from dedupe_gui.core.revalidate import with_quick_digests
    from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL

    store_cls = cache_module.FingerprintStore
    index_cls = grouping.SimilarityIndex
    windows_cls = window_candidates.WindowCandidates
    # (owner, attribute, what the phase is called); run_scan and the grouping look these up
    # when they call them, so wrapping the attribute times every call.
    phases: list[tuple[object, str, str]] = [
        (store_cls, "lookup", "scan: cache read"),
        (identity, "follow", "scan: identities"),
        (scan, "add_digests", "scan: exact-copy digests"),
        (companions, "attach", "scan: companions"),
        (index_cls, "_plain", "grouping: hash pairs"),
        (windows_cls, "__init__", "grouping: window-hash index"),
        (windows_cls, "at", "grouping: window-hash pairs"),
        (pair_checker.PairChecker, "check", "grouping: thumbnail checks (kept or new)"),
        (pair_words.PairWords, "explain_all", "grouping: what differs"),
        (kept_groupings, "grouping_key", "grouping: key of the kept grouping"),
        (kept_groupings, "decode", "grouping: kept groups read back"),
    ]
    saved = {(owner, attr): getattr(owner, attr) for owner, attr, _ in phases}
    names = {attr: name for _, attr, name in phases}
    try:
        for (owner, attr), fn in saved.items():
            setattr(owner, attr, clock.wrap(names[attr], fn))
        imported = time.perf_counter() - started[0], time.process_time() - started[1]
        store = clock.wrap("open the cache", store_cls)(cache)
        result = clock.wrap("scan", scan.run_scan)(
            scan.ScanOptions((folder,), thumbs_in_store=True), store
        )

        def group() -> list[Any]:
            options = GroupingOptions()
            if not regroup:
                return kept_groupings.group_kept(result.records, options, store)
            index = index_cls(
                result.records,
                store.pair_checks(DEFAULT_MAX_RESIDUAL),
                store.thumbs,
                store.fines,
                store.pair_words(),
            )
            groups = index.groups(options)
            store.put_pair_checks(*index.take_new_checks())
            store.put_pair_words(index.take_new_words())
            return groups

        groups = clock.wrap("grouping", group)()
        quick = functools.partial(identity.quick_digest, store)
        groups = clock.wrap("report: head-and-tail digests", with_quick_digests)(groups, quick)
        report = Report(
            12, result.paths, tuple(groups), result.errors, result.stats, result.roots, ()
        )
        text = clock.wrap("report: JSON", to_json)(report, pretty=False)  # as the command line
        clock.wrap("close the cache", store.close)()
    finally:
        for (owner, attr), fn in saved.items():
            setattr(owner, attr, fn)
    clock.wall["imports (first round only)"] = imported[0]
    clock.cpu["imports (first round only)"] = imported[1]
    doc: dict[str, Any] = json.loads(text)
    return clock, doc


def _timed_generator(clock: Clock, name: str, fn: _F) -> _F:
    """``fn`` (a generator function) with the time spent inside it added to ``name``."""

    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
        it = iter(fn(*args, **kwargs))
        while True:
            w, c = time.perf_counter(), time.process_time()
            try:
                item = next(it)
            except StopIteration:
                return
            finally:
                clock.wall[name] = clock.wall.get(name, 0.0) + time.perf_counter() - w
                clock.cpu[name] = clock.cpu.get(name, 0.0) + time.process_time() - c
            yield item

    return timed  # type: ignore[return-value]


def read_back_round(folder: str, cache: str, verify: bool = True) -> tuple[Clock, dict[str, Any]]:
    """One rescan as the command line runs it first: read back in columns (core.rescan),
    else scanned and grouped in full; each part timed. ``read back: the rest`` is what
    ``read_back_scan`` spends outside the named parts (the rows compared, the columns)."""
    clock = Clock()
    started = time.perf_counter(), time.process_time()
    from dedupe_gui.core import cache as cache_module
    from dedupe_gui.core import companions, identity, kept_groupings, rescan, scan
    from dedupe_gui.core.grouping_options import GroupingOptions
    from dedupe_gui.core.heap import many_objects
    from dedupe_gui.core.report import Report, to_json
    from dedupe_gui.core.revalidate import with_quick_digests

    store_cls = cache_module.FingerprintStore
    phases: list[tuple[object, str, str]] = [
        (store_cls, "versions", "read back: cache pass"),
        (store_cls, "change_times", "read back: cache pass"),
        (store_cls, "seen_before", "read back: entries marked seen"),
        (store_cls, "fingerprint_rows", "read back: groups and their records"),
        (store_cls, "kept_quick", "read back: groups and their records"),
        (rescan._Records, "make_places", "read back: groups and their records"),
        (rescan, "parse", "read back: groups and their records"),
        (store_cls, "stored", "read back: cache rows in full (not read back)"),
        (store_cls, "kept_grouping", "read back: kept grouping fetched"),
        (store_cls, "mark_seen", "read back: entries marked seen"),
        (companions, "find_companions", "read back: companions"),
        (rescan, "_add_digests", "read back: exact-copy digests"),
        (rescan, "library_digest_of", "read back: key"),
        (rescan, "grouping_key", "read back: key"),
        (rescan, "build", "read back: groups and their records"),
    ]
    saved = {(owner, attr): getattr(owner, attr) for owner, attr, _ in phases}
    walk = getattr(rescan, "walk_listings")  # noqa: B009 (imported there, not exported)
    try:
        for owner, attr, name in phases:
            setattr(owner, attr, clock.wrap(name, saved[owner, attr]))
        setattr(rescan, "walk_listings", _timed_generator(clock, "read back: walk", walk))  # noqa: B010
        imported = time.perf_counter() - started[0], time.process_time() - started[1]
        store = clock.wrap("open the cache", store_cls)(cache)
        options = GroupingOptions(verify=verify)
        scan_options = scan.ScanOptions((folder,), thumbs_in_store=True)
        with many_objects():
            back = clock.wrap("read back", rescan.read_back_scan)(scan_options, options, store)
        if isinstance(back, rescan.ReadBack):
            result, groups = back.result, back.groups
        else:
            result = clock.wrap("scan (not read back)", scan.run_scan)(
                scan_options, store, walked=back
            )
            groups = clock.wrap("grouping (not read back)", kept_groupings.group_kept)(
                result.records, options, store
            )
        quick = functools.partial(identity.quick_digest, store)
        groups = clock.wrap("report: head-and-tail digests", with_quick_digests)(groups, quick)
        report = Report(
            12, result.paths, tuple(groups), result.errors, result.stats, result.roots, ()
        )
        with many_objects():
            text = clock.wrap("report: JSON", to_json)(report, pretty=False)
        clock.wrap("close the cache", store.close)()
    finally:
        for (owner, attr), fn in saved.items():
            setattr(owner, attr, fn)
        setattr(rescan, "walk_listings", walk)  # noqa: B010
    if "read back" in clock.cpu:
        named = [n for n in clock.cpu if n.startswith("read back: ")]
        clock.wall["read back: the rest"] = clock.wall["read back"] - sum(
            clock.wall[n] for n in named
        )
        clock.cpu["read back: the rest"] = clock.cpu["read back"] - sum(clock.cpu[n] for n in named)
    clock.wall["imports (first round only)"] = imported[0]
    clock.cpu["imports (first round only)"] = imported[1]
    doc: dict[str, Any] = json.loads(text)
    return clock, doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.warm_phases", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--cache", required=True)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--scan", action="store_true", help="time run_scan and the grouping, not the read-back"
    )
    parser.add_argument(
        "--regroup", action="store_true", help="with --scan: make the grouping in full"
    )
    parser.add_argument("--no-verify", action="store_true", help="the grouping without checks")
    args = parser.parse_args(argv)
    folder = os.path.abspath(args.folder)
    print(f"load {load():.2f}", flush=True)
    first: list[Any] | None = None
    for n in range(max(1, args.repeat)):
        if args.scan:
            clock, doc = one_round(folder, args.cache, args.regroup)
        else:
            clock, doc = read_back_round(folder, args.cache, not args.no_verify)
        groups = doc["groups"]
        if first is None:
            first = groups
        assert groups == first, "a rescan gave other groups"
        print(
            f"round {n + 1}: {doc['stats']['images']} images, {len(groups)} groups, "
            f"decoded {doc['stats']['hashed']}, load {load():.2f}"
        )
        for name in sorted(clock.wall, key=lambda k: -clock.wall[k]):
            print(f"  {name:45s} {clock.wall[name]:8.2f} s wall {clock.cpu[name]:8.2f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
