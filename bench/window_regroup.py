"""The window's groupings without the window: the first, then the slider's, timed and sized.

    python -m bench.window_regroup FOLDER --cache FILE [--thresholds 12,10,14]

Scans FOLDER as the window does (the records leave their thumbnails in the cache), then asks
``review.IndexHolder`` for the groups at each threshold in turn, as the window's grouping
thread does when the slider moves: the first builds the similarity index, the others reuse
it. FILE is copied first (the copy is removed at the end) and any grouping it keeps is
dropped from the copy, so the first grouping is made rather than read back, with the pair
checks and words the cache holds. Prints each grouping's CPU and wall seconds, the RSS after
it and the high-water mark, and a digest of the groups (keepers, members, distances, words),
to compare two checkouts on the same library: the GUI's own costs are in
``bench.window_stalls``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import replace

from bench.measured import memory_mb
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import Group
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.review import GroupingRequest, IndexHolder


def digest_of(groups: list[Group]) -> str:
    """A digest of what the window would show of ``groups``."""
    shown = [
        [(m.record.key.path, m.distance, m.differences, m.orientation, m.keep) for m in g.members]
        for g in groups
    ]
    return hashlib.sha1(repr(shown).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.window_regroup")
    parser.add_argument("folder")
    parser.add_argument("--cache", required=True, help="cache to copy (never written)")
    parser.add_argument("--thresholds", default="12,10,14", help="groupings in turn")
    args = parser.parse_args(argv)
    thresholds = [int(t) for t in args.thresholds.split(",") if t.strip()]
    with tempfile.TemporaryDirectory(prefix="window-regroup-") as scratch:
        db = os.path.join(scratch, "cache.sqlite3")
        shutil.copyfile(args.cache, db)
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM groupings")
        store = FingerprintStore(db)
        try:
            options = replace(ScanOptions(paths=(args.folder,)), thumbs_in_store=True)
            records = tuple(run_scan(options, store).records)
        finally:
            store.close()
        now, peak = memory_mb()
        print(f"scan: {len(records)} files, RSS {now:.0f} MB (peak {peak:.0f})", flush=True)
        holder = IndexHolder(db)
        try:
            for threshold in thresholds:
                cpu, wall = time.process_time(), time.perf_counter()
                groups = holder.groups(GroupingRequest(0, records, GroupingOptions(threshold)))
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                now, peak = memory_mb()
                print(
                    f"at {threshold:>2} bits: {len(groups)} groups, {cpu:.2f} CPU s, "
                    f"{wall:.2f} s, RSS {now:.0f} MB (peak {peak:.0f}), "
                    f"groups {digest_of(groups)}",
                    flush=True,
                )
        finally:
            holder.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
