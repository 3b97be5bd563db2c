"""Scan speed against the naive loop and the decode floor, over the same files in one run.

    python -m bench.scan FOLDER [--repeat N] [--json]

- baseline: ``imagehash.dhash(Image.open(p))`` for every file, one process, a plain loop;
- floor: ``python -m bench.decode_floor`` as a whole process: only the decode the fingerprint
  needs (JPEG draft, HEIF preview, else full) on as many threads as the scan, importing only
  Pillow;
- cold: ``dedupe-gui scan FOLDER --no-cache`` as a whole process, wall clock (start-up,
  imports, walk, hashing, grouping and output included);
- warm: the same with ``--cache`` on a cache that a previous run filled, as a whole process.

Each is run ``--repeat`` times, rounds interleaved, and the median counts (the machine may
be shared). Whole processes run under ``bench.measured``, which adds the bytes each read
(``/proc/self/io`` rchar, per file), its peak RSS and its CPU seconds. The ratios are
printed (cold against the floor also in CPU seconds, which a loaded machine distorts less),
then one JSON line. The package's bytecode is compiled first, as an installed package's is.

Two studies behind the choices in the scan, run instead of the above:

    python -m bench.scan FOLDER --pools [--repeat N]        thread pool vs process pools
    python -m bench.scan FOLDER --draft-sizes 32,64,128,0   draft size vs time and bits

``--pools`` fingerprints the files in this process with a thread pool and with 'spawn' and
'forkserver' process pools (pool start-up included), rounds interleaved. ``--draft-sizes``
times the fingerprint with JPEG drafts of each shortest side (0 = full decode) and counts
the bits that differ from ``imagehash.dhash`` of the fully decoded image.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from PIL import Image

import bench
import dedupe_gui
from dedupe_gui.core.files import WalkOptions, walk
from dedupe_gui.core.fingerprint import DRAFT_MIN_SIDE
from dedupe_gui.core.models import FileError
from dedupe_gui.core.workers import default_workers

# The first lines a measured interpreter runs (benchmarks that place marks in a process's own
# time): ``T0`` is the moment the kernel started the process, on ``time.perf_counter``'s
# clock, so that marks count the interpreter's own start too.
PROCESS_START = """
_now = time.perf_counter()
with open("/proc/self/stat") as _f:
    _ticks = int(_f.read().rsplit(")", 1)[1].split()[19])
T0 = _now - (time.clock_gettime(time.CLOCK_BOOTTIME) - _ticks / os.sysconf("SC_CLK_TCK"))
"""


def compile_package(folder: str) -> None:
    """Compile the package in ``folder`` to bytecode, as an installed package is (pip compiles
    it): without it, a checkout run under PYTHONDONTWRITEBYTECODE would compile the whole
    package at every start, a cost the floor (a few lines of its own) does not have and
    users never pay."""
    compileall.compile_dir(folder, quiet=1)


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


def measured(module_args: Sequence[str]) -> tuple[float, dict[str, Any], str]:
    """Wall seconds, cost record (bench.measured) and stdout of ``python -m ...`` as a whole."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cost.json")
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bench.measured", out, "-m", *module_args],
            check=True,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
        with open(out) as f:
            cost: dict[str, Any] = json.load(f)
    return seconds, cost, done.stdout


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


def compare_pools(paths: Sequence[str], workers: int, repeat: int) -> dict[str, Any]:
    import multiprocessing

    from dedupe_gui.core.scan import fingerprint_entry

    def threads() -> None:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(fingerprint_entry, paths))

    def processes(method: str) -> Callable[[], None]:
        def run() -> None:
            context = multiprocessing.get_context(method)
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                list(pool.map(fingerprint_entry, paths, chunksize=2))

        return run

    contenders: dict[str, Callable[[], None]] = {
        "threads": threads,
        "spawn": processes("spawn"),
        "forkserver": processes("forkserver"),
    }
    runs: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, run in contenders.items():
            before = _cpu_seconds()
            runs[name].append(best_of(1, run)[0])
            cpu[name].append(_cpu_seconds() - before)
    for name in contenders:
        print(
            f"{name:>10}: best {min(runs[name]):.2f} s  runs {[round(t, 2) for t in runs[name]]}"
            f"  cpu {[round(t, 2) for t in cpu[name]]}"
        )
    return {"pools": {k: [round(t, 3) for t in v] for k, v in runs.items()}}


