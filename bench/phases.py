"""Where a whole ``dedupe-gui scan`` process spends its CPU: start-up, scan, grouping, output.

    python -m bench.phases FOLDER [--repeat N] [-- SCAN OPTIONS ...]

Runs ``dedupe-gui scan FOLDER --no-cache -q --format json`` in a fresh interpreter N times
and prints, per phase, the CPU seconds of the whole process (all threads:
``time.process_time``) and the wall seconds, median of the runs: the interpreter and the
imports, argument handling, the scan (walk, decoding and fingerprints on the thread pool,
and the import of numpy, the hashing and the grouping on a thread beside them),
the grouping, the exact-copy digests of group members, and the JSON output. The decode floor
(``bench.decode_floor`` over the same files) is run alongside for scale. Whole-process ratios
come from ``bench.scan``; this says which phase the difference lives in.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from bench.scan import list_files, load

# Runs inside the measured interpreter: marks phases by wrapping the functions the command
# calls between them, then prints one JSON line of (phase, cpu, wall) triples.
_PROBE = """
import contextlib, io, json, resource, sys, time
marks = []
def mark(name):
    marks.append((name, time.process_time(), time.perf_counter()))
start = (time.process_time(), time.perf_counter())
import dedupe_gui.cli as cli
mark("imports")
# The command imports the digests and the report when it needs them: wrapped where they live.
from dedupe_gui.core import actions, report
run, digests, to_json = cli.run_in_worker, actions.with_quick_digests, report.to_json
json_parts = report.json_parts
def run_(*a, **k):
    mark("arguments"); out = run(*a, **k); mark("scan")
    # The grouping is imported during the scan (core.scan preloads it): wrapped once there.
    from dedupe_gui.core import grouping
    groups = grouping.SimilarityIndex.groups
    def groups_(self, *a, **k):
        out = groups(self, *a, **k); mark("grouping"); return out
    grouping.SimilarityIndex.groups = groups_
    return out
def digests_(*a, **k):
    out = digests(*a, **k); mark("digests"); return out
def to_json_(*a, **k):
    out = to_json(*a, **k); mark("json"); return out
def json_parts_(*a, **k):
    yield from json_parts(*a, **k); mark("json")
cli.run_in_worker = run_
actions.with_quick_digests, report.to_json = digests_, to_json_
report.json_parts = json_parts_
with contextlib.redirect_stdout(io.StringIO()):
    cli.main(["scan", *sys.argv[1:], "--no-cache", "-q", "--format", "json"])
usage = resource.getrusage(resource.RUSAGE_SELF)
total = usage.ru_utime + usage.ru_stime
# CPU spent before the probe's first line: interpreter start-up and site imports.
phases = [("interpreter", total - time.process_time() + start[0], 0.0)]
prev = start
for name, cpu, wall in marks:
    phases.append((name, cpu - prev[0], wall - prev[1]))
    prev = (cpu, wall)
phases.append(("rest", time.process_time() - prev[0], time.perf_counter() - prev[1]))
print(json.dumps({"phases": phases, "cpu": total}))
"""


def probe(folder: str, extra: list[str]) -> dict[str, list[float]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, folder, *extra],
        check=True,
        capture_output=True,
        text=True,
    )
    doc = json.loads(done.stdout.strip().splitlines()[-1])
    return {name: [cpu, wall] for name, cpu, wall in doc["phases"]} | {"total": [doc["cpu"], 0]}


def floor_cpu(listing: str, workers: int) -> float:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "bench.decode_floor", listing, "--workers", str(workers)],
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.phases", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("scan_options", nargs="*", help="after --: more scan options")
    args = parser.parse_args(argv)
    folder = os.path.abspath(args.folder)
    paths = list_files(folder)
    print(f"{len(paths)} files, load {load():.2f}")
    runs: dict[str, list[list[float]]] = {}
    floors: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        listing = os.path.join(tmp, "files.txt")
        with open(listing, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write("".join(p + "\n" for p in paths))
        for _ in range(max(1, args.repeat)):
            floors.append(floor_cpu(listing, args.workers))
            for name, pair in probe(folder, args.scan_options).items():
                runs.setdefault(name, []).append(pair)
            time.sleep(0)
    floor = statistics.median(floors)
    total = statistics.median(r[0] for r in runs["total"])
    print(f"{'phase':12s} {'CPU s':>7s} {'share':>6s} {'wall s':>7s}")
    for name, pairs in runs.items():
        if name == "total":
            continue
        cpu = statistics.median(p[0] for p in pairs)
        wall = statistics.median(p[1] for p in pairs)
        print(f"{name:12s} {cpu:7.3f} {cpu / total:6.1%} {wall:7.3f}")
    print(f"{'total':12s} {total:7.3f}   (decode floor {floor:.3f} CPU s: {total / floor:.2f}x)")
    print(f"load {load():.2f}")
    summary = {k: [statistics.median(p[0] for p in v)] for k, v in runs.items()}
    print(json.dumps({"folder": folder, "cpu": summary, "floor_cpu": floor}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
