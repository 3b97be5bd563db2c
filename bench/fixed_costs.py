"""The fixed costs of a whole ``dedupe-gui scan`` process, in this checkout and another, beside
the decode floor's, in fresh processes.

    python -m bench.fixed_costs FOLDER --other CHECKOUT [--repeat N]

Each round runs, in turn (the order alternating), ``dedupe-gui scan FOLDER --no-cache -q
--format json`` through ``cli.run`` (as the console script does) in this checkout and in
the other, and ``bench.decode_floor`` over the same files, each with its output to a pipe.
Per process, in seconds since the process started (``/proc/self/stat``):

- ``first``: the first decode starts; ``first cpu``: the process's CPU seconds then;
- ``returned``: ``main()`` returns, the output written;
- ``gone``: from ``main()`` returning to the process gone (its exit handlers, the flushes
  and the teardown, or ``cli.run``'s end without it), by the wall clock of both sides;
- ``cpu``: the process's CPU seconds, teardown included (``rusage`` of the child), and
  ``wall``: the parent's wall clock around the whole process.

Medians and quartiles, and the load before and after. Many rounds are needed at load: the
start of a process moves by tens of ms with the scheduler.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from bench.scan import PROCESS_START, compile_package, list_files, load

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Runs first in the measured interpreter: the process's start, and marks written to stderr.
_START = (
    """
import json, os, resource, sys, threading, time
"""
    + PROCESS_START
    + """MARKS = {}
_lock = threading.Lock()
def first_decode(call):
    def wrapped(*args, **kwargs):
        with _lock:
            if "first" not in MARKS:
                usage = resource.getrusage(resource.RUSAGE_SELF)
                MARKS["first"] = time.perf_counter() - T0
                MARKS["first cpu"] = usage.ru_utime + usage.ru_stime
        return call(*args, **kwargs)
    return wrapped
def returned():
    MARKS["returned"] = time.perf_counter() - T0
    sys.stderr.write("MARKS " + json.dumps(MARKS) + " " + repr(time.time()) + "\\n")
    sys.stderr.flush()
"""
)

_SCAN = (
    _START
    + """
import dedupe_gui.cli as cli
from dedupe_gui.core import decoded
decoded.Decoded.__init__ = first_decode(decoded.Decoded.__init__)
main = cli.main
def timed_main(argv=None):
    status = main(argv)
    returned()
    return status
cli.main = timed_main
sys.argv = ["dedupe-gui", "scan", sys.argv[1], "--no-cache", "-q", "--format", "json"]
cli.run()
"""
)

_FLOOR = (
    _START
    + """
import bench.decode_floor as floor
floor.decode = first_decode(floor.decode)
floor.main([sys.argv[1]])
returned()
"""
)


def _run(code: str, checkout: str, target: str) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, target],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=checkout),
        cwd=checkout,  # ``-c`` puts the working folder first on the path
    )
    gone = time.time()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = [x for x in done.stderr.splitlines() if x.startswith("MARKS ")][-1]
    marks_text, at_return = line[len("MARKS ") :].rsplit(" ", 1)
    marks: dict[str, float] = json.loads(marks_text)
    marks["gone"] = gone - float(at_return)
    marks["cpu"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    marks["wall"] = wall
    return marks


def _summary(values: list[float]) -> str:
    low, _, high = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return f"{statistics.median(values):7.3f} ({low:.3f}-{high:.3f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fixed_costs", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--other", required=True, help="the other checkout (a git worktree)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    folder = os.path.abspath(args.folder)
    sides = {"this": HERE, "other": os.path.abspath(args.other)}
    for checkout in sides.values():
        compile_package(os.path.join(checkout, "dedupe_gui"))
    paths = list_files(folder)
    loads = [load()]
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in [*sides, "floor"]}
    with tempfile.TemporaryDirectory() as tmp:
        listing = os.path.join(tmp, "files.txt")
        with open(listing, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write("".join(p + "\n" for p in paths))
        for round_no in range(max(1, args.repeat)):
            order = list(sides.items())
            for name, checkout in order if round_no % 2 == 0 else order[::-1]:
                runs[name].append(_run(_SCAN, checkout, folder))
            runs["floor"].append(_run(_FLOOR, HERE, listing))
    loads.append(load())
    print(f"{len(paths)} files, {args.repeat} rounds, load {loads[0]:.2f} -> {loads[1]:.2f}")
    print("seconds, median (quartiles)")
    print(f"{'':10s}" + "".join(f"{name:>22s}" for name in runs))
    table: dict[str, dict[str, float]] = {}
    for key in ("first", "first cpu", "returned", "gone", "cpu", "wall"):
        cells = [_summary([r[key] for r in rs]) for rs in runs.values()]
        print(f"{key:10s}" + "".join(f"{cell:>22s}" for cell in cells))
        table[key] = {name: statistics.median(r[key] for r in rs) for name, rs in runs.items()}
    print(json.dumps({"folder": folder, "repeat": args.repeat, "loads": loads, "medians": table}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
