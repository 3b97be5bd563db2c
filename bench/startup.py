"""What a cold scan spends before its first decode and in its first grouping, in this checkout
and another, side by side in fresh interpreters.

    python -m bench.startup FOLDER --other CHECKOUT [--repeat N]

Each round runs, in turn (the order alternating) for both checkouts and for the floor:

- ``start``: a fresh interpreter doing what the command line does before its first decode
  (``import dedupe_gui.cli``, the logging set up, the arguments of ``scan FOLDER --no-cache``
  parsed); the floor's start (Pillow, argparse, a thread pool, as ``bench.decode_floor``)
  beside it. The process's CPU seconds (``rusage`` of the child).
- ``first``: the same, then the folder's first file decoded as the scan decodes it
  (``core.decoded.Decoded``), beside the floor's start and its decode of that file: what
  the first decode loads on its way (Pillow's plugins).
- ``grouping``: a fresh interpreter that scans FOLDER in process (``run_scan`` keeping its
  pictures, as the command line does) and then groups it once at the default options: the
  CPU seconds of that first grouping, all threads (``time.process_time``). A first grouping
  pays for what its process has not loaded yet, which a second one in the same process
  would not show.

Prints the medians and quartiles, and the modules each checkout has loaded when its first
file starts to decode (how many, and those the two do not share). Many rounds are needed
at load: a process's CPU seconds are counted in ticks of a few ms.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys

from bench.scan import compile_package, list_files

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_START = """
import dedupe_gui.cli as cli
cli.one_thread_per_matrix_product()
from dedupe_gui.logs import setup_logging
setup_logging(0)
cli.build_parser().parse_args(['scan', FOLDER, '--no-cache', '-q', '--format', 'json'])
"""

_FLOOR = """
import argparse
from concurrent.futures import ThreadPoolExecutor
from PIL import Image
parser = argparse.ArgumentParser()
parser.add_argument('file_list')
parser.add_argument('--workers', type=int, default=2)
parser.parse_args([FOLDER])
ThreadPoolExecutor(2).shutdown()
"""

_FIRST = """
from dedupe_gui.core.decoded import Decoded
Decoded(FIRST).close()
"""

_FLOOR_FIRST = """
from bench.decode_floor import decode
decode(FIRST)
"""

_GROUPING = """
import json, time
from dedupe_gui.cli import one_thread_per_matrix_product
one_thread_per_matrix_product()
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.core.scan_pictures import ScanPictures
pictures = ScanPictures()
result = run_scan(ScanOptions((FOLDER,), pictures=pictures))
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
start = time.process_time()
SimilarityIndex(result.records, pictures=pictures).groups(GroupingOptions(DEFAULT_THRESHOLD))
print(json.dumps(time.process_time() - start))
"""

_FIRST_DECODE = """
import json, sys
import dedupe_gui.core.decoded as decoded
seen = []
init = decoded.Decoded.__init__
def first(self, *args, **kwargs):
    if not seen:
        seen.append(sorted(m for m in sys.modules if not m.startswith('numpy')))
    init(self, *args, **kwargs)
decoded.Decoded.__init__ = first
import contextlib, io
from dedupe_gui.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(['scan', FOLDER, '--no-cache', '-q', '--format', 'json'])
print(json.dumps(seen[0] if seen else []))
"""


def _run(code: str, checkout: str, folder: str, first: str = "") -> tuple[float, str]:
    """CPU seconds of a fresh interpreter running ``code`` from ``checkout``, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-c", code.replace("FOLDER", repr(folder)).replace("FIRST", repr(first))],
        check=True,
        capture_output=True,
        text=True,
        cwd=checkout,
        env=dict(os.environ, PYTHONPATH=checkout),
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return cpu, done.stdout


def _summary(values: list[float], scale: float) -> str:
    low, _, high = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return (
        f"{statistics.median(values) * scale:.1f} (quartiles {low * scale:.1f}-{high * scale:.1f})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--other", required=True, help="the other checkout (a git worktree)")
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args(argv)
    folder = os.path.abspath(args.folder)
    sides = {"this": HERE, "other": os.path.abspath(args.other)}
    for checkout in sides.values():
        compile_package(os.path.join(checkout, "dedupe_gui"))
    first_file = list_files(folder)[0]
    start: dict[str, list[float]] = {name: [] for name in [*sides, "floor"]}
    first: dict[str, list[float]] = {name: [] for name in [*sides, "floor"]}
    grouping: dict[str, list[float]] = {name: [] for name in sides}
    loads = [os.getloadavg()[0]]
    for round_no in range(max(1, args.repeat)):
        order = list(sides) if round_no % 2 == 0 else list(reversed(sides))
        for name in order:
            start[name].append(_run(_START, sides[name], folder)[0])
            first[name].append(_run(_START + _FIRST, sides[name], folder, first_file)[0])
        start["floor"].append(_run(_FLOOR, HERE, folder)[0])
        first["floor"].append(_run(_FLOOR + _FLOOR_FIRST, HERE, folder, first_file)[0])
        if round_no % 4 == 0:  # a scan each: fewer rounds of these
            for name in order:
                grouping[name].append(float(json.loads(_run(_GROUPING, sides[name], folder)[1])))
    loads.append(os.getloadavg()[0])
    loaded = {
        name: set(json.loads(_run(_FIRST_DECODE, checkout, folder)[1]))
        for name, checkout in sides.items()
    }
    for name, values in start.items():
        print(f"start    {name:>5}: {_summary(values, 1000)} ms CPU, {len(values)} runs")
    for name, values in first.items():
        print(f"first    {name:>5}: {_summary(values, 1000)} ms CPU, {len(values)} runs")
    for name, values in grouping.items():
        print(f"grouping {name:>5}: {_summary(values, 1000)} ms CPU, {len(values)} runs")
    for name in sides:
        only = sorted(loaded[name] - loaded["other" if name == "this" else "this"])
        print(f"loaded at the first decode, {name}: {len(loaded[name])}; only here: {only}")
    print(f"load {loads[0]:.1f} -> {loads[1]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
