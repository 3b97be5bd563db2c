"""Where the wall clock of a whole cold ``dedupe-gui scan`` goes, thread by thread.

    python -m bench.wall_shape FOLDER [--repeat N] [--other CHECKOUT] [--bare]

Runs ``dedupe-gui scan FOLDER --no-cache -q --format json`` in a fresh interpreter (this
checkout, and ``--other``'s in turn when given) with probes on the functions the scan calls,
and the decode floor (``bench.decode_floor``) beside it, rounds interleaved. Medians, in
seconds since the process started (``/proc/self/stat``):

- ``python``: the interpreter starts running the command's first line;
- ``first``/``last``: the first decode starts, the last decode or hash ends;
- ``grouping``: its start and its length (one core idles through most of it);
- ``end``: the output written.

And the CPU seconds of the decodes, of the hashes, of the thread importing numpy and the
grouping beside them, of the scan's own thread, and of the whole process; per decoding thread
the time it slept between its first and last file (waiting for the GIL or for work:
``/proc/self/task/TID/schedstat``, neither running nor runnable), and ``tail``, how long the
first thread to finish waited for the last one. With every core busy from the first decode to
the last, the wall clock is about the start, plus the CPU seconds in between over the cores,
plus the grouping: a thread that sleeps on the GIL leaves its core to the others.

``--bare`` adds this checkout once more with the fingerprint's thumbnails and window hashes
replaced by empty ones (no grouping can use them): how much of the distance to the floor is
the fingerprint's own work beyond the 64-bit hash, and how much the rest of the process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from bench.scan import PROCESS_START, list_files, load

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Runs in the measured interpreter: wraps what the scan calls, then writes one JSON object.
_START = (
    """
import os, sys, threading, time
"""
    + PROCESS_START
    + """OUT = {"python": _now - T0, "spans": [], "sleeps": {}}
def span(kind, start, cpu):
    OUT["spans"].append((threading.current_thread().name, kind, start - T0,
                         time.perf_counter() - T0, time.thread_time() - cpu))
def sched():
    with open(f"/proc/self/task/{threading.get_native_id()}/schedstat") as f:
        run, wait, _ = f.read().split()
    return time.perf_counter(), int(run) / 1e9, int(wait) / 1e9
def timed(kind, call):
    def wrapped(*args, **kwargs):
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return call(*args, **kwargs)
        finally:
            span(kind, start, cpu)
    return wrapped
"""
)

_SCAN = (
    _START
    + """
import contextlib, io, json
import dedupe_gui.cli as cli
import dedupe_gui.cli_running as running
from dedupe_gui.core import decoded, scan
marks = {}
def first_file():
    marks[threading.current_thread().name] = [sched()]
def hashed(call):
    def wrapped(*args):
        if BARE:  # the hashing module is loaded by now (the scan's import thread loads it)
            fingerprint = sys.modules["dedupe_gui.core.fingerprint"]
            fingerprint.thumbnail = lambda *args: b""
            fingerprint.fine_thumbnail = lambda *args: b""
            fingerprint.window_hashes = lambda *args: ()
        try:
            return call(*args)
        finally:
            marks[threading.current_thread().name].append(sched())
    return wrapped
decoded.Decoded.__init__ = timed("decode", decoded.Decoded.__init__)
scan._hash_entry = hashed(timed("hash", scan._hash_entry))
scan._Hashing._load = timed("imports", scan._Hashing._load)
run_in_worker = cli.run_in_worker
def run_in_worker_(*args, **kwargs):
    out = run_in_worker(*args, **kwargs)
    # Imported on the side during the scan (a small one may end first: this waits for it).
    from dedupe_gui.core import grouping
    grouping.SimilarityIndex.groups = timed("grouping", grouping.SimilarityIndex.groups)
    return out
cli.run_in_worker = run_in_worker_
run_scan = running.run_scan
def run_scan_(*args, **kwargs):
    kwargs["thread_setup"] = first_file
    return timed("scan", run_scan)(*args, **kwargs)
running.run_scan = run_scan_
with contextlib.redirect_stdout(io.StringIO()):
    cli.main(["scan", sys.argv[1], "--no-cache", "-q", "--format", "json"])
OUT["end"] = time.perf_counter() - T0
OUT["cpu"] = time.process_time()
for name, m in marks.items():
    (w0, r0, q0), (w1, r1, q1) = m[0], m[-1]
    OUT["sleeps"][name] = (w1 - w0) - (r1 - r0) - (q1 - q0)
print(json.dumps(OUT))
"""
)

_FLOOR = (
    _START
    + """
import json
import bench.decode_floor as floor
floor.decode = timed("decode", floor.decode)
floor.main([sys.argv[1]])
OUT["end"] = time.perf_counter() - T0
OUT["cpu"] = time.process_time()
print(json.dumps(OUT))
"""
)


def _run(code: str, checkout: str, target: str, bare: bool = False) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", f"BARE = {bare}\n" + code, target],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=checkout),
        cwd=checkout,  # ``-c`` puts the working folder first on the path
    )
    raw = json.loads(done.stdout.strip().splitlines()[-1])
    spans = raw["spans"]
    work = [s for s in spans if s[1] in ("decode", "hash")]
    ends: dict[str, float] = {}
    for name, _, _, end, _ in work:
        ends[name] = max(ends.get(name, 0.0), end)
    out = {
        "python": raw["python"],
        "first": min(s[2] for s in work),
        "last": max(ends.values()),
        "tail": max(ends.values()) - min(ends.values()),
        "end": raw["end"],
        "cpu": raw["cpu"],
    }
    for kind in ("decode", "hash", "imports", "scan"):
        found = [s[4] for s in spans if s[1] == kind]
        if found:
            out[f"{kind} cpu"] = sum(found)
    grouping = [s for s in spans if s[1] == "grouping"]
    if grouping:
        out["grouping"] = grouping[0][2]
        out["grouping s"] = grouping[0][3] - grouping[0][2]
    if raw["sleeps"]:
        out["slept"] = sum(raw["sleeps"].values())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wall_shape", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--other", help="another checkout (a git worktree), run in turn")
    parser.add_argument(
        "--bare", action="store_true", help="also this checkout without thumbnails and windows"
    )
    args = parser.parse_args(argv)
    folder = os.path.abspath(args.folder)
    paths = list_files(folder)
    sides = {"this": HERE} | ({"other": os.path.abspath(args.other)} if args.other else {})
    if args.bare:
        sides["bare"] = HERE
    print(f"{len(paths)} files, load {load():.2f}")
    runs: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        listing = os.path.join(tmp, "files.txt")
        with open(listing, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write("".join(p + "\n" for p in paths))
        for round_ in range(max(1, args.repeat)):
            order = list(sides.items())
            for name, checkout in order if round_ % 2 == 0 else order[::-1]:
                bare = name == "bare"
                runs.setdefault(name, []).append(_run(_SCAN, checkout, folder, bare))
            runs.setdefault("floor", []).append(_run(_FLOOR, HERE, listing))
    keys = list(dict.fromkeys(k for rs in runs.values() for r in rs for k in r))
    print(f"{'':12s}" + "".join(f"{name:>10s}" for name in runs))
    table: dict[str, dict[str, float]] = {}
    for key in keys:
        row = {
            name: statistics.median(r[key] for r in rs)
            for name, rs in runs.items()
            if all(key in r for r in rs)
        }
        table[key] = row
        print(f"{key:12s}" + "".join(f"{row[n]:10.3f}" if n in row else " " * 10 for n in runs))
    print(f"load {load():.2f}")
    print(json.dumps({"folder": folder, "repeat": args.repeat, "medians": table}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
