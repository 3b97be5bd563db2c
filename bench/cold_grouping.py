"""A cold grouping in process, on fingerprints already in a cache: its CPU, pairs, groups.

    python -m bench.cold_grouping FOLDER[,FOLDER ...] --cache FILE [--out GROUPS.json]

FILE must hold the folders' fingerprints (``dedupe-gui scan FOLDER --cache FILE``, with
``--no-verify`` for speed) and is read as it is: run it on a copy whose ``pair_checks``,
``pair_words`` and ``groupings`` rows are deleted, so that every pair is checked as in a
first scan. Prints one JSON line: the grouping's CPU seconds (all threads) and wall seconds,
the pairs checked and passed, the groups, the resident memory before and at its high-water.
``--out`` also writes the groups' member paths, to compare two versions' groups. Two
versions run side by side (each on its own copy) give the grouping's CPU ratio without the
scan phase, which a whole cold scan adds to both. numpy's matrix products get one thread,
as in the program (``dedupe_gui.cli``); the kernel's share of the CPU (page faults) and the
minor faults are given apart.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

from bench.measured import memory_mb
from dedupe_gui.core.workers import one_thread_per_matrix_product


def main(argv: list[str] | None = None) -> int:
    # As the program does, before numpy is first imported (by the modules below).
    one_thread_per_matrix_product()
    from dedupe_gui.core.cache import FingerprintStore
    from dedupe_gui.core.grouping import SimilarityIndex
    from dedupe_gui.core.grouping_options import GroupingOptions
    from dedupe_gui.core.scan import ScanOptions, run_scan
    from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL

    parser = argparse.ArgumentParser(prog="python -m bench.cold_grouping", description=__doc__)
    parser.add_argument("folders", help="folders, separated by commas")
    parser.add_argument("--cache", required=True)
    parser.add_argument("--out", help="write the groups' member paths here (JSON)")
    args = parser.parse_args(argv)
    store = FingerprintStore(args.cache)
    options = ScanOptions(tuple(args.folders.split(",")), thumbs_in_store=True)
    records = run_scan(options, store).records
    before = memory_mb()[0]
    index = SimilarityIndex(records, None, store.thumbs, store.fines)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu, wall = time.process_time(), time.perf_counter()
    groups = index.groups(GroupingOptions())
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_SELF)
    checked, _ = index.take_new_checks()
    summary = {
        "files": len(records),
        "groups": len(groups),
        "grouping_cpu_s": round(cpu, 1),
        "kernel_cpu_s": round(after.ru_stime - usage.ru_stime, 1),
        "minor_faults": after.ru_minflt - usage.ru_minflt,
        "wall_s": round(wall, 1),
        "pairs_checked": len(checked),
        "pairs_passed": sum(1 for v in checked.values() if v <= DEFAULT_MAX_RESIDUAL),
        "rss_before_mb": round(before, 1),
        "peak_mb": round(memory_mb()[1], 1),
    }
    print(json.dumps(summary), flush=True)
    if args.out:
        members = [[m.path for m in g.members] for g in groups]
        with open(args.out, "w") as f:
            json.dump({"summary": summary, "groups": members}, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
