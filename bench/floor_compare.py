"""In-process comparison of the scan with the decode floor, without interpreter start-up.

    python -m bench.floor_compare FOLDER [--repeat N]

``bench.scan`` times the real command as a whole process, which includes about 0.2 s of
interpreter start-up and imports; on a set that decodes in 0.7 s that alone is 0.3x of the
floor. This times, in one process and over the same (page-cached) files: the floor (JPEG draft
decode on the same number of threads), the fingerprint function mapped over a thread pool,
and ``run_scan`` itself (walk, pool, progress, digests).
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from dedupe_gui.core.files import IMAGE_EXTENSIONS
from dedupe_gui.core.scan import ScanOptions, fingerprint_entry, run_scan
from dedupe_gui.core.workers import default_workers


def _floor(path: str) -> None:
    with Image.open(path) as im:
        im.draft("L", (64, 64))
        im.load()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = sorted(
        os.path.join(d, f)
        for d, _, names in os.walk(args.folder)
        for f in names
        if os.path.splitext(f)[1].lower() in IMAGE_EXTENSIONS
    )
    for path in files:  # into the page cache, so that every run reads from memory
        with open(path, "rb") as fh:
            fh.read()
    workers = default_workers()
    print(f"{len(files)} files, {workers} threads, load {os.getloadavg()[0]:.2f}")
    for _ in range(args.repeat):
        t = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(_floor, files))
        floor = time.perf_counter() - t
        t = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(fingerprint_entry, files))
        mapped = time.perf_counter() - t
        t = time.perf_counter()
        run_scan(ScanOptions((args.folder,), workers=workers))
        scan = time.perf_counter() - t
        print(
            f"floor {floor:.3f} s  fingerprints {mapped:.3f} s ({mapped / floor:.2f}x)  "
            f"run_scan {scan:.3f} s ({scan / floor:.2f}x)"
        )


if __name__ == "__main__":
    main()
