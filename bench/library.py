"""A whole library through the command line: cold, warm, memory, bytes, and a 1M-file projection.

    python -m bench.make_small_library ORIGINALS /tmp/speed-100k -n 100000
    python -m bench.library /tmp/speed-100k [--repeat 3] [--no-cache-run]

Every run is ``dedupe-gui scan FOLDER -q --format json`` in a fresh interpreter under
``bench.measured`` (wall clock, peak RSS, bytes read): a cold scan that fills a new cache,
then ``--repeat`` warm rescans on it (median counts); ``--no-cache-run`` adds a cold scan
without a cache. The groups of every run must be the same. The projection to 1,000,000 files
scales the measured per-file costs (time, memory above a 1,000-file run's, cache bytes):
linear in the number of files, which holds for the walk, the decode, the cache and the
memory held per file, and is optimistic for the grouping when duplicates are dense.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from typing import Any

from bench.scan import _groups, list_files, load, measured

MILLION = 1_000_000


def _scan(folder: str, *extra: str) -> tuple[float, dict[str, Any], dict[str, Any]]:
    command = ["dedupe_gui", "scan", folder, "-q", "--format", "json", *extra]
    seconds, cost, stdout = measured(command)
    report: dict[str, Any] = json.loads(stdout)
    return seconds, cost, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.library", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-cache-run", action="store_true")
    args = parser.parse_args(argv)
    folder = os.path.abspath(args.folder)
    files = len(list_files(folder))
    print(f"{files} files, load {load():.2f}", flush=True)
    out: dict[str, Any] = {"folder": folder, "files": files}
    with tempfile.TemporaryDirectory() as tmp:
        # The per-file memory is measured above what a small library takes (start-up,
        # imports, fixed buffers): scan the first sub-folder alone for that base.
        first = sorted(d.path for d in os.scandir(folder) if d.is_dir())
        base_rss = 0.0
        if first:
            _, base_cost, _ = _scan(first[0], "--no-cache")
            base_rss = base_cost["peak_rss_mb"]
        cache = os.path.join(tmp, "cache.sqlite3")
        cold_s, cold_cost, cold = _scan(folder, "--cache", cache)
        cache_bytes = sum(
            os.path.getsize(cache + s) for s in ("", "-wal") if os.path.exists(cache + s)
        )
        print(
            f"cold, filling the cache: {cold_s:.1f} s, peak {cold_cost['peak_rss_mb']} MB, "
            f"read {cold_cost['rchar'] / files / 1e3:.1f} KB/file, "
            f"cache {cache_bytes / 1e6:.0f} MB",
            flush=True,
        )
        warm_runs: list[float] = []
        warm_cost: dict[str, Any] = {}
        for _ in range(max(1, args.repeat)):
            seconds, warm_cost, warm = _scan(folder, "--cache", cache)
            warm_runs.append(seconds)
            assert warm["stats"]["hashed"] == 0, "the warm rescan decoded files again"
            assert _groups(warm) == _groups(cold), "warm groups differ from cold ones"
        warm_s = statistics.median(warm_runs)
        print(
            f"warm rescan: {warm_s:.2f} s (runs {[round(t, 2) for t in warm_runs]}), "
            f"peak {warm_cost['peak_rss_mb']} MB, read {warm_cost['rchar'] / files / 1e3:.2f} "
            "KB/file",
            flush=True,
        )
        out |= {
            "cold": {"seconds": round(cold_s, 2), **cold_cost},
            "warm": {"median_seconds": round(warm_s, 2), "runs": warm_runs, **warm_cost},
            "cache_bytes": cache_bytes,
            "groups": len(cold["groups"]),
            "base_rss_mb": base_rss,
        }
        if args.no_cache_run:
            nc_s, nc_cost, nc = _scan(folder, "--no-cache")
            assert _groups(nc) == _groups(cold), "groups without a cache differ"
            print(f"cold, no cache: {nc_s:.1f} s, peak {nc_cost['peak_rss_mb']} MB", flush=True)
            out["cold_no_cache"] = {"seconds": round(nc_s, 2), **nc_cost}
    scale = MILLION / files
    per_file_mb = max(0.0, cold_cost["peak_rss_mb"] - base_rss) / files
    out["projection_1M"] = {
        "cold_seconds": round(cold_s * scale),
        "warm_seconds": round(warm_s * scale, 1),
        "peak_rss_mb": round(base_rss + per_file_mb * MILLION),
        "cache_mb": round(cache_bytes * scale / 1e6),
        "kb_held_per_file": round(per_file_mb * 1e3, 2),
    }
    print(f"projection to 1M files: {out['projection_1M']}")
    print(json.dumps(out | {"load_after": load()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