def _cpu_seconds() -> float:
    """CPU time of this process and of its waited-for children (spawned workers)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def compare_drafts(
    paths: Sequence[str], sizes: Sequence[int], workers: int, repeat: int
) -> dict[str, Any]:
    import imagehash

    from dedupe_gui.core.fingerprint import dhash_of_image

    def reference(p: str) -> int:
        with Image.open(p) as img:
            return int(str(imagehash.dhash(img)), 16)

    with ThreadPoolExecutor(workers) as pool:
        want = list(pool.map(reference, paths))
    out: dict[str, Any] = {}
    for side in sizes:

        def fingerprint(p: str, side: int = side) -> int:
            with Image.open(p) as img:
                if side and img.format == "JPEG":
                    img.draft("L", (side, side))
                return dhash_of_image(img)

        got: list[int] = []

        def run(fingerprint: Callable[[str], int] = fingerprint, got: list[int] = got) -> None:
            with ThreadPoolExecutor(workers) as pool:
                got[:] = pool.map(fingerprint, paths)

        best, runs = best_of(repeat, run)
        bits = [(a ^ b).bit_count() for a, b in zip(got, want, strict=True)]
        label = str(side) if side else "full"
        out[label] = {
            "seconds": round(best, 3),
            "runs": [round(t, 3) for t in runs],
            "max_bits": max(bits),
            "mean_bits": round(sum(bits) / len(bits), 3),
            "files_differing": sum(1 for b in bits if b),
        }
        print(
            f"draft {label:>5}: {best:6.2f} s  bits vs full imagehash: max {max(bits)}, "
            f"mean {out[label]['mean_bits']}, {out[label]['files_differing']} of "
            f"{len(bits)} files differ"
        )
    return {"drafts": out}


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
    parser.add_argument("--pools", action="store_true", help="thread vs process pools")
    parser.add_argument(
        "--draft-sizes", metavar="N,N,...", help="draft shortest sides to compare (0 = none)"
    )
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)
    folder = os.path.abspath(args.folder)
    paths = list_files(folder)
    size = sum(os.path.getsize(p) for p in paths)
    say = (lambda *_: None) if args.json else print
    say(f"{len(paths)} files, {size / 1e6:.0f} MB, {args.workers} workers, load {load():.2f}")
    if args.pools or args.draft_sizes:
        study = (
            compare_pools(paths, args.workers, repeat)
            if args.pools
            else compare_drafts(
                paths, [int(x) for x in args.draft_sizes.split(",")], args.workers, repeat
            )
        )
        print(json.dumps({"folder": folder, "files": len(paths), "load": load(), **study}))
        return 0

    for package in (dedupe_gui, bench):
        compile_package(os.path.dirname(package.__file__ or ""))
    # Read every file once so that no contender pays for the first read from disk.
    for p in paths:
        with open(p, "rb") as f:
            while f.read(1 << 20):
                pass
    result = compare_whole(folder, paths, args, say)
    print(json.dumps(result))
    return 0


def compare_whole(
    folder: str, paths: Sequence[str], args: argparse.Namespace, say: Callable[..., None]
) -> dict[str, Any]:
    """Baseline, floor, cold and warm over ``paths``, rounds interleaved; medians and ratios."""
    repeat = max(1, args.repeat)
    runs: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    costs: dict[str, dict[str, Any]] = {}
    reports: dict[str, dict[str, Any]] = {}
    scan_args = ["dedupe_gui", "scan", folder, "-t", args.threshold, "-q", "--format", "json"]
    with tempfile.TemporaryDirectory() as tmp:
        listing = os.path.join(tmp, "files.txt")
        with open(listing, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write("".join(p + "\n" for p in paths))
        cache = os.path.join(tmp, "cache.sqlite3")
        reports["fill"] = json.loads(measured([*scan_args, "--cache", cache])[2])

        def whole(name: str, module_args: list[str]) -> None:
            seconds, cost, stdout = measured(module_args)
            runs.setdefault(name, []).append(seconds)
            cpu.setdefault(name, []).append(float(cost.get("cpu_seconds") or 0.0))
            costs[name] = cost
            if name in ("cold", "warm"):
                reports[name] = json.loads(stdout)

        for _ in range(repeat):
            if not args.skip_baseline:
                start = time.perf_counter()
                naive(paths)
                runs.setdefault("baseline", []).append(time.perf_counter() - start)
            whole("floor", ["bench.decode_floor", listing, "--workers", str(args.workers)])
            whole("cold", [*scan_args, "--no-cache"])
            whole("warm", [*scan_args, "--cache", cache])
    assert reports["warm"]["stats"]["hashed"] == 0, "the warm rescan decoded files again"
    assert _groups(reports["cold"]) == _groups(reports["warm"]), "cold and warm groups differ"
    times = {k: statistics.median(v) for k, v in runs.items()}
    for name, t in times.items():
        cost = costs.get(name, {})
        per_file = (cost.get("rchar") or 0) / max(1, len(paths))
        extra = (
            f"  read {per_file / 1e3:8.1f} KB/file  peak {cost.get('peak_rss_mb')} MB"
            f"  cpu {[round(x, 2) for x in cpu.get(name, [])]}"
        )
        say(
            f"{name:>9}: {t:8.2f} s  runs {[round(x, 2) for x in runs[name]]}"
            + (extra if cost else "")
        )
    cpu_times = {k: statistics.median(v) for k, v in cpu.items()}
    ratios = {"cold_vs_floor": times["cold"] / times["floor"]}
    # A loaded machine stretches wall clocks unevenly; CPU seconds move less with it.
    ratios["cold_vs_floor_cpu"] = cpu_times["cold"] / max(1e-9, cpu_times["floor"])
    if "baseline" in times:
        ratios["baseline_vs_cold"] = times["baseline"] / times["cold"]
        ratios["baseline_vs_floor"] = times["baseline"] / times["floor"]
    ratios["cold_vs_warm"] = times["cold"] / times["warm"]
    say(
        "  ".join(f"{k.replace('_vs_', ' / ')} = {v:.2f}x" for k, v in ratios.items())
        + f"  (groups: {len(reports['cold']['groups'])}, load {load():.2f})"
    )
    return {
        "folder": folder,
        "files": len(paths),
        "bytes": sum(os.path.getsize(p) for p in paths),
        "workers": args.workers,
        "repeat": repeat,
        "median_seconds": {k: round(v, 3) for k, v in times.items()},
        "median_cpu_seconds": {k: round(v, 3) for k, v in cpu_times.items()},
        "runs": {k: [round(t, 3) for t in v] for k, v in runs.items()},
        "costs": costs,
        "load_after": round(load(), 2),
        "ratios": {k: round(v, 2) for k, v in ratios.items()},
        "scan_stats": {k: v["stats"] for k, v in reports.items()},
    }


def _groups(report: dict[str, Any]) -> list[list[str]]:
    return sorted(sorted(f["path"] for f in g["files"]) for g in report["groups"])


if __name__ == "__main__":
    raise SystemExit(main())
