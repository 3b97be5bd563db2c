"""The window search (core.window_candidates) against the plain search, on the same hashes.

    python -m bench.window_search --count 100000 --repeat 3
    python -m bench.window_search --count 1000000 --sure 7+3,8
    python -m bench.window_search --count 1000000 --sure 7+3 --far 11

The grouping searches every file's own hash against its neighbours within T (``self_pairs``,
"plain") and, for trimmed and framed copies, against every window hash of every other file
within ``WINDOW_BITS`` (``window_pairs``, about ten windows per file). This times both on
one set of hashes, in one process, in interleaved rounds:

- own hashes as ``bench.hamming`` makes them (random, near-duplicates, identical copies);
- ``--windows`` window hashes per file, each its own hash with 4-22 random bits flipped (the
  spread measured between the windows and the own hash of 10,000 real photos: median 13,
  5-95 % 5-22);
- ``--far`` more window hashes per file made the same way, searched as the grouping
  searches its far windows (off-centre squares, deep trims: ``FAR_LAYOUTS``), timed together
  with the search of the others in one row ("grouping + N far");
- a share of "trimmed copies": own hashes planted at 0..WINDOW_BITS bits from a window of
  another file, to count which each search finds. ``--sure`` lists the window searches: a
  radius searched for sure (pairs within it are always found, those between it and
  ``WINDOW_BITS`` by chance; ``WINDOW_BITS`` itself is exhaustive), ``+R`` for a second
  pass over transposed bit grids sure to R bits, as the grouping does (``7+3``).

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.hamming import make_hashes, peak_rss_mb
from dedupe_gui.core.hamming import Pairs, self_pairs
from dedupe_gui.core.window_candidates import WINDOW_BITS
from dedupe_gui.core.window_index import FAR_LAYOUTS, LAYOUTS, SURE_BITS, window_pairs
from dedupe_gui.core.workers import default_workers

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


def flipped(values: U64, low: int, high: int, rng: np.random.Generator) -> U64:
    """Each value with a random set of ``low``..``high`` (inclusive) of its bits flipped."""
    flips = rng.integers(low, high + 1, size=values.size)
    out: U64 = values.copy()
    weights = np.uint64(1) << np.arange(64, dtype=np.uint64)
    step = 1 << 18  # rows of 64 random keys at a time: bounded memory at 10M windows
    for start in range(0, values.size, step):
        part = slice(start, start + step)
        order = np.argsort(rng.random((out[part].size, 64)), axis=1)
        chosen = order < flips[part, None]
        out[part] ^= np.bitwise_or.reduce(np.where(chosen, weights, np.uint64(0)), axis=1)
    return out


def make_library(
    count: int, windows: int, trimmed: float, seed: int
) -> tuple[U64, U64, I64, U64, I64]:
    """(own hashes, window hashes, the planted copies' indices into own, the window each was
    planted near, the distance to it).

    Window k of file i is ``windows_flat[i * windows + k]``; the planted copies are the last
    ``trimmed * count`` own hashes, each near one window of an earlier file.
    """
    rng = np.random.default_rng(seed)
    planted = int(count * trimmed)
    own = make_hashes(count - planted, 12, seed, 0.1, 0.05)
    win = flipped(np.repeat(own, windows), 4, 22, rng)
    source = rng.integers(0, win.size, size=planted)
    copies = flipped(win[source], 0, WINDOW_BITS, rng)
    distance = np.bitwise_count(copies ^ win[source]).astype(np.int64)
    copy_windows = flipped(np.repeat(copies, windows), 4, 22, rng)
    own = np.concatenate([own, copies])
    win = np.concatenate([win, copy_windows])
    copy_index = np.arange(count - planted, count, dtype=np.int64)
    return own, win, copy_index, win[source], distance


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.window_search", description=__doc__)
    parser.add_argument("--count", type=int, default=100_000, help="files (own hashes)")
    parser.add_argument("--windows", type=int, default=10, help="window hashes per file")
    parser.add_argument("--threshold", type=int, default=12, help="T of the plain search")
    parser.add_argument("--trimmed", type=float, default=0.05, help="share of planted copies")
    parser.add_argument(
        "--sure",
        default="+".join(str(sure) for _, sure in LAYOUTS) + f",{SURE_BITS},{WINDOW_BITS}",
        help="comma-separated searches: a radius searched for sure (WINDOW_BITS: exhaustive), "
        "+R for a second pass over the transposed bit grids sure to R bits (the grouping's "
        "search is the first of the default: %(default)s)",
    )
    parser.add_argument(
        "--far",
        type=int,
        default=0,
        help="far window hashes per file (off-centre squares, deep trims), searched as the "
        "grouping searches them (FAR_LAYOUTS) in one more row beside the grouping's search of "
        "the others",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)

    own, win, copy_index, true_window, true_distance = make_library(
        args.count, args.windows, args.trimmed, args.seed
    )
    unique_own, inverse = np.unique(own, return_inverse=True)
    unique_win = np.unique(win)
    # Each planted copy as (its unique own hash, its window's unique value): the pair the
    # window search must return.
    planted = inverse.reshape(-1)[copy_index] * unique_win.size + np.searchsorted(
        unique_win, true_window
    )
    jobs: dict[str, Any] = {
        "plain": lambda: self_pairs(unique_own, args.threshold, workers=args.workers)
    }
    for spec in args.sure.split(","):
        layouts = [(k > 0, int(sure)) for k, sure in enumerate(spec.split("+"))]
        jobs[spec] = partial(
            window_pairs, unique_own, unique_win, WINDOW_BITS, layouts, workers=args.workers
        )
    if args.far:
        far = np.unique(flipped(np.repeat(own, args.far), 4, 22, np.random.default_rng(args.seed)))

        def both() -> Pairs:
            near = window_pairs(unique_own, unique_win, WINDOW_BITS, LAYOUTS, args.workers)
            window_pairs(unique_own, far, WINDOW_BITS, FAR_LAYOUTS, args.workers)
            return near

        jobs[f"grouping + {args.far} far"] = both
    # Rounds interleave the searches, so that a change of load on the shared machine falls
    # on all of them; the best round of each counts (wall and CPU seconds).
    wall: dict[str, list[float]] = {name: [] for name in jobs}
    cpu: dict[str, list[float]] = {name: [] for name in jobs}
    found: dict[str, Any] = {}
    for _ in range(max(1, args.repeat)):
        for name, job in jobs.items():
            w0, c0 = time.perf_counter(), time.process_time()
            found[name] = job()
            wall[name].append(time.perf_counter() - w0)
            cpu[name].append(time.process_time() - c0)
    plain = found.pop("plain")
    plain_s, plain_cpu = min(wall["plain"]), min(cpu["plain"])
    result: dict[str, Any] = {
        "files": args.count,
        "own_unique": int(unique_own.size),
        "windows_unique": int(unique_win.size),
        "threshold": args.threshold,
        "plain_seconds": round(plain_s, 3),
        "plain_cpu_seconds": round(plain_cpu, 3),
        "plain_pairs": len(plain),
        "window_bits": WINDOW_BITS,
        "window": [],
    }
    print(
        f"{args.count} files, {unique_own.size} unique own hashes, {unique_win.size} unique "
        f"window hashes; plain search T={args.threshold}: {plain_s:.2f} s "
        f"(CPU {plain_cpu:.2f} s), {len(plain)} pairs"
    )
    for spec, pairs in found.items():
        hit = np.isin(planted, pairs.a * unique_win.size + pairs.b)
        by_distance = {
            int(d): round(float(hit[true_distance == d].mean()), 3)
            for d in np.unique(true_distance).tolist()
        }
        seconds, cpu_seconds = min(wall[spec]), min(cpu[spec])
        row = {
            "search": spec,
            "seconds": round(seconds, 3),
            "cpu_seconds": round(cpu_seconds, 3),
            "ratio_to_plain": round(seconds / max(plain_s, 1e-9), 2),
            "cpu_ratio_to_plain": round(cpu_seconds / max(plain_cpu, 1e-9), 2),
            "pairs": len(pairs),
            "planted_found_by_distance": by_distance,
        }
        result["window"].append(row)
        print(
            f"windows within {WINDOW_BITS} bits, search {spec}: {seconds:.2f} s, CPU "
            f"{cpu_seconds:.2f} s ({row['ratio_to_plain']}x / {row['cpu_ratio_to_plain']}x "
            f"the plain search), {len(pairs)} pairs; planted copies found by distance: "
            + ", ".join(f"{d}: {share:.2f}" for d, share in by_distance.items())
        )
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
