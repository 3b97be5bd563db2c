"""Scan speed against the naive loop and the decode floor, over the same files in one run.

    python -m bench.scan FOLDER [--repeat N] [--json]

- baseline: ``imagehash.dhash(Image.open(p))`` for every file, one process, a plain loop;
- floor: only the JPEG draft decode the fingerprint needs (other formats: a full decode), on
  every core (threads; Pillow releases the GIL while decoding), in this process;
- cold: ``dedupe-gui scan FOLDER --no-cache`` as a whole process, wall clock (start-up,
  imports, walk, hashing, grouping and output included);
- warm: the same with ``--cache`` on a cache that a previous run filled, as a whole process.

Each is run ``--repeat`` times and the fastest run counts (the machine may be shared). The
ratios are printed, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PIL import Image

from dedupe_gui.core.files import WalkOptions, walk
from dedupe_gui.core.fingerprint import DRAFT_MIN_SIDE
from dedupe_gui.core.models import FileError
from dedupe_gui.core.scan import default_workers


def list_files(folder: str) -> list[str]:
    """The files the scan would fingerprint, found by the same walk."""
    return sorted(f.path for f in walk([folder], WalkOptions()) if not isinstance(f, FileError))


def naive(paths: Sequence[str]) -> None:
    import imagehash

    for p in paths:
        imagehash.dhash(Image.open(p))


def decode_floor(paths: Sequence[str], workers: int) -> None:
    def decode(p: str) -> None:
        with Image.open(p) as img:
            if img.format == "JPEG":
                img.draft("L", (DRAFT_MIN_SIDE, DRAFT_MIN_SIDE))
            img.load()

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(decode, paths))


def cli(args: Sequence[str]) -> dict[str, Any]:
    """Run ``dedupe-gui`` in a fresh interpreter; its JSON report."""
    out = subprocess.run(
        [sys.executable, "-m", "dedupe_gui", *args, "--format", "json", "-q"],
        check=True,
        capture_output=True,
        text=True,
    )
    report: dict[str, Any] = json.loads(out.stdout)
    return report


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times), times


def load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scan", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--skip-baseline", action="store_true", help="for large folders")
    parser.add_argument("--threshold", default="10")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)
    folder = os.path.abspath(args.folder)
    paths = list_files(folder)
    size = sum(os.path.getsize(p) for p in paths)
    say = (lambda *_: None) if args.json else print
    say(f"{len(paths)} files, {size / 1e6:.0f} MB, {args.workers} workers, load {load():.2f}")

    times: dict[str, float] = {}
    runs: dict[str, list[float]] = {}
    loads: dict[str, float] = {}

    def measure(name: str, run: Callable[[], object]) -> None:
        times[name], runs[name] = best_of(repeat, run)
        loads[name] = load()
        say(f"{name:>9}: {times[name]:8.2f} s  runs {[round(t, 2) for t in runs[name]]}")

    # Read every file once so that no contender pays for the first read from disk.
    for p in paths:
        with open(p, "rb") as f:
            while f.read(1 << 20):
                pass
    if not args.skip_baseline:
        measure("baseline", lambda: naive(paths))
    measure("floor", lambda: decode_floor(paths, args.workers))
    scan_args = ["scan", folder, "-t", args.threshold]
    reports: dict[str, dict[str, Any]] = {}
    measure("cold", lambda: reports.update(cold=cli([*scan_args, "--no-cache"])))
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "cache.sqlite3")
        reports["fill"] = cli([*scan_args, "--cache", cache])
        measure("warm", lambda: reports.update(warm=cli([*scan_args, "--cache", cache])))
    stats = {k: v["stats"] for k, v in reports.items()}
    assert stats["warm"]["hashed"] == 0, "the warm rescan decoded files again"

    ratios = {"cold_vs_floor": times["cold"] / times["floor"]}
    if "baseline" in times:
        ratios["baseline_vs_cold"] = times["baseline"] / times["cold"]
        ratios["baseline_vs_floor"] = times["baseline"] / times["floor"]
    ratios["cold_vs_warm"] = times["cold"] / times["warm"]
    say(
        "  ".join(f"{k.replace('_vs_', ' / ')} = {v:.2f}x" for k, v in ratios.items())
        + f"  (groups: {len(reports['cold']['groups'])})"
    )
    print(
        json.dumps(
            {
                "folder": folder,
                "files": len(paths),
                "bytes": size,
                "workers": args.workers,
                "repeat": repeat,
                "seconds": {k: round(v, 3) for k, v in times.items()},
                "runs": {k: [round(t, 3) for t in v] for k, v in runs.items()},
                "load_after": {k: round(v, 2) for k, v in loads.items()},
                "ratios": {k: round(v, 2) for k, v in ratios.items()},
                "scan_stats": stats,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
