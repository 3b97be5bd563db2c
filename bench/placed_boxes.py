"""The CPU of placing the picture box of every grouped file, as the keeper rule "clean" does.

    python -m bench.placed_boxes FOLDER --cache FILE --report REPORT.json [--rounds N]

The records are read back from FILE (a copy: a cache of another schema is moved over on
open) with their thumbnails left in the store, as a rescan holds them; every file of the
groups of REPORT (a JSON report of a scan of FOLDER) is asked about at once, in a fresh
``PictureBoxes`` each round. Run it from two checkouts on copies of one cache to compare
them: the counts of framed files must agree.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.loaded_thumbs import LoadedThumbs
from dedupe_gui.core.picture_boxes import PictureBoxes
from dedupe_gui.core.scan import ScanOptions, run_scan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--cache", required=True)
    parser.add_argument("--report", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    store = FingerprintStore(args.cache)
    try:
        records = run_scan(ScanOptions(paths=(args.folder,), thumbs_in_store=True), store).records
        index = {r.path: i for i, r in enumerate(records)}
        with open(args.report, encoding="utf-8") as f:
            groups = json.load(f)["groups"]
        wanted = np.array(
            [index[m["path"]] for g in groups for m in g["files"] if m["path"] in index],
            dtype=np.int64,
        )
        for n in range(args.rounds):
            boxes = PictureBoxes(records, LoadedThumbs(records, store.thumbs))
            start = time.process_time()
            inside = boxes.inside(wanted)
            seconds = time.process_time() - start
            framed = int((inside < 1.0).any(axis=1).sum())
            print(f"round {n + 1}: {wanted.size} files, {framed} framed, {seconds:.2f} CPU s")
    finally:
        store.close()


if __name__ == "__main__":
    main()
