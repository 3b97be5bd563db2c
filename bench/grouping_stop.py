"""How soon a running grouping stops when asked to (what a slider move does to a stale one).

Synthetic records (random 64-bit hashes, every third a new one and the others one bit from the
previous record, no thumbnails); each threshold is grouped once in full for its time, then again
with a stop requested half way through. Prints one line per threshold.

    python -m bench.grouping_stop --count 20000 --thresholds 12,20
"""

from __future__ import annotations

import argparse
import random
import threading
import time

from dedupe_gui.core.grouping import GroupingStopped, SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, Fingerprint, ImageRecord


def records(count: int, seed: int) -> list[ImageRecord]:
    rng = random.Random(seed)
    out: list[ImageRecord] = []
    for i in range(count):
        fresh = i % 3 == 0 or not out
        value = (
            rng.getrandbits(64) if fresh else out[-1].fingerprint.hash ^ (1 << rng.randrange(64))
        )
        out.append(
            ImageRecord(
                FileKey(f"/lib/{i:06}.jpg", 1000 + i, i), Fingerprint(value, 400, 300, "JPEG")
            )
        )
    return out


def _ask_later(delay: float, asked: threading.Event, asked_at: list[float]) -> None:
    time.sleep(delay)
    asked_at[0] = time.perf_counter()
    asked.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.grouping_stop", description=__doc__)
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--thresholds", default="12,20")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    recs = records(args.count, args.seed)
    for threshold in (int(t) for t in args.thresholds.split(",")):
        options = GroupingOptions(threshold)
        started = time.perf_counter()
        SimilarityIndex(recs).groups(options)
        full = time.perf_counter() - started
        asked = threading.Event()
        asked_at = [0.0]
        threading.Thread(target=_ask_later, args=(full / 2, asked, asked_at), daemon=True).start()
        try:
            SimilarityIndex(recs).groups(options, should_stop=asked.is_set)
            print(f"T={threshold}: finished before the stop ({full:.2f} s)")
        except GroupingStopped:
            late = (time.perf_counter() - asked_at[0]) * 1000
            print(f"T={threshold}: full grouping {full:.2f} s; stopped {late:.1f} ms after asked")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
