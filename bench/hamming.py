"""All pairs within T among many random 64-bit hashes, checked against brute force.

The hashes imitate a large library: mostly unrelated values, near-duplicates planted at 1..T
bit flips from another hash, and clusters of identical hashes (byte-identical copies). As
the grouping does, identical hashes are collapsed first; the search runs on the unique
values, and the pair count among the original N is derived from the cluster sizes.

Exactness is checked on a random sample of unique hashes: each sampled hash's neighbours
within T according to the search must equal those found by comparing it with every hash.
The last line of output is one JSON object.

    python -m bench.hamming --count 1000000 --threshold 10 --json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.hamming import Pairs, self_pairs
from dedupe_gui.core.workers import default_workers

U64 = npt.NDArray[np.uint64]


def make_hashes(count: int, threshold: int, seed: int, planted: float, identical: float) -> U64:
    """``count`` hashes: random ones, near-duplicates of them, and repeated values."""
    rng = np.random.default_rng(seed)
    n_planted = int(count * planted)
    n_identical = int(count * identical)
    n_random = count - n_planted - n_identical
    base = rng.integers(0, np.iinfo(np.uint64).max, size=n_random, dtype=np.uint64, endpoint=True)
    # Near-duplicates: a random earlier hash with 1..T distinct bits flipped.
    sources = base[rng.integers(0, n_random, size=n_planted)]
    flips = rng.integers(1, max(1, threshold) + 1, size=n_planted)
    order = np.argsort(rng.random((n_planted, 64)), axis=1)
    chosen = order < flips[:, None]  # a random set of flips[i] bit positions per row
    weights = np.uint64(1) << np.arange(64, dtype=np.uint64)
    masks = np.bitwise_or.reduce(np.where(chosen, weights, np.uint64(0)), axis=1)
    near = sources ^ masks
    pool = np.concatenate([base, near])
    # Identical copies: clusters of 2..6 copies of some hashes.
    copies = pool[rng.integers(0, pool.size, size=n_identical)]
    hashes = np.concatenate([pool, copies])
    rng.shuffle(hashes)
    return hashes


def expanded_pairs(pairs: Pairs, counts: npt.NDArray[np.int64]) -> int:
    """Pairs among the original hashes: every copy pairs with every copy of a neighbour,
    and the copies of one value pair with each other at distance 0."""
    across = int((counts[pairs.a] * counts[pairs.b]).sum())
    within = int((counts * (counts - 1) // 2).sum())
    return across + within


def check_sample(
    unique: U64, pairs: Pairs, threshold: int, sample: int, seed: int
) -> tuple[bool, int]:
    """(every sampled hash has exactly the brute-force neighbours, number sampled)."""
    rng = np.random.default_rng(seed + 1)
    n = int(unique.size)
    picked = rng.choice(n, size=min(sample, n), replace=False)
    # Neighbours by the search, as (query, neighbour) keys.
    a, b = pairs.a, pairs.b
    both_q = np.concatenate([a, b])
    both_n = np.concatenate([b, a])
    both_d = np.concatenate([pairs.distance, pairs.distance]).astype(np.int64)
    in_sample = np.isin(both_q, picked)
    got = sorted(
        zip(
            both_q[in_sample].tolist(),
            both_n[in_sample].tolist(),
            both_d[in_sample].tolist(),
            strict=True,
        )
    )
    want: list[tuple[int, int, int]] = []
    for q in picked.tolist():
        d = np.bitwise_count(unique ^ unique[q]).astype(np.int64)
        near = np.flatnonzero(d <= threshold)
        want.extend((q, int(j), int(d[j])) for j in near.tolist() if j != q)
    return got == sorted(want), int(picked.size)


def search_module_at(rev: str) -> ModuleType:
    """The Hamming search as it was at git revision ``rev``, loaded under another name.

    The module was ``core/search.py`` before it became ``core/hamming.py``; either is found.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for name in ("hamming", "search"):
        shown = subprocess.run(
            ["git", "-C", root, "show", f"{rev}:dedupe_gui/core/{name}.py"],
            capture_output=True,
            text=True,
        )
        if shown.returncode == 0:
            source = shown.stdout
            break
    else:
        raise SystemExit(f"no Hamming search module at revision {rev}")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(source)
    try:
        spec = importlib.util.spec_from_file_location("search_baseline", f.name)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["search_baseline"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    finally:
        os.unlink(f.name)
    return module


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hamming", description=__doc__)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--threshold", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--planted", type=float, default=0.1, help="share of near-duplicates")
    parser.add_argument("--identical", type=float, default=0.05, help="share of repeated values")
    parser.add_argument("--sample", type=int, default=300, help="hashes checked by brute force")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--repeat", type=int, default=1, help="time the search this many times")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument(
        "--baseline-rev",
        metavar="REV",
        help="also time the search of this git revision on the same hashes (same run)",
    )
    args = parser.parse_args(argv)

    hashes = make_hashes(args.count, args.threshold, args.seed, args.planted, args.identical)
    times: list[float] = []
    cpu: list[float] = []
    pairs = Pairs.empty()
    unique = np.empty(0, np.uint64)
    counts = np.empty(0, np.int64)
    for _ in range(max(1, args.repeat)):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        unique, counts = np.unique(hashes, return_counts=True)
        pairs = self_pairs(unique, args.threshold, workers=args.workers)
        times.append(time.perf_counter() - wall0)
        cpu.append(time.process_time() - cpu0)
    exact, sampled = check_sample(unique, pairs, args.threshold, args.sample, args.seed)
    baseline: dict[str, Any] = {}
    if args.baseline_rev:
        old = search_module_at(args.baseline_rev)
        old_times = []
        for _ in range(max(1, args.repeat)):
            start = time.perf_counter()
            old_pairs = old.self_pairs(unique, args.threshold)
            old_times.append(time.perf_counter() - start)
        same = (
            np.array_equal(old_pairs.a, pairs.a)
            and np.array_equal(old_pairs.b, pairs.b)
            and np.array_equal(old_pairs.distance, pairs.distance)
        )
        baseline = {
            "baseline_rev": args.baseline_rev,
            "baseline_seconds": round(min(old_times), 3),
            "baseline_seconds_all": [round(t, 3) for t in old_times],
            "baseline_same_pairs": bool(same),
            "speedup": round(min(old_times) / min(times), 2),
        }
    result: dict[str, Any] = {
        "count": args.count,
        "threshold": args.threshold,
        "unique": int(unique.size),
        "pairs": len(pairs),
        "expanded_pairs": expanded_pairs(pairs, counts.astype(np.int64)),
        "seconds": round(min(times), 3),
        "seconds_all": [round(t, 3) for t in times],
        "cpu_seconds": round(cpu[times.index(min(times))], 3),
        "workers": args.workers,
        "exact": exact,
        "sampled": sampled,
        "peak_rss_mb": peak_rss_mb(),
        **baseline,
    }
    if not args.json:
        print(
            f"{args.count} hashes ({result['unique']} unique), T={args.threshold}: "
            f"{result['pairs']} unique-hash pairs, {result['expanded_pairs']} pairs in all, "
            f"{result['seconds']} s (cpu {result['cpu_seconds']} s, {args.workers} threads), "
            f"exact on {sampled} sampled hashes: {exact}, peak RSS {result['peak_rss_mb']} MB"
        )
        if baseline:
            print(
                f"search at {args.baseline_rev}: {baseline['baseline_seconds']} s, same pairs: "
                f"{baseline['baseline_same_pairs']}, speed-up {baseline['speedup']}x"
            )
    print(json.dumps(result))
    return 0 if exact else 1


if __name__ == "__main__":
    raise SystemExit(main())
