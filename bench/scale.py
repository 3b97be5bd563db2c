"""A whole library: cold scan, warm rescan, and grouping at several thresholds.

    python -m bench.scale FOLDER [--thresholds 0,4,8,10,12,16,20] [--repeat N]
    python -m bench.scale FOLDER --cache FILE --grouping-only [--no-verify]

The scans run the real command line in a fresh interpreter (wall clock, whole process);
the grouping runs in this process on the records of the warm scan, timed per threshold:
first on a fresh index (search and grouping), then regrouping on the index that has already
searched at the largest threshold (what moving the window's slider costs). The Hamming
search on the unique hashes is timed on its own too.

``--cache FILE --grouping-only`` takes the records from a cache an earlier scan filled and
only times the grouping; ``--no-verify`` groups without the thumbnail check.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.grouping import SimilarityIndex, summarise
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.hamming import self_pairs
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.scan import ScanOptions, run_scan


def cli_scan(folder: str, *extra: str) -> tuple[float, float, dict[str, Any]]:
    """(wall seconds, peak RSS MB of the child, JSON report) of one ``dedupe-gui scan``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "dedupe_gui", "scan", folder, "-q", "--format", "json", *extra],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    report: dict[str, Any] = json.loads(out.stdout)
    # ru_maxrss of children is the largest child so far; report it only when it grew.
    return seconds, max(peak, before) / 1024, report


def _scans(
    folder: str, args: argparse.Namespace, result: dict[str, Any]
) -> tuple[ImageRecord, ...]:
    """Cold, cache-filling and warm scans through the command line; the warm records."""
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "cache.sqlite3")
        if not args.skip_cold:
            seconds, rss, report = cli_scan(folder, "--no-cache")
            result["cold"] = {"seconds": round(seconds, 2), "peak_rss_mb": round(rss)}
            result["files"] = report["stats"]["files"]
            print(f"cold scan (--no-cache): {seconds:.1f} s, {report['stats']['files']} files")
        seconds, _, report = cli_scan(folder, "--cache", cache)
        result["fill"] = {"seconds": round(seconds, 2)}
        print(f"cache fill scan: {seconds:.1f} s")
        warm = []
        for _ in range(max(1, args.repeat)):
            seconds, _, report = cli_scan(folder, "--cache", cache)
            assert report["stats"]["hashed"] == 0, "the warm rescan decoded files again"
            warm.append(round(seconds, 2))
        result["warm"] = {"seconds": min(warm), "runs": warm}
        result["files"] = report["stats"]["files"]
        print(f"warm rescan: {min(warm):.2f} s (runs {warm})")

        # The scan part of a warm rescan, in this process: walk, cache look-ups, digests.
        scan_runs = []
        for _ in range(max(1, args.repeat)):
            with FingerprintStore(cache) as store:
                start = time.perf_counter()
                records = run_scan(ScanOptions((folder,)), store).records
                scan_runs.append(round(time.perf_counter() - start, 3))
        result["warm_scan_in_process"] = {"seconds": min(scan_runs), "runs": scan_runs}
        print(f"warm scan in process (no grouping): {min(scan_runs):.2f} s (runs {scan_runs})")
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--thresholds", default="0,4,8,10,12,16,20")
    parser.add_argument("--repeat", type=int, default=1, help="warm rescans to time")
    parser.add_argument("--skip-cold", action="store_true", help="fill the cache untimed")
    parser.add_argument("--cache", metavar="FILE", help="with --grouping-only: a filled cache")
    parser.add_argument("--grouping-only", action="store_true")
    parser.add_argument("--no-verify", action="store_true", help="group without thumbnails")
    args = parser.parse_args(argv)
    folder = os.path.abspath(args.folder)
    thresholds = [int(t) for t in args.thresholds.split(",")]
    result: dict[str, Any] = {"folder": folder, "load_start": os.getloadavg()[0]}

    if args.grouping_only:
        if not args.cache:
            parser.error("--grouping-only needs --cache FILE")
        with FingerprintStore(args.cache) as store:
            records = run_scan(ScanOptions((folder,)), store).records
    else:
        records = _scans(folder, args, result)
    result["images"] = len(records)
    fresh: dict[str, Any] = {}
    verify = not args.no_verify
    unique = np.unique(np.fromiter((r.fingerprint.hash for r in records), np.uint64))
    for t in thresholds:
        start = time.perf_counter()
        pairs = self_pairs(unique, t)
        searched = time.perf_counter()
        index = SimilarityIndex(records)
        built = time.perf_counter()
        groups = index.groups(GroupingOptions(t, verify=verify))
        done = time.perf_counter()
        s = summarise(groups)
        fresh[str(t)] = {
            "unique_pairs": len(pairs),
            "search_seconds": round(searched - start, 3),
            "index_seconds": round(built - searched, 3),
            "group_seconds": round(done - built, 3),
            "groups": s.groups,
            "duplicates": s.duplicates,
        }
        print(
            f"T={t:>2}: search alone {searched - start:.2f} s ({len(pairs)} pairs of "
            f"{unique.size} unique hashes), index {built - searched:.2f} s, "
            f"search + grouping {done - built:.2f} s, {s.groups} groups, "
            f"{s.duplicates} duplicates",
            flush=True,
        )
    result["grouping"] = fresh
    result["verify"] = verify
    index = SimilarityIndex(records)
    index.groups(GroupingOptions(max(thresholds), verify=verify))
    regroup: dict[str, float] = {}
    for t in thresholds:
        start = time.perf_counter()
        index.groups(GroupingOptions(t, verify=verify))
        regroup[str(t)] = round(time.perf_counter() - start, 3)
    result["regroup_seconds"] = regroup
    print("regroup after searching at the largest threshold:", regroup)
    result["load_end"] = os.getloadavg()[0]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
